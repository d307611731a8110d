"""``learnerCounts``: learners counted by fixed dimensions (NEET by LA and age, take-up...)."""

from enum import Enum
from typing import Any, Optional

import strawberry

from policies.counts import Dimension


@strawberry.enum(description="A dimension learner counts can be grouped by.")
class CountDimension(Enum):
    LA_OF_RESIDENCE = "la_of_residence"
    AGE = "age"
    SEX = "sex"
    ACTIVITY_CATEGORY = "activity_category"
    HOME_PARTNER = "home_partner"
    DELIVERING_PARTNER = "delivering_partner"
    LEVEL = "level"
    DIPLOMA_LINE = "diploma_line"
    ACADEMIC_YEAR = "academic_year"


@strawberry.input(description="Restricts the learners counted.")
class CountFilter:
    la_of_residence: Optional[str] = None
    min_age: Optional[int] = None
    max_age: Optional[int] = None
    activity_category: Optional[str] = None
    academic_year: Optional[str] = None


@strawberry.type(description="One cell: its dimension values (null when not grouped) and count.")
class CountCell:
    la_of_residence: Optional[str] = None
    age: Optional[int] = None
    sex: Optional[str] = None
    activity_category: Optional[str] = None
    home_partner_id: Optional[strawberry.ID] = None
    delivering_partner_id: Optional[strawberry.ID] = None
    level: Optional[str] = None
    diploma_line: Optional[str] = None
    academic_year: Optional[str] = None
    count: Optional[int] = strawberry.field(
        default=None, description="Learners in the cell; null where suppressed."
    )
    total_over: list[CountDimension] = strawberry.field(
        default_factory=list,
        description="The dimensions this row totals over (a margin); empty for a cell. "
        "Suppressed answers publish their margins with the cells.",
    )


_CELL_FIELDS = {
    Dimension.HOME_PARTNER: "home_partner_id",
    Dimension.DELIVERING_PARTNER: "delivering_partner_id",
}


def to_cell(row: dict[str, Any]) -> CountCell:
    """A count row from the database as a cell."""
    values: dict[str, Any] = {"count": row.get("count")}
    values["total_over"] = [
        CountDimension(d.value) for d in Dimension if row.get(f"{d.value}_is_total")
    ]
    for dimension in Dimension:
        if dimension.value in row and not row.get(f"{dimension.value}_is_total"):
            value = row[dimension.value]
            field = _CELL_FIELDS.get(dimension, dimension.value)
            values[field] = str(value) if field.endswith("_id") and value is not None else value
    return CountCell(**values)
