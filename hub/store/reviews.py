"""The match review queue, and reversible merges and splits of learners.

A review is decided by a person: *accept* merges the record's provisional learner into the
chosen candidate; *reject* confirms the provisional learner as a different person. Either way an
``IdentityLink`` (partner + source + local ref) pins the decision, so the next snapshot of the
same file links the same way without asking again. Every merge is a ``MergeEvent`` listing the
rows that moved, and ``unmerge`` moves exactly those rows back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.errors import BadRequestError, NotVisibleError
from hub.store.batches import table_of, utcnow
from hub.store.models.access import Objection
from hub.store.models.destinations import Activity
from hub.store.models.funding import FundingFlow
from hub.store.models.identity import IdentityLink, MatchReview, MergeEvent
from hub.store.models.learners import Learner, LearnerRecord
from hub.store.models.participation import Application, Offer, Participation

_reviews = table_of(MatchReview)
_records = table_of(LearnerRecord)
_links = table_of(IdentityLink)
_merges = table_of(MergeEvent)
_learners = table_of(Learner)
# Every table whose rows belong to a learner and move with a merge.
_LEARNER_TABLES: tuple[Table, ...] = tuple(
    table_of(model)
    for model in (
        LearnerRecord,
        Participation,
        Activity,
        FundingFlow,
        Objection,
        Application,
        Offer,
    )
)
DECISIONS = ("accept", "reject")


async def list_reviews(
    connection: AsyncConnection, status: str | None = "open"
) -> list[dict[str, Any]]:
    """Reviews (oldest first) with the record they are about and its provisional learner."""
    statement = (
        select(
            _reviews,
            _records.c.partner_id,
            _records.c.source,
            _records.c.local_ref,
            _records.c.learner_id.label("provisional_learner_id"),
        )
        .join(_records, _records.c.id == _reviews.c.learner_record_id)
        .order_by(_reviews.c.id)
    )
    if status is not None:
        statement = statement.where(_reviews.c.status == status)
    return [dict(row) for row in (await connection.execute(statement)).mappings()]


async def resolve_review(
    connection: AsyncConnection,
    review_id: int,
    decision: str,
    learner_id: int | None = None,
    decided_by: str | None = None,
) -> dict[str, Any]:
    """Decide an open review; returns the decided review. Call inside a transaction.

    Raises:
        NotVisibleError: there is no open review with this id.
        BadRequestError: the decision is unknown, or the learner is not one of the candidates.
    """
    if decision not in DECISIONS:
        raise BadRequestError(f"decision must be one of {', '.join(DECISIONS)}")
    reviews = await list_reviews(connection, "open")
    review = next((r for r in reviews if r["id"] == review_id), None)
    if review is None:
        raise NotVisibleError(f"no open match review {review_id}")
    provisional = int(review["provisional_learner_id"])
    candidates = [int(c) for c in review["candidate_learner_ids"]]
    if decision == "accept":
        if learner_id is None and len(candidates) == 1:
            learner_id = candidates[0]
        if learner_id is None or learner_id not in candidates:
            raise BadRequestError(f"choose the learner: one of {candidates}")
        await merge_learners(connection, learner_id, provisional, decided_by)
        pinned = learner_id
    else:
        pinned = provisional
    await _pin(connection, review, pinned, decision, decided_by)
    status = "accepted" if decision == "accept" else "rejected"
    await connection.execute(
        update(_reviews)
        .where(_reviews.c.id == review_id)
        .values(status=status, decided_by=decided_by, decided_at=utcnow())
    )
    return {**review, "status": status, "decided_by": decided_by, "pinned_learner_id": pinned}


async def merge_learners(
    connection: AsyncConnection, kept_id: int, other_id: int, decided_by: str | None = None
) -> int:
    """Move every row of ``other_id`` to ``kept_id``; returns the MergeEvent id."""
    moved: dict[str, list[int]] = {}
    for table in _LEARNER_TABLES:
        ids = [
            int(row[0])
            for row in await connection.execute(
                select(table.c.id).where(table.c.learner_id == other_id)
            )
        ]
        if ids:
            moved[table.name] = ids
            await connection.execute(
                update(table).where(table.c.id.in_(ids)).values(learner_id=kept_id)
            )
    await connection.execute(
        update(_learners).where(_learners.c.id == other_id).values(merged_into_id=kept_id)
    )
    kept, other = await _identifiers(connection, kept_id), await _identifiers(connection, other_id)
    for name in ("uln", "upn"):
        if kept[name] is None and other[name] is not None:
            moved[f"learners.{name}"] = [other_id]
            await _move_identifier(connection, name, other_id, kept_id, other[name])
    event_id = await connection.scalar(
        insert(_merges)
        .values(
            kind="merge",
            kept_learner_id=kept_id,
            other_learner_id=other_id,
            moved=moved,
            decided_by=decided_by,
            decided_at=utcnow(),
        )
        .returning(_merges.c.id)
    )
    return int(event_id or 0)


async def unmerge(
    connection: AsyncConnection, merge_event_id: int, decided_by: str | None = None
) -> int:
    """Reverse a merge: its rows go back to the other learner; returns the split event id.

    Raises:
        NotVisibleError: no such merge, or it is already reversed.
    """
    event = (
        (
            await connection.execute(
                select(_merges).where(
                    _merges.c.id == merge_event_id,
                    _merges.c.kind == "merge",
                    _merges.c.reversed_at.is_(None),
                )
            )
        )
        .mappings()
        .first()
    )
    if event is None:
        raise NotVisibleError(f"no unreversed merge {merge_event_id}")
    kept_id, other_id = int(event["kept_learner_id"]), int(event["other_learner_id"])
    moved: dict[str, list[int]] = event["moved"]
    tables = {table.name: table for table in _LEARNER_TABLES}
    for name, ids in moved.items():
        if name in tables:
            table = tables[name]
            await connection.execute(
                update(table).where(table.c.id.in_(ids)).values(learner_id=other_id)
            )
        elif name.startswith("learners."):
            column = name.split(".", 1)[1]
            value = (await _identifiers(connection, kept_id))[column]
            if value is not None:
                await _move_identifier(connection, column, kept_id, other_id, value)
    await connection.execute(
        update(_learners).where(_learners.c.id == other_id).values(merged_into_id=None)
    )
    await _repin(connection, moved.get(_records.name, []), other_id, decided_by)
    now = utcnow()
    await connection.execute(
        update(_merges).where(_merges.c.id == merge_event_id).values(reversed_at=now)
    )
    split_id = await connection.scalar(
        insert(_merges)
        .values(
            kind="split",
            kept_learner_id=kept_id,
            other_learner_id=other_id,
            moved=moved,
            decided_by=decided_by,
            decided_at=now,
        )
        .returning(_merges.c.id)
    )
    return int(split_id or 0)


async def _identifiers(connection: AsyncConnection, learner_id: int) -> dict[str, Any]:
    row = (
        (
            await connection.execute(
                select(_learners.c.uln, _learners.c.upn).where(_learners.c.id == learner_id)
            )
        )
        .mappings()
        .one()
    )
    return dict(row)


async def _move_identifier(
    connection: AsyncConnection, column: str, from_id: int, to_id: int, value: str
) -> None:
    """Move a unique identifier: clear it first, or the unique index would refuse the copy."""
    await connection.execute(
        update(_learners).where(_learners.c.id == from_id).values({column: None})
    )
    await connection.execute(
        update(_learners).where(_learners.c.id == to_id).values({column: value})
    )


async def _pin(
    connection: AsyncConnection,
    review: dict[str, Any],
    learner_id: int,
    decision: str,
    decided_by: str | None,
) -> None:
    """Record the decision by source key, replacing an earlier one for the same record."""
    key = (
        (_links.c.partner_id == review["partner_id"])
        & (_links.c.source == review["source"])
        & (_links.c.local_ref == review["local_ref"])
    )
    values = {
        "learner_id": learner_id,
        "decision": decision,
        "decided_by": decided_by,
        "decided_at": utcnow(),
    }
    changed = await connection.execute(update(_links).where(key).values(values))
    if changed.rowcount == 0:
        await connection.execute(
            insert(_links).values(
                partner_id=review["partner_id"],
                source=review["source"],
                local_ref=review["local_ref"],
                **values,
            )
        )


async def _repin(
    connection: AsyncConnection, record_ids: list[int], learner_id: int, decided_by: str | None
) -> None:
    """After a split, pin the records that moved back to the learner they moved to."""
    if not record_ids:
        return
    rows = await connection.execute(
        select(_records.c.partner_id, _records.c.source, _records.c.local_ref).where(
            _records.c.id.in_(record_ids)
        )
    )
    for row in rows.mappings().all():
        await _pin(connection, dict(row), learner_id, "split", decided_by)
