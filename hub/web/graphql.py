"""The GraphQL endpoint: strawberry's ASGI view with a typed per-request context.

Responses are encoded with orjson so the database-built JSON fragments pass straight through.
Each worker keeps the parsed document of every query text that passed validation (a bounded
LRU), so a client repeating a query skips parsing and validation: the schema and the limits
are the same for every principal, so a document valid once is valid for everyone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import orjson
from graphql import DocumentNode
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension

from hub.config import Settings
from hub.principal import Principal
from hub.telemetry import current_trace_id
from hub.web.agreements import AgreementsInForce
from hub.web.auth import PRINCIPAL_SCOPE_KEY
from policies.access import DENY_ALL
from policies.operations import Operations
from policies.session import ReadSession, WriteSession
from schema import build_schema
from schema.context import Context

DOCUMENT_CACHE_SIZE = 512


class ValidDocuments:
    """A bounded LRU of query text -> parsed document, holding only documents that validated."""

    def __init__(self, maxsize: int = DOCUMENT_CACHE_SIZE) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()

    def get(self, query: str) -> DocumentNode | None:
        """The cached document for ``query``, marking it recently used."""
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def put(self, query: str, document: DocumentNode) -> None:
        """Remember a document that passed validation, evicting the least recently used."""
        self._documents[query] = document
        self._documents.move_to_end(query)
        while len(self._documents) > self.maxsize:
            self._documents.popitem(last=False)


class DocumentCacheExtension(SchemaExtension):
    """Skips parsing and validation for a query text this worker has already validated.

    Only documents that validated without errors are kept, so an invalid query is parsed and
    validated (and refused) every time, and the token, depth and alias limits, enforced while
    parsing and validating, were passed by exactly this text under the same settings.
    """

    def __init__(self, documents: ValidDocuments) -> None:
        super().__init__()
        self.documents = documents
        self.hit = False

    def on_parse(self) -> Iterator[None]:
        """Hand strawberry the cached document so it does not parse the text again."""
        query = self.execution_context.query
        document = self.documents.get(query) if query else None
        if document is not None:
            self.execution_context.graphql_document = document
            self.hit = True
        yield

    def on_validate(self) -> Iterator[None]:
        """Mark a cached document as validated; remember a newly validated one."""
        context = self.execution_context
        if self.hit:
            context.pre_execution_errors = []
        yield
        if (not self.hit and context.query and context.graphql_document is not None
                and context.pre_execution_errors == []):
            self.documents.put(context.query, context.graphql_document)


class HubGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with orjson encoding, a document cache and the hub's context."""

    def __init__(self, settings: Settings) -> None:
        schema = build_schema(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            introspection=settings.is_dev,
        )
        documents = ValidDocuments()
        schema.extensions = (*schema.extensions, lambda: DocumentCacheExtension(documents))
        super().__init__(
            schema,
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
            operations=Operations(request.app.state.engine, principal),
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
            operations=Operations(engine, principal),
            default_page_size=self.settings.default_page_size,
            max_page_size=self.settings.max_page_size,
        )


def graphql_routes(settings: Settings) -> list[BaseRoute]:
    """The /graphql route."""
    view: Any = HubGraphQL(settings)
    return [Route("/graphql", view, methods=["GET", "POST"])]
