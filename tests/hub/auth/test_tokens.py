"""Signing and verifying hub tokens with real keys."""

from __future__ import annotations

import time

import pytest
from joserfc.jwk import Key

from hub.auth.keys import generate_signing_key, verification_jwk
from hub.auth.tokens import (
    HUB_ALGORITHMS,
    HUB_TOKEN_TYPE,
    sign_token,
    unverified_issuer,
    verify_token,
)
from hub.errors import AuthenticationError

ISSUER = "urn:test-hub"
AUDIENCE = "test-hub"


async def _verify(token: str, keys: dict[str, Key], **overrides: object) -> dict[str, object]:
    async def lookup(kid: str) -> Key | None:
        return keys.get(kid)

    options: dict[str, object] = {
        "keys": lookup,
        "algorithms": HUB_ALGORITHMS,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "token_type": HUB_TOKEN_TYPE,
        **overrides,
    }
    return await verify_token(token, **options)  # type: ignore[arg-type]


def _token(**overrides: object) -> tuple[str, dict[str, Key]]:
    key = generate_signing_key()
    options: dict[str, object] = {
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "client_id": "hub-abc",
        "role": "analyst",
        "partner_id": 4,
        "purposes": ("tracking",),
        "ttl_seconds": 900,
        **overrides,
    }
    issued = sign_token(key, **options)  # type: ignore[arg-type]
    return issued.access_token, {key.kid: verification_jwk(key)}


async def test_signed_token_verifies_and_carries_its_claims() -> None:
    token, keys = _token()
    claims = await _verify(token, keys)
    assert claims["sub"] == "hub-abc"
    assert claims["client_id"] == "hub-abc"
    assert claims["role"] == "analyst"
    assert claims["partner_id"] == 4
    assert claims["purposes"] == ["tracking"]
    assert claims["exp"] == claims["iat"] + 900  # type: ignore[operator]


async def test_token_expires_after_its_lifetime() -> None:
    token, keys = _token(ttl_seconds=60)
    later = int(time.time()) + 60 + 31
    with pytest.raises(AuthenticationError, match="expired"):
        await _verify(token, keys, now=later)


async def test_token_of_another_type_is_refused() -> None:
    token, keys = _token()
    with pytest.raises(AuthenticationError, match="not an access token"):
        await _verify(token, keys, token_type="id+jwt")


def test_unverified_issuer_reads_iss_and_tolerates_garbage() -> None:
    token, _keys = _token()
    assert unverified_issuer(token) == ISSUER
    assert unverified_issuer("not-a-token") is None
    assert unverified_issuer("a.!!!.c") is None
