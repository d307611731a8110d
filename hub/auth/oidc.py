"""Tokens from an external OpenID Connect issuer, verified against its published JWKS.

The JWKS is fetched over HTTP and cached. A token whose ``kid`` is not cached triggers one
refetch (the issuer may have rotated), but at most once per ``min_refetch_seconds``, so a flood
of tokens with made-up key ids cannot turn the hub into a load generator against the issuer.
A fetch opens its own short-lived HTTP client: fetches are rare, and this keeps the verifier free
of any lifecycle the application would have to manage.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key

from hub.auth.tokens import EXTERNAL_ALGORITHMS, verify_token
from hub.errors import UnavailableError

ASYMMETRIC_KEY_TYPES = ("RSA", "EC", "OKP")
DISCOVERY_PATH = "/.well-known/openid-configuration"


class OidcVerifier:
    """Verifies access tokens from one external issuer."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        min_refetch_seconds: float = 30.0,
        max_age_seconds: float = 3600.0,
        timeout_seconds: float = 5.0,
    ) -> None:
        self.issuer = issuer
        self._audience = audience
        self._jwks_url = jwks_url
        self._min_refetch = min_refetch_seconds
        self._max_age = max_age_seconds
        self._timeout = timeout_seconds
        self._keys: dict[str, Key] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def verify(self, token: str) -> dict[str, Any]:
        """The claims of ``token`` if the issuer signed it for our audience.

        Raises:
            AuthenticationError: the token is not valid.
            UnavailableError: the issuer's keys could not be fetched and none are cached.
        """
        return await verify_token(
            token,
            keys=self.key_for,
            algorithms=EXTERNAL_ALGORITHMS,
            issuer=self.issuer,
            audience=self._audience,
        )

    async def key_for(self, kid: str) -> Key | None:
        """The issuer's key ``kid``, refetching the JWKS when it is stale or lacks that kid."""
        if self._fetched_at is None or time.monotonic() - self._fetched_at > self._max_age:
            await self._refetch(force=True)
        elif kid not in self._keys:
            await self._refetch(force=False)
        return self._keys.get(kid)

    async def _refetch(self, *, force: bool) -> None:
        async with self._lock:
            fetched_at = self._fetched_at
            if fetched_at is not None:
                age = time.monotonic() - fetched_at
                if age < self._min_refetch or (force and age <= self._max_age):
                    return  # another request refetched meanwhile, or we did so too recently
            try:
                keys = await self._fetch()
            except UnavailableError:
                if not self._keys:
                    raise
                # Keep serving the cached keys; try the issuer again after the minimum interval.
                self._fetched_at = time.monotonic() - self._max_age + self._min_refetch
                return
            self._keys = keys
            self._fetched_at = time.monotonic()

    async def _fetch(self) -> dict[str, Key]:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                jwks_url = self._jwks_url or await self._discover(client)
                response = await client.get(jwks_url, headers={"Accept": "application/json"})
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UnavailableError(
                f"the identity provider's keys could not be fetched ({type(error).__name__})"
            ) from error
        return _usable_keys(document)

    async def _discover(self, client: httpx.AsyncClient) -> str:
        response = await client.get(self.issuer.rstrip("/") + DISCOVERY_PATH)
        response.raise_for_status()
        jwks_uri = response.json().get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise ValueError("discovery document has no jwks_uri")
        self._jwks_url = jwks_uri
        return jwks_uri


def _usable_keys(document: object) -> dict[str, Key]:
    """The signing keys of a JWKS; symmetric, key-less-id and unreadable entries are skipped."""
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise UnavailableError("the identity provider's JWKS has no key list")
    keys: dict[str, Key] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if entry.get("kty") not in ASYMMETRIC_KEY_TYPES or not isinstance(kid, str) or not kid:
            continue
        if entry.get("use", "sig") != "sig":
            continue
        try:
            key = JWKRegistry.import_key(entry)
        except (JoseError, ValueError, TypeError):
            continue
        if key.is_private:
            # A published private key is the issuer's mistake; use only the public half.
            key = JWKRegistry.import_key(key.as_dict(private=False))
        keys[kid] = key
    return keys
