"""Withheld cells are null, reported once per field path with FORBIDDEN_FIELD."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy import ColumnElement, FromClause, false, true
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import ForbiddenFieldError
from policies.access import Granularity
from tests.support.graphql import execute


@dataclass(frozen=True)
class _HalfScope:
    """Learners 1-8 visible; uln shown only for ids <= 4; family names never."""

    granularity: Granularity = Granularity.IDENTIFIED
    agreement_refs: tuple[str, ...] = ("test@1",)

    def rows(self, entity: str, table: FromClause) -> ColumnElement[bool]:
        if entity == "learner":
            return table.c.id <= 8
        return true()

    def cell(self, entity: str, column: str, table: FromClause) -> ColumnElement[bool] | None:
        if entity == "learner" and column == "uln":
            return table.c.id <= 4
        if entity == "learner" and column in ("family_name", "la_of_residence"):
            return false()
        return None


async def _run(engine: AsyncEngine, query: str) -> dict[str, Any]:
    body: dict[str, Any] = orjson.loads(
        orjson.dumps(await execute(engine, query, scope=_HalfScope()))
    )
    return body


async def test_rows_outside_scope_are_not_returned_or_counted(sample_engine: AsyncEngine) -> None:
    body = await _run(sample_engine, "{ learners(first: 50) { totalCount edges { node { id } } } }")
    assert body["data"]["learners"]["totalCount"] == 8
    assert [e["node"]["id"] for e in body["data"]["learners"]["edges"]] == [
        str(n) for n in range(1, 9)
    ]


async def test_withheld_cells_are_null_with_one_error_per_path(sample_engine: AsyncEngine) -> None:
    body = await _run(
        sample_engine,
        "{ learners(first: 50) { edges { node { id uln familyName givenName } } } }",
    )
    nodes = [edge["node"] for edge in body["data"]["learners"]["edges"]]
    assert [n["uln"] is not None for n in nodes] == [True] * 4 + [False] * 4
    assert all(n["familyName"] is None and n["givenName"] for n in nodes)
    errors = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert errors == {
        ("learners", "edges", "node", "familyName"): "FORBIDDEN_FIELD",
        ("learners", "edges", "node", "uln"): "FORBIDDEN_FIELD",
    }


async def test_nested_learner_is_scoped_too(sample_engine: AsyncEngine) -> None:
    body = await _run(
        sample_engine,
        "{ provision(first: 5) { edges { node { participations(first: 50) "
        "{ learner { id } } } } } }",
    )
    ids = {
        p["learner"]["id"]
        for edge in body["data"]["provision"]["edges"]
        for p in edge["node"]["participations"]
        if p["learner"] is not None
    }
    assert ids == {str(n) for n in range(1, 9)}


async def test_filter_on_a_withheld_field_is_refused(sample_engine: AsyncEngine) -> None:
    body = await _run(
        sample_engine,
        '{ learners(filter: {laOfResidence: "931"}) { edges { node { id } } } }',
    )
    assert body["data"] is None or body["data"]["learners"] is None
    assert body["errors"][0]["extensions"]["code"] == ForbiddenFieldError.code


@pytest.mark.parametrize("key", ["uln"])
async def test_entities_cannot_look_up_by_a_withheld_key(
    sample_engine: AsyncEngine, key: str
) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Learner { id } } }"
    representations = [{"__typename": "Learner", key: "1000000049"}]  # learner 7: uln withheld
    body = orjson.loads(
        orjson.dumps(
            await execute(sample_engine, query, {"r": representations}, scope=_HalfScope())
        )
    )
    assert body["data"]["_entities"] == [None]
