"""A small, hand-made partnership for read-path tests (the demo generator makes big ones)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.store.models import (
    Activity,
    FundingAllocation,
    FundingFlow,
    FundingStream,
    Learner,
    LearnerRecord,
    Membership,
    Participation,
    Partner,
    Partnership,
    Provision,
    Site,
)

LEARNERS = 12


async def _insert(connection: AsyncConnection, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows with every column present (executemany needs the same keys in each)."""
    keys = {key for row in rows for key in row}
    complete = [{key: row.get(key) for key in keys} for row in rows]
    await connection.execute(insert(model.__table__), complete)


async def load_sample(engine: AsyncEngine) -> None:
    """Insert 3 partners, 1 partnership, 12 learners with participations and activities."""
    async with engine.begin() as connection:
        await _insert(connection, Partner,
            [
                {"id": 1, "name": "Demo Academy", "partner_type": "academy", "urn": "100001",
                 "la_code": "931", "laestab": "9314001", "postcode": "ZZ99 1AA"},
                {"id": 2, "name": "Demo FE College", "partner_type": "fe_college",
                 "ukprn": "10000001", "la_code": "931", "postcode": "ZZ99 2AA"},
                {"id": 3, "name": "Demo Careers", "partner_type": "careers_service",
                 "la_code": "931"},
            ],
        )
        await _insert(connection, Site, [{"id": 1, "partner_id": 2, "name": "Main campus"}]
        )
        await _insert(connection, Partnership,
            [{"id": 1, "name": "Demo 14-19 Partnership", "kind": "la_partnership",
              "structure_model": "county", "la_code": "931"}],
        )
        await _insert(connection, Membership,
            [{"id": i, "partnership_id": 1, "partner_id": i, "role": "provider"}
             for i in (1, 2, 3)],
        )
        await _insert(connection, Provision,
            [
                {"id": 1, "delivering_partner_id": 2, "site_id": 1, "title": "Engineering L2",
                 "level": "2", "diploma_line": "Engineering", "academic_year": "2025/26",
                 "places_offered": 20},
                {"id": 2, "delivering_partner_id": 1, "title": "GCSE Maths", "level": "2",
                 "academic_year": "2025/26"},
            ],
        )
        learners = [
            {"id": n, "uln": f"{1000000000 + n * 7}"[:10], "given_name": f"Demo{n}",
             "family_name": "Testperson", "date_of_birth": dt.date(2009, 1 + n % 12, 1),
             "sex": "F" if n % 2 else "M", "la_of_residence": "931" if n % 3 else "932",
             "fsm": n % 4 == 0, "lldd": None if n == 5 else n % 5 == 0, "postcode": "ZZ99 3AA"}
            for n in range(1, LEARNERS + 1)
        ]
        await _insert(connection, Learner, learners)
        await _insert(connection, LearnerRecord,
            [{"learner_id": n, "partner_id": 1, "local_ref": f"A{n}", "source": "census",
              "is_on_roll": True, "as_of": dt.date(2025, 10, 2)} for n in range(1, LEARNERS + 1)],
        )
        await _insert(connection, Participation,
            [{"learner_id": n, "provision_id": 1 + n % 2, "home_partner_id": 1,
              "delivering_partner_id": 2 if n % 2 == 0 else 1,
              "start_date": dt.date(2025, 9, 8), "sessions_possible": 60,
              "sessions_attended": 50 + n % 10} for n in range(1, LEARNERS + 1)],
        )
        await _insert(connection, Activity,
            [{"learner_id": n, "activity_code": "540" if n == 3 else "110",
              "category": "neet" if n == 3 else "education",
              "start_date": dt.date(2025, 9, 1), "recorded_by_partner_id": 3}
             for n in range(1, LEARNERS + 1)],
        )
        await _insert(connection, FundingStream,
            [{"id": 1, "code": "KS4VOC", "name": "KS4 vocational", "funder": "LA"}],
        )
        await _insert(connection, FundingAllocation,
            [{"stream_id": 1, "partner_id": 2, "academic_year": "2025/26",
              "amount_pence": 1234505}],
        )
        await _insert(connection, FundingFlow,
            [{"stream_id": 1, "payer_partner_id": 1, "payee_partner_id": 2, "learner_id": 2,
              "provision_id": 1, "academic_year": "2025/26", "amount_pence": 57500,
              "basis": "per_learner_fee"},
             {"stream_id": 1, "payer_partner_id": 2, "payee_partner_id": 1,
              "academic_year": "2025/26", "amount_pence": -5, "basis": "top_slice"}],
        )
