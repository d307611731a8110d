"""The read and its disclosure event as one statement (PostgreSQL).

PostgreSQL runs a data-modifying CTE exactly once and to completion, and one statement is
atomic, so ``WITH read AS (...), audit AS (INSERT INTO disclosure_events ... SELECT ... FROM
read) SELECT ... FROM read`` records the disclosure if and only if the read happens, with the
learner ids taken from the very rows returned: the same guarantee as a read and an INSERT in one
transaction, in one round trip and without ``BEGIN``/``COMMIT``.

What varies per request (when, who, the request and trace ids) is a bound parameter
(``event_parameters``); what the statement discloses (entity types, field categories, the
agreements in force) is fixed by the statement's shape and is part of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, aggregate_order_by
from sqlalchemy.sql.selectable import CTE, GenerativeSelect
from sqlalchemy.sql.type_api import TypeEngine

from hub.principal import Principal
from hub.store.models import DisclosureEvent

_PARAMETERS: dict[str, TypeEngine[Any]] = {
    "occurred_at": DateTime(timezone=True),
    "client_id": String(),
    "user_id": String(),
    "partner_id": Integer(),
    "purpose": String(),
    "request_id": String(),
    "trace_id": String(),
}

_NUMBERS = """'strict $.** ? (@.type() == "number")'::jsonpath"""
# Builds, from the read's CTE, a one-column SELECT of every learner id the response discloses.
DisclosedIds = Callable[[CTE], GenerativeSelect]
# Builds, from the read's CTE, the number of learners an aggregate answer was computed over.
AggregateCount = Callable[[CTE], ColumnElement[Any]]


def event_parameters(
    principal: Principal, *, request_id: str | None, trace_id: str | None
) -> dict[str, Any]:
    """The bound values of the event a ``with_disclosure`` statement appends."""
    values = {
        "occurred_at": dt.datetime.now(dt.UTC),
        "client_id": principal.client_id,
        "user_id": principal.user_id,
        "partner_id": principal.partner_id,
        "purpose": principal.purpose,
        "request_id": request_id,
        "trace_id": trace_id,
    }
    return {f"audit_{name}": value for name, value in values.items()}


def json_numbers(nested: ColumnElement[Any]) -> ColumnElement[Any]:
    """Every number in a nested JSON array, one per row, as bigint (a set-returning function)."""
    found = func.jsonb_path_query(cast(nested, JSONB), literal_column(_NUMBERS))
    return cast(cast(found, String), BigInteger)


def with_disclosure(
    read: Select[Any],
    *,
    order_by: Sequence[str],
    entity_types: Sequence[str],
    field_categories: Sequence[str],
    agreements: Sequence[str],
    disclosed_ids: DisclosedIds | None = None,
    aggregate_count: AggregateCount | None = None,
) -> Select[Any]:
    """``read``'s rows, in ``order_by`` order, with its disclosure event appended by the same
    statement: learner-level when ``disclosed_ids`` is given (no event when it finds none),
    an aggregate's count otherwise (always an event)."""
    result = read.cte("audited_read")
    if disclosed_ids is not None:
        ids = disclosed_ids(result).subquery("disclosed")
        (id_column,) = ids.c
        learner_ids: ColumnElement[Any] = (
            select(func.json_agg(aggregate_order_by(id_column.distinct(), id_column)))
            .scalar_subquery()
        )
        count: ColumnElement[Any] = cast(null(), Integer)
    elif aggregate_count is not None:
        learner_ids = cast(literal("[]"), JSON)
        count = cast(aggregate_count(result), Integer)
    else:
        raise ValueError("a disclosure names learners or counts them")
    event = select(
        *[bindparam(f"audit_{name}", type_=kind).label(name) for name, kind in _PARAMETERS.items()],
        literal(sorted(set(agreements)), JSON).label("agreements"),
        literal(sorted(set(entity_types)), JSON).label("entity_types"),
        literal(sorted(set(field_categories)), JSON).label("field_categories"),
        learner_ids.label("learner_ids"),
        count.label("aggregate_count"),
    ).subquery("event")
    values = select(*event.c)
    if disclosed_ids is not None:
        values = values.where(event.c.learner_ids.is_not(None))
    audit = insert(DisclosureEvent).from_select([c.name for c in event.c], values).cte("audit")
    return (
        select(*result.c)
        .add_cte(audit)
        .order_by(*[result.c[name] for name in order_by])
    )
