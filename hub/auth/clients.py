"""OAuth machine clients: create, list, revoke, and check a presented secret.

Secrets are random 256-bit strings shown once at creation and stored only as a salted scrypt
hash. Checking a secret always runs one scrypt, even for an unknown client id, so the answer time
does not tell an attacker which client ids exist.

Lookups read in autocommit: one SELECT is one statement on the wire, with no ``BEGIN`` and
``ROLLBACK`` around it. That matters because every request's revocation check is such a lookup,
and it is still read fresh from the table every time (nothing is cached), so a revocation
applies from the very next request.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.claims import check_partner, check_purposes, check_role
from hub.auth.keystore import as_utc, utc_now
from hub.errors import AuthenticationError, BadRequestError, OAuthClientNotFoundError
from hub.store.models.access import OAuthClient
from hub.store.models.partners import Partner
from policies.vocabulary import purposes as purpose_vocabulary

_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_HASH_SCHEME = "scrypt"
MAX_SECRET_LENGTH = 256


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """A registered client, without its secret."""

    client_id: str
    name: str
    partner_id: int | None
    role: str
    purposes: tuple[str, ...]
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @property
    def is_revoked(self) -> bool:
        """Whether the client's tokens and secret are refused."""
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class NewClient:
    """A just-created client and its secret, which is never retrievable again."""

    record: ClientRecord
    secret: str


def hash_secret(secret: str) -> str:
    """A salted scrypt hash of ``secret``, self-describing so parameters can change later."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    encoded = [base64.b64encode(part).decode("ascii") for part in (salt, digest)]
    return f"{_HASH_SCHEME}${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${encoded[0]}${encoded[1]}"


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether ``secret`` hashes to ``stored_hash``, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored_hash.split("$")
        if scheme != _HASH_SCHEME:
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(secret, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)


# Checked against when the client id is unknown, so both paths cost one scrypt.
_DECOY_HASH = hash_secret(secrets.token_urlsafe(32))


def check_known_purposes(purposes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The purposes, well formed and each one an agreement may name (``policies/data``).

    A client holding any other purpose could declare it on every request, and no agreement
    would ever cover it: refusing it here says so at once, instead of at the first read.

    Raises:
        BadRequestError: naming the malformed or unknown purposes and listing the known ones.
    """
    checked = check_purposes(purposes)
    known = purpose_vocabulary()
    unknown = [purpose for purpose in checked if purpose not in known]
    if unknown:
        raise BadRequestError(
            f"unknown purpose(s) {', '.join(unknown)}: a client's purposes must be among the "
            f"agreements' purposes: {', '.join(sorted(known))}"
        )
    return checked


def _record(row: RowMapping) -> ClientRecord:
    return ClientRecord(
        client_id=row["client_id"],
        name=row["name"],
        partner_id=row["partner_id"],
        role=row["role"],
        purposes=tuple(row["purposes"] or ()),
        created_at=as_utc(row["created_at"]),
        revoked_at=None if row["revoked_at"] is None else as_utc(row["revoked_at"]),
    )


async def create_client(
    engine: AsyncEngine,
    *,
    name: str,
    partner_id: int | None,
    role: str,
    purposes: tuple[str, ...] | list[str],
    now: dt.datetime | None = None,
) -> NewClient:
    """Register a machine client and return its one-time secret.

    Raises:
        BadRequestError: for an empty name, unknown role, a malformed purpose or one outside
            the agreements' purpose vocabulary, or a partner id that is missing (every role but
            admin needs one) or names no partner.
    """
    name = name.strip()
    if not name or len(name) > 200:
        raise BadRequestError("client name must be 1 to 200 characters")
    role = check_role(role)
    partner_id = check_partner(role, partner_id)
    checked_purposes = check_known_purposes(purposes)
    client_id = f"hub-{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    secret_hash = await asyncio.to_thread(hash_secret, secret)
    created_at = now or utc_now()
    async with engine.begin() as connection:
        if partner_id is not None:
            found = await connection.scalar(select(Partner.id).where(Partner.id == partner_id))
            if found is None:
                raise BadRequestError(f"partner {partner_id} does not exist")
        await connection.execute(
            insert(OAuthClient).values(
                client_id=client_id,
                secret_hash=secret_hash,
                name=name,
                partner_id=partner_id,
                role=role,
                purposes=list(checked_purposes),
                created_at=created_at,
                revoked_at=None,
            )
        )
    record = ClientRecord(
        client_id=client_id,
        name=name,
        partner_id=partner_id,
        role=role,
        purposes=checked_purposes,
        created_at=created_at,
        revoked_at=None,
    )
    return NewClient(record=record, secret=secret)


async def _read(engine: AsyncEngine, statement: Select[Any]) -> list[RowMapping]:
    """Run one read-only statement in autocommit: the statement alone, no transaction control.

    A single SELECT sees one consistent snapshot on its own, so the transaction around it that
    ``engine.connect()`` would open (``BEGIN`` ... ``ROLLBACK``) adds two round trips and nothing
    else.
    """
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        return list((await connection.execute(statement)).mappings().all())


async def list_clients(engine: AsyncEngine) -> list[ClientRecord]:
    """Every client, revoked ones included, oldest first."""
    statement = select(OAuthClient.__table__).order_by(OAuthClient.created_at, OAuthClient.id)
    return [_record(row) for row in await _read(engine, statement)]


async def find_client(engine: AsyncEngine, client_id: str) -> ClientRecord | None:
    """The client with ``client_id`` (one statement, on a unique index), or None.

    Read from the table on every call, never from a cache: the per-request revocation check
    relies on that.
    """
    if not client_id or len(client_id) > 80:
        return None
    statement = select(OAuthClient.__table__).where(OAuthClient.client_id == client_id)
    rows = await _read(engine, statement)
    return _record(rows[0]) if rows else None


async def revoke_client(
    engine: AsyncEngine, client_id: str, *, now: dt.datetime | None = None
) -> ClientRecord:
    """Revoke a client: its secret and every token it holds are refused from now on.

    Revoking an already revoked client keeps the first revocation time.

    Raises:
        OAuthClientNotFoundError: no client has this id.
    """
    async with engine.begin() as connection:
        await connection.execute(
            update(OAuthClient)
            .where(OAuthClient.client_id == client_id, OAuthClient.revoked_at.is_(None))
            .values(revoked_at=now or utc_now())
        )
    record = await find_client(engine, client_id)
    if record is None:
        raise OAuthClientNotFoundError(f"no client has id {client_id!r}")
    return record


async def authenticate_client(engine: AsyncEngine, client_id: str, secret: str) -> ClientRecord:
    """The active client whose id and secret these are.

    Raises:
        AuthenticationError: the same message for an unknown id, a wrong secret and a revoked
            client, so the answer does not reveal which it was.
    """
    refused = AuthenticationError("client authentication failed")
    if len(secret) > MAX_SECRET_LENGTH:
        raise refused
    statement = select(OAuthClient.__table__).where(OAuthClient.client_id == client_id)
    row = None
    if 0 < len(client_id) <= 80:
        rows = await _read(engine, statement)
        row = rows[0] if rows else None
    stored_hash = _DECOY_HASH if row is None else row["secret_hash"]
    matches = await asyncio.to_thread(secret_matches, secret, stored_hash)
    if row is None or not matches:
        raise refused
    record = _record(row)
    if record.is_revoked:
        raise refused
    return record
