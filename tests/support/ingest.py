"""Helpers for ingest tests: an in-memory connector, partner registration, row counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import FileHeader, LoadMode
from connectors.records import LearnerIn, ParsedRecord, ParticipationIn, Record
from connectors.report import ValidationIssue
from hub.store.base import Base
from hub.store.models.partners import Partner


class ListConnector:
    """A connector over records held in memory; the file on disk only gives the batch its hash."""

    def __init__(
        self,
        records: Sequence[ParsedRecord],
        *,
        header: FileHeader | None = None,
        name: str = "ilr",
        mode: LoadMode = LoadMode.SNAPSHOT,
    ) -> None:
        self.name = name
        self.mode = mode
        self.header = header or FileHeader(snapshot_key="ilr:2025-26", as_of="2025-10-01")
        self.records = list(records)

    def read_header(self, path: Path) -> FileHeader:
        """The header given at construction."""
        return self.header

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """The records given at construction."""
        yield from self.records

    def file_issues(self) -> list[ValidationIssue]:
        """No file-level findings."""
        return []


def learner(
    ref: str,
    *,
    uln: str | None = None,
    upn: str | None = None,
    given: str | None = "Ada",
    family: str | None = "Lovelace",
    dob: dt.date | None = dt.date(2008, 12, 10),
    postcode: str | None = "B1 1AA",
    courses: Sequence[str] = (),
    number: int = 1,
) -> ParsedRecord:
    """A source record for one learner with optional courses (learning aim refs)."""
    records: list[Record] = [
        LearnerIn(
            local_ref=ref,
            uln=uln,
            upn=upn,
            given_name=given,
            family_name=family,
            date_of_birth=dob,
            postcode=postcode,
            ethnicity_source_code="31",
            ethnicity_source_list="ILR",
        )
    ]
    records.extend(
        ParticipationIn(
            learner_ref=ref,
            source_ref=f"{ref}/{n}",
            provision_title=f"Course {aim}",
            learn_aim_ref=aim,
            academic_year="2025-26",
            start_date=dt.date(2025, 9, 1),
        )
        for n, aim in enumerate(courses, start=1)
    )
    return ParsedRecord(source_ref=ref, record_number=number, records=records)


def numbered(records: Sequence[ParsedRecord]) -> list[ParsedRecord]:
    """The records with record numbers 1..n in order."""
    for number, record in enumerate(records, start=1):
        record.record_number = number
    return list(records)


async def add_partner(
    engine: AsyncEngine,
    name: str = "Test College",
    *,
    ukprn: str | None = "10000001",
    urn: str | None = None,
    laestab: str | None = None,
    la_code: str | None = None,
    partner_type: str = "fe_college",
) -> int:
    """Register a partner and return its id."""
    async with engine.begin() as conn:
        new_id = await conn.scalar(
            insert(Partner)
            .values(
                name=name,
                partner_type=partner_type,
                ukprn=ukprn,
                urn=urn,
                laestab=laestab,
                la_code=la_code,
            )
            .returning(Partner.id)
        )
    return int(new_id or 0)


async def count(engine: AsyncEngine, model: type[Base], **where: object) -> int:
    """Rows of ``model`` matching the keyword equalities."""
    statement = select(func.count()).select_from(model)
    for column, value in where.items():
        statement = statement.where(getattr(model, column) == value)
    async with engine.connect() as conn:
        return int(await conn.scalar(statement) or 0)


def source_file(tmp_path: Path, content: str) -> Path:
    """A file whose content (hence hash) names one submission."""
    path = tmp_path / f"file-{abs(hash(content))}.xml"
    path.write_text(content, encoding="utf-8")
    return path


def valid_uln(seed: int) -> str:
    """A ULN with a correct check digit (synthetic)."""
    from hub.identifiers import uln_check_digit

    body = 100_000_000 + seed * 7
    while (digit := uln_check_digit(str(body))) is None:
        body += 1
    return f"{body}{digit}"


def valid_upn(seed: int) -> str:
    """A permanent UPN with a correct check letter (synthetic)."""
    from hub.identifiers import upn_check_letter

    body = f"930123425{seed:03d}"
    return upn_check_letter(body) + body
