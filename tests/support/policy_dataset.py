"""A small synthetic partnership built to exercise every agreement relationship and objection.

Partners: schools A (1) and B (2), college C (3), college D (4, membership lapsed), LA 931 (5),
careers service (6), school E (7, another partnership). Each learner is there for a reason,
written beside it. All names are invented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.base import Base

D = dt.date
UTC = dt.UTC
TODAY = D(2026, 1, 15)

A, B, C, D_COLLEGE, LA, CAREERS, E = 1, 2, 3, 4, 5, 6, 7

_partners = [
    (A, "Ashby School", "school", "100001", None, "931"),
    (B, "Brook School", "school", "100002", None, "931"),
    (C, "Castle College", "fe_college", None, "10000003", "931"),
    (D_COLLEGE, "Dale College", "fe_college", None, "10000004", "932"),
    (LA, "Testshire County Council", "local_authority", None, None, "931"),
    (CAREERS, "Testshire Careers", "careers_service", None, None, "931"),
    (E, "Elm School", "school", "100007", None, "932"),
]


def _learner(ident: int, born: dt.date, la: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": ident,
        "uln": f"{1000000000 + ident}",
        "upn": None,
        "given_name": f"Given{ident}",
        "family_name": f"Family{ident}",
        "date_of_birth": born,
        "sex": "F" if ident % 2 else "M",
        "ethnicity": "WBRI",
        "postcode": f"TS{ident} 1AA",
        "la_of_residence": la,
        "sen_provision": "K",
        "lldd": ident % 3 == 0,
        "fsm": ident % 2 == 0,
        "looked_after": False,
        "care_leaver": False,
    }
    row.update(extra)
    return row


def _record(ident: int, learner: int, partner: int, on_roll: bool = True) -> dict[str, Any]:
    return {
        "id": ident,
        "learner_id": learner,
        "partner_id": partner,
        "local_ref": f"R{ident}",
        "source": "census" if partner in (A, B, E) else "ilr",
        "is_on_roll": on_roll,
        "as_of": D(2025, 10, 2),
        "given_name": f"Given{learner}",
        "family_name": f"Family{learner}",
        "postcode": f"TS{learner} 1AA",
        "sex": "F",
    }


def _participation(
    ident: int, learner: int, provision: int, home: int | None, host: int
) -> dict[str, Any]:
    return {
        "id": ident,
        "learner_id": learner,
        "provision_id": provision,
        "home_partner_id": home,
        "delivering_partner_id": host,
        "start_date": D(2025, 9, 8),
        "planned_end_date": D(2026, 7, 17),
        "completion_status": "1",
        "outcome": None,
        "sessions_possible": 60,
        "sessions_attended": 50 + ident % 10,
    }


DATA: dict[str, list[dict[str, Any]]] = {
    "partners": [
        {"id": i, "name": n, "partner_type": t, "urn": u, "ukprn": k, "la_code": la}
        for i, n, t, u, k, la in _partners
    ],
    "partnerships": [
        {"id": 1, "name": "Testshire Consortium", "kind": "consortium", "la_code": "931"},
        {"id": 2, "name": "Otherton Partnership", "kind": "la_partnership", "la_code": "932"},
    ],
    "memberships": [
        {"id": 1, "partnership_id": 1, "partner_id": A, "role": "provider"},
        {"id": 2, "partnership_id": 1, "partner_id": B, "role": "provider"},
        {"id": 3, "partnership_id": 1, "partner_id": C, "role": "provider"},
        {
            "id": 4,
            "partnership_id": 1,
            "partner_id": D_COLLEGE,
            "role": "provider",
            "valid_from": D(2020, 9, 1),
            "valid_to": D(2025, 7, 31),
        },
        {"id": 5, "partnership_id": 1, "partner_id": LA, "role": "commissioner"},
        {"id": 6, "partnership_id": 1, "partner_id": CAREERS, "role": "careers_service"},
        {"id": 7, "partnership_id": 2, "partner_id": E, "role": "provider"},
        {
            "id": 8,
            "partnership_id": 2,
            "partner_id": C,
            "role": "provider",
            "valid_from": D(2026, 9, 1),
        },
    ],
    "sites": [
        {"id": 1, "partner_id": C, "name": "Castle main site", "postcode": "TS1 9ZZ"},
        {"id": 2, "partner_id": D_COLLEGE, "name": "Dale skills centre", "postcode": "TS2 9ZZ"},
    ],
    "learners": [
        _learner(1, D(2009, 3, 1), "931"),  # on A's roll, corroborated at C
        _learner(2, D(2009, 5, 1), "931"),  # on B's roll; C claims home A: not corroborated
        _learner(3, D(2008, 1, 1), "932"),  # C's own learner, lives elsewhere
        _learner(4, D(2009, 6, 1), "931"),  # on A's roll, taught at D (lapsed member)
        _learner(5, D(2009, 7, 1), "931"),  # on A's roll, at C, objects to sharing beyond home
        _learner(6, D(2009, 8, 1), "931"),  # on A's roll, objects careers beyond basic
        _learner(7, D(2009, 9, 1), "932"),  # on E's roll (other partnership), at C
        _learner(8, D(2010, 1, 10), "931"),  # on A's roll, accepted an offer at C
        _learner(9, D(2009, 2, 1), "931"),  # on A's roll, "at C" on D's provision
        _learner(10, D(2010, 2, 2), "931", la_of_residence=None),  # on B's roll, no LA known
    ],
    "learner_records": [
        _record(1, 1, A),
        _record(2, 1, B, on_roll=False),
        _record(3, 2, B),
        _record(4, 3, C),
        _record(5, 4, A),
        _record(6, 5, A),
        _record(7, 6, A),
        _record(8, 7, E),
        _record(9, 8, A),
        _record(10, 9, A),
        _record(11, 10, B),
        _record(12, 1, D_COLLEGE, on_roll=False),
    ],
    "provision": [
        {
            "id": 1,
            "delivering_partner_id": C,
            "site_id": 1,
            "title": "Engineering L2",
            "academic_year": "2025/26",
            "level": "2",
            "places_offered": 16,
            "minimum_group": 8,
        },
        {
            "id": 2,
            "delivering_partner_id": D_COLLEGE,
            "site_id": 2,
            "title": "Construction L1",
            "academic_year": "2025/26",
            "level": "1",
            "places_offered": 12,
            "minimum_group": 6,
        },
        {
            "id": 3,
            "delivering_partner_id": A,
            "title": "GCSE Maths",
            "academic_year": "2025/26",
            "level": "2",
            "places_offered": 30,
            "minimum_group": 10,
        },
    ],
    "participations": [
        _participation(1, 1, 1, A, C),
        _participation(2, 2, 1, A, C),
        _participation(3, 3, 1, None, C),
        _participation(4, 4, 2, A, D_COLLEGE),
        _participation(5, 5, 1, A, C),
        _participation(6, 6, 3, A, A),
        _participation(7, 7, 1, E, C),
        _participation(8, 9, 2, A, C),
        _participation(9, 1, 3, A, A),
    ],
    "attendance_weeks": [
        {
            "id": i,
            "participation_id": p,
            "week_start": D(2025, 9, 8) + dt.timedelta(weeks=w),
            "sessions_possible": 2,
            "sessions_attended": 2 - (i % 2),
        }
        for i, (p, w) in enumerate(
            [(1, 0), (1, 1), (2, 0), (3, 0), (4, 0), (5, 0), (7, 0), (8, 0)], 1
        )
    ],
    "offers": [
        {"id": 1, "learner_id": 8, "provision_id": 1, "status": "accepted"},
        {"id": 2, "learner_id": 2, "provision_id": 1, "status": "made"},
        {"id": 3, "learner_id": 10, "provision_id": 2, "status": "accepted"},
    ],
    "activities": [
        {
            "id": 1,
            "learner_id": 1,
            "activity_code": "220",
            "category": "education",
            "start_date": D(2025, 9, 1),
            "recorded_by_partner_id": CAREERS,
        },
        {
            "id": 2,
            "learner_id": 3,
            "activity_code": "540",
            "category": "neet",
            "start_date": D(2025, 11, 1),
            "recorded_by_partner_id": CAREERS,
        },
        {
            "id": 3,
            "learner_id": 1,
            "activity_code": "210",
            "category": "education",
            "start_date": D(2025, 9, 1),
            "recorded_by_partner_id": D_COLLEGE,
        },
        {
            "id": 4,
            "learner_id": 6,
            "activity_code": "220",
            "category": "education",
            "start_date": D(2025, 9, 1),
            "recorded_by_partner_id": CAREERS,
        },
        {
            "id": 5,
            "learner_id": 2,
            "activity_code": "810",
            "category": "not_known",
            "start_date": D(2025, 12, 1),
            "recorded_by_partner_id": None,
        },
    ],
    "objections": [
        {
            "id": 1,
            "learner_id": 5,
            "scope": "sharing_beyond_home",
            "recorded_at": dt.datetime(2025, 10, 1, tzinfo=UTC),
        },
        {
            "id": 2,
            "learner_id": 6,
            "scope": "careers_beyond_basic",
            "recorded_at": dt.datetime(2025, 10, 1, tzinfo=UTC),
        },
        {
            "id": 3,
            "learner_id": 1,
            "scope": "special_category",
            "recorded_at": dt.datetime(2025, 10, 1, tzinfo=UTC),
        },
        {
            "id": 4,
            "learner_id": 2,
            "scope": "careers_beyond_basic",
            "recorded_at": dt.datetime(2025, 10, 1, tzinfo=UTC),
            "withdrawn_at": dt.datetime(2025, 11, 1, tzinfo=UTC),
        },
    ],
    "funding_streams": [
        {"id": 1, "code": "1619", "name": "16-19 programme funding", "funder": "ESFA"},
        {"id": 2, "code": "IFP", "name": "Increased Flexibility", "funder": "LSC"},
    ],
    "funding_allocations": [
        {"id": 1, "stream_id": 1, "partner_id": A, "academic_year": "2025/26", "amount_pence": 100},
        {"id": 2, "stream_id": 1, "partner_id": C, "academic_year": "2025/26", "amount_pence": 200},
        {"id": 3, "stream_id": 2, "partner_id": E, "academic_year": "2025/26", "amount_pence": 300},
    ],
    "funding_flows": [
        {
            "id": 1,
            "stream_id": 2,
            "payer_partner_id": A,
            "payee_partner_id": C,
            "learner_id": 1,
            "provision_id": 1,
            "academic_year": "2025/26",
            "amount_pence": 55000,
            "basis": "per_learner_fee",
        },
        {
            "id": 2,
            "stream_id": 2,
            "payer_partner_id": B,
            "payee_partner_id": D_COLLEGE,
            "learner_id": None,
            "provision_id": 2,
            "academic_year": "2025/26",
            "amount_pence": 60000,
            "basis": "per_learner_fee",
        },
    ],
}

_ORDER = (
    "partners",
    "partnerships",
    "memberships",
    "sites",
    "learners",
    "learner_records",
    "provision",
    "participations",
    "attendance_weeks",
    "offers",
    "activities",
    "objections",
    "funding_streams",
    "funding_allocations",
    "funding_flows",
)


def full_rows(data: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Every row with every column of its table (missing ones as None), as the store holds it."""
    tables = Base.metadata.tables

    def filled(column: Any, row: dict[str, Any]) -> Any:
        if column.name in row:
            return row[column.name]
        default = column.default
        return default.arg if default is not None and default.is_scalar else None

    return {
        name: [{c.name: filled(c, row) for c in tables[name].columns} for row in rows]
        for name, rows in data.items()
    }


async def insert_dataset(
    engine: AsyncEngine, data: dict[str, list[dict[str, Any]]] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Insert the dataset (DATA by default) and return it with every column filled."""
    rows = full_rows(DATA if data is None else data)
    tables = Base.metadata.tables
    async with engine.begin() as connection:
        for name in _ORDER:
            if rows.get(name):
                await connection.execute(insert(tables[name]), rows[name])
    return rows
