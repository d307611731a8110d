"""Scalars whose wire form the database writes: ISO dates and exact decimal money strings."""

import datetime as dt
from decimal import Decimal
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

Date = NewType("Date", str)
Money = NewType("Money", str)


def _serialize_date(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


SCALAR_MAP: dict[object, ScalarDefinition] = {
    Date: strawberry.scalar(
        name="Date",
        description="A calendar date, ISO 8601 (YYYY-MM-DD).",
        serialize=_serialize_date,
        parse_value=lambda value: dt.date.fromisoformat(str(value)),
    ),
    Money: strawberry.scalar(
        name="Money",
        description='An amount in pounds as an exact decimal string, e.g. "575.00". Never a float.',
        serialize=str,
        parse_value=lambda value: Decimal(str(value)),
    ),
}
