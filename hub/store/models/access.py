"""Who may read: OAuth clients, signing keys, loaded agreement versions, objections, and the
append-only disclosure audit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base, BigId

ROLES = ("mis_integration", "analyst", "commissioner", "caseworker", "dpo", "admin")


class OAuthClient(Base):
    """A machine client (client credentials grant); the secret is stored only as a hash."""

    __tablename__ = "oauth_clients"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    role: Mapped[str] = mapped_column(String(20))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SigningKey(Base):
    """An asymmetric token-signing key, shared by every worker and the CLI through the store."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    algorithm: Mapped[str] = mapped_column(String(10))
    private_jwk: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AgreementVersion(Base):
    """One loaded version of an agreement file, so audit events name the exact text."""

    __tablename__ = "agreement_versions"
    __table_args__ = (Index(None, "agreement_id", "version", unique=True),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agreement_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    pseudonym_key: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Objection(Base):
    """A learner's recorded objection to a kind of sharing, honoured by every read."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id"), index=True)
    scope: Mapped[str] = mapped_column(String(40))
    recorded_by_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class DisclosureEvent(Base):
    """An audited disclosure; appended by reads, hash-chained later by the sealer."""

    __tablename__ = "disclosure_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    client_id: Mapped[str | None] = mapped_column(String(80))
    user_id: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    purpose: Mapped[str | None] = mapped_column(String(60))
    agreements: Mapped[list[str]] = mapped_column(JSON)
    entity_types: Mapped[list[str]] = mapped_column(JSON)
    field_categories: Mapped[list[str]] = mapped_column(JSON)
    learner_ids: Mapped[list[int]] = mapped_column(JSON)
    aggregate_count: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str | None] = mapped_column(String(64))
    trace_id: Mapped[str | None] = mapped_column(String(32))
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    sealed_seq: Mapped[int | None] = mapped_column(Integer, unique=True)


class DisclosureLearner(Base):
    """One learner named by one sealed disclosure: the index a subject access request reads.

    Filled by the sealer (off the request path), so a read appends exactly one row; events not
    yet sealed are found by scanning their JSON ``learner_ids`` instead.
    """

    __tablename__ = "disclosure_learners"
    __table_args__ = (Index(None, "learner_id", "event_id"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("disclosure_events.id"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
