"""The per-request GraphQL context: the principal's read session and the request's limits."""

from dataclasses import dataclass, field
from typing import Any, Optional

from graphql import GraphQLResolveInfo

from hub.principal import Principal
from policies.operations import Operations
from policies.reads import Withheld
from policies.session import ReadSession, WriteSession


@dataclass
class Context:
    """Built once per request; its principal and read session never change during it."""

    principal: Principal
    reads: ReadSession
    writes: WriteSession
    operations: Operations
    default_page_size: int
    max_page_size: int
    request_id: Optional[str] = None
    withheld_paths: dict[str, Withheld] = field(default_factory=dict)

    def note_withheld(self, withheld: tuple[Withheld, ...], info: GraphQLResolveInfo) -> None:
        """Remember withheld fields by response path, so each is reported once."""
        root = info.path.key
        for item in withheld:
            self.withheld_paths.setdefault(".".join((str(root), *item.path)), item)

    def extras(self) -> dict[str, Any]:
        """What the view adds to the response besides data and errors."""
        return {}
