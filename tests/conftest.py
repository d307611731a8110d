"""Shared fixtures: every database test runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.engine import create_engine_for
from tests.support.databases import backends, fresh_database
from tests.support.sample import load_sample


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database shared by the session (tests must not rely on it being empty)."""
    with fresh_database(backend, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head for one test that needs it empty."""
    with fresh_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
async def engine(empty_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh, empty, migrated database."""
    engine = create_engine_for(empty_url)
    yield engine
    await engine.dispose()


async def _load_sample(url: str) -> None:
    engine = create_engine_for(url)
    try:
        await load_sample(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sample_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own holding the small sample partnership, loaded once per backend."""
    with fresh_database(backend, tmp_path_factory.mktemp("sample")) as url:
        asyncio.run(_load_sample(url))
        yield url
