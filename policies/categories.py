"""Data categories: which store columns of each entity a category names.

An agreement grants categories (or single columns) per entity. Structural columns (ids and
foreign keys) come with every visible row, except learner ids, which only identified agreements
show (see ``LEARNER_ID_COLUMNS``). A column in no category and not structural can never be
granted. A test checks that every store column of every entity is placed exactly once.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

IDENTITY = "identity"
CONTACT = "contact"
DEMOGRAPHICS = "demographics"
SPECIAL_CATEGORY = "special_category"
ENROLMENT = "enrolment"
ATTAINMENT_OUTCOMES = "attainment_outcomes"
ATTENDANCE = "attendance"
DESTINATIONS = "destinations"
FUNDING = "funding"
PROVIDER_SENSITIVE = "provider_sensitive"
DIRECTORY = "directory"

CATEGORIES: Final = (
    IDENTITY,
    CONTACT,
    DEMOGRAPHICS,
    SPECIAL_CATEGORY,
    ENROLMENT,
    ATTAINMENT_OUTCOMES,
    ATTENDANCE,
    DESTINATIONS,
    FUNDING,
    PROVIDER_SENSITIVE,
    DIRECTORY,
)

BASIC_CATEGORIES: Final = frozenset({IDENTITY, CONTACT})
"""What a learner objecting with ``careers_beyond_basic`` still lets the careers service see."""

IDENTIFYING_CATEGORIES: Final = frozenset({IDENTITY, CONTACT})
"""Never granted by pseudonymised or aggregate agreements."""

_Table = dict[str, tuple[str, ...]]

_ENTITY_TABLES: Final = MappingProxyType(
    {
        "learner": "learners",
        "learner_record": "learner_records",
        "participation": "participations",
        "attendance_week": "attendance_weeks",
        "activity": "activities",
        "provision": "provision",
        "partner": "partners",
        "site": "sites",
        "partnership": "partnerships",
        "membership": "memberships",
        "funding_stream": "funding_streams",
        "funding_allocation": "funding_allocations",
        "funding_flow": "funding_flows",
    }
)

_STRUCTURAL: Final[_Table] = {
    # The match keys are derived from identity fields for identity resolution only; no read
    # shows them, so they are structural (never granted by name).
    "learner": (
        "id", "batch_id", "match_name_dob", "match_name_postcode", "match_dob_postcode",
        "merged_into_id",
    ),
    "learner_record": (
        "id",
        "learner_id",
        "partner_id",
        "source",
        "is_on_roll",
        "as_of",
        "batch_id",
    ),
    "participation": (
        "id",
        "learner_id",
        "provision_id",
        "home_partner_id",
        "delivering_partner_id",
        "code_list",
        "source_ref",
        "batch_id",
    ),
    "attendance_week": ("id", "participation_id", "batch_id"),
    "activity": ("id", "learner_id", "recorded_by_partner_id", "code_list", "batch_id"),
    "provision": ("id", "delivering_partner_id", "site_id", "code_list", "batch_id"),
    "partner": ("id",),
    "site": ("id", "partner_id"),
    "partnership": ("id", "parent_id"),
    "membership": ("id", "partnership_id", "partner_id"),
    "funding_stream": ("id",),
    "funding_allocation": ("id", "stream_id", "partner_id", "batch_id"),
    "funding_flow": (
        "id",
        "stream_id",
        "payer_partner_id",
        "payee_partner_id",
        "learner_id",
        "provision_id",
        "batch_id",
    ),
}

_GRANTABLE: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "learner": {
        IDENTITY: ("uln", "upn", "given_name", "family_name", "date_of_birth"),
        CONTACT: ("postcode",),
        DEMOGRAPHICS: ("sex", "la_of_residence", "fsm"),
        SPECIAL_CATEGORY: (
            "ethnicity",
            "ethnicity_source_code",
            "ethnicity_source_list",
            "sen_provision",
            "lldd",
            "looked_after",
            "care_leaver",
        ),
    },
    "learner_record": {
        IDENTITY: ("local_ref", "uln", "upn", "given_name", "family_name", "date_of_birth"),
        CONTACT: ("postcode",),
        DEMOGRAPHICS: ("sex",),
        SPECIAL_CATEGORY: ("ethnicity_source_code",),
    },
    "participation": {
        ENROLMENT: ("start_date", "planned_end_date"),
        ATTAINMENT_OUTCOMES: (
            "actual_end_date",
            "completion_status",
            "outcome",
            "withdrawal_reason",
        ),
        ATTENDANCE: ("sessions_possible", "sessions_attended"),
    },
    "attendance_week": {ATTENDANCE: ("week_start", "sessions_possible", "sessions_attended")},
    "activity": {DESTINATIONS: ("activity_code", "category", "start_date", "review_date")},
    "provision": {
        DIRECTORY: (
            "title",
            "learn_aim_ref",
            "qualification",
            "level",
            "sector_subject_area",
            "diploma_line",
            "mode",
            "academic_year",
            "timetable_block",
        ),
        PROVIDER_SENSITIVE: ("places_offered", "minimum_group"),
    },
    "partner": {
        DIRECTORY: ("name", "partner_type", "urn", "ukprn", "la_code", "laestab", "postcode"),
    },
    "site": {DIRECTORY: ("name", "postcode")},
    "partnership": {DIRECTORY: ("name", "kind", "structure_model", "la_code")},
    "membership": {DIRECTORY: ("role", "valid_from", "valid_to")},
    "funding_stream": {FUNDING: ("code", "name", "funder")},
    "funding_allocation": {FUNDING: ("academic_year", "amount_pence")},
    "funding_flow": {FUNDING: ("academic_year", "amount_pence", "basis")},
}

LEARNER_ENTITIES: Final = frozenset(
    {"learner", "learner_record", "participation", "attendance_week", "activity"}
)
"""Entities whose rows are about one learner: scoped by learner relationships."""

PARTNER_ENTITIES: Final = frozenset(set(_ENTITY_TABLES) - LEARNER_ENTITIES)
"""Entities about partners, provision and money: scoped by partner relationships."""

LEARNER_ID_COLUMNS: Final = MappingProxyType(
    {
        "learner": "id",
        "learner_record": "learner_id",
        "participation": "learner_id",
        "activity": "learner_id",
        "funding_flow": "learner_id",
    }
)
"""Columns holding the store's learner id: shown only under identified agreements."""


def entities() -> tuple[str, ...]:
    """Every entity name an agreement may grant, in a stable order."""
    return tuple(_ENTITY_TABLES)


def table_name(entity: str) -> str:
    """The store table behind ``entity``."""
    return _ENTITY_TABLES[entity]


def structural_columns(entity: str) -> frozenset[str]:
    """Columns always visible with a row of ``entity`` (ids and foreign keys)."""
    return frozenset(_STRUCTURAL[entity])


def categories_of(entity: str) -> tuple[str, ...]:
    """The categories that name at least one column of ``entity``."""
    return tuple(_GRANTABLE[entity])


def columns_of(entity: str, category: str) -> frozenset[str]:
    """The columns of ``entity`` that ``category`` names (empty when it names none)."""
    return frozenset(_GRANTABLE[entity].get(category, ()))


def grantable_columns(entity: str) -> frozenset[str]:
    """Every non-structural column of ``entity`` an agreement may grant by name."""
    return frozenset(column for names in _GRANTABLE[entity].values() for column in names)


def category_of(entity: str, column: str) -> str | None:
    """The category a column belongs to; None for structural or unknown columns."""
    for category, names in _GRANTABLE[entity].items():
        if column in names:
            return category
    return None
