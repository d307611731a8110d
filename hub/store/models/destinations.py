"""Destination and NEET tracking: a learner's activity over time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

ACTIVITY_CATEGORIES = ("education", "employment", "training", "neet", "not_known", "other")


class Activity(Base):
    """One recorded activity (NCCIS-style code and its category) with its currency date."""

    __tablename__ = "activities"
    __table_args__ = (
        Index(None, "category"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"))
    activity_code: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    code_list: Mapped[str | None] = mapped_column(String(30))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"), index=True)


# A learner's latest activity (ORDER BY start_date DESC, id DESC LIMIT 1, as learnerCounts asks)
# is then the first entry of this index for the learner: one index read, no sort per learner.
Index(
    "ix_activities_learner_latest",
    Activity.learner_id,
    Activity.start_date.desc(),
    Activity.id.desc(),
)
