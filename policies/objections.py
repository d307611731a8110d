"""Recording and withdrawing a learner's objection to a kind of sharing (the store side).

Who may: a partner that holds the learner on roll, or the local authority the learner lives in.
Anyone else gets the same ``ForbiddenError`` whether or not the learner (or the objection)
exists, so the answer does not reveal who is known to the hub. Both functions write in the
caller's transaction and never commit, like every other write a mutation makes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.errors import BadRequestError, ForbiddenError
from hub.principal import Principal
from hub.store.models import Learner, LearnerRecord, Objection, Partner

LOCAL_AUTHORITY = "local_authority"
_SCOPE = re.compile(r"[a-z][a-z0-9_]{0,39}")

_objections = Objection.__table__
_records = LearnerRecord.__table__
_learners = Learner.__table__
_partners = Partner.__table__
_COLUMNS = (
    _objections.c.id,
    _objections.c.learner_id,
    _objections.c.scope,
    _objections.c.recorded_by_partner_id,
    _objections.c.recorded_at,
    _objections.c.withdrawn_at,
)


@dataclass(frozen=True, slots=True)
class ObjectionRecord:
    """One recorded objection; ``withdrawn_at`` is None while it is honoured."""

    id: int
    learner_id: int
    scope: str
    recorded_by_partner_id: int | None
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @property
    def is_active(self) -> bool:
        """Whether reads must still honour it."""
        return self.withdrawn_at is None


async def record_objection(
    connection: AsyncConnection, principal: Principal, learner_id: int, scope: str
) -> ObjectionRecord:
    """Record that the learner objects to sharing under ``scope`` (a purpose name).

    Recording an objection that is already active returns the existing one unchanged.

    Raises:
        BadRequestError: ``scope`` is not a lower-case name of at most 40 characters.
        ForbiddenError: the principal's partner neither holds the learner on roll nor is the
            learner's local authority (or the learner does not exist).
    """
    if not _SCOPE.fullmatch(scope):
        raise BadRequestError("an objection scope is a lower-case name of at most 40 characters")
    await _require_may_act_for(connection, principal, learner_id)
    active = (
        await connection.execute(
            select(*_COLUMNS).where(
                _objections.c.learner_id == learner_id,
                _objections.c.scope == scope,
                _objections.c.withdrawn_at.is_(None),
            )
        )
    ).first()
    if active is not None:
        return _record(active._mapping)
    inserted = await connection.execute(
        insert(Objection)
        .values(
            learner_id=learner_id,
            scope=scope,
            recorded_by_partner_id=principal.partner_id,
            recorded_at=dt.datetime.now(dt.UTC),
            withdrawn_at=None,
        )
        .returning(*_COLUMNS)
    )
    return _record(inserted.one()._mapping)


async def withdraw_objection(
    connection: AsyncConnection, principal: Principal, objection_id: int
) -> ObjectionRecord:
    """Withdraw an objection, so reads stop honouring it; withdrawing twice changes nothing.

    Raises:
        ForbiddenError: the principal may not act for the objection's learner, or there is no
            such objection.
    """
    learner_id = await connection.scalar(
        select(_objections.c.learner_id).where(_objections.c.id == objection_id)
    )
    if learner_id is None:
        raise _forbidden()
    await _require_may_act_for(connection, principal, learner_id)
    await connection.execute(
        update(Objection)
        .where(_objections.c.id == objection_id, _objections.c.withdrawn_at.is_(None))
        .values(withdrawn_at=dt.datetime.now(dt.UTC))
    )
    row = (
        await connection.execute(select(*_COLUMNS).where(_objections.c.id == objection_id))
    ).one()
    return _record(row._mapping)


async def _require_may_act_for(
    connection: AsyncConnection, principal: Principal, learner_id: int
) -> None:
    """One statement: does the principal's partner hold the learner, or is it their LA?"""
    if principal.partner_id is None:
        raise _forbidden()
    on_roll = (
        select(_records.c.id)
        .where(
            _records.c.partner_id == principal.partner_id,
            _records.c.is_on_roll.is_(True),
            _records.c.learner_id == learner_id,
        )
        .exists()
    )
    is_home_authority = (
        select(_learners.c.id)
        .join(
            _partners,
            and_(
                _partners.c.la_code == _learners.c.la_of_residence,
                _partners.c.partner_type == LOCAL_AUTHORITY,
            ),
        )
        .where(_learners.c.id == learner_id, _partners.c.id == principal.partner_id)
        .exists()
    )
    if not await connection.scalar(select(or_(on_roll, is_home_authority))):
        raise _forbidden()


def _forbidden() -> ForbiddenError:
    return ForbiddenError(
        "only a partner holding the learner on roll, or the learner's local authority, "
        "may record or withdraw an objection"
    )


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite returns the stored UTC time without its zone.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _record(row: Any) -> ObjectionRecord:
    withdrawn_at = row["withdrawn_at"]
    return ObjectionRecord(
        id=row["id"],
        learner_id=row["learner_id"],
        scope=row["scope"],
        recorded_by_partner_id=row["recorded_by_partner_id"],
        recorded_at=_utc(row["recorded_at"]),
        withdrawn_at=None if withdrawn_at is None else _utc(withdrawn_at),
    )
