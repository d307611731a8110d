"""The single read API: a read plan plus a principal's scope become one SQL statement.

Every statement carries the scope's row predicate for each entity it touches (root, nested
lists, nested objects and the total count) and its cell conditions for each column, so what a
principal may not see never leaves the database. The database builds each row's JSON; Python
only assembles the connection envelope around the rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    select,
    true,
)
from sqlalchemy.sql.elements import BindParameter, False_, Label

from hub.errors import BadRequestError
from policies.access import ReadScope
from policies.catalogue import CATALOGUE, Encoding, EntitySpec
from policies.jsonsql import JsonDialect, text_literal
from policies.plan import FieldPlan, NodePlan, Selected
from policies.sql import for_whole_sets

# Bound parameters a compiled page or lookup takes at execution (see ``page_parameters``):
# the statement itself is the same for every page of the same selection and scope.
PAGE_AFTER = "page_after"
PAGE_OFFSET = "page_offset"
LOOKUP_KEYS = "lookup_keys"


def page_parameters(first: int, after_id: int | None, offset: int) -> dict[str, int]:
    """The execution parameters of a statement from ``compile_page``."""
    parameters = {PAGE_OFFSET: offset}
    if after_id is not None:
        parameters[PAGE_AFTER] = after_id
    return parameters


@dataclass
class Withheld:
    """A selected field that the scope withholds on some or all rows."""

    path: tuple[str, ...]
    entity: str
    column: str
    always: bool


@dataclass
class NodeCompiler:
    """Compiles node selections to JSON expressions for one statement."""

    dialect: JsonDialect
    scope: ReadScope
    nested_limit: int
    withheld: list[Withheld] = field(default_factory=list)
    _names: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def alias(self, spec: EntitySpec) -> FromClause:
        """A fresh alias of ``spec``'s table, so nested selections never collide."""
        # Never "<table>_<n>": SQLAlchemy names anonymous aliases (the policies' subqueries)
        # that way, and a clash would silently re-point a correlated predicate.
        return spec.table.alias(f"r{next(self._names)}_{spec.table.name[:12]}")

    def rows(self, spec: EntitySpec, table: FromClause) -> ColumnElement[bool]:
        """The scope's row predicate for ``spec`` on ``table`` (never a merged-away learner)."""
        if spec.entity == "learner":
            return and_(self.scope.rows(spec.entity, table), live_learner(table))
        return self.scope.rows(spec.entity, table)

    def node_json(
        self, node: NodePlan, spec: EntitySpec, table: FromClause, path: tuple[str, ...]
    ) -> ColumnElement[Any]:
        """The JSON object for one row of ``table`` with exactly ``node``'s keys, in order."""
        pairs = [
            (selected.key, self._field_value(selected, spec, table, (*path, selected.key)))
            for selected in node.fields
        ]
        return self.dialect.object(pairs)

    def _field_value(
        self, selected: FieldPlan, spec: EntitySpec, table: FromClause, path: tuple[str, ...]
    ) -> ColumnElement[Any]:
        if selected.kind is Selected.TYPENAME:
            return text_literal(spec.typename)
        if selected.kind is Selected.SCALAR:
            return self._scalar(selected, spec, table, path)
        if selected.node is None:
            raise ValueError(f"{spec.typename}.{selected.name} needs a selection")
        relation = spec.relations[selected.name]
        target = CATALOGUE[relation.target]
        inner = self.alias(target)
        joined = and_(inner.c[relation.remote] == table.c[relation.local], self.rows(target, inner))
        if relation.many:
            limit = nested_first(selected.arguments.get("first"), self.nested_limit)
            rows = (
                select(
                    inner.c.id.label("id"),
                    self.node_json(selected.node, target, inner, path).label("j"),
                )
                .where(joined)
                .correlate(table)
                .order_by(inner.c.id)
                .limit(limit)
            )
            return self.dialect.embed(self.dialect.array_of(rows, "j", "id"))
        one = select(self.node_json(selected.node, target, inner, path)).where(joined)
        one = one.correlate(table)
        return self.dialect.embed(one.scalar_subquery())

    def _id_or_pseudonym(
        self,
        spec: EntitySpec,
        table: FromClause,
        condition: ColumnElement[bool],
        value: ColumnElement[Any],
    ) -> ColumnElement[Any]:
        """An id is never null: where the real id is withheld, the pseudonym stands in."""
        pseudonym = getattr(self.scope, "pseudonym", None)
        stand_in = (
            null()
            if pseudonym is None
            else literal_column("'p-'", String) + pseudonym(spec.entity, table)
        )
        if isinstance(condition, False_):
            return stand_in
        return case((condition, value), else_=stand_in)

    def _scalar(
        self, selected: FieldPlan, spec: EntitySpec, table: FromClause, path: tuple[str, ...]
    ) -> ColumnElement[Any]:
        scalar = spec.scalars[selected.name]
        if scalar.encoding is Encoding.PSEUDONYM:
            pseudonym = getattr(self.scope, "pseudonym", None)
            return null() if pseudonym is None else pseudonym(spec.entity, table)
        value = self.dialect.value(table.c[scalar.column], scalar.encoding)
        condition = self.scope.cell(spec.entity, scalar.column, table)
        if condition is None:
            return value
        if scalar.encoding is Encoding.ID:
            return self._id_or_pseudonym(spec, table, condition, value)
        always = isinstance(condition, False_)
        self.withheld.append(Withheld(path, spec.entity, scalar.column, always))
        if always:
            return null()
        return case((condition, value), else_=null())


def live_learner(table: FromClause) -> ColumnElement[bool]:
    """A learner not merged into another (see ``hub.store.reviews.merge_learners``)."""
    return table.c.merged_into_id.is_(None)


def nested_first(first: Any, maximum: int) -> int:
    """A nested list's ``first``: the server's bound when absent, never more, never negative."""
    if first is None:
        return maximum
    if int(first) < 0:
        raise BadRequestError("first must not be negative")
    return min(int(first), maximum)


@dataclass(frozen=True)
class PageQuery:
    """A compiled page: the statement and what its columns mean."""

    statement: Select[Any]
    node_columns: tuple[str, ...]
    has_total: bool
    withheld: tuple[Withheld, ...]


def compile_page(
    compiler: NodeCompiler,
    typename: str,
    nodes: list[tuple[tuple[str, ...], NodePlan]],
    filter_builder: Callable[[FromClause], list[ColumnElement[bool]]],
    *,
    first: int,
    after_id: int | None,
    with_total: bool,
    offset: int = 0,
    extra_columns: Callable[[FromClause], list[Label[Any]]] | None = None,
    total_of_all: bool = True,
) -> PageQuery:
    """One statement for a page of ``typename`` rows (one JSON column per node selection).

    Fetches ``first + 1`` rows so the caller can tell whether there is a next page; when
    ``with_total`` the filtered count comes from the same statement (a one-row count joined to
    the page, so it arrives even when the page is empty). The cursor and offset are bound
    parameters (``page_parameters``), so the statement serves every page of one size; the
    limit is part of the text, so PostgreSQL keeps one generic plan for it. ``total_of_all``
    (no filter narrows the count) builds the count's scope for whole sets
    (``policies.sql.for_whole_sets``).
    """
    spec = CATALOGUE[typename]
    page_table = compiler.alias(spec)
    keyset = [compiler.rows(spec, page_table), *filter_builder(page_table)]
    if after_id is not None:
        keyset.append(page_table.c.id > bindparam(PAGE_AFTER, after_id, type_=Integer))
    columns = [page_table.c.id.label("row_id")]
    node_columns = []
    for index, (path, node) in enumerate(nodes):
        name = f"node_{index}"
        node_json = compiler.node_json(node, spec, page_table, path)
        columns.append(compiler.dialect.as_text(node_json).label(name))
        node_columns.append(name)
    if extra_columns is not None:
        columns.extend(extra_columns(page_table))
    # The limit is part of the text, not a parameter: PostgreSQL then reuses one generic plan
    # for the prepared statement instead of planning again on every execution.
    limit = literal_column(str(int(first) + 1), Integer)
    page = select(*columns).where(*keyset).order_by(page_table.c.id).limit(limit)
    if offset:
        page = page.offset(bindparam(PAGE_OFFSET, offset, type_=Integer))
    if not with_total:
        return PageQuery(page, tuple(node_columns), False, tuple(compiler.withheld))
    count_table = compiler.alias(spec)
    with for_whole_sets() if total_of_all else nullcontext():
        count_conditions = [compiler.rows(spec, count_table), *filter_builder(count_table)]
    total = select(func.count().label("total")).select_from(count_table).where(*count_conditions)
    total_sub = total.subquery("total_q")
    page_sub = page.subquery("page_q")
    statement = (
        select(total_sub.c.total, *[page_sub.c[c.name] for c in columns])
        .select_from(total_sub.outerjoin(page_sub, true()))
        .order_by(page_sub.c.row_id)
    )
    return PageQuery(statement, tuple(node_columns), True, tuple(compiler.withheld))


def compile_lookup(
    compiler: NodeCompiler,
    typename: str,
    node: NodePlan,
    key_field: str,
    values: list[Any],
) -> Select[Any]:
    """One statement finding ``typename`` rows by a key field (federation ``_entities``).

    A lookup by a key column is a way of reading that column, so it only matches rows where
    the principal may see the column: a pseudonymised principal cannot re-identify by ULN.
    The keys are one expanding bound parameter (``LOOKUP_KEYS``).
    """
    spec = CATALOGUE[typename]
    table = compiler.alias(spec)
    column = spec.scalars[key_field].column
    keys: BindParameter[Any] = bindparam(LOOKUP_KEYS, values, expanding=True)
    conditions = [compiler.rows(spec, table), table.c[column].in_(keys)]
    grant = compiler.scope.cell(spec.entity, column, table)
    if grant is not None:
        conditions.append(grant)
    node_json = compiler.dialect.as_text(compiler.node_json(node, spec, table, ()))
    return select(table.c[column].label("lookup_key"), node_json.label("node")).where(*conditions)
