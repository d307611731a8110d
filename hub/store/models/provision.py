"""Provision: a course a partner offers, where, at what level, with how many places."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

LEVELS = ("entry", "1", "2", "3", "4", "he")
MODES = ("full_time", "part_time", "off_site_day", "blended", "work_based")


class Provision(Base):
    """A course offered in one academic year by a delivering partner."""

    __tablename__ = "provision"
    __table_args__ = (
        Index(None, "delivering_partner_id", "academic_year"),
        Index(None, "level", "diploma_line"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivering_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    title: Mapped[str] = mapped_column(String(200))
    learn_aim_ref: Mapped[str | None] = mapped_column(String(8))
    qualification: Mapped[str | None] = mapped_column(String(60))
    level: Mapped[str | None] = mapped_column(String(6))
    sector_subject_area: Mapped[str | None] = mapped_column(String(6))
    diploma_line: Mapped[str | None] = mapped_column(String(60))
    mode: Mapped[str | None] = mapped_column(String(20))
    academic_year: Mapped[str] = mapped_column(String(7))
    places_offered: Mapped[int | None] = mapped_column(Integer)
    minimum_group: Mapped[int | None] = mapped_column(Integer)
    timetable_block: Mapped[str | None] = mapped_column(String(40))
    code_list: Mapped[str | None] = mapped_column(String(30))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
