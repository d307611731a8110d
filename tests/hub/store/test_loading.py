"""The atomic batch write: invisible until commit, all-or-nothing, claimed once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store import batches
from hub.store.batches import table_of
from hub.store.loading import BatchNotOpenError, BatchWriter
from hub.store.models import IngestBatch, IngestIssue, Learner
from tests.support.ingest import add_partner, count


class _AbortLoadError(Exception):
    """Raised by a test to abort a load midway."""


def _learner_rows(ids: list[int], batch_id: int) -> list[dict[str, object]]:
    columns = [c.name for c in table_of(Learner).columns]
    rows = []
    for learner_id in ids:
        row: dict[str, object] = dict.fromkeys(columns)
        row.update(
            id=learner_id,
            given_name=f"G{learner_id}",
            family_name="Test",
            date_of_birth=dt.date(2008, 1, 1),
            batch_id=batch_id,
        )
        rows.append(row)
    return rows


async def _open(engine: AsyncEngine, partner: int, sha: str = "a" * 64) -> int:
    opened = await batches.open_batch(
        engine, partner_id=partner, connector="ilr", file_name="f.xml", file_sha256=sha
    )
    await batches.mark_processing(engine, opened.batch_id, "k")
    return opened.batch_id


async def _write_then_abort(engine: AsyncEngine, batch_id: int, partner: int) -> None:
    async with engine.begin() as conn:
        writer = await BatchWriter.open(conn, batch_id, partner)
        ids = await writer.allocate_ids(table_of(Learner), 500)
        await writer.insert_rows(table_of(Learner), _learner_rows(ids, batch_id))
        assert await conn.scalar(select(func.count()).select_from(Learner)) == 500
        assert await count(engine, Learner) == 0  # another connection sees nothing yet
        raise _AbortLoadError


async def test_rows_are_invisible_until_commit_and_gone_after_a_failure(
    engine: AsyncEngine,
) -> None:
    partner = await add_partner(engine)
    batch_id = await _open(engine, partner)
    with pytest.raises(_AbortLoadError):
        await _write_then_abort(engine, batch_id, partner)
    assert await count(engine, Learner) == 0
    assert await count(engine, IngestBatch, status="processing") == 1


async def test_a_loaded_batch_cannot_be_claimed_again(engine: AsyncEngine) -> None:
    partner = await add_partner(engine)
    batch_id = await _open(engine, partner)
    async with engine.begin() as conn:
        writer = await BatchWriter.open(conn, batch_id, partner)
        await writer.add_issues([{"severity": "warning", "rule": "R", "message": "m"}])
        await writer.finish({"records_read": 1, "records_loaded": 1})
    with pytest.raises(BatchNotOpenError):
        async with engine.begin() as conn:
            await BatchWriter.open(conn, batch_id, partner)
    async with engine.connect() as conn:
        row = await batches.get_batch(conn, batch_id)
    assert row is not None
    assert (row["status"], row["records_loaded"]) == ("loaded", 1)
    assert await count(engine, IngestIssue, batch_id=batch_id) == 1


async def test_allocated_ids_never_collide_across_calls(engine: AsyncEngine) -> None:
    partner = await add_partner(engine)
    batch_id = await _open(engine, partner)
    async with engine.begin() as conn:
        writer = await BatchWriter.open(conn, batch_id, partner)
        first = await writer.allocate_ids(table_of(Learner), 3)
        second = await writer.allocate_ids(table_of(Learner), 2)
        await writer.insert_rows(table_of(Learner), _learner_rows(first + second, batch_id))
    assert len(set(first + second)) == 5
    assert await count(engine, Learner, batch_id=batch_id) == 5


async def test_reopening_an_unfinished_file_resumes_the_same_batch(engine: AsyncEngine) -> None:
    partner = await add_partner(engine)
    batch_id = await _open(engine, partner)
    again = await batches.open_batch(
        engine, partner_id=partner, connector="ilr", file_name="f.xml", file_sha256="a" * 64
    )
    assert (again.batch_id, again.already_loaded) == (batch_id, False)
    async with engine.connect() as conn:
        assert [b["id"] for b in await batches.unfinished_batches(conn)] == [batch_id]
        assert [b["id"] for b in await batches.list_batches(conn, partner)] == [batch_id]
