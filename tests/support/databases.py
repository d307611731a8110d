"""Fresh, migrated test databases on SQLite and (when configured) PostgreSQL.

PostgreSQL is configured with HUB_TEST_DATABASE_URL. When it is set and the server does not
answer, the run fails naming the URL: a needed server that is down is never a silent skip.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from hub.store.migrate import upgrade

POSTGRES_ENV = "HUB_TEST_DATABASE_URL"


def backends() -> list[str]:
    """The backends this run covers: SQLite always, PostgreSQL when configured."""
    return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def postgres_admin_url() -> str:
    """The configured PostgreSQL URL (the server fresh test databases are made on)."""
    return os.environ[POSTGRES_ENV]


async def _pg_execute(admin_url: str, statement: str) -> None:
    url = make_url(admin_url)
    try:
        connection = await asyncpg.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password,
            database=url.database or "postgres",
            timeout=10,
        )
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(
            f"PostgreSQL at {admin_url} did not answer ({error}); start it or unset {POSTGRES_ENV}"
        ) from error
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextmanager
def fresh_database(backend: str, tmp_dir: Path, *, migrate: bool = True) -> Iterator[str]:
    """Create an empty database on ``backend``, migrated to head, and drop it afterwards."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_dir / f'hub-{uuid.uuid4().hex[:8]}.db'}"
        if migrate:
            upgrade(url)
        yield url
        return
    admin_url = postgres_admin_url()
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_execute(admin_url, f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
