"""A subject access request lists every disclosure naming the learner, sealed or not, once."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import ForbiddenError
from hub.principal import Principal
from hub.store.audit_chain import seal
from hub.store.models import Partner
from policies.audit import Disclosure, record_disclosure
from policies.disclosures import disclosures_for_learner, require_subject_access


async def _partner(engine: AsyncEngine, name: str) -> int:
    async with engine.begin() as connection:
        partner_id = await connection.scalar(
            insert(Partner).values(name=name, partner_type="fe_college").returning(Partner.id)
        )
    assert partner_id is not None
    return partner_id


async def _disclose(
    engine: AsyncEngine,
    partner_id: int,
    learner_ids: tuple[int, ...],
    *,
    aggregate_count: int | None = None,
    request_id: str = "req",
) -> None:
    principal = Principal(
        subject=f"client-{partner_id}",
        role="caseworker",
        partner_id=partner_id,
        client_id=f"client-{partner_id}",
        purpose="tracking",
    )
    disclosure = Disclosure(
        ("Learner",), ("identity",), learner_ids, aggregate_count, (f"agreement-{partner_id}@2",)
    )
    async with engine.begin() as connection:
        await record_disclosure(
            connection, principal, disclosure, request_id=request_id, trace_id=None
        )


async def _requested(engine: AsyncEngine, learner_id: int) -> list[tuple[str | None, str | None]]:
    async with engine.connect() as connection:
        records = await disclosures_for_learner(connection, learner_id)
    return [(record.partner_name, record.request_id) for record in records]


async def test_lists_which_partner_saw_the_learner_when_and_under_which_agreement(
    engine: AsyncEngine,
) -> None:
    college = await _partner(engine, "Synthetic College")
    provider = await _partner(engine, "Synthetic Provider")
    await _disclose(engine, college, (1, 2), request_id="r1")
    await _disclose(engine, provider, (2, 3), request_id="r2")
    await _disclose(engine, provider, (), aggregate_count=50, request_id="r3")
    await seal(engine)

    async with engine.connect() as connection:
        [record] = await disclosures_for_learner(connection, 1)
    assert (record.partner_id, record.partner_name) == (college, "Synthetic College")
    assert (record.client_id, record.purpose) == (f"client-{college}", "tracking")
    assert record.agreements == (f"agreement-{college}@2",)
    assert (record.entity_types, record.field_categories) == (("Learner",), ("identity",))
    assert record.occurred_at.tzinfo is not None
    assert record.is_sealed
    assert await _requested(engine, 2) == [
        ("Synthetic College", "r1"),
        ("Synthetic Provider", "r2"),
    ]
    assert await _requested(engine, 99) == []


async def test_events_not_yet_sealed_are_listed_and_listed_once_after_sealing(
    engine: AsyncEngine,
) -> None:
    college = await _partner(engine, "Synthetic College")
    await _disclose(engine, college, (5, 6), request_id="sealed")
    await seal(engine)
    await _disclose(engine, college, (6, 7), request_id="pending")

    async with engine.connect() as connection:
        before = await disclosures_for_learner(connection, 6)
    await seal(engine)
    async with engine.connect() as connection:
        after = await disclosures_for_learner(connection, 6)

    assert [(r.request_id, r.is_sealed) for r in before] == [("sealed", True), ("pending", False)]
    assert [(r.request_id, r.is_sealed) for r in after] == [("sealed", True), ("pending", True)]
    assert await _requested(engine, 60) == []


async def test_a_limit_returns_the_oldest_disclosures(engine: AsyncEngine) -> None:
    college = await _partner(engine, "Synthetic College")
    for number in range(3):
        await _disclose(engine, college, (8,), request_id=f"r{number}")

    async with engine.connect() as connection:
        records = await disclosures_for_learner(connection, 8, limit=2)

    assert [record.request_id for record in records] == ["r0", "r1"]


def test_only_the_dpo_role_may_read_the_disclosure_audit() -> None:
    require_subject_access(Principal(subject="dpo", role="dpo"))
    for role in ("caseworker", "analyst", "commissioner", "admin", "mis_integration"):
        with pytest.raises(ForbiddenError):
            require_subject_access(Principal(subject="someone", role=role))
