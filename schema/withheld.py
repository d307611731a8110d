"""One ``FORBIDDEN_FIELD`` error per withheld field path, not one per cell.

The schema is the same for every principal, so a value an agreement does not grant comes back
as null; this extension tells the client why, once per path (list indices left out).
"""

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from schema.context import Context

FORBIDDEN_FIELD = "FORBIDDEN_FIELD"


class WithheldFieldsExtension(SchemaExtension):
    """Adds the context's withheld paths to the response's errors."""

    def on_execute(self) -> Iterator[None]:
        """After execution, report every field the read path withheld."""
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, Context) or result is None or not context.withheld_paths:
            return
        errors = list(result.errors or [])
        for dotted, withheld in sorted(context.withheld_paths.items()):
            reason = (
                "no agreement in force grants this field"
                if withheld.always
                else "withheld on rows no agreement in force covers for this field"
            )
            errors.append(
                GraphQLError(
                    f"{dotted}: {reason}",
                    path=dotted.split("."),
                    extensions={"code": FORBIDDEN_FIELD},
                )
            )
        result.errors = errors
