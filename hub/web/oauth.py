"""The OAuth2 token endpoint (client credentials grant) and the hub's published JWKS.

``POST /oauth/token`` follows RFC 6749 section 4.4: the client authenticates with HTTP Basic
(``client_secret_basic``) or with ``client_id``/``client_secret`` in the body
(``client_secret_post``), never both; the body is form-encoded or JSON. An optional ``scope`` of
space-separated purposes narrows the token to those purposes. Errors use the RFC 6749 shape
``{"error", "error_description"}`` plus the hub's ``code``.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, unquote_plus

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from hub.auth.clients import authenticate_client
from hub.auth.issuing import issue_for_client
from hub.auth.keys import current_signing_key, jwks_document, published_keys
from hub.auth.keystore import key_store_for
from hub.config import Settings
from hub.errors import AuthenticationError

TOKEN_PATH = "/oauth/token"  # noqa: S105 - a URL path, not a secret
JWKS_PATH = "/.well-known/jwks.json"
MAX_BODY_BYTES = 16 * 1024
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class _OAuthError(Exception):
    """An RFC 6749 error answer; never leaves this module."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers: dict[str, str] = {}

    def response(self) -> JSONResponse:
        code = "UNAUTHENTICATED" if self.status == 401 else "BAD_REQUEST"
        body = {"error": self.error, "error_description": self.description, "code": code}
        return JSONResponse(body, status_code=self.status, headers={**_NO_STORE, **self.headers})


async def token_endpoint(request: Request) -> JSONResponse:
    """Exchange client credentials for a signed access token."""
    try:
        return await _issue(request)
    except _OAuthError as error:
        return error.response()


async def _issue(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    engine: AsyncEngine = request.app.state.engine
    params = await _parameters(request)
    grant_type = params.get("grant_type")
    if grant_type is None:
        raise _OAuthError("invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        raise _OAuthError("unsupported_grant_type", "only client_credentials is supported")
    client_id, secret, used_basic = _credentials(request, params)
    try:
        client = await authenticate_client(engine, client_id, secret)
    except AuthenticationError as error:
        refused = _OAuthError("invalid_client", error.message, status=401)
        if used_basic:
            refused.headers["WWW-Authenticate"] = 'Basic realm="hub"'
        raise refused from error
    purposes = client.purposes
    if params.get("scope"):
        requested = tuple(dict.fromkeys(params["scope"].split()))
        if not set(requested) <= set(client.purposes):
            raise _OAuthError("invalid_scope", "scope names a purpose this client may not use")
        purposes = requested
    issued = await issue_for_client(engine, settings, client, purposes=purposes)
    body = {
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "scope": " ".join(issued.purposes),
    }
    return JSONResponse(body, headers=_NO_STORE)


async def _parameters(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise _OAuthError("invalid_request", "request body is too large")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
        if content_type == "application/x-www-form-urlencoded":
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))
        elif content_type == "application/json":
            document = json.loads(text)
            if not isinstance(document, dict):
                raise ValueError("not an object")
            pairs = list(document.items())
        else:
            raise _OAuthError(
                "invalid_request", "send application/x-www-form-urlencoded or application/json"
            )
    except ValueError as error:
        raise _OAuthError("invalid_request", "request body cannot be parsed") from error
    params: dict[str, str] = {}
    for name, value in pairs:
        if not isinstance(value, str):
            raise _OAuthError("invalid_request", f"parameter {name!r} must be a string")
        if name in params:
            raise _OAuthError("invalid_request", f"parameter {name!r} is repeated")
        params[name] = value
    return params


def _credentials(request: Request, params: dict[str, str]) -> tuple[str, str, bool]:
    """(client id, secret, whether HTTP Basic was used); exactly one method is allowed."""
    authorization = request.headers.get("authorization")
    in_body = "client_secret" in params
    if authorization is None:
        if not in_body or "client_id" not in params:
            missing = _OAuthError("invalid_client", "client authentication is required", 401)
            missing.headers["WWW-Authenticate"] = 'Basic realm="hub"'
            raise missing
        return params["client_id"], params["client_secret"], False
    if in_body:
        raise _OAuthError("invalid_request", "use one client authentication method, not two")
    scheme, _, encoded = authorization.partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError(scheme)
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        raw_id, separator, raw_secret = decoded.partition(":")
        if not separator:
            raise ValueError("no colon")
    except (ValueError, binascii.Error) as error:
        refused = _OAuthError("invalid_client", "the Authorization header is not HTTP Basic", 401)
        refused.headers["WWW-Authenticate"] = 'Basic realm="hub"'
        raise refused from error
    client_id, secret = unquote_plus(raw_id), unquote_plus(raw_secret)
    if params.get("client_id", client_id) != client_id:
        raise _OAuthError("invalid_request", "client_id differs from the authenticated client")
    return client_id, secret, True


async def jwks_endpoint(request: Request) -> JSONResponse:
    """The public keys that verify hub tokens: the current one and those still in use."""
    settings: Settings = request.app.state.settings
    store = key_store_for(settings, request.app.state.engine)
    await current_signing_key(store)  # a fresh install publishes its first key straight away
    document = jwks_document(await published_keys(store))
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=60"})


def oauth_routes() -> list[BaseRoute]:
    """The token endpoint and the JWKS, to add to the application's routes."""
    return [
        Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
        Route(JWKS_PATH, jwks_endpoint, methods=["GET"]),
    ]
