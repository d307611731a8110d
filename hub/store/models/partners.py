"""Partners, their sites, partnerships and the typed memberships that join them (a graph)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

PARTNER_TYPES = (
    "school",
    "academy",
    "special_school",
    "pru",
    "sixth_form_college",
    "fe_college",
    "wbl_provider",
    "local_authority",
    "careers_service",
    "employer",
    "hei",
)
PARTNERSHIP_KINDS = ("la_partnership", "consortium", "sub_region", "locality")
STRUCTURE_MODELS = ("county", "city", "cross_border")
MEMBERSHIP_ROLES = ("commissioner", "provider", "broker", "careers_service", "representative")


class Partner(Base):
    """An institution that shares data: school, college, provider, LA, careers service..."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    partner_type: Mapped[str] = mapped_column(String(40))
    urn: Mapped[str | None] = mapped_column(String(6), unique=True)
    ukprn: Mapped[str | None] = mapped_column(String(8), unique=True)
    la_code: Mapped[str | None] = mapped_column(String(3))
    laestab: Mapped[str | None] = mapped_column(String(7))
    postcode: Mapped[str | None] = mapped_column(String(8))


class Site(Base):
    """A site or venue, owned by one partner but possibly used by others to deliver."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(8))


class Partnership(Base):
    """An LA partnership, consortium, sub-region or locality; may report to a parent."""

    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    structure_model: Mapped[str | None] = mapped_column(String(20))
    la_code: Mapped[str | None] = mapped_column(String(3))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)


class Membership(Base):
    """A partner's typed, dated membership of a partnership."""

    __tablename__ = "memberships"
    __table_args__ = (Index(None, "partner_id", "partnership_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    role: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
