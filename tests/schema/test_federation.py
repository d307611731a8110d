"""Federation entities resolve in batches, in order, and match strawberry's completion."""

from __future__ import annotations

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.schema.test_statement_count import counted, reads
from tests.support.graphql import execute

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
    __typename
    ... on Learner { id uln givenName participations { provision { title } } }
    ... on Partner { name ukprn }
    ... on Provision { title level }
} }"""

REPRESENTATIONS = [
    {"__typename": "Learner", "id": "2"},
    {"__typename": "Partner", "ukprn": "10000001"},
    {"__typename": "Learner", "uln": "1000000007"},
    {"__typename": "Learner", "id": "999"},
    {"__typename": "Provision", "id": "1"},
    {"__typename": "Learner", "id": "3"},
]


async def test_entities_come_back_in_order_with_nulls_for_missing(
    sample_engine: AsyncEngine,
) -> None:
    response = await execute(sample_engine, ENTITIES, {"r": REPRESENTATIONS})
    body = orjson.loads(orjson.dumps(response))
    assert "errors" not in body
    entities = body["data"]["_entities"]
    assert [e and e["__typename"] for e in entities] == [
        "Learner", "Partner", "Learner", None, "Provision", "Learner",
    ]
    assert entities[0]["id"] == "2"
    assert entities[2]["uln"] == "1000000007"
    assert entities[1] == {"__typename": "Partner", "name": "Demo FE College", "ukprn": "10000001"}


async def test_entities_are_batched_per_type_and_key(sample_engine: AsyncEngine) -> None:
    with counted(sample_engine) as statements:
        await execute(sample_engine, ENTITIES, {"r": REPRESENTATIONS})
    # Learner by id, Learner by uln, Partner by ukprn, Provision by id.
    assert len(reads(statements)) == 4
    with counted(sample_engine) as statements:
        many = [{"__typename": "Learner", "id": str(n)} for n in range(1, 13)]
        await execute(sample_engine, ENTITIES, {"r": many})
    assert len(reads(statements)) == 1


async def test_entities_json_equals_strawberrys_completion(sample_engine: AsyncEngine) -> None:
    compiled = await execute(sample_engine, ENTITIES, {"r": REPRESENTATIONS})
    reference = await execute(sample_engine, ENTITIES, {"r": REPRESENTATIONS}, reference=True)
    assert "errors" not in reference
    assert orjson.dumps(orjson.loads(orjson.dumps(compiled))) == orjson.dumps(reference)
