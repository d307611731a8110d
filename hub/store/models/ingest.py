"""Provenance: every loaded row points to the batch (file) it came from."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

BATCH_STATUSES = ("received", "processing", "loaded", "rejected", "failed", "superseded")


class IngestBatch(Base):
    """One submitted file (or generated load) and what became of it."""

    __tablename__ = "ingest_batches"
    __table_args__ = (Index(None, "partner_id", "connector", "file_sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    connector: Mapped[str] = mapped_column(String(30))
    file_name: Mapped[str] = mapped_column(String(300))
    file_sha256: Mapped[str] = mapped_column(String(64))
    stored_path: Mapped[str | None] = mapped_column(String(500))
    snapshot_key: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    records_read: Mapped[int] = mapped_column(Integer, default=0)
    records_loaded: Mapped[int] = mapped_column(Integer, default=0)
    records_rejected: Mapped[int] = mapped_column(Integer, default=0)
    learners_matched: Mapped[int] = mapped_column(Integer, default=0)
    learners_created: Mapped[int] = mapped_column(Integer, default=0)
    reviews_queued: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class IngestIssue(Base):
    """One per-record (or file-level) validation finding in a batch's report."""

    __tablename__ = "ingest_issues"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    rule: Mapped[str] = mapped_column(String(60))
    source_ref: Mapped[str | None] = mapped_column(String(60))
    record_number: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
