"""The registered partners by their outside identifiers, held in memory for one batch.

Files name institutions by UKPRN (8 digits), LAESTAB (7) or URN (6); a batch resolves every
such reference against this directory instead of querying per row. The partner table is small
(hundreds of rows), so loading it whole is cheaper than any per-chunk query.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store.batches import table_of
from hub.store.models.partners import Partner

_partners = table_of(Partner)


@dataclass(frozen=True, slots=True)
class PartnerEntry:
    """A registered partner's identifiers."""

    id: int
    name: str
    partner_type: str
    ukprn: str | None
    urn: str | None
    laestab: str | None
    la_code: str | None


class PartnerDirectory:
    """Finds a partner id from a UKPRN, URN or LAESTAB."""

    def __init__(self, entries: list[PartnerEntry]) -> None:
        self._by_ref: dict[str, int] = {}
        self._by_id: dict[int, PartnerEntry] = {}
        for entry in entries:
            self.add(entry)

    @classmethod
    async def load(cls, conn: AsyncConnection) -> PartnerDirectory:
        """Every registered partner."""
        c = _partners.c
        rows = await conn.execute(
            select(c.id, c.name, c.partner_type, c.ukprn, c.urn, c.laestab, c.la_code)
        )
        return cls([PartnerEntry(int(r.id), *r[1:]) for r in rows])

    def add(self, entry: PartnerEntry) -> None:
        """Register (or re-register) a partner's identifiers."""
        self._by_id[entry.id] = entry
        for ref in (entry.ukprn, entry.urn, entry.laestab):
            if ref:
                self._by_ref[ref] = entry.id

    def find(self, ref: str | None) -> int | None:
        """The partner id for a UKPRN, URN or LAESTAB (dashes and spaces ignored), or None."""
        if not ref:
            return None
        key = ref.replace("-", "").replace("/", "").replace(" ", "")
        return self._by_ref.get(key)

    def get(self, partner_id: int) -> PartnerEntry | None:
        """The entry for a partner id."""
        return self._by_id.get(partner_id)
