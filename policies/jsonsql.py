"""JSON built by the database, in the dialect it speaks (PostgreSQL or SQLite).

The read path lets the database write the response JSON so no Python runs per field. The two
dialects differ in names and in traps: SQLite passes JSON up through a subquery as text unless
wrapped in ``json()``, has no ORDER BY inside an aggregate, and stores booleans as 1/0.
PostgreSQL's ``json_build_object`` takes at most 100 arguments, so wide objects are split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import JSON, aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import ScalarSelect, Select

from policies.catalogue import Encoding

_MAX_PG_PAIRS = 50


def _key(name: str) -> ColumnElement[Any]:
    # Keys are GraphQL names ([_A-Za-z][_0-9A-Za-z]*), validated by the parser: safe inline,
    # and inlining spares PostgreSQL from guessing a bound parameter's type in a VARIADIC "any".
    if not name.replace("_", "a").isalnum():
        raise ValueError(f"not a GraphQL name: {name!r}")
    return literal_column(f"'{name}'")


def text_literal(value: str) -> ColumnElement[Any]:
    """A constant string (a ``__typename``), inlined like keys are."""
    return _key(value)


class JsonDialect:
    """Builds JSON expressions for one database backend."""

    def __init__(self, backend: str) -> None:
        if backend not in ("postgresql", "sqlite"):
            raise ValueError(f"unsupported backend {backend!r}")
        self.is_postgres = backend == "postgresql"

    def object(self, pairs: Sequence[tuple[str, ColumnElement[Any]]]) -> ColumnElement[Any]:
        """A JSON object with these keys in this order."""
        if not self.is_postgres:
            return func.json_object(*[part for key, value in pairs for part in (_key(key), value)])
        if len(pairs) <= _MAX_PG_PAIRS:
            return func.json_build_object(
                *[part for key, value in pairs for part in (_key(key), value)]
            )
        # Wide objects: json_build_object takes 100 arguments at most. jsonb would reorder
        # keys, so concatenate the text of smaller objects instead, keeping the order.
        chunks = [
            cast(self.object(pairs[start : start + _MAX_PG_PAIRS]), Text)
            for start in range(0, len(pairs), _MAX_PG_PAIRS)
        ]
        inner: list[ColumnElement[Any]] = [
            func.substr(chunk, 2, func.length(chunk) - 2) for chunk in chunks
        ]
        joined = inner[0]
        for piece in inner[1:]:
            joined = joined + literal_column("','") + piece
        return cast(literal_column("'{'") + joined + literal_column("'}'"), _json_type())

    def array(self, items: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """A JSON array of these values (nested JSON values stay JSON)."""
        if self.is_postgres:
            return func.json_build_array(*items)
        return func.json_array(*items)

    def as_text(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """JSON as text, so the driver hands it over undecoded (it goes out as it came in)."""
        return cast(value, Text) if self.is_postgres else value

    def embed(self, value: ColumnElement[Any]) -> ColumnElement[Any]:
        """Nested JSON (from a subquery) placed inside a parent object as JSON, not a string."""
        if self.is_postgres:
            return value
        return func.json(value)

    def array_of(self, rows: Select[Any], json_column: str, order_column: str) -> ScalarSelect[Any]:
        """A JSON array of ``rows.<json_column>`` in ``order_column`` order; ``[]`` when empty.

        ``rows`` must already be ordered and limited (SQLite cannot order inside the aggregate).
        """
        sub = rows.subquery()
        aggregated: ColumnElement[Any]
        if self.is_postgres:
            aggregated = func.coalesce(
                func.json_agg(aggregate_order_by(sub.c[json_column], sub.c[order_column])),
                literal_column("'[]'::json"),
            )
        else:
            aggregated = func.json_group_array(func.json(sub.c[json_column]))
        return select(aggregated).select_from(sub).scalar_subquery()

    def value(self, column: ColumnElement[Any], encoding: Encoding) -> ColumnElement[Any]:
        """A column's value as it must appear in the response."""
        if encoding is Encoding.ID:
            return cast(column, String)
        if encoding is Encoding.BOOL and not self.is_postgres:
            return case(
                (column.is_(None), null()),
                (column == 1, func.json("true")),
                else_=func.json("false"),
            )
        if encoding is Encoding.MONEY:
            return self.money(column)
        if encoding is Encoding.DATE and self.is_postgres:
            return cast(column, String)
        return column

    def money(self, pence: ColumnElement[Any]) -> ColumnElement[Any]:
        """Integer pence as an exact decimal string ("-12.05"), never through a float."""
        magnitude = func.abs(pence)
        hundred = literal_column("100", Integer)
        pounds = cast(magnitude // hundred, String)
        remainder = cast(magnitude % hundred, String)
        if self.is_postgres:
            pennies = func.lpad(remainder, 2, literal_column("'0'", String))
        else:
            pennies = func.substr(literal_column("'0'", String) + remainder, -2)
        sign = case((pence < 0, literal_column("'-'", String)), else_=literal_column("''", String))
        point = literal_column("'.'", String)
        return case((pence.is_(None), null()), else_=sign + pounds + point + pennies)


def _json_type() -> Any:
    return JSON()
