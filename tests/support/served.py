"""The real application, lifespan running, behind an httpx client over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette

from hub.app import build_app
from hub.config import Settings, load_settings


def settings_for(database_url: str, **overrides: object) -> Settings:
    """Settings for an app on ``database_url`` in the test environment."""
    return load_settings({}, database_url=database_url, **{"env": "test", **overrides})


@asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """``build_app(settings)`` with its lifespan entered, and a client talking to it."""
    app = build_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as client:
            yield app, client
