"""The typed form of a data-sharing agreement, as read from its YAML file by ``policies.parse``.

Everything here is plain, frozen data: the meaning of a relationship (which learners it reaches)
lives in ``policies.sql``, and which store columns a category names lives in
``policies.categories``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from policies.access import Granularity

DEFAULT_MIN_CELL_SIZE = 5


@dataclass(frozen=True, slots=True)
class PartySelector:
    """Partners who are parties: every given attribute must match (an AND); ids are store ids."""

    ukprn: str | None = None
    urn: str | None = None
    la_code: str | None = None
    partner_type: str | None = None
    partnership: str | None = None
    membership_role: str | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    """A named relationship between the reading partner and a row (see docs/agreements.md).

    ``partnership`` narrows ``in_my_partnership`` to one partnership (by name); ``born_from`` and
    ``born_to`` bound ``transition_cohort`` by date of birth.
    """

    name: str
    partnership: str | None = None
    born_from: dt.date | None = None
    born_to: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Grant:
    """What one agreement grants on one entity: column names, and which rows (an OR)."""

    entity: str
    columns: frozenset[str]
    categories: tuple[str, ...]
    scope: tuple[Relationship, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class LawfulBasis:
    """UK GDPR Article 6 basis, Article 9 condition (for special category data) and gateway."""

    article_6: str
    gateway: str
    article_9: str | None = None


@dataclass(frozen=True, slots=True)
class Validity:
    """When an agreement is in force (both ends inclusive) and when it must be reviewed."""

    start: dt.date
    end: dt.date
    review: dt.date

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the agreement's validity window."""
        return self.start <= day <= self.end

    def overlaps(self, other: Validity) -> bool:
        """Whether two windows share at least one day."""
        return self.start <= other.end and other.start <= self.end


@dataclass(frozen=True, slots=True)
class Agreement:
    """One version of one data-sharing agreement.

    ``pseudonym_key`` is not part of the file: ``policies.loading`` fills it from the store, where
    it is generated once per agreement id, so pseudonyms stay stable across versions.
    """

    id: str
    version: int
    title: str
    parties: tuple[PartySelector, ...]
    roles: frozenset[str]
    purposes: frozenset[str]
    lawful_basis: LawfulBasis
    granularity: Granularity
    validity: Validity
    retention_months: int
    grants: tuple[Grant, ...]
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE
    source: str = ""
    sha256: str = ""
    validity_line: int = 1
    pseudonym_key: str | None = field(default=None, repr=False)

    @property
    def ref(self) -> str:
        """``"<id>@<version>"``, the name audit rows and explanations use."""
        return f"{self.id}@{self.version}"

    def grant_for(self, entity: str) -> Grant | None:
        """This agreement's grant on ``entity``, if any."""
        for grant in self.grants:
            if grant.entity == entity:
                return grant
        return None
