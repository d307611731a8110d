"""Alembic environment: runs migrations over the hub's async engine on either backend."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import hub.store.models  # noqa: F401  (registers every table on the metadata)
from hub.store.base import Base
from hub.store.engine import create_engine_for

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("the migration runner did not set sqlalchemy.url")
    engine = create_engine_for(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


asyncio.run(_run_online())
