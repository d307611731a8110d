from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.graphql import execute


async def test_learners_page_with_nested(sample_engine: AsyncEngine) -> None:
    query = """{ learners(first: 3) { totalCount edges { cursor node { id uln lldd participations {
        provision { title deliveringPartner { name } } } activities { category } } }
        pageInfo { hasNextPage endCursor } } }"""
    body = await execute(sample_engine, query)
    print(body)
    assert "errors" not in body
    assert body["data"]["learners"]["totalCount"] == 12
    assert len(body["data"]["learners"]["edges"][0]["node"]["participations"]) == 1
