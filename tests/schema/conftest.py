"""Read-path tests use the sample partnership (see ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.engine import create_engine_for


@pytest.fixture
async def sample_engine(sample_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the sample database."""
    engine = create_engine_for(sample_url)
    yield engine
    await engine.dispose()
