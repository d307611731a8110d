"""The partnership's own set-up on the connectors route: what no partner's export carries.

Partners come from the providers reference file, like any partnership's; only the home LA is
registered first (as ``hub partners add`` would), because only a registered partner may submit
a file. Partnerships, their dated memberships and the funding streams' names are configuration
an administrator sets up, not data a partner sends, so they are written here directly, keyed to
the partners the providers file registered. Generator ids never reach the store on this route:
every partner is found again by its UKPRN, LAESTAB or URN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.demo.partnership import Row, Structure
from hub.store.batches import table_of
from hub.store.models.funding import FundingStream
from hub.store.models.partners import Membership, Partner, Partnership

_partners = table_of(Partner)


def partner_ref(partner: Row) -> str:
    """How the demo's files name a partner: UKPRN, else LAESTAB, else URN."""
    return str(partner["ukprn"] or partner["laestab"] or partner["urn"])


def la_ref(la_code: str) -> str:
    """The key of the local authority with ``la_code`` in a ``PartnerRefs``."""
    return f"la:{la_code}"


@dataclass(slots=True)
class PartnerRefs:
    """Registered partners by outside reference (UKPRN, URN, LAESTAB, ``la:<code>``)."""

    ids: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    async def load(cls, conn: AsyncConnection) -> PartnerRefs:
        """Every registered partner."""
        refs = cls()
        c = _partners.c
        rows = await conn.execute(
            select(c.id, c.name, c.partner_type, c.ukprn, c.urn, c.laestab, c.la_code)
            .order_by(c.id))
        for row in rows:
            refs.names[int(row.id)] = str(row.name)
            for ref in (row.ukprn, row.urn, row.laestab):
                if ref:
                    refs.ids.setdefault(str(ref), int(row.id))
            if row.partner_type == "local_authority" and row.la_code:
                refs.ids.setdefault(la_ref(str(row.la_code)), int(row.id))
        return refs

    def of(self, ref: str) -> int:
        """The partner id for ``ref``; KeyError names a partner the files never registered."""
        try:
            return self.ids[ref]
        except KeyError:
            raise KeyError(f"partner {ref} is not registered") from None


async def register_home_la(engine: AsyncEngine, structure: Structure) -> int:
    """Register the home LA (the first submitter) unless a partner with its UKPRN exists."""
    la = structure.by_key("la")
    async with engine.begin() as conn:
        found = await conn.scalar(select(_partners.c.id).where(_partners.c.ukprn == la.ukprn))
        if found is not None:
            return int(found)
        new_id = await conn.scalar(
            insert(_partners).values(name=la.name, partner_type=la.partner_type, ukprn=la.ukprn,
                                     la_code=la.la_code, postcode=la.postcode)
            .returning(_partners.c.id))
    return int(new_id or 0)


async def write_configuration(engine: AsyncEngine, structure: Structure) -> dict[str, int]:
    """Partnerships, memberships and funding streams; returns rows written per table."""
    partners = {row["id"]: row for row in structure.rows["partners"]}
    async with engine.begin() as conn:
        refs = await PartnerRefs.load(conn)
        partnerships: dict[int, int] = {}
        for row in structure.rows["partnerships"]:  # parents come first
            values = {k: v for k, v in row.items() if k != "id"}
            values["parent_id"] = partnerships.get(row["parent_id"]) if row["parent_id"] else None
            new_id = await conn.scalar(insert(table_of(Partnership)).values(values)
                                       .returning(table_of(Partnership).c.id))
            partnerships[row["id"]] = int(new_id or 0)
        memberships = [
            {**{k: v for k, v in row.items() if k != "id"},
             "partnership_id": partnerships[row["partnership_id"]],
             "partner_id": refs.of(partner_ref(partners[row["partner_id"]]))}
            for row in structure.rows["memberships"]
        ]
        await conn.execute(insert(table_of(Membership)), memberships)
        streams = [{k: v for k, v in row.items() if k != "id"}
                   for row in structure.rows["funding_streams"]]
        await conn.execute(insert(table_of(FundingStream)), streams)
    return {"partnerships": len(partnerships), "memberships": len(memberships),
            "funding_streams": len(streams)}
