"""Agreements + principal + day -> an ``AgreementScope``, the ``ReadScope`` the read compiler uses.

Only agreements in force for the principal are compiled: the day inside the validity window,
the declared purpose among the agreement's purposes, the role among its roles. Whether the
principal's partner is a party is decided in SQL (parties may be groups defined by membership),
and so is every relationship. The row scope of an entity is the OR of its clauses; a column's
cell condition is the OR of the clauses that grant it, with objections applied on top.

Granularity: row reads (``rows``/``cell``) see identified and pseudonymised clauses only; an
aggregate-only agreement never shows a row. ``for_aggregates()`` gives the scope to count with
(every clause, learner ids and identifying columns never shown) and its ``min_cell_size``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, FromClause, and_, case, false, not_, null, or_

from hub.principal import Principal
from policies.access import Granularity
from policies.agreement import DEFAULT_MIN_CELL_SIZE, Agreement
from policies.categories import (
    BASIC_CATEGORIES,
    IDENTIFYING_CATEGORIES,
    LEARNER_ENTITIES,
    LEARNER_ID_COLUMNS,
    SPECIAL_CATEGORY,
    category_of,
    structural_columns,
)
from policies.filters import Clause, ScopePlan
from policies.granularity import pseudonym
from policies.sql import clause_rows, is_careers_service, learner_id_of, objected, on_roll

_ORDER = {Granularity.IDENTIFIED: 0, Granularity.PSEUDONYMISED: 1, Granularity.AGGREGATE: 2}


def in_force(
    principal: Principal, agreements: Iterable[Agreement], today: dt.date
) -> list[Agreement]:
    """The agreements that may apply to ``principal`` on ``today`` (party checks are in SQL)."""
    if principal.partner_id is None or principal.purpose is None or principal.is_admin:
        return []
    return [
        agreement
        for agreement in agreements
        if agreement.validity.covers(today)
        and principal.purpose in agreement.purposes
        and principal.role in agreement.roles
    ]


def compile_plan(
    principal: Principal, agreements: Iterable[Agreement], today: dt.date
) -> ScopePlan:
    """The neutral plan: every clause in force for ``principal`` on ``today``, by entity."""
    clauses: dict[str, list[Clause]] = {}
    for agreement in in_force(principal, agreements, today):
        for grant in agreement.grants:
            clauses.setdefault(grant.entity, []).append(
                Clause(
                    agreement_ref=agreement.ref,
                    entity=grant.entity,
                    relationships=grant.scope,
                    parties=agreement.parties,
                    columns=grant.columns,
                    granularity=agreement.granularity,
                    pseudonym_key=agreement.pseudonym_key,
                )
            )
    partner_id = principal.partner_id if principal.partner_id is not None else -1
    return ScopePlan(
        partner_id=partner_id,
        today=today,
        clauses=MappingProxyType({entity: tuple(found) for entity, found in clauses.items()}),
    )


def scope_for(
    principal: Principal, agreements: Iterable[Agreement], today: dt.date
) -> AgreementScope:
    """The row-level ``ReadScope`` of ``principal`` (its declared purpose) on ``today``."""
    agreements = list(agreements)
    selected = in_force(principal, agreements, today)
    plan = compile_plan(principal, selected, today)
    return AgreementScope(
        plan=plan,
        refs=tuple(a.ref for a in selected),
        aggregate=False,
        sizes=tuple(a.min_cell_size for a in selected if a.granularity is Granularity.AGGREGATE),
    )


@dataclass(frozen=True, slots=True)
class AgreementScope:
    """The SQL form of one principal's agreements for one request (implements ``ReadScope``)."""

    plan: ScopePlan
    refs: tuple[str, ...]
    aggregate: bool
    sizes: tuple[int, ...] = ()

    @property
    def granularity(self) -> Granularity:
        """The finest granularity among this scope's clauses (aggregate when there are none)."""
        if self.aggregate:
            return Granularity.AGGREGATE
        found = [c.granularity for cs in self.plan.clauses.values() for c in cs]
        return min(found, key=_ORDER.__getitem__, default=Granularity.AGGREGATE)

    @property
    def agreement_refs(self) -> tuple[str, ...]:
        """``"<id>@<version>"`` of every agreement in force for this principal and purpose."""
        return self.refs

    @property
    def min_cell_size(self) -> int:
        """The smallest count an aggregate answer may show (the largest any agreement demands)."""
        return max(self.sizes, default=DEFAULT_MIN_CELL_SIZE)

    def for_aggregates(self) -> AgreementScope:
        """The scope to count with: every clause, no learner id and no identifying column."""
        return AgreementScope(plan=self.plan, refs=self.refs, aggregate=True, sizes=self.sizes)

    def clauses(self, entity: str) -> tuple[Clause, ...]:
        """The clauses this scope applies to ``entity`` (row reads skip aggregate-only ones)."""
        found = self.plan.for_entity(entity)
        if self.aggregate:
            return found
        return tuple(c for c in found if c.granularity is not Granularity.AGGREGATE)

    def clause_rows(self, clause: Clause, table: FromClause) -> ColumnElement[bool]:
        """The rows one clause makes visible (for explanations and audit)."""
        return clause_rows(clause, self.plan.partner_id, self.plan.today, table)

    def rows(self, entity: str, table: FromClause) -> ColumnElement[bool]:
        """Which rows of ``entity`` (aliased as ``table``) are visible; ``false()`` for none."""
        return or_(false(), *(self.clause_rows(c, table) for c in self.clauses(entity)))

    def cell(self, entity: str, column: str, table: FromClause) -> ColumnElement[bool] | None:
        """When ``column`` of a visible row may be shown (None: always; ``false()``: never)."""
        clauses = self.clauses(entity)
        if not clauses:
            return false()
        decided = self._granting(entity, column, clauses, table)
        if decided is None:
            return None
        granting, objection = decided
        if not granting:
            return false()
        if len(granting) == len(clauses):
            return objection
        covered = or_(*(self.clause_rows(c, table) for c in granting))
        return covered if objection is None else and_(covered, objection)

    def _granting(
        self, entity: str, column: str, clauses: tuple[Clause, ...], table: FromClause
    ) -> tuple[list[Clause], ColumnElement[bool] | None] | None:
        """The clauses granting ``column`` and the objection condition; None: always shown."""
        if column in structural_columns(entity):
            if LEARNER_ID_COLUMNS.get(entity) != column:
                return None
            if self.aggregate:
                return [], None
            return [c for c in clauses if c.granularity is Granularity.IDENTIFIED], None
        category = category_of(entity, column)
        if category is None or (self.aggregate and category in IDENTIFYING_CATEGORIES):
            return [], None
        granting = [c for c in clauses if column in c.columns]
        return granting, self._objection(entity, category, table)

    def pseudonym(self, entity: str, table: FromClause) -> ColumnElement[Any]:
        """The learner's pseudonym on rows only pseudonymised clauses show; NULL elsewhere.

        Under an identified clause the real id is shown (see ``cell``), so the pseudonym is only
        needed, and only computed, where the id is withheld.
        """
        if entity not in LEARNER_ID_COLUMNS or self.aggregate:
            return null()
        clauses = self.clauses(entity)
        identified = [c for c in clauses if c.granularity is Granularity.IDENTIFIED]
        keyed = [
            c for c in clauses if c.granularity is Granularity.PSEUDONYMISED and c.pseudonym_key
        ]
        if not keyed:
            return null()
        learner_id = table.c[LEARNER_ID_COLUMNS[entity]]
        hidden = not_(or_(false(), *(self.clause_rows(c, table) for c in identified)))
        whens = [
            (and_(hidden, self.clause_rows(c, table)), pseudonym(str(c.pseudonym_key), learner_id))
            for c in keyed
        ]
        return case(*whens, else_=null())

    def _objection(
        self, entity: str, category: str, table: FromClause
    ) -> ColumnElement[bool] | None:
        """The condition objections put on a learner column, or None when none applies."""
        if entity not in LEARNER_ENTITIES or category in BASIC_CATEGORIES:
            return None
        learner_id = learner_id_of(entity, table)
        partner_id = self.plan.partner_id
        careers = not_(
            and_(is_careers_service(partner_id), objected(learner_id, "careers_beyond_basic"))
        )
        if category != SPECIAL_CATEGORY:
            return careers
        special = or_(
            not_(objected(learner_id, "special_category")), on_roll(partner_id, learner_id)
        )
        return and_(careers, special)
