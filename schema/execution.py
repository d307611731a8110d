"""Execution that passes database-built JSON through untouched.

A compiled root field returns an ``orjson.Fragment`` holding the JSON for exactly its
selection; completing it field by field in Python would cost more than building it did.
"""

from typing import Any

import orjson
from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class PassThroughExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core execution that returns pre-built JSON fragments as they are."""

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """Return a JSON fragment untouched; complete anything else as graphql-core does."""
        if isinstance(result, orjson.Fragment):
            return result
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
