"""The sealer links every committed event exactly once; verify finds every kind of tampering."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

import pytest
from sqlalchemy import delete, event, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.principal import Principal
from hub.store.audit_chain import (
    GENESIS_HASH,
    BreakReason,
    ChainHead,
    canonical_json,
    link_hash,
    run_sealer,
    seal,
    verify,
)
from hub.store.models import DisclosureEvent, DisclosureLearner
from policies.audit import Disclosure, record_disclosure

PRINCIPAL = Principal(
    subject="client-a", role="caseworker", client_id="client-a", purpose="tracking"
)
_events = DisclosureEvent.__table__
_links = DisclosureLearner.__table__


async def _append(engine: AsyncEngine, *learner_ids: int) -> None:
    disclosure = Disclosure(("Learner",), ("identity",), learner_ids, None, ("tracking@1",))
    async with engine.begin() as connection:
        await record_disclosure(
            connection, PRINCIPAL, disclosure, request_id="req", trace_id="0" * 32
        )


async def _append_many(engine: AsyncEngine, count: int) -> None:
    for number in range(count):
        await _append(engine, number + 1, number + 2)


async def _ids_by_seq(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(_events.c.id).where(_events.c.sealed_seq.is_not(None)).order_by("sealed_seq")
        )
        return list(result.scalars())


async def _delete_event(connection: AsyncConnection, event_id: int) -> None:
    await connection.execute(delete(DisclosureLearner).where(_links.c.event_id == event_id))
    await connection.execute(delete(DisclosureEvent).where(_events.c.id == event_id))


async def test_events_appended_concurrently_seal_into_one_intact_chain(
    engine: AsyncEngine,
) -> None:
    await asyncio.gather(*(_append_many(engine, 5) for _ in range(8)))

    assert await seal(engine) == 40
    report = await verify(engine)

    assert report.is_intact
    assert (report.checked, report.unsealed) == (40, 0)
    async with engine.connect() as connection:
        seqs = list(await connection.scalars(select(_events.c.sealed_seq).order_by("sealed_seq")))
        indexed = await connection.scalar(select(func.count()).select_from(_links))
    assert seqs == list(range(1, 41))
    assert indexed == 80


async def test_sealing_again_seals_only_new_events_after_the_head(engine: AsyncEngine) -> None:
    await _append_many(engine, 3)
    await seal(engine)
    first = await verify(engine)
    await _append_many(engine, 2)

    assert await seal(engine) == 2
    report = await verify(engine)
    assert report.is_intact
    assert report.checked == 5
    assert first.head is not None
    assert report.head is not None
    assert report.head.seq == 5


async def test_two_sealers_at_once_seal_each_event_exactly_once(engine: AsyncEngine) -> None:
    await _append_many(engine, 60)

    counts = await asyncio.gather(seal(engine, batch_size=7), seal(engine, batch_size=7))

    assert sum(counts) == 60
    report = await verify(engine)
    assert report.is_intact
    assert report.checked == 60


async def test_a_row_that_becomes_visible_late_with_a_lower_id_is_sealed_next(
    engine: AsyncEngine,
) -> None:
    row = {
        "occurred_at": dt.datetime.now(dt.UTC),
        "agreements": [],
        "entity_types": ["Learner"],
        "field_categories": [],
        "learner_ids": [7],
    }
    async with engine.begin() as connection:
        await connection.execute(insert(DisclosureEvent), [{"id": 10, **row}, {"id": 20, **row}])
    await seal(engine)
    async with engine.begin() as connection:
        await connection.execute(insert(DisclosureEvent), {"id": 5, **row})

    assert await seal(engine) == 1
    assert await _ids_by_seq(engine) == [10, 20, 5]
    assert (await verify(engine)).is_intact


async def test_a_transaction_committing_after_a_seal_is_not_skipped(
    engine: AsyncEngine, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time, so its ids always commit in order")
    disclosure = Disclosure(("Learner",), ("identity",), (1,), None, ())
    async with engine.connect() as slow:
        await record_disclosure(slow, PRINCIPAL, disclosure, request_id=None, trace_id=None)
        await _append(engine, 2)
        assert await seal(engine) == 1
        await slow.commit()

    assert await seal(engine) == 1
    ids = await _ids_by_seq(engine)
    assert ids[0] > ids[1]
    assert (await verify(engine)).is_intact


async def test_changed_learner_ids_of_a_sealed_event_are_detected(engine: AsyncEngine) -> None:
    await _append_many(engine, 5)
    await seal(engine)
    target = (await _ids_by_seq(engine))[2]
    async with engine.begin() as connection:
        await connection.execute(
            update(DisclosureEvent).where(_events.c.id == target).values(learner_ids=[999])
        )

    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.seq) == (target, 3)
    assert report.broken.reason is BreakReason.MISMATCH


async def test_a_deleted_sealed_event_is_detected(engine: AsyncEngine) -> None:
    await _append_many(engine, 5)
    await seal(engine)
    ids = await _ids_by_seq(engine)
    async with engine.begin() as connection:
        await _delete_event(connection, ids[1])

    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.seq) == (ids[2], 2)
    assert report.broken.reason is BreakReason.MISSING


async def test_an_unsealed_sealed_event_is_resealed_and_its_gap_detected(
    engine: AsyncEngine,
) -> None:
    await _append_many(engine, 3)
    await seal(engine)
    ids = await _ids_by_seq(engine)
    async with engine.begin() as connection:
        await connection.execute(
            update(DisclosureEvent).where(_events.c.id == ids[0]).values(sealed_seq=None)
        )

    assert await seal(engine) == 1
    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.reason) == (ids[1], BreakReason.MISSING)


async def test_swapping_the_content_of_two_sealed_events_is_detected(
    engine: AsyncEngine,
) -> None:
    await _append(engine, 1)
    await _append(engine, 2)
    await _append(engine, 3)
    await seal(engine)
    first, second, _ = await _ids_by_seq(engine)
    async with engine.begin() as connection:
        await connection.execute(
            update(DisclosureEvent).where(_events.c.id == first).values(learner_ids=[2])
        )
        await connection.execute(
            update(DisclosureEvent).where(_events.c.id == second).values(learner_ids=[1])
        )
        await connection.execute(
            update(DisclosureLearner).where(_links.c.event_id == first).values(learner_id=2)
        )
        await connection.execute(
            update(DisclosureLearner).where(_links.c.event_id == second).values(learner_id=1)
        )

    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.reason) == (first, BreakReason.MISMATCH)


async def test_reordering_two_sealed_events_is_detected(engine: AsyncEngine) -> None:
    await _append_many(engine, 4)
    await seal(engine)
    ids = await _ids_by_seq(engine)
    async with engine.begin() as connection:
        for event_id, seq in ((ids[1], -1), (ids[2], 2), (ids[1], 3)):
            await connection.execute(
                update(DisclosureEvent).where(_events.c.id == event_id).values(sealed_seq=seq)
            )

    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.seq) == (ids[2], 2)
    assert report.broken.reason is BreakReason.MISMATCH


async def test_an_index_row_pointing_at_another_learner_is_detected(engine: AsyncEngine) -> None:
    await _append_many(engine, 3)
    await seal(engine)
    target = (await _ids_by_seq(engine))[0]
    async with engine.begin() as connection:
        await connection.execute(
            update(DisclosureLearner)
            .where(_links.c.event_id == target, _links.c.learner_id == 1)
            .values(learner_id=555)
        )

    report = await verify(engine)

    assert report.broken is not None
    assert (report.broken.event_id, report.broken.reason) == (target, BreakReason.INDEX)


async def test_removing_the_last_events_is_detected_only_against_an_anchor(
    engine: AsyncEngine,
) -> None:
    await _append_many(engine, 4)
    await seal(engine)
    anchor = (await verify(engine)).head
    assert anchor is not None
    async with engine.begin() as connection:
        await _delete_event(connection, (await _ids_by_seq(engine))[-1])

    assert (await verify(engine)).is_intact
    report = await verify(engine, anchor=anchor)
    assert report.broken is not None
    assert (report.broken.seq, report.broken.reason) == (4, BreakReason.ANCHOR)
    assert (await verify(engine, anchor=ChainHead(3, anchor.chain_hash))).broken is not None


async def test_an_empty_audit_verifies_as_intact(engine: AsyncEngine) -> None:
    report = await verify(engine)

    assert report.is_intact
    assert (report.checked, report.head) == (0, None)


CANONICAL = (
    '{"aggregate_count":null,"agreements":["a@1"],"client_id":"c","entity_types":["Learner"],'
    '"field_categories":["identity"],"id":1,"learner_ids":[3,4],'
    '"occurred_at":"2026-01-02T03:04:05.000006Z","partner_id":2,"purpose":"tracking",'
    '"request_id":"r","sealed_seq":1,"trace_id":"t","user_id":null}'
)


def test_the_hash_is_sha256_of_the_predecessor_and_the_documented_canonical_json() -> None:
    event = {
        "id": 1,
        "occurred_at": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        "client_id": "c",
        "user_id": None,
        "partner_id": 2,
        "purpose": "tracking",
        "agreements": ["a@1"],
        "entity_types": ["Learner"],
        "field_categories": ["identity"],
        "learner_ids": [3, 4],
        "aggregate_count": None,
        "request_id": "r",
        "trace_id": "t",
    }
    naive = {**event, "occurred_at": dt.datetime(2026, 1, 2, 3, 4, 5, 6)}  # noqa: DTZ001
    hashed = link_hash(GENESIS_HASH, event, 1)

    assert canonical_json(event, 1) == CANONICAL
    assert hashed == hashlib.sha256((GENESIS_HASH + CANONICAL).encode()).hexdigest()
    assert link_hash(GENESIS_HASH, naive, 1) == hashed
    assert link_hash(GENESIS_HASH, event, 2) != hashed
    assert link_hash(hashed, event, 1) != hashed


async def test_the_background_sealer_seals_while_running_and_once_more_on_stop(
    engine: AsyncEngine,
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run_sealer(engine, 0.05, stop))
    await _append_many(engine, 3)
    for _ in range(200):
        if (await verify(engine)).checked == 3:
            break
        await asyncio.sleep(0.05)
    await _append(engine, 9)
    stop.set()
    await asyncio.wait_for(task, timeout=30)

    report = await verify(engine)
    assert (report.checked, report.unsealed) == (4, 0)
    assert report.is_intact


def test_a_chain_head_reads_back_from_its_printed_form() -> None:
    head = ChainHead(12, "ab" * 32)

    assert ChainHead.parse(str(head)) == head
    with pytest.raises(ValueError, match="expected"):
        ChainHead.parse("12:short")


async def test_sealed_rows_keep_their_events_from_being_deleted_without_their_index(
    engine: AsyncEngine,
) -> None:
    await _append(engine, 1)
    await seal(engine)
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM disclosure_events"))


async def _seal_counting(engine: AsyncEngine) -> tuple[int, list[str]]:
    """Seal, recording each execute the pass sends (an executemany counts once per row)."""
    sent: list[str] = []

    def before(_conn: object, _cursor: object, statement: str, parameters: object,
               _context: object, executemany: bool) -> None:
        rows = len(parameters) if executemany and isinstance(parameters, list | tuple) else 1
        sent.extend([statement] * rows)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        sealed = await seal(engine)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)
    return sealed, sent


async def test_a_pass_writes_positions_and_learner_index_in_one_statement_each(
    engine: AsyncEngine,
) -> None:
    await _append(engine, 4, 4, 5)  # a learner named twice is indexed once
    few, few_sent = await _seal_counting(engine)
    for number in range(40):
        await _append(engine, number, number + 100, number + 200)
    many, many_sent = await _seal_counting(engine)

    assert (few, many) == (1, 40)
    assert len(many_sent) == len(few_sent)
    for statements in (few_sent, many_sent):
        assert sum("INSERT INTO disclosure_learners" in s for s in statements) == 1
        assert sum(s.startswith("UPDATE disclosure_events") for s in statements) == 1
    async with engine.connect() as connection:
        links = await connection.execute(select(_links.c.event_id, _links.c.learner_id))
        pairs = {(event_id, learner_id) for event_id, learner_id in links}
        events = await connection.execute(select(_events.c.id).order_by(_events.c.id))
        ids = list(events.scalars())
    expected = {(ids[0], 4), (ids[0], 5)} | {
        (ids[n + 1], learner) for n in range(40) for learner in (n, n + 100, n + 200)
    }
    assert pairs == expected
    report = await verify(engine)
    assert (report.checked, report.unsealed, report.is_intact) == (41, 0, True)
