"""External OIDC tokens, verified against a real issuer's JWKS served over local HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.auth.claims import principal_from_claims
from hub.auth.oidc import OidcVerifier
from hub.errors import AuthenticationError, UnavailableError
from tests.support.oidc_server import AUDIENCE, FakeIssuer, running_issuer

USER_CLAIMS = {"role": "caseworker", "partner_id": 5, "purposes": ["tracking"]}


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    """A running issuer with one published key."""
    with running_issuer() as issuer:
        issuer.new_key()
        yield issuer


def _verifier(issuer: FakeIssuer, **options: float) -> OidcVerifier:
    return OidcVerifier(
        issuer=issuer.base_url, audience=AUDIENCE, jwks_url=issuer.jwks_url, **options
    )


async def test_issuer_token_verifies_and_maps_to_a_user_principal(issuer: FakeIssuer) -> None:
    (kid,) = issuer.published
    claims = await _verifier(issuer).verify(issuer.token(kid, **USER_CLAIMS))
    principal = principal_from_claims(claims, is_client=False)
    assert principal.user_id == "user-7"
    assert principal.role == "caseworker"
    assert principal.partner_id == 5
    assert principal.purposes == ("tracking",)


async def test_keys_are_found_by_discovery_when_no_jwks_url_is_set(issuer: FakeIssuer) -> None:
    (kid,) = issuer.published
    verifier = OidcVerifier(issuer=issuer.base_url, audience=AUDIENCE)
    claims = await verifier.verify(issuer.token(kid, **USER_CLAIMS))
    assert claims["sub"] == "user-7"


async def test_token_signed_by_another_key_under_a_published_kid_fails(
    issuer: FakeIssuer,
) -> None:
    (kid,) = issuer.published
    impostor = issuer.new_key(publish=False)
    issuer.keys[kid], forged_key = issuer.keys[impostor], issuer.keys[kid]
    forged = issuer.token(kid, **USER_CLAIMS)
    issuer.keys[kid] = forged_key
    with pytest.raises(AuthenticationError, match="signature"):
        await _verifier(issuer).verify(forged)


async def test_token_from_an_unpublished_key_fails(issuer: FakeIssuer) -> None:
    stranger = issuer.new_key(publish=False)
    with pytest.raises(AuthenticationError, match="unknown key"):
        await _verifier(issuer, min_refetch_seconds=0).verify(issuer.token(stranger))


async def test_token_for_another_audience_fails(issuer: FakeIssuer) -> None:
    (kid,) = issuer.published
    with pytest.raises(AuthenticationError):
        await _verifier(issuer).verify(issuer.token(kid, aud="someone-else", **USER_CLAIMS))


async def test_unknown_kid_refetches_so_a_rotated_key_verifies(issuer: FakeIssuer) -> None:
    verifier = _verifier(issuer, min_refetch_seconds=0)
    (first,) = issuer.published
    await verifier.verify(issuer.token(first, **USER_CLAIMS))
    rotated = issuer.new_key()
    await verifier.verify(issuer.token(rotated, **USER_CLAIMS))
    assert issuer.jwks_hits == 2


async def test_unknown_kids_refetch_at_most_once_per_interval(issuer: FakeIssuer) -> None:
    verifier = _verifier(issuer, min_refetch_seconds=3600)
    (kid,) = issuer.published
    await verifier.verify(issuer.token(kid, **USER_CLAIMS))
    for _ in range(5):
        stranger = issuer.new_key(publish=False)
        with pytest.raises(AuthenticationError):
            await verifier.verify(issuer.token(stranger))
    assert issuer.jwks_hits == 1


async def test_unreachable_issuer_is_unavailable_not_unauthenticated() -> None:
    with running_issuer() as issuer:
        kid = issuer.new_key()
        token = issuer.token(kid, **USER_CLAIMS)
        verifier = _verifier(issuer)
    with pytest.raises(UnavailableError):
        await verifier.verify(token)
