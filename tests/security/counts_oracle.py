"""The oracle's learner counts, and the checks a ``learnerCounts`` answer must pass.

The unsuppressed table is computed in Python from the oracle's counting visibility; the
published answer must agree on every non-null entry, hide every small one, and leave no line
(a row or column with its total) with exactly one hidden entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from policies.access import Granularity
from tests.security.expect import FORBIDDEN, Oracle, Who, academic_reference
from tests.security.queries import Query


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    reference = academic_reference(today)
    return reference.year - born.year - (1 if born.month >= 9 else 0)


def count_table(
    o: Oracle, who: Who, dims: Sequence[str], filters: dict[str, Any]
) -> dict[tuple[Any, ...], set[int]]:
    """The unsuppressed cells: dimension values -> the learners counted in the cell.

    A dimension's value is the learner's cell when the counting scope shows it, else null (so a
    breakdown never reveals a column the principal's agreements withhold). Age is derived from
    the date of birth, which aggregate scopes never show; it is counted as the hub does.
    """
    learners = o.visible(who, "learner", aggregate=True)
    activities = o.visible(who, "activity", aggregate=True)
    participations = o.visible(who, "participation", aggregate=True)
    cells: dict[tuple[Any, ...], set[int]] = {}
    for learner_id, cols in learners.items():
        learner = o.row("learner", learner_id)
        latest = max(
            (
                a
                for a in o.data["activities"]
                if a["learner_id"] == learner_id and a["id"] in activities
            ),
            key=lambda a: (a["start_date"], a["id"]),
            default=None,
        )
        # A learner whose cell is withheld counts in the dimension's null group.
        base: dict[str, Any] = {
            "LA_OF_RESIDENCE": learner["la_of_residence"] if "la_of_residence" in cols else None,
            "AGE": _age(learner["date_of_birth"], o.today),
            "SEX": learner["sex"] if "sex" in cols else None,
            "ACTIVITY_CATEGORY": (
                latest["category"] if latest and "category" in activities[latest["id"]] else None
            ),
        }
        if (
            filters.get("laOfResidence") is not None
            and base["LA_OF_RESIDENCE"] != filters["laOfResidence"]
        ):
            continue
        if filters.get("minAge") is not None and (
            base["AGE"] is None or base["AGE"] < filters["minAge"]
        ):
            continue
        if filters.get("maxAge") is not None and (
            base["AGE"] is None or base["AGE"] > filters["maxAge"]
        ):
            continue
        if (
            filters.get("activityCategory") is not None
            and base["ACTIVITY_CATEGORY"] != filters["activityCategory"]
        ):
            continue
        combos: list[dict[str, Any]] = []
        if {"HOME_PARTNER", "DELIVERING_PARTNER", "LEVEL", "DIPLOMA_LINE", "ACADEMIC_YEAR"} & set(
            dims
        ):
            for p in o.data["participations"]:
                if p["learner_id"] != learner_id or p["id"] not in participations:
                    continue
                provision = o.row("provision", p["provision_id"])
                combo = {
                    **base,
                    "HOME_PARTNER": None
                    if p["home_partner_id"] is None
                    else str(p["home_partner_id"]),
                    "DELIVERING_PARTNER": str(p["delivering_partner_id"]),
                    "LEVEL": provision.get("level"),
                    "DIPLOMA_LINE": provision.get("diploma_line"),
                    "ACADEMIC_YEAR": provision.get("academic_year"),
                }
                if filters.get("academicYear") in (None, combo["ACADEMIC_YEAR"]):
                    combos.append(combo)
        else:
            combos.append(base)
        for combo in combos:
            cells.setdefault(tuple(combo[d] for d in dims), set()).add(learner_id)
    return cells


TOTAL = "<total>"
_FIELDS = {
    "LA_OF_RESIDENCE": "laOfResidence",
    "AGE": "age",
    "SEX": "sex",
    "ACTIVITY_CATEGORY": "activityCategory",
    "HOME_PARTNER": "homePartnerId",
    "DELIVERING_PARTNER": "deliveringPartnerId",
    "LEVEL": "level",
    "DIPLOMA_LINE": "diplomaLine",
    "ACADEMIC_YEAR": "academicYear",
}


def check_counts(o: Oracle, who: Who, query: Query, body: dict[str, Any]) -> list[str]:
    """Counts equal the oracle's, small ones are hidden, and no hidden one is recoverable."""
    assert query.counts is not None
    dims, filters = query.counts
    codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
    if filters and o.granularity(who) is Granularity.AGGREGATE:
        refused = FORBIDDEN in codes
        return [] if refused else [f"free filter accepted for an aggregate-only caller: {body}"]
    if "activityCategory" in filters and "ACTIVITY_CATEGORY" not in dims:
        return [] if codes else ["activityCategory filter without its dimension accepted"]
    if body.get("data") is None:
        return [] if FORBIDDEN in codes else [f"counts refused: {body.get('errors')}"]
    expected = expected_table(count_table(o, who, dims, filters), len(dims))
    published: dict[tuple[Any, ...], int | None] = {}
    for cell in body["data"]["learnerCounts"]:
        key = tuple(TOTAL if d in cell["totalOver"] else cell[_FIELDS[d]] for d in dims)
        published[key] = cell["count"]
    problems: list[str] = []
    if set(published) != set(expected):
        problems.append(f"cells {sorted(map(str, published))} != {sorted(map(str, expected))}")
    size = o.min_cell_size(who)
    for key, count in published.items():
        if count is not None and count != expected.get(key):
            problems.append(f"cell {key}: {count}, oracle {expected.get(key)}")
        if count is not None and 0 < count < size:
            problems.append(f"cell {key}: {count} published below {size}")
    return problems + recoverable(published, len(dims))


def expected_table(
    cells: dict[tuple[Any, ...], set[int]], dimensions: int
) -> dict[tuple[Any, ...], int]:
    """Cells and margins. A margin is the sum of its cells (a learner in two cells is in both):
    the published table's line relations ("total = sum of cells") are what suppression protects.
    """
    expected: dict[tuple[Any, ...], int] = {k: len(v) for k, v in cells.items()}
    if cells:
        expected[(TOTAL,) * dimensions] = sum(len(v) for v in cells.values())
    if dimensions == 2:
        for axis in (0, 1):
            for value in {k[axis] for k in cells}:
                key = (value, TOTAL) if axis == 0 else (TOTAL, value)
                expected[key] = sum(len(v) for k, v in cells.items() if k[axis] == value)
    return expected


def recoverable(published: dict[tuple[Any, ...], int | None], dimensions: int) -> list[str]:
    """Lines (a row or column and its total) with one hidden entry: subtraction finds it."""
    lines: list[list[tuple[Any, ...]]] = []
    if dimensions == 1:
        lines.append(list(published))
    else:
        for axis in (0, 1):
            for value in {k[axis] for k in published}:
                lines.append([k for k in published if k[axis] == value])
    return [
        f"line {line}: its one hidden entry is recoverable by subtraction"
        for line in lines
        if sum(published[k] is None for k in line) == 1
    ]
