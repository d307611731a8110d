"""The disclosure audit's hash chain: seal committed events into it, verify it, keep sealing.

Reads append plain rows (``policies.audit``); this module links them, off the request path, so
reads never wait on each other. Each sealed event gets ``sealed_seq`` (its position, from 1 with
no gaps) and ``chain_hash = sha256(previous chain_hash + canonical JSON of the event)``, the
canonical JSON including the event's id and ``sealed_seq``.

Late commits. Ids are allocated before commit (a PostgreSQL sequence is not transactional), so a
row with a lower id can become visible after higher ids were sealed. The chain is therefore
ordered by ``sealed_seq``, the order of sealing, not by id: each pass seals every committed
unsealed row in id order and appends it after the current head, so a late row is never skipped,
it is simply sealed by the next pass. Ids increase along the chain except where a row committed
late; ``verify`` walks ``sealed_seq``, so that is not a break.

Two sealers never interleave: each pass holds a lock for its transaction (PostgreSQL
``pg_advisory_xact_lock``; SQLite ``BEGIN IMMEDIATE``, the database's single write lock), and
reads the chain head only after taking it. The same transaction fills ``disclosure_learners``, so
an event is either sealed and indexed there, or unsealed and found by its JSON ``learner_ids``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.store.models import DisclosureEvent, DisclosureLearner

GENESIS_HASH = "0" * 64
"""The ``previous chain_hash`` of the first sealed event."""

SEAL_BATCH_SIZE = 1000
_LOCK_KEY = 0x68756241756431  # "hubAud1": the advisory lock only sealers take
_events = DisclosureEvent.__table__
_links = DisclosureLearner.__table__
_CONTENT = (
    _events.c.id,
    _events.c.occurred_at,
    _events.c.client_id,
    _events.c.user_id,
    _events.c.partner_id,
    _events.c.purpose,
    _events.c.agreements,
    _events.c.entity_types,
    _events.c.field_categories,
    _events.c.learner_ids,
    _events.c.aggregate_count,
    _events.c.request_id,
    _events.c.trace_id,
)
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last sealed event's position and hash: publish it elsewhere to anchor the chain."""

    seq: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.chain_hash}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        """Read the ``"<seq>:<hash>"`` form that ``str()`` writes.

        Raises:
            ValueError: when ``text`` is not in that form.
        """
        seq, _, chain_hash = text.partition(":")
        if not seq.isdigit() or len(chain_hash) != 64:
            raise ValueError(f"expected <seq>:<64 hex digits>, got {text!r}")
        return cls(int(seq), chain_hash.lower())


class BreakReason(StrEnum):
    """Why verification stopped."""

    MISSING = "missing"
    """A position has no event: a sealed event was removed (or un-sealed)."""
    MISMATCH = "mismatch"
    """The event at this position does not match its hash: changed, or moved from elsewhere."""
    INDEX = "index"
    """The event's ``disclosure_learners`` rows differ from its learner ids."""
    ANCHOR = "anchor"
    """The chain does not reach, or does not agree with, the anchor it was checked against."""


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """The first place the chain is broken; ``event_id`` is the event found there, if any."""

    seq: int
    event_id: int | None
    reason: BreakReason

    def describe(self) -> str:
        """One line for an operator: where, and what it means."""
        where = f"event id {self.event_id}" if self.event_id is not None else "the end"
        meanings = {
            BreakReason.MISSING: f"sealed position {self.seq} is missing before {where}: "
            "an event was removed",
            BreakReason.MISMATCH: f"{where} at position {self.seq} does not match its hash: "
            "it was changed or moved",
            BreakReason.INDEX: f"{where} at position {self.seq}: its learner index rows differ "
            "from its learner ids",
            BreakReason.ANCHOR: f"position {self.seq} at {where} disagrees with the anchor: "
            "events were removed from the end or rewritten",
        }
        return meanings[self.reason]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What ``verify`` found: how many sealed events it checked and the first break, if any."""

    checked: int
    unsealed: int
    head: ChainHead | None
    broken: ChainBreak | None

    @property
    def is_intact(self) -> bool:
        """Whether every sealed event matched its hash and position."""
        return self.broken is None


def canonical_json(event: Mapping[Any, Any], sealed_seq: int) -> str:
    """The exact text hashed for one event: sorted keys, no spaces, ASCII, UTC microseconds."""
    content = {column.name: event[column.name] for column in _CONTENT}
    content["occurred_at"] = _utc_text(event["occurred_at"])
    content["sealed_seq"] = sealed_seq
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def link_hash(previous: str, event: Mapping[Any, Any], sealed_seq: int) -> str:
    """``sha256(previous chain_hash + canonical JSON)`` as 64 hex digits."""
    text = previous + canonical_json(event, sealed_seq)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _utc_text(value: dt.datetime) -> str:
    # SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones in its time zone.
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def seal(engine: AsyncEngine, *, batch_size: int = SEAL_BATCH_SIZE) -> int:
    """Link every committed unsealed event into the chain; returns how many were sealed.

    Works in transactions of at most ``batch_size`` events, so a long backlog never holds the
    lock (on SQLite, the write lock readers need to append) for long.
    """
    total = 0
    while True:
        sealed = await _seal_batch(engine, batch_size)
        total += sealed
        if sealed < batch_size:
            return total


async def _seal_batch(engine: AsyncEngine, batch_size: int) -> int:
    async with engine.connect() as connection:
        await _take_seal_lock(connection)
        head = await _read_head(connection)
        rows = (
            (
                await connection.execute(
                    select(*_CONTENT)
                    .where(_events.c.sealed_seq.is_(None))
                    .order_by(_events.c.id)
                    .limit(batch_size)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            await connection.rollback()
            return 0
        seq, previous = (head.seq, head.chain_hash) if head else (0, GENESIS_HASH)
        sealed: list[tuple[int, int, str]] = []
        links: list[tuple[int, int]] = []
        for row in rows:
            seq += 1
            previous = link_hash(previous, row, seq)
            sealed.append((row["id"], seq, previous))
            links.extend((row["id"], learner) for learner in sorted(set(row["learner_ids"])))
        backend = connection.dialect.name
        await connection.execute(*_mark_sealed(backend, sealed))
        # Only a row someone un-sealed has index rows already; verify reports its gap anyway.
        await connection.execute(
            delete(DisclosureLearner).where(
                _links.c.event_id.in_(bindparam("ids", expanding=True))
            ),
            {"ids": [row["id"] for row in rows]},
        )
        if links:
            await connection.execute(*_index_learners(backend, links))
        await connection.commit()
    _log.info("sealed %d disclosure events; chain head %d:%s", len(rows), seq, previous)
    return len(rows)


# The batch goes to the database as arrays (PostgreSQL, read back with ``unnest``) or as one JSON
# array of rows (SQLite, read back with ``json_each``): one statement and one round trip per pass
# for each of the two writes below, however many events and learners the pass seals.


def _rows_of(
    backend: str, columns: tuple[str, ...], types: tuple[Any, ...], rows: Sequence[tuple[Any, ...]]
) -> tuple[list[ColumnElement[Any]], dict[str, Any]]:
    """The columns of ``rows`` as a table in the statement, and the parameters that carry it.

    PostgreSQL gets one array parameter per column; SQLite one JSON parameter for all rows.
    """
    if backend == "postgresql":
        arrays = [
            bindparam(f"col_{name}", [row[i] for row in rows], type_=ARRAY(kind))
            for i, (name, kind) in enumerate(zip(columns, types, strict=True))
        ]
        table = func.unnest(*arrays).table_valued(*columns).render_derived()
        return [table.c[name] for name in columns], {}
    table = func.json_each(bindparam("rows", type_=String)).table_valued("value")
    values: list[ColumnElement[Any]] = [
        func.json_extract(table.c.value, f"$[{i}]") for i in range(len(columns))
    ]
    return values, {"rows": json.dumps(rows, separators=(",", ":"))}


def _mark_sealed(
    backend: str, sealed: Sequence[tuple[int, int, str]]
) -> tuple[Any, dict[str, Any]]:
    """One UPDATE giving every event of the pass its position and hash (unsealed rows only)."""
    (event, seq, chain_hash), parameters = _rows_of(
        backend, ("event", "seq", "hash"), (BigInteger, Integer, String), sealed
    )
    statement = (
        update(DisclosureEvent)
        .where(_events.c.id == event, _events.c.sealed_seq.is_(None))
        .values(sealed_seq=seq, chain_hash=chain_hash)
    )
    return statement, parameters


def _index_learners(
    backend: str, links: Sequence[tuple[int, int]]
) -> tuple[Any, dict[str, Any]]:
    """One INSERT of every (event, learner) pair of the pass into ``disclosure_learners``."""
    values, parameters = _rows_of(
        backend, ("event_id", "learner_id"), (BigInteger, BigInteger), links
    )
    statement = insert(DisclosureLearner).from_select(["event_id", "learner_id"], select(*values))
    return statement, parameters


async def _take_seal_lock(connection: AsyncConnection) -> None:
    """Begin the pass's transaction holding the lock that makes sealers take turns."""
    if connection.dialect.name == "postgresql":
        await connection.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    else:
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


async def _read_head(connection: AsyncConnection) -> ChainHead | None:
    row = (
        await connection.execute(
            select(_events.c.sealed_seq, _events.c.chain_hash)
            .where(_events.c.sealed_seq.is_not(None))
            .order_by(_events.c.sealed_seq.desc())
            .limit(1)
        )
    ).first()
    return ChainHead(row.sealed_seq, row.chain_hash or "") if row else None


async def verify(
    engine: AsyncEngine, *, anchor: ChainHead | None = None, batch_size: int = SEAL_BATCH_SIZE
) -> VerifyReport:
    """Recompute the chain from the first sealed event and report the first break.

    A removed event shows as a missing position, a changed or moved one as a hash mismatch.
    Removing events from the very end leaves a shorter chain that is still consistent: pass an
    ``anchor`` (a head recorded earlier, outside the database) to detect that too.
    """
    checked, previous = 0, GENESIS_HASH
    broken: ChainBreak | None = None
    anchor_seen = anchor is None
    async with engine.connect() as connection:
        while broken is None:
            rows = await _sealed_after(connection, checked, batch_size)
            if not rows:
                break
            indexed = await _indexed_learners(connection, [row["id"] for row in rows])
            for row in rows:
                broken = _check(row, checked + 1, previous, indexed.get(row["id"], set()))
                if broken is None and anchor is not None and anchor.seq == checked + 1:
                    anchor_seen = True
                    if anchor.chain_hash != row["chain_hash"]:
                        broken = ChainBreak(anchor.seq, row["id"], BreakReason.ANCHOR)
                if broken is not None:
                    break
                checked, previous = checked + 1, row["chain_hash"]
        if broken is None and not anchor_seen and anchor is not None:
            broken = ChainBreak(anchor.seq, None, BreakReason.ANCHOR)
        unsealed = (
            await connection.scalar(
                select(func.count()).select_from(_events).where(_events.c.sealed_seq.is_(None))
            )
        ) or 0
        await connection.rollback()
    head = ChainHead(checked, previous) if checked else None
    return VerifyReport(checked=checked, unsealed=unsealed, head=head, broken=broken)


async def _sealed_after(
    connection: AsyncConnection, seq: int, batch_size: int
) -> Sequence[RowMapping]:
    result = await connection.execute(
        select(*_CONTENT, _events.c.sealed_seq, _events.c.chain_hash)
        .where(_events.c.sealed_seq > seq)
        .order_by(_events.c.sealed_seq)
        .limit(batch_size)
    )
    return result.mappings().all()


async def _indexed_learners(
    connection: AsyncConnection, event_ids: list[int]
) -> dict[int, set[int]]:
    result = await connection.execute(
        select(_links.c.event_id, _links.c.learner_id).where(
            _links.c.event_id.in_(bindparam("ids", expanding=True))
        ),
        {"ids": event_ids},
    )
    indexed: dict[int, set[int]] = {}
    for event_id, learner_id in result:
        indexed.setdefault(event_id, set()).add(learner_id)
    return indexed


def _check(
    row: Mapping[Any, Any], expected_seq: int, previous: str, indexed: set[int]
) -> ChainBreak | None:
    if row["sealed_seq"] != expected_seq:
        return ChainBreak(expected_seq, row["id"], BreakReason.MISSING)
    if row["chain_hash"] != link_hash(previous, row, expected_seq):
        return ChainBreak(expected_seq, row["id"], BreakReason.MISMATCH)
    if indexed != set(row["learner_ids"]):
        return ChainBreak(expected_seq, row["id"], BreakReason.INDEX)
    return None


async def run_sealer(
    engine: AsyncEngine, interval_seconds: float, stop_event: asyncio.Event
) -> None:
    """Seal every ``interval_seconds`` until ``stop_event`` is set, then seal once more.

    Started as a task by the app's lifespan. A pass that fails on the database is logged and
    retried on the next tick, so an outage delays sealing but never stops it for good.
    """
    while True:
        stopping = stop_event.is_set()
        try:
            await seal(engine)
        except (SQLAlchemyError, OSError) as error:
            _log.warning("audit sealing pass failed, retrying: %s", type(error).__name__)
        if stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval_seconds)
