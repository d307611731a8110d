"""What a principal may read, in the form the read compiler needs: SQL predicates.

The read compiler (``policies.reads``) asks a ``ReadScope`` two questions for every statement
it builds: which rows of an entity are visible (``rows``), and under which condition each
column's value may be shown (``cell``). Deny is the default: an entity or column the scope does
not mention is not visible. ``ALLOW_ALL`` serves the hub's own administration and tests of the
compiler only; partner principals get an agreement-based scope from ``policies.compiler``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from sqlalchemy import ColumnElement, FromClause, false, true


class Granularity(StrEnum):
    """How much of a learner a scope may disclose."""

    IDENTIFIED = "identified"
    PSEUDONYMISED = "pseudonymised"
    AGGREGATE = "aggregate"


class ReadScope(Protocol):
    """The SQL form of one principal's grants for one request (purpose and date fixed)."""

    @property
    def granularity(self) -> Granularity:
        """The finest granularity any of the principal's agreements grants."""
        ...

    @property
    def agreement_refs(self) -> tuple[str, ...]:
        """``"<agreement id>@<version>"`` for every agreement in force in this scope."""
        ...

    def rows(self, entity: str, table: FromClause) -> ColumnElement[bool]:
        """Which rows of ``entity`` (aliased as ``table``) are visible; ``false()`` for none."""
        ...

    def cell(self, entity: str, column: str, table: FromClause) -> ColumnElement[bool] | None:
        """When ``column`` of a visible row may be shown.

        Returns None when it may be shown on every visible row, ``false()`` when never,
        otherwise the condition (e.g. ``CASE WHEN <agreement scope> THEN value END``).
        """
        ...


@dataclass(frozen=True, slots=True)
class AllowAll:
    """Every row and every cell: for the hub's own administration and compiler tests."""

    granularity: Granularity = Granularity.IDENTIFIED
    agreement_refs: tuple[str, ...] = ()

    def rows(self, entity: str, table: FromClause) -> ColumnElement[bool]:
        """Every row."""
        return true()

    def cell(self, entity: str, column: str, table: FromClause) -> ColumnElement[bool] | None:
        """Every cell."""
        return None


@dataclass(frozen=True, slots=True)
class DenyAll:
    """Nothing: the scope of a principal with no agreement in force."""

    granularity: Granularity = Granularity.AGGREGATE
    agreement_refs: tuple[str, ...] = ()

    def rows(self, entity: str, table: FromClause) -> ColumnElement[bool]:
        """No row."""
        return false()

    def cell(self, entity: str, column: str, table: FromClause) -> ColumnElement[bool] | None:
        """No cell."""
        return false()


ALLOW_ALL = AllowAll()
DENY_ALL = DenyAll()
