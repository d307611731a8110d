"""Run GraphQL operations in-process against a database, for read-path tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import SYSTEM, Principal
from policies.access import ALLOW_ALL, ReadScope
from policies.operations import Operations
from policies.session import ReadSession, WriteSession
from schema import build_schema
from schema.context import Context
from tests.support.reference import ReferenceExecutionContext

SCHEMA = build_schema()
REFERENCE_SCHEMA = build_schema()
REFERENCE_SCHEMA.execution_context_class = ReferenceExecutionContext


async def execute(
    engine: AsyncEngine,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    principal: Principal = SYSTEM,
    scope: ReadScope = ALLOW_ALL,
    reference: bool = False,
) -> dict[str, Any]:
    """Execute ``query``; the response may hold JSON fragments (encode with orjson)."""
    context = Context(
        principal=principal,
        reads=ReadSession(engine, principal, scope),
        writes=WriteSession(engine, principal),
        operations=Operations(engine, principal),
        default_page_size=50,
        max_page_size=500,
    )
    schema = REFERENCE_SCHEMA if reference else SCHEMA
    result = await schema.execute(query, variable_values=variables, context_value=context)
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors]
    return response
