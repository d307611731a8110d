"""Signing and verifying JWT access tokens, with every check an attacker would probe.

Verification order matters: the header is read first and refused unless its ``alg`` is on the
caller's allow-list (never ``none``, never an HMAC algorithm, so a public key can never be used as
an HMAC secret) and its ``kid`` names a key we hold. Only then is the signature checked with that
key, and only then are the claims (``iss``, ``aud``, ``exp``, ``nbf``, ``iat``) trusted.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key
from joserfc.util import urlsafe_b64decode

from hub.auth.keys import CLOCK_LEEWAY_SECONDS, SIGNING_ALGORITHM, signing_jwk
from hub.auth.keystore import StoredKey
from hub.errors import AuthenticationError

HUB_TOKEN_TYPE = "at+jwt"  # noqa: S105 - a JWT type name, not a secret
"""RFC 9068 ``typ`` of hub access tokens, so an ID token or other JWT is never taken for one."""

HUB_ALGORITHMS: tuple[str, ...] = (SIGNING_ALGORITHM,)
EXTERNAL_ALGORITHMS: tuple[str, ...] = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip
"""Asymmetric algorithms accepted from an external issuer; ``none`` and ``HS*`` never are."""

MAX_TOKEN_LENGTH = 8192

KeyLookup = Callable[[str], Awaitable[Key | None]]
"""Resolves a ``kid`` to a verification key, or None when the kid is unknown."""


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A signed access token and what the token endpoint tells the client about it."""

    access_token: str
    expires_in: int
    purposes: tuple[str, ...]


def sign_token(
    key: StoredKey,
    *,
    issuer: str,
    audience: str,
    client_id: str,
    role: str,
    partner_id: int | None,
    purposes: tuple[str, ...],
    ttl_seconds: int,
    now: int | None = None,
) -> IssuedToken:
    """Sign a hub access token for a machine client with ``key``."""
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": client_id,
        "client_id": client_id,
        "iat": issued_at,
        "nbf": issued_at,
        "exp": issued_at + ttl_seconds,
        "jti": uuid.uuid4().hex,
        "role": role,
        "partner_id": partner_id,
        "purposes": list(purposes),
    }
    header = {"alg": key.algorithm, "kid": key.kid, "typ": HUB_TOKEN_TYPE}
    token = jwt.encode(header, claims, signing_jwk(key), algorithms=[key.algorithm])
    return IssuedToken(access_token=token, expires_in=ttl_seconds, purposes=purposes)


def unverified_issuer(token: str) -> str | None:
    """The ``iss`` a token claims, read WITHOUT verification: only to pick the verifier."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(urlsafe_b64decode(parts[1].encode("ascii")))
    except (ValueError, UnicodeError):
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


async def verify_token(
    token: str,
    *,
    keys: KeyLookup,
    algorithms: Collection[str],
    issuer: str,
    audience: str,
    token_type: str | None = None,
    now: int | None = None,
) -> dict[str, Any]:
    """Verify ``token`` and return its claims.

    Args:
        token: a JWS compact serialization.
        keys: resolves the header's ``kid`` to a key; an unknown kid refuses the token.
        algorithms: the allow-list for the header's ``alg``.
        issuer: the required ``iss``.
        audience: the audience that must appear in ``aud``.
        token_type: when given, the required ``typ`` header (case-insensitive).
        now: the time to check against (tests); the clock when omitted.

    Raises:
        AuthenticationError: for any token that is not valid, with the reason.
    """
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationError("token is too long")
    try:
        header = jws.extract_compact(token.encode("ascii")).headers()
    except (JoseError, ValueError, UnicodeError) as error:
        raise AuthenticationError("token is malformed") from error
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise AuthenticationError(f"token algorithm {str(algorithm)[:20]!r} is not accepted")
    if token_type is not None and str(header.get("typ", "")).lower() != token_type:
        raise AuthenticationError("token is not an access token")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthenticationError("token names no key id")
    key = await keys(kid)
    if key is None:
        raise AuthenticationError("token is signed by an unknown key")
    try:
        decoded = jwt.decode(token, key, algorithms=[algorithm])
    except (JoseError, ValueError) as error:
        raise AuthenticationError("token signature is invalid") from error
    _check_claims(decoded.claims, issuer=issuer, audience=audience, now=now)
    return decoded.claims


def _check_claims(claims: dict[str, Any], *, issuer: str, audience: str, now: int | None) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=CLOCK_LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        sub={"essential": True},
        exp={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise AuthenticationError(f"token is not valid here: {_describe(error)}") from error


def _describe(error: JoseError) -> str:
    return error.description or error.error
