"""The learner (one young person across institutions) and each partner's own record of them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

SEN_PROVISIONS = ("N", "K", "E")
SEXES = ("F", "M", "U")


class Learner(Base):
    """One young person, linked from every partner's record of them."""

    __tablename__ = "learners"
    __table_args__ = (
        Index(None, "family_name", "given_name", "date_of_birth"),
        Index(None, "la_of_residence", "id"),
        Index(None, "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    uln: Mapped[str | None] = mapped_column(String(10), unique=True)
    upn: Mapped[str | None] = mapped_column(String(13), unique=True)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(40))
    ethnicity_source_code: Mapped[str | None] = mapped_column(String(4))
    ethnicity_source_list: Mapped[str | None] = mapped_column(String(30))
    postcode: Mapped[str | None] = mapped_column(String(8))
    la_of_residence: Mapped[str | None] = mapped_column(String(3))
    sen_provision: Mapped[str | None] = mapped_column(String(1))
    lldd: Mapped[bool | None] = mapped_column(Boolean)
    fsm: Mapped[bool | None] = mapped_column(Boolean)
    looked_after: Mapped[bool | None] = mapped_column(Boolean)
    care_leaver: Mapped[bool | None] = mapped_column(Boolean)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
    # Normalised name-key pairs (connectors.matching.match_keys), indexed so identity matching
    # finds a chunk's candidates exactly instead of scanning everyone born on the same day.
    match_name_dob: Mapped[str | None] = mapped_column(String(130), index=True)
    match_name_postcode: Mapped[str | None] = mapped_column(String(130), index=True)
    match_dob_postcode: Mapped[str | None] = mapped_column(String(20), index=True)
    # Set when a confirmed match merged this learner into another: its rows moved there, and it
    # is kept (never shown, never matched) only so the merge can be reversed.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"))


class LearnerRecord(Base):
    """A partner's own record of a learner, as received in one batch, linked to one Learner."""

    __tablename__ = "learner_records"
    __table_args__ = (
        Index(None, "partner_id", "local_ref"),
        Index(None, "partner_id", "is_on_roll", "learner_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    local_ref: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(30))
    is_on_roll: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[dt.date] = mapped_column(Date)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    uln: Mapped[str | None] = mapped_column(String(10))
    upn: Mapped[str | None] = mapped_column(String(13))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    postcode: Mapped[str | None] = mapped_column(String(8))
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity_source_code: Mapped[str | None] = mapped_column(String(4))
