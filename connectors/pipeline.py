"""The ingest pipeline: read -> validate -> match -> load, one file into one batch.

``ingest_file`` is what the CLI and the HTTP upload call. It checks the submitter (a registered
partner, the principal may act for it, the header names it), opens a batch keyed by the file's
SHA-256 (a file already loaded is reported, not loaded again), then streams the connector's
records in chunks through ``ChunkLoader`` inside ONE transaction that ends by marking the batch
"loaded". A crash at any point leaves the batch "processing" with none of its rows visible;
running it again resumes the same batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import Connector, FileHeader, LoadMode
from connectors.chunks import ChunkLoader, issue_row
from connectors.directory import PartnerDirectory, PartnerEntry
from connectors.errors import (
    PartnerMismatchError,
    PartnerNotRegisteredError,
    SubmissionForbiddenError,
)
from connectors.gcpace import paced_collector
from connectors.reader import ChunkReader
from connectors.registry import create_connector
from connectors.report import ValidationIssue
from hub.errors import FileRejectedError
from hub.principal import SYSTEM, Principal
from hub.store import batches
from hub.store.batches import table_of
from hub.store.loading import BatchNotOpenError, BatchWriter, refresh_statistics
from hub.store.models.partners import Partner

CHUNK_SIZE = 2000
Progress = Callable[[str, int], None]  # (stage, records read so far)


@dataclass(slots=True)
class IngestSummary:
    """What became of one submitted file."""

    batch_id: int
    status: str
    already_loaded: bool = False
    records_read: int = 0
    records_loaded: int = 0
    records_rejected: int = 0
    learners_matched: int = 0
    learners_created: int = 0
    reviews_queued: int = 0
    issue_count: int = 0
    issues: list[ValidationIssue] = field(default_factory=list)
    error: str | None = None

    @property
    def is_rejected(self) -> bool:
        """Whether the file was refused as a whole (nothing of it loaded)."""
        return self.status == batches.REJECTED


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def ingest_file(
    engine: AsyncEngine,
    format_name: str,
    path: Path,
    *,
    partner_id: int,
    principal: Principal = SYSTEM,
    file_name: str | None = None,
    stored_path: str | None = None,
    connector: Connector | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> IngestSummary:
    """Load one file for one partner; see the module docstring.

    Raises:
        PartnerNotRegisteredError: no partner has id ``partner_id``.
        SubmissionForbiddenError: ``principal`` is neither that partner nor an admin.
        UnknownFormatError: no connector for ``format_name``.
    """
    partner = await find_partner(engine, partner_id)
    authorise_submission(principal, partner_id)
    connector = connector or create_connector(format_name)
    opened = await batches.open_batch(
        engine,
        partner_id=partner_id,
        connector=connector.name,
        file_name=file_name or path.name,
        file_sha256=file_sha256(path),
        stored_path=stored_path,
        submitted_by=principal.subject,
    )
    if opened.already_loaded:
        return await _summary_of(engine, opened.batch_id, already_loaded=True)
    return await load_batch(
        engine, connector, path, opened.batch_id, partner, progress=progress, chunk_size=chunk_size
    )


async def find_partner(engine: AsyncEngine, partner_id: int) -> PartnerEntry:
    """The registered partner, or PartnerNotRegisteredError."""
    async with engine.connect() as conn:
        c = table_of(Partner).c
        row = (
            await conn.execute(
                select(c.id, c.name, c.partner_type, c.ukprn, c.urn, c.laestab, c.la_code).where(
                    c.id == partner_id
                )
            )
        ).first()
    if row is None:
        raise PartnerNotRegisteredError(
            f"partner {partner_id} is not registered; register it before it submits files"
        )
    return PartnerEntry(int(row.id), *row[1:])


def authorise_submission(principal: Principal, partner_id: int) -> None:
    """Only the partner itself, or an admin on its behalf, may submit its files."""
    if principal.is_admin or principal.partner_id == partner_id:
        return
    raise SubmissionForbiddenError(
        f"{principal.subject} may not submit files for partner {partner_id}"
    )


def check_header(header: FileHeader, partner: PartnerEntry) -> None:
    """The file must name the submitting partner wherever its header names an institution."""
    pairs = (
        ("UKPRN", header.ukprn, partner.ukprn),
        ("LAESTAB", header.laestab, partner.laestab),
        ("LA", header.la_code, partner.la_code),
    )
    for label, in_file, registered in pairs:
        if in_file and in_file != registered:
            raise PartnerMismatchError(
                f"the file's {label} {in_file} is not partner {partner.id}'s "
                f"({registered or 'none registered'})"
            )


async def load_batch(
    engine: AsyncEngine,
    connector: Connector,
    path: Path,
    batch_id: int,
    partner: PartnerEntry,
    *,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> IngestSummary:
    """Load an opened batch (also how a restart resumes one); never loads it twice."""
    try:
        header = connector.read_header(path)
        check_header(header, partner)
    except FileRejectedError as error:
        await _reject(engine, batch_id, error, [])
        return await _summary_of(engine, batch_id)
    await batches.mark_processing(engine, batch_id, header.snapshot_key)
    if progress:
        progress("processing", 0)
    loader: ChunkLoader | None = None
    try:
        with paced_collector():
            async with engine.begin() as conn:
                writer = await BatchWriter.open(conn, batch_id, partner.id)
                is_snapshot = connector.mode is LoadMode.SNAPSHOT
                old = await writer.replaceable_batches(
                    partner.id, connector.name, header.snapshot_key, is_snapshot=is_snapshot
                )
                loader = ChunkLoader(
                    writer,
                    partner_id=partner.id,
                    source=connector.name,
                    as_of=_as_of(header),
                    old_batches=old,
                    directory=await PartnerDirectory.load(conn),
                )
                try:
                    await _load_chunks(loader, ChunkReader(connector, path, chunk_size), progress)
                    if is_snapshot:
                        await writer.retire_batches(old)
                    await writer.finish(loader.counts.as_dict())
                except BaseException:
                    await writer.abandon()  # no COPY may be left in flight by a rollback
                    raise
    except BatchNotOpenError:
        return await _summary_of(engine, batch_id, already_loaded=True)
    except FileRejectedError as error:
        await _reject(engine, batch_id, error, loader.kept_issues if loader else [], loader)
        return await _summary_of(engine, batch_id)
    except (SQLAlchemyError, OSError) as error:
        await batches.finish_unloaded(engine, batch_id, batches.FAILED, error=_describe(error))
        raise
    await refresh_statistics(engine)
    summary = await _summary_of(engine, batch_id)
    summary.issues = loader.kept_issues
    summary.issue_count = loader.issue_count
    if progress:
        progress("loaded", summary.records_read)
    return summary


async def _load_chunks(loader: ChunkLoader, reader: ChunkReader, progress: Progress | None) -> None:
    """Every chunk of the file, then the file's own findings (inside the batch transaction)."""
    async with contextlib.aclosing(reader.chunks()) as chunks:  # ends the reader on any error
        async for chunk in chunks:
            await loader.load(chunk)
            if progress:
                progress("loading", loader.counts.records_read)
    await loader.add_issues(reader.file_issues)
    if loader.counts.records_read and not loader.counts.records_loaded:
        raise FileRejectedError("every record in the file was rejected")


async def _reject(
    engine: AsyncEngine,
    batch_id: int,
    error: FileRejectedError,
    kept: list[ValidationIssue],
    loader: ChunkLoader | None = None,
) -> None:
    file_issue = ValidationIssue(rule=error.code, message=error.message)
    await batches.finish_unloaded(
        engine,
        batch_id,
        batches.REJECTED,
        error=error.message,
        issues=[issue_row(issue) for issue in [file_issue, *kept]],
        counts=_rejected_counts(loader),
    )


def _rejected_counts(loader: ChunkLoader | None) -> dict[str, int]:
    if loader is None:
        return {}
    read = loader.counts.records_read
    return {"records_read": read, "records_rejected": read, "records_loaded": 0}


async def _summary_of(
    engine: AsyncEngine, batch_id: int, *, already_loaded: bool = False
) -> IngestSummary:
    async with engine.connect() as conn:
        row = await batches.get_batch(conn, batch_id)
        issues = await batches.list_issues(conn, batch_id, limit=200)
    if row is None:  # the batch was opened by this call; only a dropped database loses it
        raise LookupError(f"batch {batch_id} vanished")
    return IngestSummary(
        batch_id=batch_id,
        status=row["status"],
        already_loaded=already_loaded,
        records_read=row["records_read"],
        records_loaded=row["records_loaded"],
        records_rejected=row["records_rejected"],
        learners_matched=row["learners_matched"],
        learners_created=row["learners_created"],
        reviews_queued=row["reviews_queued"],
        issue_count=len(issues),
        error=row["error"],
        issues=[_issue_of(issue) for issue in issues],
    )


def _issue_of(row: dict[str, object]) -> ValidationIssue:
    from connectors.report import Severity

    return ValidationIssue(
        rule=str(row["rule"]),
        message=str(row["message"]),
        severity=Severity(str(row["severity"])),
        source_ref=row["source_ref"],  # type: ignore[arg-type]
        record_number=row["record_number"],  # type: ignore[arg-type]
        field=row["field"],  # type: ignore[arg-type]
    )


def _as_of(header: FileHeader) -> dt.date:
    if header.as_of:
        try:
            return dt.date.fromisoformat(header.as_of[:10])
        except ValueError:
            pass
    return dt.datetime.now(dt.UTC).date()


def _describe(error: BaseException) -> str:
    """An error's class and first line: driver messages may quote values, so keep it short."""
    first = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first[:300]}"
