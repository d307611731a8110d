"""Where signing keys live: the ``signing_keys`` table (default) or ``HUB_KEYS_DIR``.

Both stores are shared state: every uvicorn worker and the ``hub token`` CLI read the same keys,
so a token signed by one is verified by all. The directory store is for deployments that keep
private keys out of the database (e.g. on a mounted secret volume); each key is one JSON file,
readable by its owner only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import Settings
from hub.errors import ConfigError
from hub.store.models.access import SigningKey

_KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def utc_now() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` as an aware UTC datetime (SQLite hands back naive UTC values)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class StoredKey:
    """One signing key as stored: both JWK halves as JSON text, and its life span.

    ``retired_at`` is the moment the key stops being published (None: no end yet).
    """

    kid: str
    algorithm: str
    private_jwk: str
    public_jwk: str
    created_at: dt.datetime
    retired_at: dt.datetime | None = None

    def is_published(self, now: dt.datetime) -> bool:
        """Whether the key is still in the JWKS (and still verifies tokens) at ``now``."""
        return self.retired_at is None or as_utc(self.retired_at) > now


class KeyStore(Protocol):
    """Persistent, shared storage for signing keys."""

    async def load(self) -> list[StoredKey]:
        """Every stored key, retired ones included."""
        ...

    async def find(self, kid: str) -> StoredKey | None:
        """The key with this ``kid``, or None."""
        ...

    async def add(self, key: StoredKey, *, retire_others_at: dt.datetime | None) -> None:
        """Store ``key``; when ``retire_others_at`` is set, end every other open key then."""
        ...


class DatabaseKeyStore:
    """Keys in the ``signing_keys`` table."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> list[StoredKey]:
        """Every stored key."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(SigningKey.__table__))).mappings().all()
        return [_from_row(row) for row in rows]

    async def find(self, kid: str) -> StoredKey | None:
        """One indexed lookup by ``kid``."""
        statement = select(SigningKey.__table__).where(SigningKey.kid == kid)
        async with self._engine.connect() as connection:
            row = (await connection.execute(statement)).mappings().first()
        return None if row is None else _from_row(row)

    async def add(self, key: StoredKey, *, retire_others_at: dt.datetime | None) -> None:
        """Insert ``key`` and retire the others in one transaction."""
        async with self._engine.begin() as connection:
            if retire_others_at is not None:
                await connection.execute(
                    update(SigningKey)
                    .where(SigningKey.retired_at.is_(None))
                    .values(retired_at=retire_others_at)
                )
            await connection.execute(insert(SigningKey).values(**dataclasses.asdict(key)))


def _from_row(row: Any) -> StoredKey:
    return StoredKey(
        kid=row["kid"],
        algorithm=row["algorithm"],
        private_jwk=row["private_jwk"],
        public_jwk=row["public_jwk"],
        created_at=as_utc(row["created_at"]),
        retired_at=None if row["retired_at"] is None else as_utc(row["retired_at"]),
    )


class DirectoryKeyStore:
    """Keys as ``<kid>.json`` files in one directory, each readable by its owner only."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    async def load(self) -> list[StoredKey]:
        """Every key file in the directory."""
        if not self._directory.is_dir():
            return []
        return [_read_key_file(path) for path in sorted(self._directory.glob("*.json"))]

    async def find(self, kid: str) -> StoredKey | None:
        """The file named after ``kid``; ids that are not plain tokens never touch the disk."""
        if not _KID_PATTERN.match(kid):
            return None
        path = self._directory / f"{kid}.json"
        return _read_key_file(path) if path.is_file() else None

    async def add(self, key: StoredKey, *, retire_others_at: dt.datetime | None) -> None:
        """Write ``key``'s file, then the retirement time into the other open keys' files."""
        self._directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if retire_others_at is not None:
            for other in await self.load():
                if other.retired_at is None:
                    self._write(dataclasses.replace(other, retired_at=retire_others_at))
        self._write(key)

    def _write(self, key: StoredKey) -> None:
        data = dataclasses.asdict(key)
        data["created_at"] = key.created_at.isoformat()
        data["retired_at"] = None if key.retired_at is None else key.retired_at.isoformat()
        target = self._directory / f"{key.kid}.json"
        temporary = target.with_suffix(".tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, sort_keys=True)
        # A rename is atomic, so a worker reading concurrently sees the old file or the new one.
        temporary.replace(target)


def _read_key_file(path: Path) -> StoredKey:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return StoredKey(
            kid=data["kid"],
            algorithm=data["algorithm"],
            private_jwk=data["private_jwk"],
            public_jwk=data["public_jwk"],
            created_at=as_utc(dt.datetime.fromisoformat(data["created_at"])),
            retired_at=(
                None if data["retired_at"] is None
                else as_utc(dt.datetime.fromisoformat(data["retired_at"]))
            ),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"signing key file {path} is unreadable or malformed") from error


def key_store_for(settings: Settings, engine: AsyncEngine) -> KeyStore:
    """The directory store when ``HUB_KEYS_DIR`` is set, otherwise the database store."""
    if settings.keys_dir is not None:
        return DirectoryKeyStore(settings.keys_dir)
    return DatabaseKeyStore(engine)
