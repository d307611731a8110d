"""The strawberry schema: an Apollo Federation v2 subgraph with query limits."""

from pathlib import Path
from typing import Any

from strawberry import federation
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from schema.accountability import Mutation
from schema.errors import ClientErrorsExtension
from schema.execution import PassThroughExecutionContext
from schema.federation import HubFederationSchema
from schema.queries import Query
from schema.scalars import SCALAR_MAP
from schema.withheld import WithheldFieldsExtension

FEDERATION_VERSION = "2.7"
SDL_PATH = Path(__file__).with_name("schema.graphql")


def build_schema(
    *,
    max_depth: int = 10,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    introspection: bool = True,
) -> federation.Schema:
    """The hub's schema, with the request limits in force before any partner has a token.

    With ``introspection`` off (every environment but dev), ``__schema``/``__type`` queries are
    refused; a federation gateway still reads the SDL through ``_service { sdl }``.
    """
    limits: list[Any] = [] if introspection else [DisableIntrospection]
    return HubFederationSchema(
        query=Query,
        mutation=Mutation,
        federation_version=FEDERATION_VERSION,  # type: ignore[arg-type]
        execution_context_class=PassThroughExecutionContext,
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
        extensions=[
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            ClientErrorsExtension,
            WithheldFieldsExtension,
            *limits,
        ],
    )


def render_sdl() -> str:
    """The subgraph SDL, as written to ``schema/schema.graphql``."""
    return build_schema().as_str() + "\n"
