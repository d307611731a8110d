"""Async engines for the embedded SQLite default and for PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


def database_kind(url: str) -> str:
    """``"sqlite"`` or ``"postgresql"``, from a database URL."""
    return make_url(url).get_backend_name()


def create_engine_for(url: str, *, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    """An engine with the settings the hub needs on each backend.

    Bound parameters are hidden from error messages and logs, because they carry personal data.
    SQLite gets foreign keys switched on and a WAL journal so readers don't block the writer.
    """
    kind = database_kind(url)
    options: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if kind == "sqlite":
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        options["poolclass"] = NullPool
        options["connect_args"] = {"timeout": 30}
    else:
        options["pool_size"] = pool_size
        options["max_overflow"] = pool_size
        options["pool_pre_ping"] = False
        # Reads are short statements whose plans carry large cost estimates (correlated JSON
        # subqueries); PostgreSQL's JIT would spend far longer compiling them than running.
        options["connect_args"] = {"server_settings": {"jit": "off"}}
    engine = create_async_engine(url, **options)
    if kind == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # PostgreSQL has md5(text) built in; policies.granularity computes pseudonyms with it.
    dbapi_connection.create_function("md5", 1, _md5, deterministic=True)


def _md5(text: str | None) -> str | None:
    if text is None:
        return None
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
