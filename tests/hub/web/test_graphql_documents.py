"""The per-worker cache of validated documents: only valid texts are kept, limits still hold."""

from __future__ import annotations

from graphql import parse
from strawberry.federation import Schema

from hub.web.graphql import DocumentCacheExtension, ValidDocuments
from schema import build_schema


def _schema(documents: ValidDocuments, max_depth: int = 10) -> Schema:
    schema = build_schema(max_depth=max_depth)
    schema.extensions = (*schema.extensions, lambda: DocumentCacheExtension(documents))
    return schema


async def test_a_valid_query_is_parsed_once_and_reused() -> None:
    documents = ValidDocuments()
    schema = _schema(documents)
    first = await schema.execute("{ __typename }")
    cached = documents.get("{ __typename }")
    second = await schema.execute("{ __typename }")
    assert first.errors is None
    assert second.errors is None
    assert first.data == second.data == {"__typename": "Query"}
    assert cached is not None
    assert documents.get("{ __typename }") is cached


async def test_an_invalid_query_is_never_cached_and_refused_every_time() -> None:
    documents = ValidDocuments()
    schema = _schema(documents)
    for _ in range(2):
        result = await schema.execute("{ noSuchField }")
        assert result.errors
        assert "noSuchField" in result.errors[0].message
    assert documents.get("{ noSuchField }") is None


async def test_the_depth_limit_still_refuses_a_repeated_deep_query() -> None:
    documents = ValidDocuments()
    schema = _schema(documents, max_depth=2)
    deep = "{ learners { edges { node { participations { provision { title } } } } } }"
    for _ in range(2):
        result = await schema.execute(deep)
        assert result.errors
        assert "exceeds maximum operation depth" in result.errors[0].message
    assert documents.get(deep) is None


def test_the_least_recently_used_document_is_evicted_first() -> None:
    documents = ValidDocuments(maxsize=2)
    for text in ("{ a }", "{ b }"):
        documents.put(text, parse(text))
    documents.get("{ a }")
    documents.put("{ c }", parse("{ c }"))
    assert documents.get("{ b }") is None
    assert documents.get("{ a }") is not None
    assert documents.get("{ c }") is not None
