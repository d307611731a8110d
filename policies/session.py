"""A request's reads: compile, run in one transaction, and record the disclosure with it.

One ``ReadSession`` per request: its principal and scope never change during its life. Every
read that discloses learner-level data appends its audit event inside the read's own
transaction, with the learner ids the same statement returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Label,
    Row,
    Select,
    bindparam,
    func,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.selectable import CTE, GenerativeSelect

from hub.errors import ForbiddenFieldError
from hub.principal import Principal
from policies.access import Granularity, ReadScope
from policies.arguments import filter_builder
from policies.audit import Disclosure, record_disclosure
from policies.audit_sql import event_parameters, json_numbers, with_disclosure
from policies.catalogue import CATALOGUE, EntitySpec
from policies.categories import category_of
from policies.compiler import AgreementScope
from policies.counts import Dimension, compile_counts
from policies.disclosed import LEARNER_COLUMN, flatten_ids, learner_ids, reaches_other_learners
from policies.disclosures import DisclosureRecord, disclosures_for_learner, require_subject_access
from policies.jsonsql import JsonDialect
from policies.objections import ObjectionRecord, record_objection, withdraw_objection
from policies.plan import NodePlan, Selected
from policies.reads import (
    LOOKUP_KEYS,
    NodeCompiler,
    Withheld,
    compile_lookup,
    compile_page,
    page_parameters,
)
from policies.sql import for_whole_sets
from policies.statement_cache import Identity, StatementCache, freeze
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


# Compiled statements, shared by every request of this worker (see policies.statement_cache).
STATEMENTS: StatementCache[Prepared] = StatementCache()
# Whether a scope withholds real row ids (asked on every connection read): same key, no SQL.
HIDDEN_IDS: StatementCache[bool] = StatementCache()
PAGE_FIRST = "page_first"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A compiled read, ready to run with its bound parameters, and what it discloses.

    ``audited`` statements append their own disclosure event (PostgreSQL); the others leave it
    to ``ReadSession._audit`` in the same transaction (SQLite, which has no INSERT in a CTE).
    """

    statement: Select[Any]
    node_columns: tuple[str, ...] = ()
    has_total: bool = False
    withheld: tuple[Withheld, ...] = ()
    own_ids: bool = False
    other_ids: bool = False
    entity_types: tuple[str, ...] = ()
    field_categories: tuple[str, ...] = ()
    suppressed: bool = False
    audited: bool = False


def _disclosure_shape(nodes: list[NodePlan], spec: EntitySpec) -> tuple[tuple[str, ...], ...]:
    entities: set[str] = set()
    categories: set[str] = set()
    for node in nodes:
        _what(node, spec, entities, categories)
    return tuple(sorted(entities)), tuple(sorted(categories))


class ReadSession:
    """Compiles (or reuses) and runs one request's reads for one principal."""

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
        self.audit_in_statement = engine.dialect.name == "postgresql"
        # Everything besides the selection that shapes a statement: the exact scope object
        # (authorization), the day, the nested bound and the database.
        self._shape = (Identity(scope), self.today, nested_limit, engine.dialect.name)

    def _compiler(self) -> NodeCompiler:
        return NodeCompiler(self.dialect, self.scope, self.nested_limit)

    def _event_parameters(self) -> dict[str, Any]:
        return event_parameters(self.principal, request_id=self.request_id, trace_id=self.trace_id)

    def _self_audited(
        self, prepared: Prepared, order_by: list[str], disclosed: Callable[[CTE], GenerativeSelect]
    ) -> Prepared:
        """``prepared`` as one statement that also appends its disclosure event (PostgreSQL)."""
        statement = with_disclosure(
            prepared.statement,
            order_by=order_by,
            entity_types=prepared.entity_types,
            field_categories=prepared.field_categories,
            agreements=self.scope.agreement_refs,
            disclosed_ids=disclosed,
        )
        return replace(prepared, statement=statement, audited=True)

    async def _run(self, prepared: Prepared, parameters: dict[str, Any]) -> list[Row[Any]]:
        """Run a statement that audits itself: alone, one round trip, atomic by itself."""
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            return list((await autocommit.execute(prepared.statement, parameters)).all())

    async def _audit(
        self,
        connection: AsyncConnection,
        prepared: Prepared,
        ids: set[int],
        aggregate_count: int | None = None,
    ) -> None:
        if not ids and aggregate_count is None:
            return
        disclosure = Disclosure(
            entity_types=prepared.entity_types,
            field_categories=prepared.field_categories,
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

    def _prepare_page(
        self,
        typename: str,
        nodes: list[tuple[tuple[str, ...], NodePlan]],
        filters: dict[str, Any] | None,
        *,
        first: int,
        after_id: int | None,
        with_total: bool,
        offset: int,
    ) -> Prepared:
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
            total_of_all=not filters,
        )
        entity_types, field_categories = _disclosure_shape([n for _, n in nodes], spec)
        prepared = Prepared(
            statement=query.statement,
            node_columns=query.node_columns,
            has_total=query.has_total,
            withheld=query.withheld,
            own_ids=is_learner and bool(nodes),
            other_ids=bool(needs_ids),
            entity_types=entity_types,
            field_categories=field_categories,
        )
        if not self.audit_in_statement or not (prepared.own_ids or prepared.other_ids):
            return prepared

        def disclosed(read: CTE) -> GenerativeSelect:
            shown = (
                select(*read.c)
                .where(read.c.row_id.is_not(None))
                .order_by(read.c.row_id)
                .limit(bindparam(PAGE_FIRST, type_=Integer))
                .subquery("shown")
            )
            own = "row_id" if prepared.own_ids else None
            return _learner_ids_of(shown, own, others=prepared.other_ids)

        return self._self_audited(prepared, ["row_id"], disclosed)

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
        """Read a page of ``typename`` rows with one SQL statement, audited with it."""
        key = (
            "page", typename, freeze(nodes), freeze(filters), with_total, first,
            after_id is None, offset == 0, *self._shape,
        )
        prepared = STATEMENTS.get_or_build(
            key,
            lambda: self._prepare_page(
                typename, nodes, filters, first=first, after_id=after_id,
                with_total=with_total, offset=offset,
            ),
        )
        parameters: dict[str, Any] = page_parameters(first, after_id, offset)
        if prepared.audited:
            fetched = await self._run(
                prepared, {**parameters, PAGE_FIRST: first, **self._event_parameters()}
            )
        else:
            async with self.engine.begin() as connection:
                fetched = list((await connection.execute(prepared.statement, parameters)).all())
                disclosed: set[int] = set()
                window = [row for row in fetched if row.row_id is not None][:first]
                if prepared.own_ids:
                    disclosed.update(int(row.row_id) for row in window)
                if prepared.other_ids:
                    for row in window:
                        disclosed |= flatten_ids(row._mapping[AUDIT_COLUMN])
                await self._audit(connection, prepared, disclosed)
        total = None
        if prepared.has_total:
            total = int(fetched[0].total) if fetched else 0
            fetched = [row for row in fetched if row.row_id is not None]
        page = fetched[:first]
        rows = tuple(
            PageRow(int(row.row_id), tuple(_text(row._mapping[c]) for c in prepared.node_columns))
            for row in page
        )
        return PageResult(rows, len(fetched) > first, total, prepared.withheld)

    def hides_row_ids(self, typename: str) -> bool:
        """Whether some rows' real ids are withheld (pseudonymised): then positions, not ids,
        make cursors, so a cursor can neither carry nor probe a real id."""
        spec = CATALOGUE[typename]
        return HIDDEN_IDS.get_or_build(
            (typename, *self._shape),
            lambda: self.scope.cell(spec.entity, "id", spec.table) is not None,
        )

    def _prepare_lookup(
        self, typename: str, node: NodePlan, key_field: str, values: list[Any]
    ) -> Prepared:
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
        entity_types, field_categories = _disclosure_shape([node], spec)
        prepared = Prepared(
            statement=statement,
            withheld=tuple(compiler.withheld),
            own_ids=is_learner,
            other_ids=with_ids,
            entity_types=entity_types,
            field_categories=field_categories,
        )
        if not self.audit_in_statement or not (is_learner or with_ids):
            return prepared

        def disclosed(read: CTE) -> GenerativeSelect:
            own = "learner_id" if is_learner else None
            return _learner_ids_of(read, own, others=with_ids)

        return self._self_audited(prepared, ["lookup_key"], disclosed)

    async def lookup(
        self, typename: str, node: NodePlan, key_field: str, values: list[Any]
    ) -> tuple[dict[str, str], tuple[Withheld, ...]]:
        """Rows of ``typename`` whose ``key_field`` is one of ``values``, keyed by its text."""
        key = ("lookup", typename, freeze(node), key_field, *self._shape)
        prepared = STATEMENTS.get_or_build(
            key, lambda: self._prepare_lookup(typename, node, key_field, values)
        )
        parameters: dict[str, Any] = {LOOKUP_KEYS: list(values)}
        if prepared.audited:
            rows = await self._run(prepared, {**parameters, **self._event_parameters()})
        else:
            async with self.engine.begin() as connection:
                rows = list((await connection.execute(prepared.statement, parameters)).all())
                disclosed: set[int] = set()
                for row in rows:
                    if prepared.own_ids:
                        disclosed.add(int(row.learner_id))
                    if prepared.other_ids:
                        disclosed |= flatten_ids(row._mapping[AUDIT_COLUMN])
                await self._audit(connection, prepared, disclosed)
        found = {str(row.lookup_key): _text(row.node) for row in rows}
        return found, prepared.withheld

    def _prepare_counts(
        self, dimensions: list[Dimension], filters: dict[str, Any]
    ) -> Prepared:
        scope = self.scope
        suppress_below: int | None = None
        if isinstance(scope, AgreementScope):
            if scope.granularity is Granularity.AGGREGATE and filters:
                raise ForbiddenFieldError(
                    "aggregate-only agreements allow the fixed dimensions, without filters"
                )
            suppress_below = scope.min_cell_size
            scope = scope.for_aggregates()
        # Every visible learner counted: hash each relationship once. A filter (say NEET only)
        # narrows the rows first, and then per-row probes are cheaper than whole-set hashes.
        with for_whole_sets() if not filters else nullcontext():
            query = compile_counts(
                scope, dimensions, filters, backend=self.engine.dialect.name, today=self.today
            )
        statement = query.statement
        if suppress_below is not None:
            statement = suppress(statement, [d.value for d in dimensions], "count", suppress_below)
        prepared = Prepared(statement=statement, suppressed=suppress_below is not None)
        if not self.audit_in_statement:
            return prepared
        names = [d.value for d in dimensions]

        def shown(read: CTE) -> ColumnElement[Any]:
            margins = [read.c[total_flag(n)] == 0 for n in names if prepared.suppressed]
            counted = select(func.coalesce(func.sum(read.c["count"]), 0)).where(
                read.c["count"].is_not(None), *margins
            )
            return counted.scalar_subquery()

        audited = with_disclosure(
            statement,
            order_by=names,
            entity_types=(),
            field_categories=(),
            agreements=self.scope.agreement_refs,
            aggregate_count=shown,
        )
        return replace(prepared, statement=audited, audited=True)

    async def counts(
        self, dimensions: list[Dimension], filters: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """Learner counts per cell of ``dimensions`` (one statement, audited as a count).

        Partner principals count through their agreements' counting scope (aggregate-only
        agreements included), always with small-number and secondary suppression, and the
        table's margins come from the same statement so nothing can be differenced. A principal
        whose only grants are aggregate-only may not add free filters.
        """
        key = ("counts", tuple(dimensions), freeze(filters), *self._shape)
        prepared = STATEMENTS.get_or_build(key, lambda: self._prepare_counts(dimensions, filters))
        if prepared.audited:
            fetched = await self._run(prepared, self._event_parameters())
            rows = [dict(row._mapping) for row in fetched]
        else:
            async with self.engine.begin() as connection:
                result = await connection.execute(prepared.statement)
                rows = [dict(row._mapping) for row in result]
                shown = sum(
                    int(row["count"])
                    for row in rows
                    if row.get("count") is not None and not _is_margin(row, dimensions)
                )
                await self._audit(connection, prepared, set(), aggregate_count=shown)
        if prepared.suppressed:
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


def _learner_ids_of(rows: FromClause, own: str | None, *, others: bool) -> GenerativeSelect:
    """Every learner id ``rows`` disclose: their ``own`` learner column, and with ``others``
    the ids nested in their audit column."""
    parts: list[Select[Any]] = []
    if own is not None:
        parts.append(select(rows.c[own].label("learner_id")))
    if others:
        parts.append(select(json_numbers(rows.c[AUDIT_COLUMN]).label("learner_id")))
    return parts[0] if len(parts) == 1 else union_all(*parts)


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
