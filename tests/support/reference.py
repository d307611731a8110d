"""Strawberry's own completion of the database's JSON, to prove the pass-through is exact.

The compiled path hands the database's JSON to the client untouched. This execution context
instead parses it and lets graphql-core complete every field (scalar coercion, ``__typename``,
null handling, key order from the selection). If the two responses differ by one byte, the
compiled JSON did not match the selection.
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLObjectType
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.execution import PassThroughExecutionContext


class _FromDatabase(dict[str, Any]):
    """An object the database built; its fields are read by response key."""


def _mark(value: Any) -> Any:
    if isinstance(value, dict):
        return _FromDatabase({key: _mark(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_mark(item) for item in value]
    return value


class ReferenceExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Completes database JSON field by field, as if resolvers had returned it."""

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if isinstance(result, orjson.Fragment):
            result = _mark(orjson.loads(orjson.dumps(result)))
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_abstract_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not isinstance(result, _FromDatabase):
            return super().complete_abstract_value(
                return_type, field_details_list, info, path, result, position_context
            )
        # The database's object names its type only through a selected __typename.
        runtime_type = self.ensure_valid_runtime_type(
            result["__typename"], return_type, field_details_list, info, result
        )
        return self.complete_object_value(
            runtime_type, field_details_list, info, path, result, position_context
        )

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        name = field_details_list[0].node.name.value
        if not isinstance(source, _FromDatabase) or name == "__typename":
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            raise KeyError(name)
        nodes = [details.node for details in field_details_list]
        info = self.build_resolve_info(field_def, nodes, parent_type, path)
        value = source[str(path.key)]  # a missing key is a compiled-JSON defect
        return self.complete_value(
            field_def.type, field_details_list, info, path, value, position_context
        )


__all__ = ["PassThroughExecutionContext", "ReferenceExecutionContext"]
