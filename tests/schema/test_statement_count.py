"""The number of SQL statements depends on the query's shape, never on the rows returned."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.graphql import execute

ISSUE_QUERY = """query($first: Int) { learners(first: $first) { totalCount edges { node { uln
    participations { provision { title deliveringPartner { name } } } } } } }"""


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every statement the engine sends while the block runs."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


def reads(statements: list[str]) -> list[str]:
    """The statements that read (on SQLite, the audit's separate INSERTs left out)."""
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


async def _count(engine: AsyncEngine, query: str, variables: dict[str, Any]) -> int:
    """Reads one request makes; every statement it makes beyond them is an audit INSERT."""
    with counted(engine) as statements:
        body = await execute(engine, query, variables)
    assert "errors" not in body
    audit = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO DISCLOSURE")]
    assert len(reads(statements)) + len(audit) == len(statements)
    if engine.dialect.name == "postgresql":
        # The disclosure event is appended by the read statement itself (a data-modifying CTE).
        assert audit == []
    assert len(audit) <= len(reads(statements))
    return len(reads(statements))


async def test_issue_query_is_one_statement_at_any_page_size(sample_engine: AsyncEngine) -> None:
    small = await _count(sample_engine, ISSUE_QUERY, {"first": 5})
    large = await _count(sample_engine, ISSUE_QUERY, {"first": 100})
    assert small == large == 1
    if sample_engine.dialect.name == "postgresql":
        with counted(sample_engine) as statements:
            await execute(sample_engine, ISSUE_QUERY, {"first": 5})
        assert len(statements) == 1
        assert "INSERT INTO disclosure_events" in statements[0]


@pytest.mark.parametrize(
    "query",
    [
        "{ partners(first: $first) { edges { node { name provision { title participations "
        "{ learner { uln activities { category } } } } } } } }",
        "{ fundingStreams(first: $first) { totalCount edges { node { flows { payer { name } "
        "learner { uln } } } } } }",
    ],
)
async def test_nested_shapes_are_one_statement_per_root_field(
    sample_engine: AsyncEngine, query: str
) -> None:
    query = "query($first: Int) " + query
    assert await _count(sample_engine, query, {"first": 1}) == 1
    assert await _count(sample_engine, query, {"first": 50}) == 1


async def test_two_root_fields_are_two_statements(sample_engine: AsyncEngine) -> None:
    query = "query($first: Int) { a: learners(first: $first) { edges { node { id } } } " \
        "b: partners(first: $first) { totalCount } }"
    assert await _count(sample_engine, query, {"first": 2}) == 2
    assert await _count(sample_engine, query, {"first": 20}) == 2
