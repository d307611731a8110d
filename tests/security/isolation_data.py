"""The isolation suite's data: the policy dataset plus enough learners for counts to publish.

``tests.support.policy_dataset`` has one learner per agreement rule (corroboration, objections,
lapsed membership...). Counts need bigger groups, so 30 synthetic learners are added: on the
rolls of schools A, B and E and of college C, some taught at C on corroborated enrolments, some
with careers-service activity records. Every name and number is invented.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from tests.support.policy_dataset import CAREERS, DATA, A, B, C, E

Rows = dict[str, list[dict[str, Any]]]

EXTRA_LEARNERS = range(11, 41)
_SEXES = ("F", "M")
_CATEGORIES = ("education", "employment", "neet", "not_known")


def _home(learner: int) -> int:
    if learner <= 22:
        return A
    if learner <= 30:
        return B
    if learner <= 36:
        return E
    return C


def _learner(ident: int) -> dict[str, Any]:
    home = _home(ident)
    return {
        "id": ident,
        "uln": f"{1000000000 + ident}",
        "upn": f"X{ident:012d}",
        "given_name": f"Given{ident}",
        "family_name": f"Family{ident}",
        "date_of_birth": dt.date(2009 + ident % 2, 1 + ident % 12, 1 + ident % 27),
        "sex": _SEXES[ident % 2],
        "ethnicity": ("WBRI", "ABAN", "MWBC")[ident % 3],
        "postcode": f"TS{ident} 2BB",
        "la_of_residence": "932" if home == E or ident % 7 == 0 else "931",
        "sen_provision": ("N", "K", "E")[ident % 3],
        "lldd": ident % 4 == 0,
        "fsm": ident % 3 == 0,
        "looked_after": ident % 11 == 0,
        "care_leaver": False,
    }


def isolation_dataset() -> Rows:
    """``policy_dataset.DATA`` (not modified) with the extra learners and their rows added."""
    data: Rows = copy.deepcopy(DATA)
    for row in data["provision"]:
        row["diploma_line"] = "engineering" if row["id"] == 1 else None
    data["provision"].append(
        {
            "id": 4,
            "delivering_partner_id": C,
            "site_id": 1,
            "title": "Health and Social Care L3",
            "academic_year": "2026/27",
            "level": "3",
            "diploma_line": "society_health",
            "places_offered": 20,
            "minimum_group": 9,
        }
    )
    record_id = len(data["learner_records"]) + 1
    participation_id = len(data["participations"]) + 1
    week_id = len(data["attendance_weeks"]) + 1
    activity_id = len(data["activities"]) + 1
    for ident in EXTRA_LEARNERS:
        home = _home(ident)
        data["learners"].append(_learner(ident))
        data["learner_records"].append(
            {
                "id": record_id,
                "learner_id": ident,
                "partner_id": home,
                "local_ref": f"R{record_id}",
                "source": "ilr" if home == C else "census",
                "is_on_roll": True,
                "as_of": dt.date(2025, 10, 2),
                "given_name": f"Given{ident}",
                "family_name": f"Family{ident}",
                "postcode": f"TS{ident} 2BB",
                "sex": _SEXES[ident % 2],
            }
        )
        record_id += 1
        if home in (A, B, E) and ident % 3 != 0:
            provision = 1 if ident % 2 else 4
            data["participations"].append(
                {
                    "id": participation_id,
                    "learner_id": ident,
                    "provision_id": provision,
                    "home_partner_id": home,
                    "delivering_partner_id": C,
                    "start_date": dt.date(2025, 9, 8),
                    "planned_end_date": dt.date(2027, 7, 16),
                    "completion_status": "1",
                    "sessions_possible": 60,
                    "sessions_attended": 40 + ident % 20,
                }
            )
            data["attendance_weeks"].append(
                {
                    "id": week_id,
                    "participation_id": participation_id,
                    "week_start": dt.date(2025, 9, 8),
                    "sessions_possible": 2,
                    "sessions_attended": ident % 3,
                }
            )
            participation_id += 1
            week_id += 1
        if ident % 2 == 0 or ident > 30:
            data["activities"].append(
                {
                    "id": activity_id,
                    "learner_id": ident,
                    "activity_code": "220",
                    "category": _CATEGORIES[ident % 4],
                    "start_date": dt.date(2025, 9, 1) + dt.timedelta(days=ident),
                    "recorded_by_partner_id": CAREERS if ident % 5 else C,
                }
            )
            activity_id += 1
    return data
