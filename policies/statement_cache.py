"""Compiled read statements, reused while nothing that shaped them has changed.

Building a statement means building every agreement predicate, alias and JSON expression as
SQLAlchemy objects: most of a request's Python time, and the same work for every request with
the same selection, principal scope and day. Each worker keeps the statements it built, keyed by
everything that shaped them, with the values that vary between requests (cursor, offset, lookup
keys, the principal's client and the request's ids) left as bound parameters; the page size is
part of the key, because the limit is part of the text (one generic plan per statement).

Authorization is part of the key, never a parameter: the scope object itself (by identity; one
per partner, role, purpose and day, rebuilt whenever the agreements in force change), the day
and every filter value. So a new agreement set, a new day or another principal's scope can only
ever miss the cache, never be served a statement compiled for something else.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from policies.plan import NodePlan

T = TypeVar("T")
DEFAULT_SIZE = 512


class Identity:
    """A key part equal only to itself: the exact scope object a statement was compiled for.

    The key holds the object, so its id cannot be reused by another object while cached.
    """

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identity) and other.value is self.value


def _plan_key(node: NodePlan) -> Hashable:
    # The hot case (every request has one), spelled out rather than found by reflection.
    return (
        node.typename,
        tuple(
            (
                selected.key,
                selected.name,
                selected.kind,
                None if selected.node is None else _plan_key(selected.node),
                freeze(selected.arguments) if selected.arguments else None,
            )
            for selected in node.fields
        ),
    )


def freeze(value: Any) -> Hashable:
    """A hashable, order-preserving form of plans, filters and argument values."""
    if isinstance(value, NodePlan):
        return _plan_key(value)
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), freeze(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("seq", tuple(freeze(item) for item in value))
    if isinstance(value, set | frozenset):
        return ("set", tuple(sorted(repr(freeze(item)) for item in value)))
    try:
        hash(value)
    except TypeError:
        return ("repr", type(value).__name__, repr(value))
    # Type included: 1, 1.0 and True are equal as keys but not as SQL values.
    return (type(value).__name__, value)


class StatementCache(Generic[T]):
    """A bounded least-recently-used map from a statement's key to what was built for it."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """The entry for ``key``, building it on a miss (a failed build caches nothing)."""
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return found
        self.misses += 1
        built = build()
        self._entries[key] = built
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return built

    def clear(self) -> None:
        """Forget every entry (tests, and an operator who wants a cold start)."""
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
