"""The neutral form of a compiled scope: which agreement clauses cover which entity.

The compiler (``policies.compiler``) turns agreements, a principal and a date into a
``ScopePlan``: for each entity, the clauses of the agreements in force, each with the
relationships that select its rows (an OR) and the columns it grants. No SQL lives here;
``policies.sql`` is the only module that turns a clause into a predicate. An entity with no
clause is denied (an empty OR is false).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from policies.access import Granularity
from policies.agreement import PartySelector, Relationship

LEARNER_RELATIONSHIPS: Final = MappingProxyType(
    {
        "on_my_roll": "the learner is on the reading partner's roll",
        "on_provision_i_deliver": "the learner takes provision the reading partner delivers, "
        "corroborated by the home partner's roll",
        "resident_in_my_la": "the learner lives in the reading partner's local authority",
        "in_my_partnership": "the learner is on the roll of a partner sharing a partnership "
        "with the reading partner",
        "transition_cohort": "the learner was born in the window and accepted an offer of "
        "provision the reading partner delivers",
    }
)
"""Relationships that select rows about learners."""

PARTNER_RELATIONSHIPS: Final = MappingProxyType(
    {
        "mine": "the row belongs to the reading partner",
        "in_my_partnership": "the row belongs to a partner sharing a partnership with the "
        "reading partner",
        "parties": "the row belongs to a party to the agreement",
        "all": "every row",
    }
)
"""Relationships that select rows about partners, provision and money."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One agreement's grant on one entity, for one reading partner."""

    agreement_ref: str
    entity: str
    relationships: tuple[Relationship, ...]
    parties: tuple[PartySelector, ...]
    columns: frozenset[str]
    granularity: Granularity
    pseudonym_key: str | None = None


@dataclass(frozen=True, slots=True)
class ScopePlan:
    """Every clause in force for one principal, purpose and day, by entity."""

    partner_id: int
    today: dt.date
    clauses: Mapping[str, tuple[Clause, ...]]

    def for_entity(self, entity: str) -> tuple[Clause, ...]:
        """The clauses covering ``entity`` (empty: the entity is denied)."""
        return self.clauses.get(entity, ())
