"""Which learners a compiled selection discloses, computed by the same statement.

The audit needs the ids of every learner whose data a response carries, including learners
reached through nested lists (a course's participants). Only subtrees that reach learners other
than the row's own learner need a column of their own; a learner page's own participations and
activities are that learner's. The ids come back as (nested) JSON arrays of integers.
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, FromClause, and_, select

from policies.catalogue import CATALOGUE, EntitySpec
from policies.plan import NodePlan, Selected
from policies.reads import NodeCompiler, nested_first

# The column naming the learner each learner-bearing entity's row is about.
LEARNER_COLUMN = {
    "learner": "id",
    "participation": "learner_id",
    "activity": "learner_id",
    "learner_record": "learner_id",
    "funding_flow": "learner_id",
}
# Relations that stay with the same learner: (entity, relation name).
_SAME_LEARNER = {
    ("learner", "participations"),
    ("learner", "activities"),
    ("learner", "records"),
    ("participation", "learner"),
    ("participation", "attendanceWeeks"),
    ("participation", "homePartner"),
    ("participation", "deliveringPartner"),
}


def reaches_other_learners(node: NodePlan, spec: EntitySpec, own: bool) -> bool:
    """Whether this subtree discloses learners other than the row's own learner."""
    if spec.entity in LEARNER_COLUMN and not own:
        return True
    for selected in node.fields:
        if selected.kind in (Selected.OBJECT, Selected.LIST) and selected.node is not None:
            relation = spec.relations[selected.name]
            child_own = own and (spec.entity, selected.name) in _SAME_LEARNER
            if reaches_other_learners(selected.node, CATALOGUE[relation.target], child_own):
                return True
    return False


def learner_ids(
    compiler: NodeCompiler, node: NodePlan, spec: EntitySpec, table: FromClause, own: bool
) -> ColumnElement[Any]:
    """A JSON array (nested) of the ids of learners this subtree discloses, own excluded."""
    parts: list[ColumnElement[Any]] = []
    column = LEARNER_COLUMN.get(spec.entity)
    if column is not None and not own:
        parts.append(table.c[column])
    for selected in node.fields:
        if selected.kind not in (Selected.OBJECT, Selected.LIST) or selected.node is None:
            continue
        relation = spec.relations[selected.name]
        target = CATALOGUE[relation.target]
        child_own = own and (spec.entity, selected.name) in _SAME_LEARNER
        if not reaches_other_learners(selected.node, target, child_own):
            continue
        inner = compiler.alias(target)
        joined = and_(
            inner.c[relation.remote] == table.c[relation.local], compiler.rows(target, inner)
        )
        ids = learner_ids(compiler, selected.node, target, inner, child_own)
        if relation.many:
            limit = nested_first(selected.arguments.get("first"), compiler.nested_limit)
            rows = (
                select(inner.c.id.label("id"), ids.label("j"))
                .where(joined)
                .correlate(table)
                .order_by(inner.c.id)
                .limit(limit)
            )
            parts.append(compiler.dialect.embed(compiler.dialect.array_of(rows, "j", "id")))
        else:
            one = select(ids).where(joined).correlate(table).scalar_subquery()
            parts.append(compiler.dialect.embed(one))
    return compiler.dialect.array(parts)


def flatten_ids(text: str | None) -> set[int]:
    """Every integer in a nested JSON array of learner ids."""
    found: set[int] = set()
    if not text:
        return found
    stack: list[Any] = [orjson.loads(text)]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int):
            found.add(item)
    return found



