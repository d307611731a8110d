"""A request's reads: compile, run in one transaction, and record the disclosure with it.

One ``ReadSession`` per request: its principal and scope never change during its life. Every
read that discloses learner-level data appends its audit event inside the read's own
transaction, with the learner ids the same statement returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import FromClause, Label
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.errors import ForbiddenFieldError
from hub.principal import Principal
from policies.access import Granularity, ReadScope
from policies.arguments import filter_builder
from policies.audit import Disclosure, record_disclosure
from policies.catalogue import CATALOGUE, EntitySpec
from policies.categories import category_of
from policies.compiler import AgreementScope
from policies.counts import Dimension, compile_counts
from policies.disclosed import LEARNER_COLUMN, flatten_ids, learner_ids, reaches_other_learners
from policies.disclosures import DisclosureRecord, disclosures_for_learner, require_subject_access
from policies.jsonsql import JsonDialect
from policies.objections import ObjectionRecord, record_objection, withdraw_objection
from policies.plan import NodePlan, Selected
from policies.reads import NodeCompiler, Withheld, compile_lookup, compile_page
from policies.suppression import suppress, total_flag

AUDIT_COLUMN = "audit_learner_ids"


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


def _what(node: NodePlan, spec: EntitySpec, entities: set[str], categories: set[str]) -> None:
    entities.add(spec.entity)
    for selected in node.fields:
        if selected.kind is Selected.SCALAR:
            scalar = spec.scalars.get(selected.name)
            if scalar is not None:
                category = category_of(spec.entity, scalar.column)
                if category is not None:
                    categories.add(category)
        elif selected.node is not None:
            target = CATALOGUE[spec.relations[selected.name].target]
            _what(selected.node, target, entities, categories)


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
        request_id: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.principal = principal
        self.scope = scope
        self.nested_limit = nested_limit
        self.today = today or dt.datetime.now(dt.UTC).date()
        self.request_id = request_id
        self.trace_id = trace_id
        self.dialect = JsonDialect(engine.dialect.name)

    def _compiler(self) -> NodeCompiler:
        return NodeCompiler(self.dialect, self.scope, self.nested_limit)

    async def _audit(
        self,
        connection: AsyncConnection,
        nodes: list[NodePlan],
        spec: EntitySpec,
        ids: set[int],
        aggregate_count: int | None = None,
    ) -> None:
        if not ids and aggregate_count is None:
            return
        entities: set[str] = set()
        categories: set[str] = set()
        for node in nodes:
            _what(node, spec, entities, categories)
        disclosure = Disclosure(
            entity_types=tuple(sorted(entities)),
            field_categories=tuple(sorted(categories)),
            learner_ids=tuple(sorted(ids)),
            aggregate_count=aggregate_count,
            agreements=tuple(self.scope.agreement_refs),
        )
        await record_disclosure(
            connection,
            self.principal,
            disclosure,
            request_id=self.request_id,
            trace_id=self.trace_id,
        )

    async def page(
        self,
        typename: str,
        nodes: list[tuple[tuple[str, ...], NodePlan]],
        *,
        first: int,
        after_id: int | None,
        filters: dict[str, Any] | None,
        with_total: bool,
        offset: int = 0,
    ) -> PageResult:
        """Read a page of ``typename`` rows with one SQL statement, audited in its transaction."""
        spec = CATALOGUE[typename]
        compiler = self._compiler()
        is_learner = spec.entity == "learner"
        needs_ids = [n for _, n in nodes if reaches_other_learners(n, spec, own=is_learner)]

        def audit_column(table: FromClause) -> list[Label[Any]]:
            if not needs_ids:
                return []
            merged = NodePlan(spec.typename, tuple(f for n in needs_ids for f in n.fields))
            ids = learner_ids(compiler, merged, spec, table, own=is_learner)
            return [self.dialect.as_text(ids).label(AUDIT_COLUMN)]

        query = compile_page(
            compiler,
            typename,
            nodes,
            filter_builder(typename, filters, self.scope, self.today),
            first=first,
            after_id=after_id,
            with_total=with_total,
            offset=offset,
            extra_columns=audit_column,
        )
        async with self.engine.begin() as connection:
            fetched = (await connection.execute(query.statement)).all()
            total = None
            if query.has_total:
                total = int(fetched[0].total) if fetched else 0
                fetched = [row for row in fetched if row.row_id is not None]
            page = fetched[:first]
            disclosed: set[int] = set()
            if is_learner and nodes:
                disclosed.update(int(row.row_id) for row in page)
            if needs_ids:
                for row in page:
                    disclosed |= flatten_ids(row._mapping[AUDIT_COLUMN])
            await self._audit(connection, [n for _, n in nodes], spec, disclosed)
        rows = tuple(
            PageRow(int(row.row_id), tuple(_text(row._mapping[c]) for c in query.node_columns))
            for row in page
        )
        return PageResult(rows, len(fetched) > first, total, query.withheld)

    def hides_row_ids(self, typename: str) -> bool:
        """Whether some rows' real ids are withheld (pseudonymised): then positions, not ids,
        make cursors, so a cursor can neither carry nor probe a real id."""
        spec = CATALOGUE[typename]
        return self.scope.cell(spec.entity, "id", spec.table) is not None

    async def lookup(
        self, typename: str, node: NodePlan, key_field: str, values: list[Any]
    ) -> tuple[dict[str, str], tuple[Withheld, ...]]:
        """Rows of ``typename`` whose ``key_field`` is one of ``values``, keyed by its text."""
        spec = CATALOGUE[typename]
        compiler = self._compiler()
        statement = compile_lookup(compiler, typename, node, key_field, values)
        is_learner = spec.entity == "learner"
        with_ids = reaches_other_learners(node, spec, own=is_learner)
        if with_ids:
            table = statement.get_final_froms()[0]
            ids = learner_ids(compiler, node, spec, table, own=is_learner)
            statement = statement.add_columns(self.dialect.as_text(ids).label(AUDIT_COLUMN))
        if is_learner:
            statement = statement.add_columns(
                statement.get_final_froms()[0].c[LEARNER_COLUMN["learner"]].label("learner_id")
            )
        async with self.engine.begin() as connection:
            rows = (await connection.execute(statement)).all()
            disclosed: set[int] = set()
            for row in rows:
                if is_learner:
                    disclosed.add(int(row.learner_id))
                if with_ids:
                    disclosed |= flatten_ids(row._mapping[AUDIT_COLUMN])
            await self._audit(connection, [node], spec, disclosed)
        found = {str(row.lookup_key): _text(row.node) for row in rows}
        return found, tuple(compiler.withheld)

    async def counts(
        self, dimensions: list[Dimension], filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Learner counts per cell of ``dimensions`` (one statement, audited as a count).

        Partner principals count through their agreements' counting scope (aggregate-only
        agreements included), always with small-number and secondary suppression, and the
        table's margins come from the same statement so nothing can be differenced. A principal
        whose only grants are aggregate-only may not add free filters.
        """
        scope = self.scope
        suppress_below: int | None = None
        if isinstance(scope, AgreementScope):
            if scope.granularity is Granularity.AGGREGATE and filters:
                raise ForbiddenFieldError(
                    "aggregate-only agreements allow the fixed dimensions, without filters"
                )
            suppress_below = scope.min_cell_size
            scope = scope.for_aggregates()
        query = compile_counts(
            scope, dimensions, filters, backend=self.engine.dialect.name, today=self.today
        )
        statement = query.statement
        if suppress_below is not None:
            statement = suppress(statement, [d.value for d in dimensions], "count", suppress_below)
        async with self.engine.begin() as connection:
            rows = [dict(row._mapping) for row in (await connection.execute(statement))]
            shown = sum(
                int(row["count"])
                for row in rows
                if row.get("count") is not None and not _is_margin(row, dimensions)
            )
            await self._audit(connection, [], CATALOGUE["Learner"], set(), aggregate_count=shown)
        if suppress_below is not None:
            rows.sort(key=lambda row: _margin_last_key(row, dimensions))
        return rows


class WriteSession:
    """A request's few writes that are not ingest: learners' objections."""

    def __init__(self, engine: AsyncEngine, principal: Principal) -> None:
        self.engine = engine
        self.principal = principal

    async def disclosures(self, learner_id: int) -> list[DisclosureRecord]:
        """Who saw this learner's data, when and why (the DPO's subject access answer)."""
        require_subject_access(self.principal)
        async with self.engine.connect() as connection:
            return await disclosures_for_learner(connection, learner_id)

    async def record_objection(self, learner_id: int, scope: str) -> ObjectionRecord:
        """Record a learner's objection (by a partner holding them on roll, or their LA)."""
        async with self.engine.begin() as connection:
            return await record_objection(connection, self.principal, learner_id, scope)

    async def withdraw_objection(self, objection_id: int) -> ObjectionRecord:
        """Withdraw an objection (same permission as recording it)."""
        async with self.engine.begin() as connection:
            return await withdraw_objection(connection, self.principal, objection_id)


def _is_margin(row: dict[str, Any], dimensions: list[Dimension]) -> bool:
    return any(row.get(total_flag(d.value)) for d in dimensions)


def _margin_last_key(row: dict[str, Any], dimensions: list[Dimension]) -> tuple[Any, ...]:
    key: list[Any] = []
    for dimension in dimensions:
        value = row.get(dimension.value)
        key += [bool(row.get(total_flag(dimension.value))), value is None, str(value)]
    return tuple(key)


def _text(value: Any) -> str:
    # asyncpg hands json back as str; SQLite's json functions return str as well.
    if isinstance(value, str):
        return value
    raise TypeError(f"expected JSON text from the database, got {type(value).__name__}")
