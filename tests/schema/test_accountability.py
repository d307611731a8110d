"""Subject access for the DPO, and objections recorded by a partner holding the learner."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import Principal
from tests.support.graphql import execute

SCHOOL = Principal(
    subject="client:s",
    role="caseworker",
    partner_id=1,
    client_id="s",
    purposes=("attendance_reporting",),
    purpose="attendance_reporting",
)
COLLEGE = Principal(
    subject="client:c",
    role="caseworker",
    partner_id=2,
    client_id="c",
    purposes=("attendance_reporting",),
    purpose="attendance_reporting",
)
DPO = Principal(subject="client:d", role="dpo", partner_id=3, client_id="d")


async def _run(engine: AsyncEngine, query: str, principal: Principal) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(
        orjson.dumps(await execute(engine, query, principal=principal))
    )
    return body


async def test_dpo_sees_who_read_a_learner(sample_engine: AsyncEngine) -> None:
    await _run(sample_engine, "{ learners(first: 1) { edges { node { uln } } } }", COLLEGE)
    body = await _run(
        sample_engine,
        '{ disclosures(learnerId: "1") { partnerId clientId purpose entityTypes } }',
        DPO,
    )
    assert "errors" not in body, body
    assert {
        "partnerId": "2",
        "clientId": "c",
        "purpose": "attendance_reporting",
        "entityTypes": ["learner"],
    } in body["data"]["disclosures"]


async def test_only_the_dpo_may_ask_for_disclosures(sample_engine: AsyncEngine) -> None:
    body = await _run(sample_engine, '{ disclosures(learnerId: "1") { partnerId } }', COLLEGE)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_home_school_records_and_withdraws_an_objection(sample_engine: AsyncEngine) -> None:
    body = await _run(
        sample_engine,
        'mutation { recordObjection(learnerId: "5", scope: "careers_beyond_basic") '
        "{ id learnerId scope withdrawnAt } }",
        SCHOOL,
    )
    assert "errors" not in body, body
    objection = body["data"]["recordObjection"]
    assert objection["learnerId"] == "5"
    assert objection["withdrawnAt"] is None
    withdrawn = await _run(
        sample_engine,
        f'mutation {{ withdrawObjection(objectionId: "{objection["id"]}") {{ withdrawnAt }} }}',
        SCHOOL,
    )
    assert withdrawn["data"]["withdrawObjection"]["withdrawnAt"] is not None


async def test_a_partner_without_the_learner_on_roll_cannot_object(
    sample_engine: AsyncEngine,
) -> None:
    body = await _run(
        sample_engine,
        'mutation { recordObjection(learnerId: "5", scope: "careers_beyond_basic") { id } }',
        COLLEGE,
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
