"""Learner counts grouped by fixed dimensions, computed in one SQL statement.

Counts are of distinct learners the principal's scope makes visible. Small-number suppression
for aggregate-only principals wraps this statement (``policies.suppression``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    null,
    select,
)

from hub.errors import BadRequestError
from hub.store.models import Activity, Learner, Participation, Provision
from policies.access import ReadScope
from policies.arguments import academic_age_reference
from policies.reads import live_learner


class Dimension(StrEnum):
    """A dimension learner counts may be grouped by."""

    LA_OF_RESIDENCE = "la_of_residence"
    AGE = "age"
    SEX = "sex"
    ACTIVITY_CATEGORY = "activity_category"
    HOME_PARTNER = "home_partner"
    DELIVERING_PARTNER = "delivering_partner"
    LEVEL = "level"
    DIPLOMA_LINE = "diploma_line"
    ACADEMIC_YEAR = "academic_year"


PARTICIPATION_DIMENSIONS = {
    Dimension.HOME_PARTNER,
    Dimension.DELIVERING_PARTNER,
    Dimension.LEVEL,
    Dimension.DIPLOMA_LINE,
    Dimension.ACADEMIC_YEAR,
}
# The learner columns each dimension reads; a principal must be granted them everywhere.
_LEARNER_COLUMNS = {
    Dimension.LA_OF_RESIDENCE: "la_of_residence",
    Dimension.AGE: "date_of_birth",
    Dimension.SEX: "sex",
}


@dataclass(frozen=True, slots=True)
class CountQuery:
    """The compiled statement and the dimension each of its leading columns holds."""

    statement: Select[Any]
    dimensions: tuple[Dimension, ...]


def academic_age(date_of_birth: ColumnElement[Any], reference: dt.date, backend: str) -> Any:
    """Age on ``reference`` (a 31 August) in whole years, computed by the database."""
    if backend == "postgresql":
        year = cast(func.extract("year", date_of_birth), Integer)
        month = cast(func.extract("month", date_of_birth), Integer)
    else:
        year = cast(func.strftime("%Y", date_of_birth), Integer)
        month = cast(func.strftime("%m", date_of_birth), Integer)
    return reference.year - year - case((month >= 9, 1), else_=0)


def compile_counts(
    scope: ReadScope,
    dimensions: list[Dimension],
    filters: dict[str, Any],
    *,
    backend: str,
    today: dt.date,
    learner_conditions: Callable[[FromClause], list[ColumnElement[bool]]] | None = None,
) -> CountQuery:
    """One GROUP BY statement counting distinct visible learners per dimension cell."""
    if len(set(dimensions)) != len(dimensions):
        raise BadRequestError("groupBy names a dimension twice")
    learners = Learner.__table__.alias("l")
    reference = academic_age_reference(today)
    conditions: list[ColumnElement[bool]] = [
        scope.rows("learner", learners),
        live_learner(learners),
    ]
    if learner_conditions is not None:
        conditions.extend(learner_conditions(learners))
    source: FromClause = learners
    columns: dict[Dimension, ColumnElement[Any]] = {
        Dimension.LA_OF_RESIDENCE: _shown(scope, "learner", learners, "la_of_residence"),
        Dimension.AGE: academic_age(learners.c.date_of_birth, reference, backend),
        Dimension.SEX: _shown(scope, "learner", learners, "sex"),
    }
    if Dimension.ACTIVITY_CATEGORY in dimensions:
        activities = Activity.__table__.alias("a")
        inner = Activity.__table__.alias("a2")
        # Correlated with the activity row, not the learner, so PostgreSQL checks "is this the
        # learner's latest visible activity?" only for the rows the join reaches (one index
        # read each on activities (learner_id, start_date DESC, id DESC)).
        latest = (
            select(inner.c.id)
            .where(inner.c.learner_id == activities.c.learner_id, scope.rows("activity", inner))
            .order_by(inner.c.start_date.desc(), inner.c.id.desc())
            .limit(1)
            .correlate(activities)
            .scalar_subquery()
        )
        source = source.outerjoin(
            activities, and_(activities.c.learner_id == learners.c.id, activities.c.id == latest)
        )
        columns[Dimension.ACTIVITY_CATEGORY] = _shown(scope, "activity", activities, "category")
    if PARTICIPATION_DIMENSIONS & set(dimensions):
        participations = Participation.__table__.alias("p")
        provision = Provision.__table__.alias("pr")
        source = source.join(
            participations,
            and_(
                participations.c.learner_id == learners.c.id,
                scope.rows("participation", participations),
            ),
        ).join(provision, provision.c.id == participations.c.provision_id)
        columns[Dimension.HOME_PARTNER] = participations.c.home_partner_id
        columns[Dimension.DELIVERING_PARTNER] = participations.c.delivering_partner_id
        columns[Dimension.LEVEL] = provision.c.level
        columns[Dimension.DIPLOMA_LINE] = provision.c.diploma_line
        columns[Dimension.ACADEMIC_YEAR] = provision.c.academic_year
        if filters.get("academicYear") is not None:
            conditions.append(provision.c.academic_year == filters["academicYear"])
    elif filters.get("academicYear") is not None:
        raise BadRequestError("academicYear filters need a participation dimension in groupBy")
    conditions.extend(_filter_conditions(filters, columns, dimensions))
    grouped = [columns[d].label(d.value) for d in dimensions]
    statement = (
        select(*grouped, func.count(learners.c.id.distinct()).label("count"))
        .select_from(source)
        .where(*conditions)
    )
    if grouped:
        statement = statement.group_by(*[columns[d] for d in dimensions]).order_by(
            *[columns[d] for d in dimensions]
        )
    return CountQuery(statement, tuple(dimensions))


def _shown(scope: ReadScope, entity: str, table: FromClause, column: str) -> ColumnElement[Any]:
    """The column where the scope shows it, else NULL: a breakdown never reveals a withheld cell."""
    condition = scope.cell(entity, column, table)
    if condition is None:
        return table.c[column]
    return case((condition, table.c[column]), else_=null())


def _filter_conditions(
    filters: dict[str, Any],
    columns: dict[Dimension, ColumnElement[Any]],
    dimensions: list[Dimension],
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.get("laOfResidence") is not None:
        conditions.append(columns[Dimension.LA_OF_RESIDENCE] == filters["laOfResidence"])
    if filters.get("minAge") is not None:
        conditions.append(columns[Dimension.AGE] >= filters["minAge"])
    if filters.get("maxAge") is not None:
        conditions.append(columns[Dimension.AGE] <= filters["maxAge"])
    if filters.get("activityCategory") is not None:
        if Dimension.ACTIVITY_CATEGORY not in dimensions:
            raise BadRequestError("activityCategory filters need ACTIVITY_CATEGORY in groupBy")
        conditions.append(columns[Dimension.ACTIVITY_CATEGORY] == filters["activityCategory"])
    return conditions


def learner_columns_read(dimensions: list[Dimension]) -> list[str]:
    """The learner columns grouping by ``dimensions`` reveals."""
    return [_LEARNER_COLUMNS[d] for d in dimensions if d in _LEARNER_COLUMNS]
