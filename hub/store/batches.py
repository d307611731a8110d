"""Ingest batches: opening one per submitted file, moving it through its statuses, reading it back.

A batch's status row is committed on its own (so a crash leaves a visible "processing" batch to
resume) while the batch's data is written by ``hub.store.loading`` in one separate transaction.
The key ``(partner, connector, file sha256)`` makes a resubmission of a loaded file a no-op.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.store.base import Base
from hub.store.models.ingest import IngestBatch, IngestIssue

RECEIVED = "received"
PROCESSING = "processing"
LOADED = "loaded"
REJECTED = "rejected"
FAILED = "failed"
SUPERSEDED = "superseded"
UNFINISHED = (RECEIVED, PROCESSING, FAILED)


def table_of(model: type[Base]) -> Table:
    """A model's Core table, typed as one (``__table__`` is typed as a bare FromClause)."""
    return cast(Table, model.__table__)


_batches = table_of(IngestBatch)
_issues = table_of(IngestIssue)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware (stored as such on both backends)."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class OpenedBatch:
    """The batch a submission will load into, or the batch that already loaded this file."""

    batch_id: int
    already_loaded: bool


async def open_batch(
    engine: AsyncEngine,
    *,
    partner_id: int,
    connector: str,
    file_name: str,
    file_sha256: str,
    stored_path: str | None = None,
    submitted_by: str | None = None,
) -> OpenedBatch:
    """Record a submission as "received", reusing an unfinished batch of the same file.

    An unfinished batch (received, processing or failed) of the same partner, connector and file
    is reused rather than duplicated, so a retry after a crash resumes the same batch id.
    """
    key = (
        (_batches.c.partner_id == partner_id)
        & (_batches.c.connector == connector)
        & (_batches.c.file_sha256 == file_sha256)
    )
    async with engine.begin() as conn:
        loaded = await conn.scalar(
            select(_batches.c.id).where(key, _batches.c.status == LOADED).limit(1)
        )
        if loaded is not None:
            return OpenedBatch(int(loaded), already_loaded=True)
        unfinished = await conn.scalar(
            select(_batches.c.id)
            .where(key, _batches.c.status.in_(UNFINISHED))
            .order_by(_batches.c.id)
            .limit(1)
        )
        if unfinished is not None:
            values: dict[str, Any] = {"submitted_by": submitted_by, "error": None}
            if stored_path is not None:
                values["stored_path"] = stored_path
            await conn.execute(update(_batches).where(_batches.c.id == unfinished).values(values))
            return OpenedBatch(int(unfinished), already_loaded=False)
        batch_id = await conn.scalar(
            insert(_batches)
            .values(
                partner_id=partner_id,
                connector=connector,
                file_name=file_name[:300],
                file_sha256=file_sha256,
                stored_path=stored_path,
                received_at=utcnow(),
                status=RECEIVED,
                submitted_by=submitted_by,
                records_read=0,
                records_loaded=0,
                records_rejected=0,
                learners_matched=0,
                learners_created=0,
                reviews_queued=0,
            )
            .returning(_batches.c.id)
        )
    return OpenedBatch(int(batch_id or 0), already_loaded=False)


async def mark_processing(engine: AsyncEngine, batch_id: int, snapshot_key: str | None) -> None:
    """Make the batch visibly "processing" before its data transaction starts."""
    async with engine.begin() as conn:
        await conn.execute(
            update(_batches)
            .where(_batches.c.id == batch_id, _batches.c.status.in_(UNFINISHED))
            .values(status=PROCESSING, snapshot_key=snapshot_key, error=None)
        )


async def finish_unloaded(
    engine: AsyncEngine,
    batch_id: int,
    status: str,
    *,
    error: str,
    issues: Sequence[dict[str, Any]] = (),
    counts: dict[str, int] | None = None,
) -> None:
    """Close a batch that loaded nothing ("rejected" or "failed"), keeping its findings."""
    async with engine.begin() as conn:
        await conn.execute(_issues.delete().where(_issues.c.batch_id == batch_id))
        if issues:
            await conn.execute(insert(_issues), [{**row, "batch_id": batch_id} for row in issues])
        await conn.execute(
            update(_batches)
            .where(_batches.c.id == batch_id)
            .values(status=status, error=error[:2000], completed_at=utcnow(), **(counts or {}))
        )


async def get_batch(connection: AsyncConnection, batch_id: int) -> dict[str, Any] | None:
    """One batch as a mapping of its columns, or None when there is no such batch."""
    row = (
        (await connection.execute(select(_batches).where(_batches.c.id == batch_id)))
        .mappings()
        .first()
    )
    return dict(row) if row is not None else None


async def list_batches(
    connection: AsyncConnection, partner_id: int | None = None, *, limit: int = 100
) -> list[dict[str, Any]]:
    """The latest batches, newest first, for one partner or for every partner."""
    statement = select(_batches).order_by(_batches.c.id.desc()).limit(limit)
    if partner_id is not None:
        statement = statement.where(_batches.c.partner_id == partner_id)
    return [dict(row) for row in (await connection.execute(statement)).mappings()]


async def list_issues(
    connection: AsyncConnection, batch_id: int, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """A batch's findings in file order (file-level findings first)."""
    statement = (
        select(_issues)
        .where(_issues.c.batch_id == batch_id)
        .order_by(_issues.c.record_number.is_not(None), _issues.c.record_number, _issues.c.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return [dict(row) for row in (await connection.execute(statement)).mappings()]


async def unfinished_batches(connection: AsyncConnection) -> list[dict[str, Any]]:
    """Batches a crash or restart left "received" or "processing", oldest first."""
    statement = (
        select(_batches)
        .where(_batches.c.status.in_((RECEIVED, PROCESSING)))
        .order_by(_batches.c.id)
    )
    return [dict(row) for row in (await connection.execute(statement)).mappings()]
