"""The data protection officer's view of the audit: who saw one learner's data, when, and why.

Answers a subject access request. Sealed events are found through the ``disclosure_learners``
index the sealer fills; events not yet sealed (a few seconds' worth while the sealer runs) by
looking inside their JSON ``learner_ids``. The sealer indexes an event in the same transaction
that seals it, and one statement reads both halves, so every event is counted exactly once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, cast, func, select, type_coerce, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.errors import ForbiddenError
from hub.principal import Principal
from hub.store.models import DisclosureEvent, DisclosureLearner, Partner

DPO_ROLE = "dpo"

_events = DisclosureEvent.__table__
_links = DisclosureLearner.__table__
_partners = Partner.__table__


@dataclass(frozen=True, slots=True)
class DisclosureRecord:
    """One disclosure that named the learner: to whom, when, under which agreements, of what."""

    event_id: int
    occurred_at: dt.datetime
    partner_id: int | None
    partner_name: str | None
    client_id: str | None
    user_id: str | None
    purpose: str | None
    agreements: tuple[str, ...]
    entity_types: tuple[str, ...]
    field_categories: tuple[str, ...]
    request_id: str | None
    is_sealed: bool


def require_subject_access(principal: Principal) -> None:
    """Only the data protection officer answers subject access requests.

    Raises:
        ForbiddenError: for any other role.
    """
    if principal.role != DPO_ROLE:
        raise ForbiddenError("only the dpo role may read the disclosure audit")


async def disclosures_for_learner(
    connection: AsyncConnection, learner_id: int, *, limit: int | None = None
) -> list[DisclosureRecord]:
    """Every disclosure that named ``learner_id``, oldest first (the caller checks the role).

    Aggregate answers name no learner and are not listed.
    """
    sealed = (
        select(_events.c.id)
        .join(_links, _links.c.event_id == _events.c.id)
        .where(_links.c.learner_id == learner_id, _events.c.sealed_seq.is_not(None))
    )
    unsealed = select(_events.c.id).where(
        _events.c.sealed_seq.is_(None), _names_learner(connection, learner_id)
    )
    matched = union_all(sealed, unsealed).subquery()
    statement: Select[tuple[object, ...]] = (
        select(
            _events.c.id,
            _events.c.occurred_at,
            _events.c.partner_id,
            _partners.c.name.label("partner_name"),
            _events.c.client_id,
            _events.c.user_id,
            _events.c.purpose,
            _events.c.agreements,
            _events.c.entity_types,
            _events.c.field_categories,
            _events.c.request_id,
            _events.c.sealed_seq,
        )
        .join(matched, matched.c.id == _events.c.id)
        .outerjoin(_partners, _partners.c.id == _events.c.partner_id)
        .order_by(_events.c.occurred_at, _events.c.id)
        .limit(limit)
    )
    rows = (await connection.execute(statement)).mappings()
    return [
        DisclosureRecord(
            event_id=row["id"],
            occurred_at=_aware(row["occurred_at"]),
            partner_id=row["partner_id"],
            partner_name=row["partner_name"],
            client_id=row["client_id"],
            user_id=row["user_id"],
            purpose=row["purpose"],
            agreements=tuple(row["agreements"]),
            entity_types=tuple(row["entity_types"]),
            field_categories=tuple(row["field_categories"]),
            request_id=row["request_id"],
            is_sealed=row["sealed_seq"] is not None,
        )
        for row in rows
    ]


def _names_learner(connection: AsyncConnection, learner_id: int) -> ColumnElement[bool]:
    """Whether an event's JSON ``learner_ids`` holds ``learner_id``, in each backend's JSON SQL."""
    if connection.dialect.name == "postgresql":
        return cast(_events.c.learner_ids, JSONB).contains(type_coerce([learner_id], JSONB))
    each = func.json_each(_events.c.learner_ids).table_valued("value")
    return select(each.c.value).where(each.c.value == learner_id).exists()


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite returns the stored UTC time without its zone.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
