"""Pure ASGI middleware: every request carries a verified bearer token, or is answered here.

On success the request's ``Principal`` (purpose chosen) is put in ``scope["hub.principal"]``;
read it with ``request_principal(request)``. Answers, all JSON ``{"error", "code"}``:

- 401 ``UNAUTHENTICATED`` with ``WWW-Authenticate: Bearer``: no token, malformed header, or a
  token that fails any check (signature, algorithm, key id, issuer, audience, times, revoked
  client);
- 403 ``FORBIDDEN_PURPOSE``: the token is valid but does not allow the ``Hub-Purpose`` asked for
  (the caller IS authenticated, so 401 would wrongly invite it to fetch a new token);
- 400 ``PURPOSE_REQUIRED`` (or ``BAD_REQUEST``): the token allows several purposes and the request
  named none (or sent the header twice);
- 503 ``UNAVAILABLE``: the external issuer's keys or the database could not be reached.

Open without a token: ``/healthz``, ``/readyz``, the token endpoint, the JWKS, and in the ``dev``
environment the GraphiQL page (a GET of ``/graphql`` accepting ``text/html`` with no ``query``).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from hub.auth.authenticator import Authenticator
from hub.auth.claims import with_purpose
from hub.config import Settings
from hub.errors import (
    AuthenticationError,
    BadRequestError,
    ForbiddenError,
    HubError,
    UnavailableError,
)
from hub.principal import Principal
from hub.web.oauth import JWKS_PATH, TOKEN_PATH

PRINCIPAL_SCOPE_KEY = "hub.principal"
PURPOSE_HEADER = b"hub-purpose"
PUBLIC_PATHS = frozenset({"/healthz", "/readyz", TOKEN_PATH, JWKS_PATH})
GRAPHQL_PATH = "/graphql"
_MISSING_CREDENTIALS = "a bearer token is required"
_BEARER = re.compile(r"^Bearer +([A-Za-z0-9\-._~+/]+=*) *$", re.IGNORECASE)


def request_principal(connection: HTTPConnection) -> Principal:
    """The principal the middleware authenticated for this request.

    Raises:
        AuthenticationError: the request reached a route the middleware left open.
    """
    principal = connection.scope.get(PRINCIPAL_SCOPE_KEY)
    if not isinstance(principal, Principal):
        raise AuthenticationError("this request is not authenticated")
    return principal


class AuthenticationMiddleware:
    """Authenticates every HTTP and WebSocket request except the few open paths."""

    def __init__(
        self, app: ASGIApp, *, settings: Settings, authenticator: Authenticator | None = None
    ) -> None:
        self.app = app
        self.settings = settings
        self.authenticator = authenticator or Authenticator(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate, then pass the request on with the principal in its scope."""
        if scope["type"] not in ("http", "websocket") or self._is_open(scope):
            await self.app(scope, receive, send)
            return
        try:
            principal = await self._principal(scope)
        except HubError as error:
            await _refuse(scope, send, error)
            return
        await self.app({**scope, PRINCIPAL_SCOPE_KEY: principal}, receive, send)

    def _is_open(self, scope: Scope) -> bool:
        path: str = scope["path"]
        if path in PUBLIC_PATHS:
            return True
        if not (self.settings.is_dev and path == GRAPHQL_PATH and scope.get("method") == "GET"):
            return False
        accepts_html = b"text/html" in (_header(scope, b"accept") or b"")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        # GraphiQL's page is served only when no query is sent; with one, the query would run.
        return accepts_html and "query" not in query

    async def _principal(self, scope: Scope) -> Principal:
        authorization = _header(scope, b"authorization")
        if authorization is None:
            raise AuthenticationError(_MISSING_CREDENTIALS)
        match = _BEARER.match(authorization.decode("latin-1"))
        if match is None:
            raise AuthenticationError("the Authorization header is not 'Bearer <token>'")
        principal = await self.authenticator.authenticate(_engine(scope), match.group(1))
        purpose = _header(scope, PURPOSE_HEADER)
        return with_purpose(principal, None if purpose is None else purpose.decode("latin-1"))


def _header(scope: Scope, name: bytes) -> bytes | None:
    values = [value for key, value in scope.get("headers", ()) if key.lower() == name]
    if len(values) > 1:
        if name == b"authorization":
            raise AuthenticationError("more than one Authorization header")
        if name == PURPOSE_HEADER:
            raise BadRequestError("send one Hub-Purpose header, not several")
    return values[0] if values else None


def _engine(scope: Scope) -> AsyncEngine:
    try:
        engine: AsyncEngine = scope["app"].state.engine
    except (KeyError, AttributeError) as error:
        raise UnavailableError("the hub is not ready: no database engine") from error
    return engine


def _status(error: HubError) -> int:
    if isinstance(error, AuthenticationError):
        return 401
    if isinstance(error, ForbiddenError):
        return 403
    if isinstance(error, BadRequestError):
        return 400
    return 503


async def _refuse(scope: Scope, send: Send, error: HubError) -> None:
    status = _status(error)
    if scope["type"] == "websocket":
        # Closing before accept makes the server answer the upgrade with 403.
        await send({"type": "websocket.close", "code": 1008, "reason": error.code})
        return
    body = json.dumps({"error": str(error), "code": error.code}).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
    ]
    if status == 401:
        challenge = 'Bearer realm="hub"'
        if error.message != _MISSING_CREDENTIALS:  # RFC 6750: no error code without credentials
            description = re.sub(r'["\\]', "'", error.message)
            challenge += f', error="invalid_token", error_description="{description}"'
        headers.append((b"www-authenticate", challenge.encode("latin-1", "replace")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
