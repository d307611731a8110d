"""Every response that discloses learner data appends one audit event naming those learners."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import Principal
from hub.store.models import DisclosureEvent
from tests.support.graphql import execute

ANALYST = Principal(subject="client:t", role="analyst", partner_id=2, client_id="t",
                    purposes=("commissioning",), purpose="commissioning")


async def _events_after(engine: AsyncEngine, last_id: int) -> list[Any]:
    table = DisclosureEvent.__table__
    async with engine.connect() as connection:
        result = await connection.execute(
            select(table).where(table.c.id > last_id).order_by(table.c.id)
        )
        return list(result.all())


async def _last_id(engine: AsyncEngine) -> int:
    events = await _events_after(engine, 0)
    return events[-1].id if events else 0


async def test_learner_page_records_exactly_its_learners(sample_engine: AsyncEngine) -> None:
    before = await _last_id(sample_engine)
    await execute(
        sample_engine,
        '{ learners(first: 3) { edges { node { uln activities { category } } } } }',
        principal=ANALYST,
    )
    [event] = await _events_after(sample_engine, before)
    assert event.learner_ids == [1, 2, 3]
    assert event.partner_id == 2
    assert event.purpose == "commissioning"
    assert "learner" in event.entity_types
    assert "activity" in event.entity_types
    assert "identity" in event.field_categories


async def test_learners_reached_through_courses_are_recorded(sample_engine: AsyncEngine) -> None:
    before = await _last_id(sample_engine)
    await execute(
        sample_engine,
        "{ provision(filter: {level: \"2\", diplomaLine: \"Engineering\"}) { edges { node { "
        "title participations(first: 100) { sessionsAttended } } } } }",
        principal=ANALYST,
    )
    [event] = await _events_after(sample_engine, before)
    assert event.learner_ids == [2, 4, 6, 8, 10, 12]


async def test_reads_without_learner_data_record_nothing(sample_engine: AsyncEngine) -> None:
    before = await _last_id(sample_engine)
    await execute(sample_engine, "{ partners { edges { node { name } } } }", principal=ANALYST)
    assert await _events_after(sample_engine, before) == []


async def test_counts_record_the_count_shown(sample_engine: AsyncEngine) -> None:
    before = await _last_id(sample_engine)
    await execute(
        sample_engine, "{ learnerCounts(groupBy: [SEX]) { sex count } }", principal=ANALYST
    )
    [event] = await _events_after(sample_engine, before)
    assert event.aggregate_count == 12
    assert event.learner_ids == []
