"""Learners on provision: participation and attendance, applications and offers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

APPLICATION_STATUSES = ("submitted", "offered", "accepted", "declined", "withdrawn", "rejected")
OFFER_STATUSES = ("made", "accepted", "declined", "lapsed")


class Participation(Base):
    """A learner on a course: home partner (on roll) and delivering partner may differ."""

    __tablename__ = "participations"
    __table_args__ = (
        Index(None, "learner_id", "id"),
        Index(None, "home_partner_id", "learner_id"),
        Index(None, "delivering_partner_id", "learner_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id"), index=True)
    home_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    delivering_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    planned_end_date: Mapped[dt.date | None] = mapped_column(Date)
    actual_end_date: Mapped[dt.date | None] = mapped_column(Date)
    completion_status: Mapped[str | None] = mapped_column(String(4))
    outcome: Mapped[str | None] = mapped_column(String(4))
    sessions_possible: Mapped[int | None] = mapped_column(Integer)
    sessions_attended: Mapped[int | None] = mapped_column(Integer)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(4))
    code_list: Mapped[str | None] = mapped_column(String(30))
    source_ref: Mapped[str | None] = mapped_column(String(40))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)


class AttendanceWeek(Base):
    """Sessions possible and attended in one week, reported by the host for the home partner."""

    __tablename__ = "attendance_weeks"
    __table_args__ = (Index(None, "participation_id", "week_start", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    participation_id: Mapped[int] = mapped_column(ForeignKey("participations.id"))
    week_start: Mapped[dt.date] = mapped_column(Date)
    sessions_possible: Mapped[int] = mapped_column(Integer)
    sessions_attended: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)


class Application(Base):
    """A learner's application for a place on provision (demand)."""

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    applied_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))


class Offer(Base):
    """A place offered to a learner; the September Guarantee counts suitable offers."""

    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    status: Mapped[str] = mapped_column(String(20))
    offered_on: Mapped[dt.date | None] = mapped_column(Date)
    is_september_guarantee: Mapped[bool] = mapped_column(Boolean, default=False)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
