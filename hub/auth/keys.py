"""The hub's token-signing keys: generation, rotation, publication and a verification cache.

A key is *current* (it signs new tokens) while it is the newest key without ``retired_at``.
Rotation adds a new current key and sets the previous keys' ``retired_at`` to the moment their
last token expires (now + token lifetime + clock leeway), so they stay published in the JWKS, and
keep verifying, exactly as long as a token they signed can still be valid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Iterable
from typing import Any

from joserfc.jwk import ECKey, thumbprint

from hub.auth.keystore import KeyStore, StoredKey, as_utc, utc_now

__all__ = [
    "CLOCK_LEEWAY_SECONDS",
    "SIGNING_ALGORITHM",
    "KeyRing",
    "StoredKey",
    "current_signing_key",
    "generate_signing_key",
    "jwks_document",
    "published_jwk",
    "published_keys",
    "rotate_signing_key",
    "signing_jwk",
    "verification_jwk",
]

SIGNING_ALGORITHM = "ES256"
CLOCK_LEEWAY_SECONDS = 30
MAX_KID_LENGTH = 64


def signing_jwk(key: StoredKey) -> ECKey:
    """The private key of ``key``, for signing."""
    return ECKey.import_key(json.loads(key.private_jwk))


def verification_jwk(key: StoredKey) -> ECKey:
    """The public half of ``key`` only, so a verifier never holds private material."""
    return ECKey.import_key(json.loads(key.public_jwk))


def published_jwk(key: StoredKey) -> dict[str, Any]:
    """The public JWK with ``kid``, ``alg`` and ``use`` as published in the JWKS."""
    jwk: dict[str, Any] = json.loads(key.public_jwk)
    return {**jwk, "kid": key.kid, "alg": key.algorithm, "use": "sig"}


def generate_signing_key(now: dt.datetime | None = None) -> StoredKey:
    """A fresh P-256 key whose ``kid`` is its RFC 7638 thumbprint."""
    key = ECKey.generate_key("P-256", private=True)
    public = key.as_dict(private=False)
    kid = thumbprint(public)
    return StoredKey(
        kid=kid,
        algorithm=SIGNING_ALGORITHM,
        private_jwk=json.dumps(key.as_dict(private=True), sort_keys=True),
        public_jwk=json.dumps(public, sort_keys=True),
        created_at=now or utc_now(),
    )


def _current(keys: Iterable[StoredKey]) -> StoredKey | None:
    active = [key for key in keys if key.retired_at is None]
    return max(active, key=lambda key: as_utc(key.created_at), default=None)


async def current_signing_key(store: KeyStore, *, now: dt.datetime | None = None) -> StoredKey:
    """The key that signs new tokens, created on first use so a fresh install just works."""
    current = _current(await store.load())
    if current is not None:
        return current
    key = generate_signing_key(now)
    await store.add(key, retire_others_at=None)
    return key


async def rotate_signing_key(
    store: KeyStore, *, token_ttl_seconds: int, now: dt.datetime | None = None
) -> StoredKey:
    """Make a new current key; the previous ones stay published until their tokens expire.

    Returns:
        The new current key.
    """
    now = now or utc_now()
    key = generate_signing_key(now)
    retire_at = now + dt.timedelta(seconds=token_ttl_seconds + CLOCK_LEEWAY_SECONDS)
    await store.add(key, retire_others_at=retire_at)
    return key


async def published_keys(store: KeyStore, *, now: dt.datetime | None = None) -> list[StoredKey]:
    """Every key a verifier should accept at ``now``, newest first."""
    now = now or utc_now()
    keys = [key for key in await store.load() if key.is_published(now)]
    return sorted(keys, key=lambda key: as_utc(key.created_at), reverse=True)


def jwks_document(keys: Iterable[StoredKey]) -> dict[str, list[dict[str, Any]]]:
    """The public JWK Set (RFC 7517) for ``keys``; never any private member."""
    return {"keys": [published_jwk(key) for key in keys]}


class KeyRing:
    """Verification keys held in memory, so checking a token rarely touches the store.

    The whole published set is reloaded at most every ``max_age_seconds``. A ``kid`` not in
    memory (a key another worker or the CLI has just rotated in) costs one lookup by ``kid``,
    a unique index, so an attacker sending random ids gains nothing over a normal request.
    """

    def __init__(self, store: KeyStore, *, max_age_seconds: float = 60.0) -> None:
        self._store = store
        self._max_age = max_age_seconds
        self._keys: dict[str, StoredKey] = {}
        self._loaded_at: float | None = None
        self._lock = asyncio.Lock()

    async def verification_key(self, kid: str) -> ECKey | None:
        """The public key for ``kid`` if it is published now, else None."""
        if not kid or len(kid) > MAX_KID_LENGTH:
            return None
        await self._refresh_if_stale()
        stored = self._keys.get(kid)
        if stored is None:
            stored = await self._store.find(kid)
            if stored is not None:
                self._keys[kid] = stored
        if stored is None or not stored.is_published(utc_now()):
            return None
        return verification_jwk(stored)

    async def _refresh_if_stale(self) -> None:
        if self._loaded_at is not None and time.monotonic() - self._loaded_at < self._max_age:
            return
        async with self._lock:
            if self._loaded_at is not None and time.monotonic() - self._loaded_at < self._max_age:
                return
            keys = await self._store.load()
            self._keys = {key.kid: key for key in keys}
            self._loaded_at = time.monotonic()
