"""The database-built JSON is exactly what strawberry's own execution would return."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.graphql import execute

QUERIES: dict[str, tuple[str, dict[str, Any] | None]] = {
    "issue example": (
        """{ learners(first: 5) { totalCount edges { node { uln participations {
            provision { title deliveringPartner { name } } } } } } }""",
        None,
    ),
    "aliases, typename and repeated keys": (
        """{ a: learners(first: 2) { __typename edges { __typename c: cursor n: node {
            __typename ident: id uln uln familyName lldd fsm dateOfBirth } }
            pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor } }
          b: learners(first: 1, filter: {laOfResidence: "932"}) { totalCount
            e1: edges { node { id } } e2: edges { node { givenName } } } }""",
        None,
    ),
    "fragments and directives": (
        """query Q($skip: Boolean!, $la: String) {
          learners(first: 3, filter: {laOfResidence: $la}) { edges { node {
            ...Who ... on Learner { sex @skip(if: $skip) postcode @include(if: $skip) }
            activities { ...Act } } } } }
          fragment Who on Learner { id uln givenName }
          fragment Act on Activity { category activityCode recordedBy { name partnerType } }""",
        {"skip": True, "la": "931"},
    ),
    "money, nulls and nested objects": (
        """{ fundingStreams { edges { node { code allocations { amount academicYear
            partner { name ukprn urn } } flows { amount basis learner { uln } provision { title }
            payer { name } payee { name } } } } } }""",
        None,
    ),
    "partners and partnerships": (
        """{ partners(first: 10, filter: {partnerType: "fe_college"}) { totalCount edges { node {
            name sites { name partner { name } } provision(first: 1) { title level diplomaLine
            placesOffered participations(first: 2) { sessionsAttended learner { id } } }
            memberships { role partnership { name kind parent { name } } } } } }
          partnerships { edges { node { name structureModel memberships { role validFrom
            partner { name } } } } } }""",
        None,
    ),
    "provision filters": (
        """{ provision(filter: {level: "2", diplomaLine: "Engineering"}) { totalCount
            edges { node { title site { name postcode } deliveringPartner { id } } } } }""",
        None,
    ),
    "empty page after the last cursor": (
        """{ learners(first: 2, after: "Y3Vyc29yOjEy") { totalCount edges { node { id } }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }""",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_compiled_json_equals_strawberrys_completion(
    sample_engine: AsyncEngine, name: str
) -> None:
    query, variables = QUERIES[name]
    compiled = await execute(sample_engine, query, variables)
    reference = await execute(sample_engine, query, variables, reference=True)
    assert "errors" not in reference, reference["errors"]
    # PostgreSQL writes JSON with spaces after colons; compare after a parse that keeps key
    # order, so keys, order, types and nulls must all agree.
    assert orjson.dumps(orjson.loads(orjson.dumps(compiled))) == orjson.dumps(reference)


async def test_money_is_an_exact_decimal_string(sample_engine: AsyncEngine) -> None:
    body = orjson.loads(
        orjson.dumps(
            await execute(
                sample_engine,
                "{ fundingStreams { edges { node { allocations { amount } flows { amount } } } } }",
            )
        )
    )
    node = body["data"]["fundingStreams"]["edges"][0]["node"]
    assert node["allocations"] == [{"amount": "12345.05"}]
    assert [flow["amount"] for flow in node["flows"]] == ["575.00", "-0.05"]


async def test_pages_follow_each_other_without_gaps(sample_engine: AsyncEngine) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = orjson.loads(
            orjson.dumps(
                await execute(
                    sample_engine,
                    "query($after: String) { learners(first: 5, after: $after) { "
                    "edges { node { id } } pageInfo { hasNextPage endCursor } } }",
                    {"after": after},
                )
            )
        )
        connection = body["data"]["learners"]
        seen.extend(edge["node"]["id"] for edge in connection["edges"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == [str(n) for n in range(1, 13)]
