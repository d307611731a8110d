"""Federation ``_entities``: representations resolved in batches, one statement per key."""

from typing import Any, Optional

import orjson
from graphql import GraphQLError, GraphQLResolveInfo
from strawberry import federation
from strawberry.federation.schema import FederationAny
from strawberry.types import ExecutionContext, Info

from hub.errors import BadRequestError, HubError
from schema.plans import SelectionReader

ENTITY_KEYS = {"Learner": ("id", "uln"), "Partner": ("id", "ukprn", "urn"), "Provision": ("id",)}


def _key_of(typename: str, representation: dict[str, Any]) -> tuple[str, Any]:
    for key in ENTITY_KEYS.get(typename, ()):
        if representation.get(key) is not None:
            value = representation[key]
            if key == "id":
                try:
                    value = int(value)
                except (TypeError, ValueError) as error:
                    raise BadRequestError(f"{typename}.id must be an id") from error
            return key, value
    raise BadRequestError(f"no @key of {typename} in representation")


async def resolve_entities(
    info: GraphQLResolveInfo, representations: list[dict[str, Any]]
) -> list[Optional[orjson.Fragment]]:
    """Every representation, in order: its JSON, or null when missing or not visible."""
    context = info.context
    reader = SelectionReader.from_info(info)
    sets = [node.selection_set for node in info.field_nodes if node.selection_set is not None]
    wanted: dict[tuple[str, str], list[tuple[int, Any]]] = {}
    for index, representation in enumerate(representations):
        typename = representation.get("__typename")
        if typename not in ENTITY_KEYS:
            raise BadRequestError(f"{typename!r} is not an entity of this subgraph")
        key, value = _key_of(typename, representation)
        wanted.setdefault((typename, key), []).append((index, value))
    results: list[Optional[orjson.Fragment]] = [None] * len(representations)
    for (typename, key), items in wanted.items():
        node = reader.node_plan(typename, sets)
        found, withheld = await context.reads.lookup(
            typename, node, key, sorted({value for _, value in items}, key=str)
        )
        context.note_withheld(withheld, info)
        for index, value in items:
            text = found.get(str(value))
            results[index] = orjson.Fragment(text) if text is not None else None
    return results


class HubFederationSchema(federation.Schema):
    """Strawberry's federation schema with a batched ``_entities`` resolver."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: Optional[ExecutionContext] = None
    ) -> None:
        """Log unexpected errors with their traceback; a HubError is an answer, not a fault."""
        unexpected = [e for e in errors if not isinstance(e.original_error, HubError)]
        if unexpected:
            super().process_errors(unexpected, execution_context)

    async def entities_resolver(  # type: ignore[override]
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        """Resolve all representations with one statement per (type, key)."""
        return await resolve_entities(info._raw_info, representations)  # type: ignore[arg-type,return-value]
