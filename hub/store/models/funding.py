"""Funding streams, allocations to partners and money flowing between partners.

Money is integer pence: exact and portable on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

FLOW_BASES = ("per_learner_fee", "top_slice", "pooled_fund", "transport")


class FundingStream(Base):
    """A named stream of money from a funder (e.g. 16-19 programme funding)."""

    __tablename__ = "funding_streams"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(100))


class FundingAllocation(Base):
    """A stream's allocation to one partner for one academic year."""

    __tablename__ = "funding_allocations"
    __table_args__ = (Index(None, "stream_id", "partner_id", "academic_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stream_id: Mapped[int] = mapped_column(ForeignKey("funding_streams.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    academic_year: Mapped[str] = mapped_column(String(7))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))


class FundingFlow(Base):
    """Money from a payer partner to a payee partner, e.g. a home school's fee to a college."""

    __tablename__ = "funding_flows"
    __table_args__ = (
        Index(None, "stream_id", "id"),
        Index(None, "payer_partner_id"),
        Index(None, "payee_partner_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stream_id: Mapped[int | None] = mapped_column(ForeignKey("funding_streams.id"))
    payer_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    payee_partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id"), index=True)
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"))
    academic_year: Mapped[str] = mapped_column(String(7))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    basis: Mapped[str] = mapped_column(String(20))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_batches.id"))
