"""Identity resolution: confirmed links, the review queue, and reversible merges."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

REVIEW_STATUSES = ("open", "accepted", "rejected")


class IdentityLink(Base):
    """A link confirmed by hand, keyed by source identifiers so it survives snapshot reloads."""

    __tablename__ = "identity_links"
    __table_args__ = (Index(None, "partner_id", "source", "local_ref", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    source: Mapped[str] = mapped_column(String(30))
    local_ref: Mapped[str] = mapped_column(String(20))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"))
    decision: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class MatchReview(Base):
    """A possible match too weak to merge automatically, waiting for a person."""

    __tablename__ = "match_reviews"
    __table_args__ = (Index(None, "status", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_record_id: Mapped[int] = mapped_column(ForeignKey("learner_records.id"), index=True)
    candidate_learner_ids: Mapped[list[int]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class MergeEvent(Base):
    """A merge or split of learners, with what moved, so it can be reversed."""

    __tablename__ = "merge_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    kept_learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    other_learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    moved: Mapped[dict[str, list[int]]] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reversed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
