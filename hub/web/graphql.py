"""The GraphQL endpoint: strawberry's ASGI view with a typed per-request context.

Responses are encoded with orjson so the database-built JSON fragments pass straight through.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from hub.config import Settings
from hub.principal import Principal
from hub.telemetry import current_trace_id
from hub.web.auth import request_principal
from policies.access import ALLOW_ALL, ReadScope
from policies.session import ReadSession
from schema import build_schema
from schema.context import Context


def scope_for(principal: Principal) -> ReadScope:
    """The read scope for a principal (agreement-based scopes plug in here)."""
    if principal.is_admin:
        return ALLOW_ALL
    return ALLOW_ALL


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
        principal = request_principal(request)
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        reads = ReadSession(
            request.app.state.engine,
            principal,
            scope_for(principal),
            nested_limit=self.settings.max_page_size,
            request_id=request_id[:64],
            trace_id=current_trace_id(),
        )
        return Context(
            principal=principal,
            reads=reads,
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
            request_id=request_id,
        )


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """The /graphql route."""
    view: Any = HubGraphQL(settings)
    return [Route("/graphql", view, methods=["GET", "POST"])]
