"""Claims -> Principal, and the purpose a request declares."""

from __future__ import annotations

import pytest

from hub.auth.claims import principal_from_claims, with_purpose
from hub.errors import AuthenticationError, PurposeForbiddenError, PurposeRequiredError
from hub.principal import Principal


def test_client_claims_become_a_client_principal() -> None:
    principal = principal_from_claims(
        {"sub": "hub-1", "role": "analyst", "partner_id": 7, "purposes": ["tracking"]},
        is_client=True,
    )
    assert principal == Principal(
        subject="client:hub-1",
        role="analyst",
        partner_id=7,
        client_id="hub-1",
        purposes=("tracking",),
    )


def test_user_claims_accept_space_separated_purposes_and_string_partner() -> None:
    principal = principal_from_claims(
        {"sub": "u-42", "role": "caseworker", "partner_id": "3", "purposes": "tracking transition"},
        is_client=False,
    )
    assert principal.user_id == "u-42"
    assert principal.client_id is None
    assert principal.subject == "user:u-42"
    assert principal.partner_id == 3
    assert principal.purposes == ("tracking", "transition")


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "analyst", "partner_id": 1},
        {"sub": "x", "role": "root", "partner_id": 1},
        {"sub": "x", "role": "analyst"},
        {"sub": "x", "role": "analyst", "partner_id": True},
        {"sub": "x", "role": "analyst", "partner_id": 1, "purposes": {"a": 1}},
        {"sub": "x", "role": "analyst", "partner_id": 1, "purposes": ["DROP TABLE"]},
    ],
    ids=["no-sub", "unknown-role", "no-partner", "bool-partner", "purposes-dict", "bad-purpose"],
)
def test_malformed_authorization_claims_refuse_the_token(claims: dict[str, object]) -> None:
    with pytest.raises(AuthenticationError):
        principal_from_claims(claims, is_client=True)


def _principal(*purposes: str) -> Principal:
    return Principal(subject="client:x", role="analyst", partner_id=1, purposes=purposes)


def test_single_allowed_purpose_is_chosen_by_default() -> None:
    assert with_purpose(_principal("tracking"), None).purpose == "tracking"


def test_header_picks_one_of_several_allowed_purposes() -> None:
    assert with_purpose(_principal("tracking", "funding"), "funding").purpose == "funding"


def test_purpose_not_allowed_is_forbidden() -> None:
    with pytest.raises(PurposeForbiddenError):
        with_purpose(_principal("tracking"), "marketing")


def test_several_purposes_and_no_header_requires_a_choice() -> None:
    with pytest.raises(PurposeRequiredError, match="Hub-Purpose"):
        with_purpose(_principal("tracking", "funding"), None)


def test_no_purposes_and_no_header_leaves_purpose_unset() -> None:
    assert with_purpose(_principal(), None).purpose is None
