"""learnerCounts groups visible learners by fixed dimensions in one statement."""

from __future__ import annotations

import datetime as dt

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.schema.test_statement_count import counted, reads
from tests.support.graphql import execute


async def _counts(engine: AsyncEngine, query: str) -> list[dict[str, object]]:
    body = orjson.loads(orjson.dumps(await execute(engine, query)))
    assert "errors" not in body, body
    cells: list[dict[str, object]] = body["data"]["learnerCounts"]
    return cells


async def test_neet_count_by_la(sample_engine: AsyncEngine) -> None:
    cells = await _counts(
        sample_engine,
        "{ learnerCounts(groupBy: [LA_OF_RESIDENCE, ACTIVITY_CATEGORY]) "
        "{ laOfResidence activityCategory count } }",
    )
    # Learner 3 is the only NEET; learners 3, 6, 9, 12 live in 932.
    assert {"laOfResidence": "932", "activityCategory": "neet", "count": 1} in cells
    assert {"laOfResidence": "932", "activityCategory": "education", "count": 3} in cells
    assert {"laOfResidence": "931", "activityCategory": "education", "count": 8} in cells
    assert sum(int(str(c["count"])) for c in cells) == 12


async def test_counts_by_delivering_partner_and_level(sample_engine: AsyncEngine) -> None:
    cells = await _counts(
        sample_engine,
        "{ learnerCounts(groupBy: [DELIVERING_PARTNER, LEVEL]) "
        "{ deliveringPartnerId level count } }",
    )
    assert cells == [
        {"deliveringPartnerId": "1", "level": "2", "count": 6},
        {"deliveringPartnerId": "2", "level": "2", "count": 6},
    ]


async def test_counts_by_age_is_one_statement(sample_engine: AsyncEngine) -> None:
    with counted(sample_engine) as statements:
        cells = await _counts(
            sample_engine, "{ learnerCounts(groupBy: [AGE, SEX]) { age sex count } }"
        )
    assert len(reads(statements)) == 1
    today = dt.datetime.now(dt.UTC).date()
    start_year = today.year if today.month >= 9 else today.year - 1
    ages = {c["age"] for c in cells}
    # Sample learners are born in 2009 (months 1-12): aged start_year-2009 or one less.
    assert ages <= {start_year - 2009, start_year - 2010}
    assert sum(int(str(c["count"])) for c in cells) == 12
