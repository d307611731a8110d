"""The authentication middleware: open paths, the principal it hands on, and Hub-Purpose."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hub.config import Settings
from hub.store.engine import create_engine_for
from hub.web.auth import AuthenticationMiddleware, request_principal
from tests.support.databases import fresh_database
from tests.support.oidc_server import AUDIENCE, FakeIssuer, running_issuer
from tests.support.served import served, settings_for
from tests.support.tokens import add_partner, bearer, issue_token

PROTECTED = "/graphql?query=%7B__typename%7D"


@pytest.fixture(scope="module")
def auth_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, so its partners never collide with the sample."""
    with fresh_database(backend, tmp_path_factory.mktemp("auth")) as url:
        yield url


async def whoami(request: Request) -> JSONResponse:
    """Echo the principal the middleware put in the scope."""
    principal = request_principal(request)
    return JSONResponse(
        {
            "subject": principal.subject,
            "role": principal.role,
            "partner_id": principal.partner_id,
            "client_id": principal.client_id,
            "user_id": principal.user_id,
            "purposes": list(principal.purposes),
            "purpose": principal.purpose,
        }
    )


@pytest.fixture
async def echo(auth_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A minimal app: the real middleware in front of a route that echoes the principal."""
    async with _echo_app(settings_for(auth_url)) as http:
        yield http


async def page(request: Request) -> JSONResponse:
    """Stands in for the GraphiQL page: says whether the middleware authenticated the request."""
    return JSONResponse({"authenticated": "hub.principal" in request.scope})


@asynccontextmanager
async def _echo_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=[Route("/whoami", whoami), Route("/graphql", page, methods=["GET", "POST"])],
        middleware=[Middleware(AuthenticationMiddleware, settings=settings)],
    )
    app.state.engine = create_engine_for(settings.database_url)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield http
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def partner(auth_url: str) -> int:
    """A synthetic partner for clients to act for."""
    return await add_partner(auth_url)


async def test_principal_of_a_client_token_reaches_the_route(
    echo: httpx.AsyncClient, auth_url: str, partner: int
) -> None:
    token = await issue_token(
        auth_url, role="analyst", partner_id=partner, purposes=["neet_tracking"]
    )
    response = await echo.get("/whoami", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["role"] == "analyst"
    assert body["partner_id"] == partner
    assert body["client_id"] == body["subject"].removeprefix("client:")
    assert body["user_id"] is None
    assert body["purposes"] == ["neet_tracking"]
    assert body["purpose"] == "neet_tracking"


async def test_hub_purpose_picks_one_of_several(
    echo: httpx.AsyncClient, auth_url: str, partner: int
) -> None:
    token = await issue_token(
        auth_url, role="caseworker", partner_id=partner,
        purposes=["neet_tracking", "transition_handover"],
    )
    response = await echo.get("/whoami", headers=bearer(token, purpose="transition_handover"))
    assert response.status_code == 200, response.text
    assert response.json()["purpose"] == "transition_handover"


async def test_several_purposes_without_header_is_refused_with_a_clear_message(
    echo: httpx.AsyncClient, auth_url: str, partner: int
) -> None:
    token = await issue_token(
        auth_url, role="caseworker", partner_id=partner,
        purposes=["neet_tracking", "transition_handover"],
    )
    response = await echo.get("/whoami", headers=bearer(token))
    assert response.status_code == 400
    assert response.json()["code"] == "PURPOSE_REQUIRED"
    assert "Hub-Purpose" in response.json()["error"]
    assert "neet_tracking, transition_handover" in response.json()["error"]


async def test_purpose_the_token_does_not_allow_is_forbidden(
    echo: httpx.AsyncClient, auth_url: str, partner: int
) -> None:
    token = await issue_token(
        auth_url, role="analyst", partner_id=partner, purposes=["neet_tracking"]
    )
    response = await echo.get("/whoami", headers=bearer(token, purpose="marketing"))
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN_PURPOSE"


async def test_two_purpose_headers_are_refused(
    echo: httpx.AsyncClient, auth_url: str, partner: int
) -> None:
    token = await issue_token(
        auth_url, role="analyst", partner_id=partner,
        purposes=["neet_tracking", "transition_handover"],
    )
    headers = [
        ("Authorization", f"Bearer {token}"),
        ("Hub-Purpose", "neet_tracking"),
        ("Hub-Purpose", "transition_handover"),
    ]
    response = await echo.get("/whoami", headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/.well-known/jwks.json"])
async def test_health_and_key_routes_need_no_token(auth_url: str, path: str) -> None:
    async with served(settings_for(auth_url)) as (_app, http):
        response = await http.get(path)
    assert response.status_code == 200, response.text


async def test_graphiql_page_is_open_in_dev_only(auth_url: str) -> None:
    """Only the page itself: the route sees no principal, and anything else needs a token."""
    html = {"Accept": "text/html"}
    async with _echo_app(settings_for(auth_url, env="dev")) as http:
        page = await http.get("/graphql", headers=html)
        assert page.status_code == 200
        assert page.json() == {"authenticated": False}
        # With a query in the URL the view would run it, so that is not the page.
        assert (await http.get(PROTECTED, headers=html)).status_code == 401
        assert (await http.get("/graphql")).status_code == 401
        post = await http.post("/graphql", json={"query": "{__typename}"}, headers=html)
        assert post.status_code == 401
    async with _echo_app(settings_for(auth_url, env="test")) as http:
        assert (await http.get("/graphql", headers=html)).status_code == 401


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    """A running external OIDC issuer with one published key."""
    with running_issuer() as issuer:
        issuer.new_key()
        yield issuer


async def test_external_oidc_user_token_is_accepted_and_mapped(
    auth_url: str, issuer: FakeIssuer
) -> None:
    settings = settings_for(
        auth_url,
        oidc_issuer=issuer.base_url,
        oidc_jwks_url=issuer.jwks_url,
        oidc_audience=AUDIENCE,
    )
    (kid,) = issuer.published
    token = issuer.token(kid, role="dpo", partner_id=9, purposes=["audit"])
    stranger = issuer.new_key(publish=False)
    async with _echo_app(settings) as http:
        response = await http.get("/whoami", headers=bearer(token))
        refused = await http.get("/whoami", headers=bearer(issuer.token(stranger, role="dpo")))
    assert response.status_code == 200, response.text
    assert response.json()["user_id"] == "user-7"
    assert response.json()["role"] == "dpo"
    assert response.json()["purpose"] == "audit"
    assert refused.status_code == 401
