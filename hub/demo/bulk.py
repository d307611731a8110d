"""The bulk path: write a DemoModel straight into the store, bypassing the connectors.

For benchmark-sized data (``hub demo --bulk``, ``bench/``); ``hub demo`` itself loads through
the connectors (``hub.demo.route``).

PostgreSQL gets asyncpg's binary COPY; SQLite gets one ``executemany`` per table and block. All
of it runs in one transaction, under one ``IngestBatch`` (connector ``"demo"``) that every
generated row points to. Ids come from the model; when the database already holds rows (other
partners, earlier batches) every id and foreign key is shifted past the current maximum, and on
PostgreSQL the id sequences are moved past the loaded rows afterwards.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Table, func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.demo.generator import TABLE_ORDER, DemoModel
from hub.demo.partnership import Row
from hub.errors import HubError
from hub.store import models  # noqa: F401  (registers every table on the metadata)
from hub.store.base import Base

CONNECTOR = "demo"
SUBMITTER = "hub demo"  # submitted_by of every batch either demo route writes
BATCH_TABLE = "ingest_batches"
FLUSH_LEARNERS = 5_000  # learners' rows generated (in a thread) while the previous ones load
# Tables the demo does not fill whose rows point at learners, records or demo batches.
_DEPENDENT_TABLES = ("match_reviews", "identity_links", "merge_events", "objections",
                     "ingest_issues")


class DemoDataPresentError(HubError):
    """The database already holds data the demo would collide with or must not delete."""

    code = "DEMO_DATA_PRESENT"


@dataclass(slots=True)
class LoadResult:
    """What a load wrote: rows per table, the batch id, and how long it took."""

    batch_id: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        """Rows written, all tables together."""
        return sum(self.rows.values())


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _foreign_keys(name: str) -> dict[str, str]:
    """Column -> referenced table, for shifting foreign keys with their targets' ids."""
    refs: dict[str, str] = {}
    for column in _table(name).columns:
        for fk in column.foreign_keys:
            refs[column.name] = fk.column.table.name
    return refs


async def count_learners(engine: AsyncEngine) -> int:
    """How many learners the database holds."""
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(_table("learners"))))
                   .scalar_one())


async def load_demo(engine: AsyncEngine, model: DemoModel,
                    on_block: Callable[[int], None] | None = None) -> LoadResult:
    """Write ``model`` into the (migrated) database in one transaction.

    Args:
        engine: the store's engine (SQLite or PostgreSQL).
        model: the partnership to write.
        on_block: called with the number of learners generated so far, as loading proceeds.

    Returns:
        Rows written per table, the batch id and the elapsed time.
    """
    started = time.perf_counter()
    try:
        return await _load(engine, model, on_block, started)
    except (IntegrityError, asyncpg.IntegrityConstraintViolationError) as error:
        raise DemoDataPresentError(
            "the demo rows collide with rows already in the database "
            f"({_constraint(error)}); nothing was loaded: use --replace or a fresh database"
        ) from error


def _constraint(error: Exception) -> str:
    """The violated constraint's name, never the values (they may be personal data)."""
    name = getattr(error, "constraint_name", None)
    if name is None and isinstance(error, IntegrityError):
        name = str(error.orig).split("\n")[0][:120]
    return str(name or type(error).__name__)


async def _load(engine: AsyncEngine, model: DemoModel,
                on_block: Callable[[int], None] | None, started: float) -> LoadResult:
    async with engine.begin() as conn:
        offsets = await _offsets(conn)
        batch_id = offsets[BATCH_TABLE] + 1
        writer = _Writer(conn, offsets)
        await _insert_batch(conn, batch_id, model)
        for table in TABLE_ORDER:
            await writer.write(table, model.structure_rows().get(table, []))
        await _stream_blocks(writer, model, on_block)
        if writer.is_postgres:
            await _reset_sequences(conn)
        await conn.execute(
            _table(BATCH_TABLE).update()
            .where(_table(BATCH_TABLE).c.id == batch_id)
            .values(status="loaded", completed_at=dt.datetime.now(dt.UTC),
                    records_read=writer.total(), records_loaded=writer.total(),
                    learners_created=writer.counts.get("learners", 0)))
    if engine.dialect.name == "postgresql":
        # Fresh statistics, or the planner guesses from empty tables after a bulk load.
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    return LoadResult(batch_id, dict(writer.counts), time.perf_counter() - started)


async def _stream_blocks(writer: _Writer, model: DemoModel,
                         on_block: Callable[[int], None] | None) -> None:
    """Generate the next rows in a thread while the database takes the previous ones."""
    blocks = model.blocks()

    def gather() -> tuple[dict[str, list[Row]], int]:
        pending: dict[str, list[Row]] = {}
        learners = 0
        for block in blocks:
            for table, rows in block.rows.items():
                pending.setdefault(table, []).extend(rows)
            learners += len(block.rows.get("learners", []))
            if learners >= FLUSH_LEARNERS:
                break
        return pending, learners

    done = 0
    flush: asyncio.Task[None] | None = None
    try:
        while True:
            pending, learners = await asyncio.to_thread(gather)
            if flush is not None:
                await flush
                flush = None
            if not learners:
                break
            flush = asyncio.create_task(writer.write_all(pending))
            done += learners
            if on_block is not None:
                on_block(done)
    finally:
        if flush is not None:
            await asyncio.gather(flush, return_exceptions=True)


async def _offsets(conn: AsyncConnection) -> dict[str, int]:
    offsets = {}
    for name in (*TABLE_ORDER, BATCH_TABLE):
        table = _table(name)
        offsets[name] = int((await conn.execute(select(func.max(table.c.id)))).scalar() or 0)
    return offsets


async def _insert_batch(conn: AsyncConnection, batch_id: int, model: DemoModel) -> None:
    label = f"demo:learners={model.learners}:seed={model.seed}"
    await conn.execute(_table(BATCH_TABLE).insert().values(
        id=batch_id, partner_id=None, connector=CONNECTOR,
        file_name=f"demo-{model.learners}-{model.seed}",
        file_sha256=hashlib.sha256(label.encode()).hexdigest(), stored_path=None,
        snapshot_key=label, received_at=dt.datetime.now(dt.UTC), status="processing",
        submitted_by=SUBMITTER, records_read=0, records_loaded=0, records_rejected=0,
        learners_matched=0, learners_created=0, reviews_queued=0))


class _Writer:
    """Inserts row dicts for one table at a time, shifting ids when the database is not empty."""

    def __init__(self, conn: AsyncConnection, offsets: dict[str, int]) -> None:
        self.conn = conn
        self.offsets = offsets
        self.is_postgres = conn.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}
        self._columns = {name: [c.name for c in _table(name).columns] for name in TABLE_ORDER}
        self._shifts = {
            name: [(col, offsets[ref]) for col, ref in
                   [("id", name), *_foreign_keys(name).items()] if offsets[ref]]
            for name in TABLE_ORDER
        }

    async def write_all(self, rows: dict[str, list[Row]]) -> None:
        """Write buffered rows of every table, parents before children."""
        for table in TABLE_ORDER:
            await self.write(table, rows.get(table, []))

    def total(self) -> int:
        return sum(self.counts.values())

    async def write(self, table: str, rows: list[Row]) -> None:
        if not rows:
            return
        columns = self._columns[table]
        shifts = self._shifts[table]
        records = [self._record(row, columns, shifts) for row in rows]
        if not self.is_postgres:
            records = [tuple(_sqlite_value(v) for v in record) for record in records]
        if self.is_postgres:
            raw = await self.conn.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(table, records=records, columns=columns)
        else:
            placeholders = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
            await self.conn.exec_driver_sql(statement, records)
        self.counts[table] = self.counts.get(table, 0) + len(records)

    @staticmethod
    def _record(row: Row, columns: list[str], shifts: list[tuple[str, int]]) -> tuple[Any, ...]:
        if shifts:
            row = dict(row)
            for column, offset in shifts:
                if row.get(column) is not None:
                    row[column] += offset
        return tuple(row.get(column) for column in columns)


def _sqlite_value(value: Any) -> Any:
    """Dates as ISO text, which is how SQLAlchemy stores them on SQLite."""
    return value.isoformat() if isinstance(value, dt.date) else value


async def _reset_sequences(conn: AsyncConnection) -> None:
    for name in (*TABLE_ORDER, BATCH_TABLE):
        await conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


async def delete_demo_data(engine: AsyncEngine) -> None:
    """Delete everything a demo load wrote, by either route (and rows that depend on it).

    Raises:
        DemoDataPresentError: when batches submitted by anyone but ``hub demo`` exist, or
            other rows (OAuth clients, audit events) still point at demo partners.
    """
    batches = _table(BATCH_TABLE)
    async with engine.begin() as conn:
        others = (await conn.execute(
            select(func.count()).select_from(batches).where(
                or_(batches.c.submitted_by.is_(None), batches.c.submitted_by != SUBMITTER))
        )).scalar_one()
        if others:
            raise DemoDataPresentError(
                f"the database holds {others} batch(es) not submitted by hub demo; --replace "
                "only replaces demo data: use a fresh database instead")
        try:
            data = [name for name in reversed(TABLE_ORDER) if name != "partners"]
            # Batches point at partners (a connector batch names its submitter).
            for name in (*_DEPENDENT_TABLES, *data, BATCH_TABLE, "partners"):
                await conn.execute(_table(name).delete())
        except IntegrityError as error:
            raise DemoDataPresentError(
                "other rows (OAuth clients or audit events) refer to the demo partners, so "
                "the demo data cannot be replaced: use a fresh database instead") from error
