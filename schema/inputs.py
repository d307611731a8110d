"""Filter inputs for the root fields."""

import dataclasses
from typing import Any, Optional

import strawberry
from strawberry.utils.str_converters import to_camel_case


def arguments_of(value: Any) -> dict[str, Any]:
    """A filter input's set fields, named as in GraphQL (the read path's argument names)."""
    if value is None:
        return {}
    return {
        to_camel_case(field.name): getattr(value, field.name)
        for field in dataclasses.fields(value)
        if getattr(value, field.name) is not None
    }


@strawberry.input
class LearnerFilter:
    """Learners on a partner's roll or provision, resident in an LA, within an age range.

    Ages are academic ages: age on 31 August before the current academic year.
    """

    partner_id: Optional[strawberry.ID] = None
    la_of_residence: Optional[str] = None
    min_age: Optional[int] = None
    max_age: Optional[int] = None


@strawberry.input
class ProvisionFilter:
    """Provision by level, Diploma line, academic year or delivering partner."""

    level: Optional[str] = None
    diploma_line: Optional[str] = None
    academic_year: Optional[str] = None
    delivering_partner_id: Optional[strawberry.ID] = None


@strawberry.input
class PartnerFilter:
    """Partners by type, LA or partnership membership."""

    partner_type: Optional[str] = None
    la_code: Optional[str] = None
    partnership_id: Optional[strawberry.ID] = None
