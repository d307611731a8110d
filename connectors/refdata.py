"""Upserts for reference and exchange rows: partners, provision, funding, attendance.

These files are small (hundreds to a few thousand rows) and load as deltas keyed by outside
identifiers: a row replaces the earlier row with the same key and deletes nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, update

from connectors.directory import PartnerDirectory, PartnerEntry
from connectors.provision import ProvisionCatalogue, provision_values, store_year
from connectors.records import (
    AttendanceIn,
    FundingAllocationIn,
    FundingFlowIn,
    PartnerIn,
    ProvisionIn,
)
from connectors.report import ValidationIssue
from hub.store.batches import table_of
from hub.store.loading import BatchWriter
from hub.store.models.funding import FundingAllocation, FundingFlow, FundingStream
from hub.store.models.participation import AttendanceWeek, Participation
from hub.store.models.partners import Partner, Site
from hub.store.models.provision import Provision

_partners = table_of(Partner)
_sites = table_of(Site)
_streams = table_of(FundingStream)
_allocations = table_of(FundingAllocation)
_attendance = table_of(AttendanceWeek)


class ReferenceWriter:
    """Writes one batch's reference rows through its ``BatchWriter``."""

    def __init__(
        self,
        writer: BatchWriter,
        directory: PartnerDirectory,
        catalogue: ProvisionCatalogue,
        old_batches: Sequence[int],
    ) -> None:
        self.writer = writer
        self.directory = directory
        self.catalogue = catalogue
        self.old_batches = list(old_batches)
        self._streams: dict[str, int] = {}
        self._sites: dict[tuple[int, str], int] = {}

    def problem(
        self, record: FundingFlowIn | FundingAllocationIn | ProvisionIn
    ) -> ValidationIssue | None:
        """Why a row cannot load (an unregistered partner), or None."""
        if isinstance(record, FundingFlowIn):
            refs = {"payer_ref": record.payer_ref, "payee_ref": record.payee_ref}
        elif isinstance(record, FundingAllocationIn):
            refs = {"partner_ref": record.partner_ref}
        else:
            refs = {"delivering_partner_ref": record.delivering_partner_ref}
        for field_name, ref in refs.items():
            if self.directory.find(ref) is None:
                return ValidationIssue(
                    rule="HUB_UNKNOWN_PARTNER",
                    message=f"partner {ref} is not registered",
                    field=field_name,
                )
        return None

    async def partners(self, records: list[PartnerIn]) -> None:
        """Insert new partners and update known ones (matched by UKPRN, URN or LAESTAB)."""
        for record in records:
            values = {
                "name": record.name[:200],
                "partner_type": record.partner_type[:40],
                "urn": record.urn,
                "ukprn": record.ukprn,
                "la_code": record.la_code,
                "laestab": record.laestab,
                "postcode": record.postcode,
            }
            known = next(
                (
                    found
                    for ref in (record.ukprn, record.urn, record.laestab)
                    if (found := self.directory.find(ref)) is not None
                ),
                None,
            )
            if known is not None:
                values = {k: v for k, v in values.items() if v is not None}
                await self.writer.conn.execute(
                    update(_partners).where(_partners.c.id == known).values(values)
                )
                partner_id = known
            else:
                (partner_id,) = await self.writer.allocate_ids(_partners, 1)
                await self.writer.insert_rows(_partners, [{"id": partner_id, **values}])
            entry = self.directory.get(partner_id)
            self.directory.add(
                PartnerEntry(
                    partner_id,
                    record.name,
                    record.partner_type,
                    record.ukprn or (entry.ukprn if entry else None),
                    record.urn or (entry.urn if entry else None),
                    record.laestab or (entry.laestab if entry else None),
                    record.la_code or (entry.la_code if entry else None),
                )
            )

    async def provision(self, records: list[ProvisionIn]) -> None:
        """Upsert courses by (delivering partner, aim or title, academic year)."""
        for record in records:
            partner_id = self.directory.find(record.delivering_partner_ref)
            if partner_id is None:  # rejected by ``problem`` before writing
                continue
            values = provision_values(record)
            if record.venue:
                values["site_id"] = await self._site(partner_id, record.venue)
            found = await self.catalogue.find(
                partner_id, record.learn_aim_ref or record.title, record.academic_year
            )
            if found is None:
                await self.catalogue.create(partner_id, record.academic_year, values)
                continue
            await self.catalogue.flush()
            table = table_of(Provision)
            await self.writer.conn.execute(update(table).where(table.c.id == found).values(values))
        await self.catalogue.flush()

    async def allocations(self, records: list[FundingAllocationIn]) -> None:
        """Replace each (stream, partner, year) allocation from the earlier batches."""
        rows = []
        for record in records:
            partner_id = self.directory.find(record.partner_ref)
            if partner_id is None:
                continue
            stream_id = await self._stream(record.stream_code)
            year = store_year(record.academic_year)
            if self.old_batches:
                await self.writer.conn.execute(
                    delete(_allocations).where(
                        _allocations.c.stream_id == stream_id,
                        _allocations.c.partner_id == partner_id,
                        _allocations.c.academic_year == year,
                        _allocations.c.batch_id.in_(self.old_batches),
                    )
                )
            rows.append(
                {
                    "stream_id": stream_id,
                    "partner_id": partner_id,
                    "academic_year": year,
                    "amount_pence": record.amount_pence,
                    "batch_id": self.writer.batch_id,
                }
            )
        await self._insert(_allocations, rows)

    async def flows(self, records: list[FundingFlowIn], learners: dict[str, int]) -> None:
        """Insert money flows between registered partners.

        ``learner_ref`` is looked up among the submitter's learners (``learners``), and
        ``provision_ref`` among the payee's courses (aim ref or title) of the flow's year.
        """
        rows = []
        for record in records:
            payer = self.directory.find(record.payer_ref)
            payee = self.directory.find(record.payee_ref)
            if payer is None or payee is None:
                continue
            year = store_year(record.academic_year)
            course = (
                await self.catalogue.find(payee, record.provision_ref, year)
                if record.provision_ref
                else None
            )
            rows.append(
                {
                    "stream_id": await self._stream(record.stream_code)
                    if record.stream_code
                    else None,
                    "payer_partner_id": payer,
                    "payee_partner_id": payee,
                    "learner_id": learners.get(record.learner_ref) if record.learner_ref else None,
                    "provision_id": course,
                    "academic_year": year,
                    "amount_pence": record.amount_pence,
                    "basis": record.basis[:20],
                    "batch_id": self.writer.batch_id,
                }
            )
        await self._insert(table_of(FundingFlow), rows)

    async def attendance_targets(
        self, weeks: list[AttendanceIn], learners: dict[str, int], partner_id: int
    ) -> dict[int, int]:
        """The participation (delivered by the submitter) each attendance row is about."""
        learner_ids = sorted({learners[w.learner_ref] for w in weeks if w.learner_ref in learners})
        if not learner_ids:
            return {}
        p = table_of(Participation)
        v = table_of(Provision)
        rows = await self.writer.conn.execute(
            select(p.c.id, p.c.learner_id, p.c.source_ref, v.c.learn_aim_ref, v.c.title)
            .join(v, v.c.id == p.c.provision_id)
            .where(p.c.learner_id.in_(learner_ids), p.c.delivering_partner_id == partner_id)
            .order_by(p.c.id)
        )
        by_learner: dict[int, list[Any]] = {}
        for row in rows:
            by_learner.setdefault(int(row.learner_id), []).append(row)
        targets: dict[int, int] = {}
        for week in weeks:
            options = by_learner.get(learners.get(week.learner_ref, -1), [])
            if week.course_ref:
                ref = week.course_ref.strip().upper()
                options = [
                    o
                    for o in options
                    if ref
                    in {
                        (o.source_ref or "").upper(),
                        (o.learn_aim_ref or "").upper(),
                        (o.title or "").strip().upper(),
                    }
                ]
            if options:
                targets[id(week)] = int(options[-1].id)
        return targets

    async def attendance(self, weeks: list[AttendanceIn], targets: dict[int, int]) -> None:
        """Upsert weeks: a newer report of the same participation and week replaces the older."""
        rows = []
        for week in weeks:
            participation_id = targets[id(week)]
            await self.writer.conn.execute(
                delete(_attendance).where(
                    _attendance.c.participation_id == participation_id,
                    _attendance.c.week_start == week.week_start,
                )
            )
            rows.append(
                {
                    "participation_id": participation_id,
                    "week_start": week.week_start,
                    "sessions_possible": week.sessions_possible,
                    "sessions_attended": week.sessions_attended,
                    "batch_id": self.writer.batch_id,
                }
            )
        await self._insert(_attendance, rows)
        await self._total_sessions(sorted({targets[id(week)] for week in weeks}))

    async def _total_sessions(self, participation_ids: list[int]) -> None:
        """Each participation's sessions to date: the sum of its reported weeks."""
        if not participation_ids:
            return
        p = table_of(Participation)
        weeks = _attendance.c
        totals = {
            column: select(func.sum(getattr(weeks, column)))
            .where(weeks.participation_id == p.c.id)
            .scalar_subquery()
            for column in ("sessions_possible", "sessions_attended")
        }
        await self.writer.conn.execute(
            update(p).where(self.writer.one_of(p.c.id, participation_ids)).values(totals)
        )

    async def _site(self, partner_id: int, venue: str) -> int:
        """The delivering partner's site of that name, registered on first sight."""
        name = venue.strip()[:200]
        key = (partner_id, name.upper())
        if key not in self._sites:
            found = await self.writer.conn.scalar(
                select(_sites.c.id)
                .where(_sites.c.partner_id == partner_id, func.upper(_sites.c.name) == key[1])
                .order_by(_sites.c.id)
                .limit(1)
            )
            if found is None:
                (found,) = await self.writer.allocate_ids(_sites, 1)
                row = {"id": found, "partner_id": partner_id, "name": name, "postcode": None}
                await self.writer.insert_rows(_sites, [row])
            self._sites[key] = int(found)
        return self._sites[key]

    async def _stream(self, code: str) -> int:
        """The funding stream with this code, registered on first sight."""
        if code in self._streams:
            return self._streams[code]
        found = await self.writer.conn.scalar(select(_streams.c.id).where(_streams.c.code == code))
        if found is None:
            (found,) = await self.writer.allocate_ids(_streams, 1)
            await self.writer.insert_rows(
                _streams, [{"id": found, "code": code[:20], "name": code, "funder": "unspecified"}]
            )
        self._streams[code] = int(found)
        return int(found)

    async def _insert(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        ids = await self.writer.allocate_ids(table, len(rows))
        await self.writer.insert_rows(
            table, [{"id": row_id, **row} for row, row_id in zip(rows, ids, strict=True)]
        )
