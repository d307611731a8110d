"""A request's reads: compile, run in one transaction, and record the disclosure with it.

One ``ReadSession`` per request: its principal and scope never change during its life.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import Principal
from policies.access import ReadScope
from policies.arguments import filter_builder
from policies.counts import Dimension, compile_counts
from policies.jsonsql import JsonDialect
from policies.plan import NodePlan
from policies.reads import NodeCompiler, Withheld, compile_lookup, compile_page


@dataclass(frozen=True, slots=True)
class PageRow:
    """One row of a page: its id and the JSON text of each node selection."""

    row_id: int
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageResult:
    """A page of rows, whether more follow, and the filtered total when asked for."""

    rows: tuple[PageRow, ...]
    has_next: bool
    total: int | None
    withheld: tuple[Withheld, ...]


class ReadSession:
    """Compiles and runs one request's reads for one principal."""

    def __init__(
        self,
        engine: AsyncEngine,
        principal: Principal,
        scope: ReadScope,
        *,
        nested_limit: int = 100,
        today: dt.date | None = None,
    ) -> None:
        self.engine = engine
        self.principal = principal
        self.scope = scope
        self.nested_limit = nested_limit
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.dialect = JsonDialect(engine.dialect.name)

    def _compiler(self) -> NodeCompiler:
        return NodeCompiler(self.dialect, self.scope, self.nested_limit)

    async def page(
        self,
        typename: str,
        nodes: list[tuple[tuple[str, ...], NodePlan]],
        *,
        first: int,
        after_id: int | None,
        filters: dict[str, Any] | None,
        with_total: bool,
    ) -> PageResult:
        """Read a page of ``typename`` rows with one SQL statement."""
        builder = filter_builder(typename, filters, self.scope, self.today)
        query = compile_page(
            self._compiler(),
            typename,
            nodes,
            builder,
            first=first,
            after_id=after_id,
            with_total=with_total,
        )
        async with self.engine.begin() as connection:
            result = await connection.execute(query.statement)
            fetched = result.all()
        total = None
        if query.has_total:
            total = int(fetched[0].total) if fetched else 0
            fetched = [row for row in fetched if row.row_id is not None]
        rows = tuple(
            PageRow(int(row.row_id), tuple(_text(row._mapping[c]) for c in query.node_columns))
            for row in fetched[:first]
        )
        return PageResult(rows, len(fetched) > first, total, query.withheld)


    async def lookup(
        self, typename: str, node: NodePlan, key_field: str, values: list[Any]
    ) -> tuple[dict[str, str], tuple[Withheld, ...]]:
        """Rows of ``typename`` whose ``key_field`` is one of ``values``, keyed by its text."""
        compiler = self._compiler()
        statement = compile_lookup(compiler, typename, node, key_field, values)
        async with self.engine.begin() as connection:
            rows = (await connection.execute(statement)).all()
        found = {str(row.lookup_key): _text(row.node) for row in rows}
        return found, tuple(compiler.withheld)


    async def counts(
        self, dimensions: list[Dimension], filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Learner counts per cell of ``dimensions`` (one statement)."""
        query = compile_counts(
            self.scope,
            dimensions,
            filters,
            backend=self.engine.dialect.name,
            today=self.today,
        )
        async with self.engine.begin() as connection:
            rows = (await connection.execute(query.statement)).all()
        return [dict(row._mapping) for row in rows]


def _text(value: Any) -> str:
    # asyncpg hands json back as str; SQLite's json functions return str as well.
    if isinstance(value, str):
        return value
    raise TypeError(f"expected JSON text from the database, got {type(value).__name__}")
