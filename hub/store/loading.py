"""The atomic batch write: every row of one batch is written in one transaction.

``BatchWriter`` is opened on a connection inside ``engine.begin()``; nothing it writes is
visible to anyone else until that transaction commits, and a crash (or ``SIGKILL``) rolls all
of it back. Row ids are allocated up front (a sequence on PostgreSQL, ``max(id)`` under the
write lock on SQLite) so the caller can link rows without a round trip per row, and bulk rows
go in with ``COPY`` on PostgreSQL and ``executemany`` on SQLite. A COPY may be *deferred*: sent,
and left for the server to work through while the caller prepares its next rows; every other
statement of the writer waits for it first (``settle``), so the statements still run one after
another, in order, in the one transaction.

Replacement is by source key: loading a partner's record for ``local_ref`` supersedes that
partner's earlier record of the same ``local_ref`` in the replaceable batches (the earlier
batch with the same snapshot key, or any earlier batch for a delta connector). Reviews follow
the record to its new row; attendance reported by others follows the participation.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.errors import HubError
from hub.store.batches import LOADED, PROCESSING, SUPERSEDED, UNFINISHED, table_of, utcnow
from hub.store.models.destinations import Activity
from hub.store.models.funding import FundingAllocation, FundingFlow
from hub.store.models.identity import MatchReview
from hub.store.models.ingest import IngestBatch, IngestIssue
from hub.store.models.learners import LearnerRecord
from hub.store.models.participation import AttendanceWeek, Participation
from hub.store.models.partners import Partner

_batches = table_of(IngestBatch)
_records = table_of(LearnerRecord)
_participations = table_of(Participation)
_attendance = table_of(AttendanceWeek)
_reviews = table_of(MatchReview)
_activities = table_of(Activity)
# Tables whose rows belong wholly to the batch that loaded them (provision and learners do not:
# other partners' rows point at them).
_BATCH_OWNED = (
    table_of(Activity),
    table_of(FundingAllocation),
    table_of(FundingFlow),
)


_ANALYZED = ("learners", "learner_records", "participations", "activities", "match_reviews")


class BatchNotOpenError(HubError):
    """The batch is not waiting to load (another run loaded it first): nothing was written."""

    code = "BATCH_NOT_OPEN"


class BatchWriter:
    """Writes one batch inside the caller's transaction; see the module docstring."""

    def __init__(self, conn: AsyncConnection, batch_id: int) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.is_postgres = conn.dialect.name == "postgresql"
        self._next_id: dict[str, int] = {}
        self._pending: asyncio.Future[Any] | None = None  # a deferred COPY in flight
        self._sequences: dict[str, int] = {}  # PostgreSQL: table -> its id sequence's oid

    @classmethod
    async def open(cls, conn: AsyncConnection, batch_id: int, partner_id: int) -> BatchWriter:
        """Claim the batch inside the transaction, so two runs of one file cannot both load it.

        Raises:
            BatchNotOpenError: the batch is already loaded (or rejected) by another run.
        """
        claimed = await conn.execute(
            update(_batches)
            .where(_batches.c.id == batch_id, _batches.c.status.in_(UNFINISHED))
            .values(status=PROCESSING)
        )
        if claimed.rowcount != 1:
            raise BatchNotOpenError(f"batch {batch_id} is not waiting to load")
        if conn.dialect.name == "postgresql":
            # Statistics lag a bulk load (a table loaded a minute ago still "looks" empty), and
            # the planner then scans whole tables once per key. Every statement of a load is a
            # key lookup, so indexes are always the right plan here.
            await conn.execute(text("SET LOCAL enable_seqscan = off"))
            # One loader per partner at a time: snapshot replacement must see a settled past.
            partners = table_of(Partner)
            await conn.execute(
                select(partners.c.id).where(partners.c.id == partner_id).with_for_update()
            )
        return cls(conn, batch_id)

    def one_of(self, column: ColumnElement[Any], values: Sequence[object]) -> ColumnElement[bool]:
        """``column IN values``; on PostgreSQL one array parameter, not thousands of parameters."""
        if self.is_postgres:
            item = String() if isinstance(column.type, String) else BigInteger()
            # IN (SELECT unnest(array)) lets the planner join through an index; a bare
            # "= ANY(array parameter)" is scanned element by element for every row instead.
            return column.in_(select(func.unnest(bindparam(None, list(values), type_=ARRAY(item)))))
        return column.in_(list(values))

    async def settle(self) -> None:
        """Wait for a deferred COPY (raising its error, if any) before the next statement.

        Whoever runs a statement on ``conn`` outside this writer must call this first.
        """
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending

    async def abandon(self) -> None:
        """On the way out of a failed load: let a deferred COPY end, whatever its outcome.

        The transaction is about to roll back, which the driver refuses mid-COPY.
        """
        if self._pending is not None:
            pending, self._pending = self._pending, None
            with contextlib.suppress(Exception):
                await pending

    async def allocate_ids(self, table: Table, count: int) -> list[int]:
        """Reserve ``count`` primary keys for rows of ``table`` this batch will insert."""
        if count == 0:
            return []
        await self.settle()
        if self.is_postgres:
            sequence = self._sequences.get(table.name)
            if sequence is None:
                found = await self.conn.scalar(
                    text("SELECT CAST(CAST(pg_get_serial_sequence(:t, 'id') AS regclass) AS oid)"),
                    {"t": table.name},
                )
                sequence = self._sequences[table.name] = int(found)
            # The sequence as a constant (not looked up per id), and one row holding an array:
            # thousands of ids cost one value to decode, not a row each.
            ids = await self.conn.scalar(
                text(
                    f"SELECT array_agg(nextval(CAST({sequence} AS oid))) "  # noqa: S608 - an int
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
            return list(ids)
        # SQLite: the claim in ``open`` holds the write lock, so max(id) cannot move under us.
        start = self._next_id.get(table.name)
        if start is None:
            highest = await self.conn.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            start = int(highest or 0) + 1
        self._next_id[table.name] = start + count
        return list(range(start, start + count))

    async def insert_rows(
        self, table: Table, rows: Sequence[dict[str, Any]], *, defer: bool = False
    ) -> None:
        """Bulk-insert complete rows (every column present in every row).

        ``defer``: on PostgreSQL, send the COPY and return before the server has worked through
        it (see the module docstring); its errors surface at the writer's next statement.
        """
        if not rows:
            return
        await self.settle()
        if self.is_postgres:
            columns = list(rows[0])
            values = itemgetter(*columns)  # a tuple per row, in C (one column: wrap the value)
            records: list[tuple[Any, ...]] = (
                [values(row) for row in rows] if len(columns) > 1 else [(values(r),) for r in rows]
            )
            # COPY takes JSON columns as text; every other value is already its column's type.
            as_json = [n for n, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
            if as_json:
                records = [
                    tuple(json.dumps(v) if n in as_json else v for n, v in enumerate(record))
                    for record in records
                ]
            raw = await self.conn.get_raw_connection()
            driver: Any = raw.driver_connection
            copy = driver.copy_records_to_table(table.name, records=records, columns=columns)
            if defer:
                self._pending = asyncio.ensure_future(copy)
                await asyncio.sleep(0)  # the driver sends every row now, then awaits the server
                return
            await copy
            return
        await self.conn.execute(insert(table), list(rows))

    async def add_issues(self, issues: Iterable[dict[str, Any]]) -> None:
        """Store findings (severity, rule, source_ref, record_number, field, message)."""
        rows = [
            {
                "id": None,
                "batch_id": self.batch_id,
                "severity": issue["severity"],
                "rule": str(issue["rule"])[:60],
                "source_ref": _cut(issue.get("source_ref"), 60),
                "record_number": issue.get("record_number"),
                "field": _cut(issue.get("field"), 100),
                "message": issue["message"],
            }
            for issue in issues
        ]
        if not rows:
            return
        table = table_of(IngestIssue)
        ids = await self.allocate_ids(table, len(rows))
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        await self.insert_rows(table, rows)

    async def replaceable_batches(
        self, partner_id: int, connector: str, snapshot_key: str | None, *, is_snapshot: bool
    ) -> list[int]:
        """Loaded batches this one supersedes record by record (see the module docstring)."""
        await self.settle()
        statement = select(_batches.c.id).where(
            _batches.c.partner_id == partner_id,
            _batches.c.connector == connector,
            _batches.c.status == LOADED,
            _batches.c.id != self.batch_id,
        )
        if is_snapshot:
            statement = statement.where(
                _batches.c.snapshot_key.is_(None)
                if snapshot_key is None
                else _batches.c.snapshot_key == snapshot_key
            )
        return [int(row[0]) for row in await self.conn.execute(statement)]

    async def replace_records(
        self, partner_id: int, source: str, new_ids: dict[str, int], old_batches: Sequence[int]
    ) -> None:
        """Supersede earlier records of the local refs in ``new_ids`` (already inserted)."""
        if not old_batches or not new_ids:
            return
        await self.settle()
        old = (
            await self.conn.execute(
                select(_records.c.id, _records.c.local_ref, _records.c.learner_id).where(
                    _records.c.partner_id == partner_id,
                    _records.c.source == source,
                    self.one_of(_records.c.local_ref, list(new_ids)),
                    _records.c.batch_id.in_(list(old_batches)),
                )
            )
        ).all()
        if not old:
            return
        await self._move_reviews({int(row.id): new_ids[row.local_ref] for row in old})
        learner_ids = list({int(row.learner_id) for row in old})
        await self._drop_learner_rows(learner_ids, old_batches)
        await self.conn.execute(
            delete(_records).where(self.one_of(_records.c.id, [r.id for r in old]))
        )

    async def _move_reviews(self, moves: dict[int, int]) -> None:
        """Reviews follow superseded records to their successors (few rows: one per review),
        except an open review whose successor this batch queued afresh: one record never waits
        in the queue twice."""
        requeued = (
            await self.conn.execute(
                select(_reviews.c.learner_record_id).where(
                    self.one_of(_reviews.c.learner_record_id, list(moves.values())),
                    _reviews.c.status == "open",
                )
            )
        ).scalars().all()
        if requeued:
            again = {int(record_id) for record_id in requeued}
            await self.conn.execute(
                delete(_reviews).where(
                    self.one_of(
                        _reviews.c.learner_record_id,
                        [old for old, new in moves.items() if new in again],
                    ),
                    _reviews.c.status == "open",
                )
            )
        reviews = (
            await self.conn.execute(
                select(_reviews.c.id, _reviews.c.learner_record_id).where(
                    self.one_of(_reviews.c.learner_record_id, list(moves))
                )
            )
        ).all()
        for review in reviews:
            await self.conn.execute(
                update(_reviews)
                .where(_reviews.c.id == review.id)
                .values(learner_record_id=moves[int(review.learner_record_id)])
            )

    async def _drop_learner_rows(self, learner_ids: list[int], old_batches: Sequence[int]) -> None:
        """Delete the old batches' participations and activities of these learners."""
        old_participations = [
            int(row[0])
            for row in await self.conn.execute(
                select(_participations.c.id).where(
                    self.one_of(_participations.c.learner_id, learner_ids),
                    _participations.c.batch_id.in_(list(old_batches)),
                )
            )
        ]
        await self._drop_participations(old_participations, old_batches)
        await self.conn.execute(
            delete(_activities).where(
                self.one_of(_activities.c.learner_id, learner_ids),
                _activities.c.batch_id.in_(list(old_batches)),
            )
        )

    async def _drop_participations(self, ids: list[int], old_batches: Sequence[int]) -> None:
        """Delete participations, moving others' attendance to this batch's equivalent first."""
        if not ids:
            return
        old_p = _participations.alias("old_p")
        new_p = _participations.alias("new_p")
        successor = (
            select(new_p.c.id)
            .where(
                old_p.c.id == _attendance.c.participation_id,
                new_p.c.batch_id == self.batch_id,
                new_p.c.learner_id == old_p.c.learner_id,
                new_p.c.provision_id == old_p.c.provision_id,
            )
            .order_by(new_p.c.id)
            .limit(1)
            .scalar_subquery()
        )
        await self.conn.execute(
            update(_attendance)
            .where(
                self.one_of(_attendance.c.participation_id, ids),
                _attendance.c.batch_id.not_in(list(old_batches)),
                successor.is_not(None),
            )
            .values(participation_id=successor)
        )
        await self.conn.execute(
            delete(_attendance).where(self.one_of(_attendance.c.participation_id, ids))
        )
        await self.conn.execute(
            delete(_participations).where(self.one_of(_participations.c.id, ids))
        )

    async def retire_batches(self, old_batches: Sequence[int]) -> None:
        """End of a snapshot load: drop what the old batches still hold and mark them superseded."""
        await self.settle()
        if not old_batches:
            return
        olds = list(old_batches)
        leftover = select(_records.c.id).where(_records.c.batch_id.in_(olds))
        await self.conn.execute(delete(_reviews).where(_reviews.c.learner_record_id.in_(leftover)))
        participations = [
            int(row[0])
            for row in await self.conn.execute(
                select(_participations.c.id).where(_participations.c.batch_id.in_(olds))
            )
        ]
        for start in range(0, len(participations), 5000):
            await self._drop_participations(participations[start : start + 5000], olds)
        await self.conn.execute(delete(_attendance).where(_attendance.c.batch_id.in_(olds)))
        await self.conn.execute(delete(_records).where(_records.c.batch_id.in_(olds)))
        for table in _BATCH_OWNED:
            await self.conn.execute(delete(table).where(table.c.batch_id.in_(olds)))
        await self.conn.execute(
            update(_batches).where(_batches.c.id.in_(olds)).values(status=SUPERSEDED)
        )

    async def finish(self, counts: dict[str, int]) -> None:
        """Mark the batch loaded with its counts; commits with the data, never before it."""
        await self.settle()
        await self.conn.execute(
            update(_batches)
            .where(and_(_batches.c.id == self.batch_id, _batches.c.status == PROCESSING))
            .values(status=LOADED, completed_at=utcnow(), error=None, **counts)
        )


async def refresh_statistics(engine: AsyncEngine) -> None:
    """After a load commits, let PostgreSQL's planner see the tables' new sizes (reads need it).

    One connection per table, at once: each ANALYZE is a server process of its own, so they
    share the cores instead of queueing behind one another.
    """
    if engine.dialect.name != "postgresql":
        return

    async def analyze(table: str) -> None:
        async with engine.begin() as conn:
            await conn.execute(text(f"ANALYZE {table}"))

    await asyncio.gather(*(analyze(table) for table in _ANALYZED))


def _cut(value: object, size: int) -> str | None:
    return None if value is None else str(value)[:size]
