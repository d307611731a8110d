"""The neutral read plan: what a GraphQL selection asks for, with no GraphQL and no SQL in it.

``schema.plans`` builds a plan from a selection; ``policies.reads`` compiles it, with the
principal's scope, into one SQL statement. Keys are response keys (aliases), in selection order,
because the compiled JSON must reproduce the selection exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Selected(StrEnum):
    """What one selected key is."""

    SCALAR = "scalar"
    TYPENAME = "typename"
    OBJECT = "object"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One key of an object in the response."""

    key: str
    name: str
    kind: Selected
    node: NodePlan | None = None
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NodePlan:
    """An object of one GraphQL type and the keys selected on it, in order."""

    typename: str
    fields: tuple[FieldPlan, ...]


@dataclass(frozen=True, slots=True)
class Page:
    """Keyset pagination: up to ``first`` rows after the row with id ``after_id``."""

    first: int
    after_id: int | None = None


@dataclass(frozen=True, slots=True)
class ConnectionPlan:
    """A Relay connection root field: the node selection plus which envelope parts are wanted."""

    node: NodePlan
    page: Page
    filters: dict[str, Any]
    wants_total: bool
    wants_page_info: bool
    wants_cursor: bool


@dataclass(frozen=True, slots=True)
class CountPlan:
    """An aggregate: learner counts grouped by named dimensions."""

    group_by: tuple[str, ...]
    filters: dict[str, Any]
