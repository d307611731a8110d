"""The token endpoint and the JWKS, over real HTTP through the ASGI app."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from hub.auth.clients import NewClient, create_client
from hub.auth.keys import rotate_signing_key
from hub.auth.keystore import key_store_for
from tests.support.databases import fresh_database
from tests.support.served import served, settings_for
from tests.support.tokens import add_partner, bearer

PROTECTED = "/graphql?query=%7B__typename%7D"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture(scope="module")
def auth_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, so its partners never collide with the sample."""
    with fresh_database(backend, tmp_path_factory.mktemp("auth")) as url:
        yield url


@dataclass
class Hub:
    """The served app, a client to it, and one registered machine client."""

    app: Starlette
    http: httpx.AsyncClient
    client: NewClient

    @property
    def engine(self) -> Any:
        """The app's engine."""
        return self.app.state.engine


@pytest.fixture
async def hub(auth_url: str) -> AsyncIterator[Hub]:
    """The app on the shared database with an MIS client allowed two purposes."""
    partner = await add_partner(auth_url)
    async with served(settings_for(auth_url)) as (app, http):
        client = await create_client(
            app.state.engine,
            name="College MIS",
            partner_id=partner,
            role="mis_integration",
            purposes=["funding_reconciliation", "neet_tracking"],
        )
        yield Hub(app, http, client)


def _kid(token: str) -> str:
    segment = token.split(".", maxsplit=1)[0]
    header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return str(header["kid"])


async def _token(hub: Hub, **form: str) -> str:
    response = await hub.http.post(
        "/oauth/token",
        data={**GRANT, **form},
        auth=(hub.client.record.client_id, hub.client.secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def test_client_credentials_token_opens_a_protected_route(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token", data=GRANT, auth=(hub.client.record.client_id, hub.client.secret)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 900
    assert body["scope"] == "funding_reconciliation neet_tracking"
    assert response.headers["cache-control"] == "no-store"

    answer = await hub.http.get(
        PROTECTED, headers=bearer(body["access_token"], purpose="neet_tracking")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == {"__typename": "Query"}


async def test_secret_in_a_json_body_is_accepted(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token",
        json={
            **GRANT,
            "client_id": hub.client.record.client_id,
            "client_secret": hub.client.secret,
        },
    )
    assert response.status_code == 200, response.text


async def test_secret_in_a_form_body_is_accepted(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token",
        data={
            **GRANT,
            "client_id": hub.client.record.client_id,
            "client_secret": hub.client.secret,
        },
    )
    assert response.status_code == 200, response.text


async def test_scope_narrows_the_token_to_one_purpose(hub: Hub) -> None:
    token = await _token(hub, scope="funding_reconciliation")
    response = await hub.http.get(PROTECTED, headers=bearer(token))
    assert response.status_code == 200, response.text


async def test_scope_beyond_the_clients_purposes_is_refused(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token",
        data={**GRANT, "scope": "funding_reconciliation marketing"},
        auth=(hub.client.record.client_id, hub.client.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


async def test_wrong_secret_is_invalid_client(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token", data=GRANT, auth=(hub.client.record.client_id, "wrong")
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"] == 'Basic realm="hub"'
    assert "access_token" not in response.json()


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "client_secret": "x"}, "invalid_request"),
    ],
    ids=["no-grant-type", "password-grant", "two-auth-methods"],
)
async def test_malformed_token_requests_are_refused(
    hub: Hub, form: dict[str, str], error: str
) -> None:
    response = await hub.http.post(
        "/oauth/token", data=form, auth=(hub.client.record.client_id, hub.client.secret)
    )
    assert response.status_code == 400
    assert response.json()["error"] == error


async def test_no_client_credentials_is_invalid_client(hub: Hub) -> None:
    response = await hub.http.post("/oauth/token", data=GRANT)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


async def test_repeated_parameter_is_refused(hub: Hub) -> None:
    response = await hub.http.post(
        "/oauth/token",
        content="grant_type=client_credentials&grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=(hub.client.record.client_id, hub.client.secret),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_jwks_publishes_the_current_key_without_private_parts(hub: Hub) -> None:
    token = await _token(hub, scope="funding_reconciliation")
    response = await hub.http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.json()["keys"]
    kid = _kid(token)
    assert kid in [key["kid"] for key in keys]
    assert all("d" not in key for key in keys)


async def test_after_rotation_previous_key_stays_published_and_its_tokens_verify(
    hub: Hub,
) -> None:
    old_token = await _token(hub, scope="funding_reconciliation")
    old_kid = _kid(old_token)
    settings = hub.app.state.settings
    new_key = await rotate_signing_key(
        key_store_for(settings, hub.engine), token_ttl_seconds=settings.token_ttl_seconds
    )

    jwks = (await hub.http.get("/.well-known/jwks.json")).json()
    published = [key["kid"] for key in jwks["keys"]]
    assert published[0] == new_key.kid
    assert old_kid in published

    new_token = await _token(hub, scope="funding_reconciliation")
    assert _kid(new_token) == new_key.kid
    for token in (old_token, new_token):
        response = await hub.http.get(PROTECTED, headers=bearer(token))
        assert response.status_code == 200, response.text
