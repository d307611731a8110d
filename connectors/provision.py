"""Find-or-create provision (courses) for participations and provision files.

A course is identified by (delivering partner, learning aim reference or else title, academic
year); a reference without an aim ref (a school's census names the off-site course by title)
also finds a course registered with one. Academic years are stored as the hub writes them,
``2025/26``, whichever form the file used. A batch loads each (partner, year)'s provision once
and creates what is missing, so a file of 100,000 deliveries costs a handful of queries, not
one per delivery.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from connectors.directory import PartnerDirectory
from connectors.records import ParticipationIn, ProvisionIn
from hub.store.batches import table_of
from hub.store.loading import BatchWriter
from hub.store.models.provision import Provision

_provision = table_of(Provision)
ProvisionKey = tuple[int, str, str]  # delivering partner id, aim ref or title, academic year


def store_year(year: str) -> str:
    """An academic year as the store keeps it: CSV files write ``2025-26``, the hub ``2025/26``."""
    return year.replace("-", "/") if len(year) == 7 else year


def academic_year_of(record: ParticipationIn) -> str | None:
    """The record's academic year, or the one its start date falls in (from 1 August)."""
    if record.academic_year:
        return store_year(record.academic_year)
    if record.start_date is None:
        return None
    first = record.start_date.year if record.start_date.month >= 8 else record.start_date.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def provision_key(partner_id: int, aim_or_title: str, year: str) -> ProvisionKey:
    """The catalogue key; titles compare without case or surrounding spaces."""
    return (partner_id, aim_or_title.strip().upper(), year)


class ProvisionCatalogue:
    """Provision ids by key for one batch, creating rows on first use."""

    def __init__(self, writer: BatchWriter, directory: PartnerDirectory) -> None:
        self.writer = writer
        self.directory = directory
        self._ids: dict[ProvisionKey, int] = {}
        self._loaded: set[tuple[int, str]] = set()
        self._pending: list[dict[str, Any]] = []

    async def find(self, partner_id: int, aim_or_title: str, year: str) -> int | None:
        """The id of an existing (or pending) course, by aim ref or title, or None."""
        year = store_year(year)
        if (partner_id, year) not in self._loaded:
            await self._load(partner_id, year)
        return self._ids.get(provision_key(partner_id, aim_or_title, year))

    async def find_or_create(self, record: ParticipationIn, delivering_id: int) -> int:
        """The course a participation is on; created (pending ``flush``) when new."""
        year = academic_year_of(record)
        if year is None:  # the caller rejects such records before writing
            raise ValueError("participation without an academic year")
        aim = record.learn_aim_ref or record.provision_title
        found = await self.find(delivering_id, aim, year)
        if found is not None:
            return found
        return await self.create(
            delivering_id,
            year,
            {
                "title": record.provision_title[:200],
                "learn_aim_ref": _cut(record.learn_aim_ref, 8),
                "level": _cut(record.level, 6),
                "sector_subject_area": _cut(record.sector_subject_area, 6),
                "diploma_line": _cut(record.diploma_line, 60),
                "code_list": _cut(record.code_list, 30),
            },
        )

    async def create(self, partner_id: int, year: str, values: dict[str, Any]) -> int:
        """Queue a new course row; ``values`` holds any Provision columns besides the key."""
        year = store_year(year)
        (new_id,) = await self.writer.allocate_ids(_provision, 1)
        row: dict[str, Any] = {column.name: None for column in _provision.columns}
        row.update(values)
        row.update(
            id=new_id,
            delivering_partner_id=partner_id,
            academic_year=year,
            batch_id=self.writer.batch_id,
        )
        self._pending.append(row)
        self._ids[provision_key(partner_id, values["learn_aim_ref"] or values["title"], year)] = (
            new_id
        )
        self._ids.setdefault(provision_key(partner_id, values["title"], year), new_id)
        return new_id

    async def flush(self) -> None:
        """Insert the courses created since the last flush (before rows that point at them)."""
        if self._pending:
            await self.writer.insert_rows(_provision, self._pending)
            self._pending = []

    async def _load(self, partner_id: int, year: str) -> None:
        c = _provision.c
        rows = await self.writer.conn.execute(
            select(c.id, c.learn_aim_ref, c.title).where(
                c.delivering_partner_id == partner_id, c.academic_year == year
            )
        )
        titles = []
        for row in rows:
            key = provision_key(partner_id, row.learn_aim_ref or row.title, year)
            self._ids.setdefault(key, int(row.id))
            titles.append((provision_key(partner_id, row.title, year), int(row.id)))
        for key, found in titles:  # after every aim ref, so a title never shadows one
            self._ids.setdefault(key, found)
        self._loaded.add((partner_id, year))


def provision_values(record: ProvisionIn) -> dict[str, Any]:
    """The Provision columns a provision file row sets."""
    return {
        "title": record.title[:200],
        "learn_aim_ref": _cut(record.learn_aim_ref, 8),
        "qualification": _cut(record.qualification, 60),
        "level": _cut(record.level, 6),
        "sector_subject_area": _cut(record.sector_subject_area, 6),
        "diploma_line": _cut(record.diploma_line, 60),
        "mode": _cut(record.mode, 20),
        "places_offered": record.places_offered,
        "minimum_group": record.minimum_group,
        "timetable_block": _cut(record.timetable_block, 40),
    }


def _cut(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]
