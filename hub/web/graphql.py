"""The GraphQL endpoint: strawberry's ASGI view with a typed per-request context.

Responses are encoded with orjson so the database-built JSON fragments pass straight through.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from hub.config import Settings
from hub.principal import Principal
from hub.telemetry import current_trace_id
from hub.web.agreements import AgreementsInForce
from hub.web.auth import PRINCIPAL_SCOPE_KEY
from policies.access import DENY_ALL
from policies.session import ReadSession, WriteSession
from schema import build_schema
from schema.context import Context


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with orjson encoding and the hub's context."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(
                max_depth=settings.max_query_depth,
                max_aliases=settings.max_aliases,
                max_tokens=settings.max_tokens,
            ),
            graphql_ide="graphiql" if settings.is_dev else None,
            allow_queries_via_get=True,
        )
        self.settings = settings

    def encode_json(self, data: object) -> bytes:
        """orjson passes ``orjson.Fragment`` values through untouched."""
        return orjson.dumps(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        """One read session per request, for the authenticated principal."""
        principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
        if not isinstance(principal, Principal):
            # Only the dev GraphiQL page gets here unauthenticated (the middleware refuses
            # everything else); strawberry builds a context before rendering it, so give it one
            # that can read nothing.
            return self._anonymous_context(request.app.state.engine)
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        today = dt.datetime.now(dt.UTC).date()
        agreements: AgreementsInForce = request.app.state.agreements
        reads = ReadSession(
            request.app.state.engine,
            principal,
            await agreements.scope_for(principal, today),
            today=today,
            nested_limit=self.settings.max_page_size,
            request_id=request_id[:64],
            trace_id=current_trace_id(),
        )
        return Context(
            principal=principal,
            reads=reads,
            writes=WriteSession(request.app.state.engine, principal),
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
            request_id=request_id,
        )


    def _anonymous_context(self, engine: AsyncEngine) -> Context:
        principal = Principal(subject="anonymous", role="anonymous")
        return Context(
            principal=principal,
            reads=ReadSession(engine, principal, DENY_ALL),
            writes=WriteSession(engine, principal),
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
        )


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """The /graphql route."""
    view: Any = HubGraphQL(settings)
    return [Route("/graphql", view, methods=["GET", "POST"])]
