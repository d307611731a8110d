"""The sample partnership, loaded once per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.engine import create_engine_for
from tests.support.sample import load_sample


@pytest.fixture(scope="session")
async def sample_url(migrated_url: str) -> str:
    """The session database with the sample partnership loaded once."""
    engine = create_engine_for(migrated_url)
    await load_sample(engine)
    await engine.dispose()
    return migrated_url


@pytest.fixture
async def sample_engine(sample_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the sample database."""
    engine = create_engine_for(sample_url)
    yield engine
    await engine.dispose()
