"""Funding streams, allocations and partnership-level flows for the demo (integer pence).

Per-learner fees (home school to host) are drawn with the learners; this module holds what is
decided per partner: 16-19 allocations, the KS4 vocational pooled fund and its top-slice, and
transport money, including the neighbouring LA's contribution to the cross-border consortium.
"""

from __future__ import annotations

from hub.demo.partnership import (
    OFFSITE_SHARE,
    SCHOOL_AGE_SHARE,
    YEAR,
    Row,
    Structure,
)

STREAMS = (
    (1, "1619", "16-19 programme funding", "ESFA"),
    (2, "KS4VOC", "Key stage 4 vocational pooled fund", "Demoshire County Council"),
    (3, "TRANSPORT", "14-19 transport", "Demoshire County Council"),
)
STREAM_IDS = {code: sid for sid, code, _, _ in STREAMS}
RATE_1619_PENCE = 480_000  # national base rate per full-time 16-19 learner, roughly
TOP_SLICE_PER_KS4_PENCE = 4_500
TRANSPORT_PER_OFFSITE_PENCE = 18_000


def add_funding(s: Structure, learners: int) -> None:
    """Add streams, per-partner allocations and the top-slice and transport flows."""
    for sid, code, name, funder in STREAMS:
        s.add("funding_streams", {"id": sid, "code": code, "name": name, "funder": funder})
    allocations: list[tuple[str, int, int]] = []
    flows: list[Row] = []
    la, la2 = s.by_key("la").id, s.by_key("la2").id
    post16_total = sum(p.weight for p in s.post16)
    school_total = sum(p.weight for p in s.schools)
    offsite_total = learners * SCHOOL_AGE_SHARE * OFFSITE_SHARE
    for spec in s.post16:
        cohort = learners * (1 - SCHOOL_AGE_SHARE) * spec.weight / post16_total
        allocations.append(("1619", spec.id, round(cohort * RATE_1619_PENCE)))
        transport = round(offsite_total / len(s.post16) * TRANSPORT_PER_OFFSITE_PENCE)
        flows.append(_flow("TRANSPORT", la, spec.id, transport, "transport"))
    pool = 0
    for spec in s.schools:
        ks4 = learners * SCHOOL_AGE_SHARE * spec.weight / school_total
        allocations.append(("KS4VOC", spec.id, round(ks4 * OFFSITE_SHARE * 57_500)))
        top_slice = round(ks4 * TOP_SLICE_PER_KS4_PENCE)
        pool += top_slice
        flows.append(_flow("KS4VOC", spec.id, la, top_slice, "top_slice"))
    cross_border = round(pool * 0.15)
    flows.append(_flow("KS4VOC", la2, la, cross_border, "pooled_fund"))
    allocations.append(("KS4VOC", la, pool + cross_border))
    allocations.append(("TRANSPORT", la, round(offsite_total * TRANSPORT_PER_OFFSITE_PENCE)))
    for n, (code, partner_id, amount) in enumerate(allocations, start=1):
        s.add("funding_allocations", {
            "id": n, "stream_id": STREAM_IDS[code], "partner_id": partner_id,
            "academic_year": YEAR, "amount_pence": max(amount, 100_000), "batch_id": 1,
        })
    for n, flow in enumerate(flows, start=1):
        flow["id"] = n
        s.add("funding_flows", flow)


def _flow(stream: str, payer: int, payee: int, amount: int, basis: str) -> Row:
    return {
        "id": 0, "stream_id": STREAM_IDS[stream], "payer_partner_id": payer,
        "payee_partner_id": payee, "learner_id": None, "provision_id": None,
        "academic_year": YEAR, "amount_pence": max(amount, 10_000), "basis": basis,
        "batch_id": 1,
    }
