"""Keys of the compiled-statement cache: equal only when everything that shapes SQL is equal."""

from __future__ import annotations

import datetime as dt

import pytest

from policies.plan import FieldPlan, NodePlan, Selected
from policies.statement_cache import Identity, StatementCache, freeze


def _plan(first: int | None) -> NodePlan:
    arguments = {} if first is None else {"first": first}
    inner = NodePlan("Participation", (FieldPlan("id", "id", Selected.SCALAR),))
    return NodePlan(
        "Learner",
        (
            FieldPlan("uln", "uln", Selected.SCALAR),
            FieldPlan("participations", "participations", Selected.LIST, inner, arguments),
        ),
    )


def test_plans_with_different_nested_arguments_or_aliases_differ() -> None:
    assert freeze(_plan(None)) == freeze(_plan(None))
    assert freeze(_plan(5)) != freeze(_plan(None))
    assert freeze(_plan(5)) != freeze(_plan(6))
    aliased = NodePlan("Learner", (FieldPlan("u", "uln", Selected.SCALAR),))
    plain = NodePlan("Learner", (FieldPlan("uln", "uln", Selected.SCALAR),))
    assert freeze(aliased) != freeze(plain)


def test_filter_values_keep_their_type_and_dict_order_does_not_matter() -> None:
    assert freeze({"a": 1, "b": "x"}) == freeze({"b": "x", "a": 1})
    assert freeze({"minAge": 1}) != freeze({"minAge": True})
    assert freeze({"minAge": 1}) != freeze({"minAge": "1"})
    assert freeze({"day": dt.date(2026, 1, 1)}) != freeze({"day": dt.date(2026, 1, 2)})
    assert freeze({"ids": [1, 2]}) != freeze({"ids": [2, 1]})
    assert freeze({"x": {"y": [1]}}) == freeze({"x": {"y": [1]}})


def test_identity_keys_equal_only_the_same_object() -> None:
    first, second = {"scope": 1}, {"scope": 1}
    assert Identity(first) == Identity(first)
    assert Identity(first) != Identity(second)
    assert len({Identity(first), Identity(first), Identity(second)}) == 2


def test_cache_builds_once_evicts_least_recently_used_and_never_caches_a_failure() -> None:
    cache: StatementCache[str] = StatementCache(size=2)
    builds: list[str] = []

    def build(value: str) -> str:
        builds.append(value)
        return value

    assert cache.get_or_build("a", lambda: build("a")) == "a"
    assert cache.get_or_build("a", lambda: build("again")) == "a"
    cache.get_or_build("b", lambda: build("b"))
    cache.get_or_build("a", lambda: build("again"))  # a is now the most recent
    cache.get_or_build("c", lambda: build("c"))  # evicts b
    assert len(cache) == 2
    cache.get_or_build("b", lambda: build("b2"))
    assert builds == ["a", "b", "c", "b2"]
    assert (cache.hits, cache.misses) == (2, 4)

    class RefusedError(Exception):
        pass

    def fail() -> str:
        raise RefusedError

    for _ in range(2):
        with pytest.raises(RefusedError):
            cache.get_or_build("d", fail)
    assert cache.misses == 6
