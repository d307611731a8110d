"""Relay connections: the envelope around a page of rows the database turned into JSON.

Only the envelope (edges, cursors, page info, total) is assembled here, once per row; every
node's JSON is passed through untouched as an ``orjson.Fragment``.
"""

import base64
import binascii
from typing import Any, Generic, Optional, TypeVar

import orjson
import strawberry
from graphql import GraphQLResolveInfo

from hub.errors import BadRequestError
from policies.plan import FieldPlan, NodePlan, Selected
from policies.session import PageResult
from schema.plans import root_node_plan

NodeType = TypeVar("NodeType")
_CURSOR_PREFIX = "cursor:"
_POSITION_PREFIX = "position:"


@strawberry.type
class PageInfo:
    """Where this page sits: whether pages follow or precede it, and its end cursors."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: Optional[str]
    end_cursor: Optional[str]


@strawberry.type
class Edge(Generic[NodeType]):
    """A node and the cursor to continue after it."""

    cursor: str
    node: NodeType


@strawberry.type
class Connection(Generic[NodeType]):
    """A page of nodes (keyset pagination over ids, stable under inserts)."""

    edges: list[Edge[NodeType]]
    page_info: PageInfo
    total_count: Optional[int] = strawberry.field(
        description="How many nodes match the filter (counted only when selected)."
    )


def encode_cursor(row_id: int) -> str:
    """An opaque cursor continuing after the row with this id."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{row_id}".encode()).decode()


def encode_position(position: int) -> str:
    """An opaque cursor continuing after the first ``position`` rows (ids withheld)."""
    return base64.urlsafe_b64encode(f"{_POSITION_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str, *, positional: bool) -> int:
    """The id (or, for ``positional`` cursors, the position) inside a cursor.

    A principal whose rows' ids are withheld gets positional cursors and may only send those
    back, so it can neither read nor probe real ids through cursors.
    """
    prefix = _POSITION_PREFIX if positional else _CURSOR_PREFIX
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(prefix):
            value = int(text.removeprefix(prefix))
            if value >= 0:
                return value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadRequestError(f"not a cursor this API issued to you: {cursor!r}")


def page_size(first: Optional[int], default: int, maximum: int) -> int:
    """The page size asked for, within the server's bounds."""
    if first is None:
        return default
    if first < 0:
        raise BadRequestError("first must not be negative")
    if first > maximum:
        raise BadRequestError(f"first must be at most {maximum}")
    return first


def node_selections(envelope: NodePlan) -> list[tuple[tuple[str, ...], NodePlan]]:
    """Every ``edges { node { ... } }`` selection in the envelope (aliases make several)."""
    found: list[tuple[tuple[str, ...], NodePlan]] = []
    for edges in envelope.fields:
        if edges.name == "edges" and edges.node is not None:
            for node in edges.node.fields:
                if node.name == "node" and node.node is not None:
                    found.append(((edges.key, node.key), node.node))
    return found


def assemble(
    envelope: NodePlan, result: PageResult, *, has_previous: bool, cursors: list[str]
) -> orjson.Fragment:
    """The connection's JSON, with each node's database-built JSON passed through."""
    node_index = {path: index for index, (path, _) in enumerate(node_selections(envelope))}

    def edge(row_index: int, edges_key: str, plan: NodePlan) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in plan.fields:
            if item.kind is Selected.TYPENAME:
                out[item.key] = plan.typename
            elif item.name == "cursor":
                out[item.key] = cursors[row_index]
            else:
                column = node_index[(edges_key, item.key)]
                out[item.key] = orjson.Fragment(result.rows[row_index].nodes[column])
        return out

    def page_info(plan: NodePlan) -> dict[str, Any]:
        values: dict[str, Any] = {
            "hasNextPage": result.has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
            "__typename": plan.typename,
        }
        return {item.key: values[item.name] for item in plan.fields}

    out: dict[str, Any] = {}
    for item in envelope.fields:
        out[item.key] = _envelope_value(item, envelope, result, edge, page_info)
    return orjson.Fragment(orjson.dumps(out))


def _envelope_value(
    item: FieldPlan, envelope: NodePlan, result: PageResult, edge: Any, page_info: Any
) -> Any:
    if item.kind is Selected.TYPENAME:
        return envelope.typename
    if item.name == "totalCount":
        return result.total
    if item.node is None:
        raise ValueError(f"{item.name} needs a selection")
    if item.name == "pageInfo":
        return page_info(item.node)
    return [edge(index, item.key, item.node) for index in range(len(result.rows))]


async def read_connection(
    info: GraphQLResolveInfo,
    typename: str,
    first: Optional[int],
    after: Optional[str],
    filters: Optional[dict[str, Any]],
) -> Any:
    """Resolve a root connection field with one SQL statement."""
    context = info.context
    envelope = root_node_plan(info, f"{typename}Connection")
    size = page_size(first, context.default_page_size, context.max_page_size)
    positional = context.reads.hides_row_ids(typename)
    after_value = decode_cursor(after, positional=positional) if after is not None else None
    after_id = None if positional else after_value
    offset = (after_value or 0) if positional else 0
    wants_total = any(item.name == "totalCount" for item in envelope.fields)
    result = await context.reads.page(
        typename,
        node_selections(envelope),
        first=size,
        after_id=after_id,
        filters=filters,
        with_total=wants_total,
        offset=offset,
    )
    context.note_withheld(result.withheld, info)
    if positional:
        cursors = [encode_position(offset + index + 1) for index in range(len(result.rows))]
    else:
        cursors = [encode_cursor(row.row_id) for row in result.rows]
    return assemble(envelope, result, has_previous=after is not None, cursors=cursors)
