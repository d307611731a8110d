"""Errors as clients see them: a HubError's message and ``extensions.code``; anything else masked.

Validation errors (no original error) pass unchanged. An unexpected exception's text could
carry personal data or internals, so clients get a fixed message and its code only.
"""

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from hub.errors import HubError

INTERNAL_ERROR = "INTERNAL_ERROR"


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as it may be shown to the client."""
    original = error.original_error
    if original is None or (error.extensions or {}).get("code"):
        return error
    if isinstance(original, HubError):
        return GraphQLError(
            str(original),
            nodes=error.nodes,
            path=error.path,
            original_error=original,
            extensions={"code": original.code},
        )
    return GraphQLError(
        "internal error: the request could not be completed",
        nodes=error.nodes,
        path=error.path,
        original_error=None,
        extensions={"code": INTERNAL_ERROR},
    )


class ClientErrorsExtension(SchemaExtension):
    """Rewrites every execution error with ``client_error``."""

    def on_execute(self) -> Iterator[None]:
        """After execution, replace each error with its client form."""
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [client_error(error) for error in result.errors]
