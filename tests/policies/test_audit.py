"""A disclosure appends one plain row, in the read's transaction, with one INSERT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import Principal
from hub.store.models import DisclosureEvent, Partner
from policies.audit import Disclosure, record_disclosure

_events = DisclosureEvent.__table__


def _principal(partner_id: int | None = None) -> Principal:
    return Principal(
        subject="mis-client",
        role="caseworker",
        partner_id=partner_id,
        client_id="mis-client",
        user_id="u-17",
        purpose="tracking",
    )


IDENTIFIED = Disclosure(
    entity_types=("Learner", "Participation", "Learner"),
    field_categories=("identity", "attendance"),
    learner_ids=(42, 7, 42),
    aggregate_count=None,
    agreements=("la-tracking@3",),
)


async def _rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return list(await connection.execute(select(_events).order_by(_events.c.id)))


async def test_a_disclosure_records_who_what_why_and_when(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        partner = await connection.scalar(
            insert(Partner)
            .values(name="Synthetic LA", partner_type="local_authority")
            .returning(Partner.id)
        )
        assert partner is not None
        await record_disclosure(
            connection, _principal(partner), IDENTIFIED, request_id="req-1", trace_id="ab" * 16
        )

    [row] = await _rows(engine)
    assert (row.client_id, row.user_id, row.partner_id, row.purpose) == (
        "mis-client",
        "u-17",
        partner,
        "tracking",
    )
    assert row.entity_types == ["Learner", "Participation"]
    assert row.field_categories == ["attendance", "identity"]
    assert row.learner_ids == [7, 42]
    assert row.agreements == ["la-tracking@3"]
    assert (row.aggregate_count, row.request_id, row.trace_id) == (None, "req-1", "ab" * 16)
    assert row.occurred_at is not None
    assert (row.sealed_seq, row.chain_hash) == (None, None)


async def test_the_event_exists_only_if_the_reads_transaction_commits(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as connection:
        await record_disclosure(
            connection, _principal(), IDENTIFIED, request_id=None, trace_id=None
        )
        await connection.rollback()

    assert await _rows(engine) == []


async def test_an_aggregate_is_recorded_by_its_count_without_learner_ids(
    engine: AsyncEngine,
) -> None:
    aggregate = Disclosure(("Participation",), ("attendance",), (), 230, ("la-stats@1",))
    async with engine.begin() as connection:
        await record_disclosure(connection, _principal(), aggregate, request_id=None, trace_id=None)

    [row] = await _rows(engine)
    assert (row.learner_ids, row.aggregate_count) == ([], 230)


async def test_an_empty_disclosure_appends_nothing(engine: AsyncEngine) -> None:
    empty = Disclosure(("Learner",), ("identity",), (), None, ("la-tracking@3",))
    async with engine.begin() as connection:
        await record_disclosure(connection, _principal(), empty, request_id=None, trace_id=None)

    async with engine.connect() as connection:
        assert await connection.scalar(select(func.count()).select_from(_events)) == 0


async def test_recording_is_a_single_insert_statement(engine: AsyncEngine) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with engine.begin() as connection:
            await record_disclosure(
                connection, _principal(), IDENTIFIED, request_id=None, trace_id=None
            )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)

    assert len(statements) == 1
    assert statements[0].lstrip().upper().startswith("INSERT INTO DISCLOSURE_EVENTS")
