"""Migrations run the same on both backends and agree with the models."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

import hub.store.models  # noqa: F401
from hub.store.base import Base
from hub.store.engine import create_engine_for
from hub.store.migrate import downgrade, upgrade
from tests.support.databases import fresh_database


def _differences(url: str) -> list[object]:
    def compare(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async def run() -> list[object]:
        engine = create_engine_for(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _tables(url: str) -> set[str]:
    async def run() -> set[str]:
        engine = create_engine_for(url)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda c: inspect(c).get_table_names())
                return set(names)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_to_head_matches_the_models(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as url:
        upgrade(url)
        assert _differences(url) == []
        assert set(Base.metadata.tables) <= _tables(url)


def test_downgrade_to_base_removes_every_table(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as url:
        upgrade(url)
        downgrade(url, "base")
        assert _tables(url) <= {"alembic_version"}
        upgrade(url)
        assert _differences(url) == []
