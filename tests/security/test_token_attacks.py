"""Forged, stale and misdirected tokens: every one is answered 401 before any resolver runs.

Each attack starts from what a real client could hold (a genuine token, the published public
key, a registered client id) and changes one thing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from joserfc import jwt

from hub.auth.clients import create_client, revoke_client
from hub.auth.keys import current_signing_key, generate_signing_key, signing_jwk
from hub.auth.keystore import StoredKey, key_store_for
from hub.auth.tokens import sign_token
from hub.config import Settings
from tests.support.databases import fresh_database
from tests.support.served import served, settings_for
from tests.support.tokens import add_partner, bearer

PROTECTED = "/graphql?query=%7B__typename%7D"


@pytest.fixture(scope="module")
def auth_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, so its partners never collide with the sample."""
    with fresh_database(backend, tmp_path_factory.mktemp("auth")) as url:
        yield url


@dataclass
class Target:
    """The served app, its settings, its signing key and one registered client."""

    http: httpx.AsyncClient
    settings: Settings
    key: StoredKey
    client_id: str
    engine: Any
    partner_id: int

    def claims(self, **overrides: Any) -> dict[str, Any]:
        """Claims a genuine token for the client would carry, with ``overrides``."""
        now = int(time.time())
        return {
            "iss": self.settings.token_issuer,
            "aud": self.settings.token_audience,
            "sub": self.client_id,
            "client_id": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "role": "analyst",
            "partner_id": self.partner_id,
            "purposes": ["neet_tracking"],
            **overrides,
        }

    def sign(self, claims: dict[str, Any], *, key: StoredKey | None = None, **header: Any) -> str:
        """A token signed with the app's real key (or ``key``) and the given header fields."""
        key = key or self.key
        full_header = {"alg": "ES256", "kid": key.kid, "typ": "at+jwt", **header}
        return jwt.encode(full_header, claims, signing_jwk(key), algorithms=["ES256"])


@pytest.fixture
async def target(auth_url: str) -> AsyncIterator[Target]:
    """The app on the shared database, with an analyst client whose genuine token works."""
    partner = await add_partner(auth_url)
    settings = settings_for(auth_url)
    async with served(settings) as (app, http):
        engine = app.state.engine
        new = await create_client(
            engine, name="attacked", partner_id=partner, role="analyst", purposes=["neet_tracking"]
        )
        key = await current_signing_key(key_store_for(settings, engine))
        yield Target(http, settings, key, new.record.client_id, engine, partner)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def alg_none(t: Target) -> str:
    header = {"alg": "none", "kid": t.key.kid, "typ": "at+jwt"}
    return f"{_segment(header)}.{_segment(t.claims())}."


def hs256_with_public_key_as_secret(t: Target) -> str:
    header = {"alg": "HS256", "kid": t.key.kid, "typ": "at+jwt"}
    signing_input = f"{_segment(header)}.{_segment(t.claims())}"
    secret = t.key.public_jwk.encode()
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def expired(t: Target) -> str:
    now = int(time.time())
    return t.sign(t.claims(iat=now - 3600, nbf=now - 3600, exp=now - 600))


def not_yet_valid(t: Target) -> str:
    return t.sign(t.claims(nbf=int(time.time()) + 3600))


def issued_in_the_future(t: Target) -> str:
    return t.sign(t.claims(iat=int(time.time()) + 3600))


def wrong_audience(t: Target) -> str:
    return t.sign(t.claims(aud="another-service"))


def wrong_issuer(t: Target) -> str:
    return t.sign(t.claims(iss="urn:evil-issuer"))


def no_expiry(t: Target) -> str:
    claims = t.claims()
    del claims["exp"]
    return t.sign(claims)


def unknown_kid(t: Target) -> str:
    return t.sign(t.claims(), key=generate_signing_key())


def real_kid_signed_by_another_key(t: Target) -> str:
    stranger = generate_signing_key()
    header = {"alg": "ES256", "kid": t.key.kid, "typ": "at+jwt"}
    return jwt.encode(header, t.claims(), signing_jwk(stranger), algorithms=["ES256"])


def embedded_attacker_jwk(t: Target) -> str:
    stranger = generate_signing_key()
    return t.sign(
        t.claims(), key=stranger, jwk=json.loads(stranger.public_jwk), jku="http://evil.test/k"
    )


def tampered_payload(t: Target) -> str:
    header, _payload, signature = t.sign(t.claims()).split(".")
    return f"{header}.{_segment(t.claims(role='admin', partner_id=None))}.{signature}"


def not_an_access_token(t: Target) -> str:
    return t.sign(t.claims(), typ="JWT")


def unknown_client(t: Target) -> str:
    return t.sign(t.claims(sub="hub-0000000000000000", client_id="hub-0000000000000000"))


def garbage(_t: Target) -> str:
    return "not.a.jwt"


ATTACKS: list[tuple[Callable[[Target], str], str]] = [
    (alg_none, "algorithm 'none' is not accepted"),
    (hs256_with_public_key_as_secret, "algorithm 'HS256' is not accepted"),
    (expired, "expired"),
    (not_yet_valid, "not yet valid"),
    (issued_in_the_future, "issued in the future"),
    (wrong_audience, "'aud'"),
    (wrong_issuer, "'iss'"),
    (no_expiry, "'exp'"),
    (unknown_kid, "unknown key"),
    (real_kid_signed_by_another_key, "signature is invalid"),
    (embedded_attacker_jwk, "unknown key"),
    (tampered_payload, "signature is invalid"),
    (not_an_access_token, "not an access token"),
    (unknown_client, "revoked or unknown"),
    (garbage, "malformed"),
]


def _assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "data" not in response.json()


async def test_genuine_token_is_accepted(target: Target) -> None:
    """The control: without it, every 401 below could be a broken app."""
    response = await target.http.get(PROTECTED, headers=bearer(target.sign(target.claims())))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("attack", "reason"), ATTACKS, ids=[attack.__name__ for attack, _reason in ATTACKS]
)
async def test_forged_or_invalid_token_is_refused_for_its_reason(
    target: Target, attack: Callable[[Target], str], reason: str
) -> None:
    response = await target.http.get(PROTECTED, headers=bearer(attack(target)))
    _assert_unauthenticated(response)
    assert reason in response.json()["error"]
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_token_of_a_revoked_client_is_refused_on_the_next_request(target: Target) -> None:
    token = target.sign(target.claims())
    assert (await target.http.get(PROTECTED, headers=bearer(token))).status_code == 200
    await revoke_client(target.engine, target.client_id)
    _assert_unauthenticated(await target.http.get(PROTECTED, headers=bearer(token)))


async def test_missing_token_is_refused_without_an_error_code(target: Target) -> None:
    response = await target.http.get(PROTECTED)
    _assert_unauthenticated(response)
    assert response.headers["www-authenticate"] == 'Bearer realm="hub"'


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b", "bearer\tx.y.z"],
    ids=["no-token", "blank-token", "basic-scheme", "other-scheme", "two-tokens", "tab"],
)
async def test_malformed_authorization_header_is_refused(
    target: Target, authorization: str
) -> None:
    response = await target.http.get(PROTECTED, headers={"Authorization": authorization})
    _assert_unauthenticated(response)


async def test_two_authorization_headers_are_refused(target: Target) -> None:
    token = target.sign(target.claims())
    headers = [("Authorization", f"Bearer {token}"), ("Authorization", f"Bearer {token}")]
    response = await target.http.get(PROTECTED, headers=headers)
    _assert_unauthenticated(response)


async def test_oversized_token_is_refused(target: Target) -> None:
    response = await target.http.get(PROTECTED, headers=bearer("a" * 10_000))
    _assert_unauthenticated(response)


async def test_revoked_client_cannot_obtain_a_new_token(target: Target) -> None:
    """A revoked client's secret is refused at the token endpoint too."""
    new = await create_client(
        target.engine, name="soon revoked", partner_id=target.partner_id, role="analyst",
        purposes=["neet_tracking"],
    )
    await revoke_client(target.engine, new.record.client_id)
    response = await target.http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(new.record.client_id, new.secret),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_issued_tokens_never_use_a_symmetric_algorithm() -> None:
    issued = sign_token(
        generate_signing_key(), issuer="i", audience="a", client_id="c", role="admin",
        partner_id=None, purposes=(), ttl_seconds=60,
    )
    header = json.loads(base64.urlsafe_b64decode(issued.access_token.split(".")[0] + "=="))
    assert header["alg"] == "ES256"
