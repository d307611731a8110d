"""Root-field filters as SQL conditions, refused where they would reveal a withheld field.

A filter on a column is a way of reading that column, so a principal may filter only on columns
its scope grants on every visible row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, FromClause, or_

from hub.errors import BadRequestError, ForbiddenFieldError
from hub.store.models import LearnerRecord, Membership, Participation
from policies.access import ReadScope
from policies.sql import fenced_exists

FilterBuilder = Callable[[FromClause], list[ColumnElement[bool]]]

_records = LearnerRecord.__table__
_participations = Participation.__table__
_memberships = Membership.__table__


def academic_age_reference(today: dt.date) -> dt.date:
    """31 August before the current academic year: ages are "age at the start of the year"."""
    year = today.year if today.month >= 9 else today.year - 1
    return dt.date(year, 8, 31)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _require_column(
    scope: ReadScope, entity: str, column: str, table: FromClause, arg: str
) -> None:
    if scope.cell(entity, column, table) is not None:
        raise ForbiddenFieldError(
            f"filter {arg!r} reads a field your agreements do not grant on every row"
        )


def _learner_filters(filters: dict[str, Any], scope: ReadScope, today: dt.date) -> FilterBuilder:
    def build(table: FromClause) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        partner_id = filters.get("partnerId")
        if partner_id is not None:
            partner = _int_id(partner_id, "partnerId")
            # Only rows the scope shows may decide a match: a hidden record or enrolment
            # must not reveal that another partner holds this learner.
            records = _records.alias("filter_records")
            participations = _participations.alias("filter_participations")
            conditions.append(
                or_(
                    fenced_exists(
                        records.c.learner_id == table.c.id,
                        records.c.partner_id == partner,
                        scope.rows("learner_record", records),
                    ),
                    fenced_exists(
                        participations.c.learner_id == table.c.id,
                        participations.c.delivering_partner_id == partner,
                        scope.rows("participation", participations),
                    ),
                )
            )
        la = filters.get("laOfResidence")
        if la is not None:
            _require_column(scope, "learner", "la_of_residence", table, "laOfResidence")
            conditions.append(table.c.la_of_residence == la)
        reference = academic_age_reference(today)
        min_age, max_age = filters.get("minAge"), filters.get("maxAge")
        if min_age is not None or max_age is not None:
            _require_column(scope, "learner", "date_of_birth", table, "minAge/maxAge")
        if min_age is not None:
            conditions.append(table.c.date_of_birth <= _years_before(reference, min_age))
        if max_age is not None:
            conditions.append(table.c.date_of_birth > _years_before(reference, max_age + 1))
        return conditions

    return build


def _provision_filters(filters: dict[str, Any], scope: ReadScope) -> FilterBuilder:
    def build(table: FromClause) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for argument, column in (
            ("level", "level"),
            ("diplomaLine", "diploma_line"),
            ("academicYear", "academic_year"),
        ):
            if filters.get(argument) is not None:
                _require_column(scope, "provision", column, table, argument)
                conditions.append(table.c[column] == filters[argument])
        if filters.get("deliveringPartnerId") is not None:
            partner = _int_id(filters["deliveringPartnerId"], "deliveringPartnerId")
            conditions.append(table.c.delivering_partner_id == partner)
        return conditions

    return build


def _partner_filters(filters: dict[str, Any], scope: ReadScope) -> FilterBuilder:
    def build(table: FromClause) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for argument, column in (("partnerType", "partner_type"), ("laCode", "la_code")):
            if filters.get(argument) is not None:
                _require_column(scope, "partner", column, table, argument)
                conditions.append(table.c[column] == filters[argument])
        if filters.get("partnershipId") is not None:
            partnership = _int_id(filters["partnershipId"], "partnershipId")
            memberships = _memberships.alias("filter_memberships")
            conditions.append(
                fenced_exists(
                    memberships.c.partner_id == table.c.id,
                    memberships.c.partnership_id == partnership,
                    scope.rows("membership", memberships),
                )
            )
        return conditions

    return build


def _no_filters(table: FromClause) -> list[ColumnElement[bool]]:
    return []


def filter_builder(
    typename: str, filters: dict[str, Any] | None, scope: ReadScope, today: dt.date
) -> FilterBuilder:
    """The condition builder for a root field's ``filter`` argument."""
    if not filters:
        return _no_filters
    if typename == "Learner":
        return _learner_filters(filters, scope, today)
    if typename == "Provision":
        return _provision_filters(filters, scope)
    if typename == "Partner":
        return _partner_filters(filters, scope)
    raise BadRequestError(f"{typename} takes no filter")


def _int_id(value: Any, argument: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise BadRequestError(f"{argument} must be an id, got {value!r}") from error
