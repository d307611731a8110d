"""The benchmark database: created if missing, demo data loaded once, agreements, tokens, RLS.

Only the benchmark's own database (``hub_readbench_<N>``) is ever created or dropped. A loaded
database is reused only while it was built from the same schema: its ``COMMENT`` records the
size, the seed and a hash of the migration files, written after the load completes. A changed
migration (also one edited in place, which Alembic's version table cannot show), a new one, or
a half-finished load makes the next run rebuild it instead of benchmarking a stale schema.
Changes to the demo generator alone do not (``--reload`` forces a rebuild).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.readbench.rls import READER_ROLE, rls_sql
from hub.auth.clients import create_client, list_clients
from hub.auth.keys import current_signing_key
from hub.auth.keystore import key_store_for
from hub.auth.tokens import sign_token
from hub.config import load_settings
from hub.demo.bulk import count_learners
from hub.store.engine import create_engine_for
from hub.web.agreements import agreements_folder, load_folder_at_startup
from policies.access import ALLOW_ALL
from policies.counts import Dimension, compile_counts
from policies.loading import active_agreements

PARTNER_ID = 14  # Demoshire College (fe_college, a provider in the Demoshire partnership)
ROLE = "caseworker"
PURPOSE = "attendance_reporting"
ADMIN_PURPOSE = "admin"
SEED = 7
TOKEN_TTL_SECONDS = 3 * 3600
ROOT = Path(__file__).resolve().parents[2]
RLS_FILE = ROOT / "bench" / "postgraphile" / "rls.sql"
MIGRATIONS = ROOT / "hub" / "store" / "migrations" / "versions"


@dataclass(frozen=True, slots=True)
class Prepared:
    """What the servers and the load generator need to read the prepared database."""

    url: str  # SQLAlchemy URL (the hub)
    libpq_url: str  # plain postgres:// URL (PostGraphile)
    partner_token: str
    admin_token: str
    learners: int


def database_name(learners: int) -> str:
    """The benchmark's own database for ``learners`` learners."""
    return f"hub_readbench_{learners}"


def build_fingerprint(learners: int) -> str:
    """What a database built now for ``learners`` records: size, seed, the migrations' hash."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"hub-readbench learners={learners} seed={SEED} schema={digest.hexdigest()[:16]}"


async def _recorded_fingerprint(server_url: str, name: str) -> str | None:
    engine = create_engine_for(server_url)
    try:
        async with engine.connect() as connection:
            found: str | None = await connection.scalar(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                     " WHERE datname = :name"), {"name": name})
    finally:
        await engine.dispose()
    return found


async def _record_fingerprint(server_url: str, name: str, fingerprint: str) -> None:
    engine = create_engine_for(server_url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            quoted = fingerprint.replace("'", "''")
            await connection.execute(text(f'COMMENT ON DATABASE "{name}" IS \'{quoted}\''))
    finally:
        await engine.dispose()


async def _ensure_database(server_url: str, name: str) -> None:
    engine = create_engine_for(server_url)
    try:
        async with engine.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not found:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def _drop_database(server_url: str, name: str) -> None:
    engine = create_engine_for(server_url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def _load(url: str, learners: int) -> None:
    hub = Path(sys.executable).with_name("hub")
    subprocess.run(
        [str(hub), "demo", "--learners", str(learners), "--seed", str(SEED), "--bulk",
         "--database-url", url],
        check=True, stdout=subprocess.DEVNULL,
    )


async def _client(engine: AsyncEngine, name: str, role: str, partner_id: int | None,
                  purposes: tuple[str, ...]) -> str:
    for record in await list_clients(engine):
        if record.name == name and not record.is_revoked:
            return record.client_id
    new = await create_client(engine, name=name, partner_id=partner_id, role=role,
                              purposes=purposes)
    return new.record.client_id


async def _token(engine: AsyncEngine, client_id: str, role: str, partner_id: int | None,
                 purposes: tuple[str, ...]) -> str:
    settings = load_settings({})
    key = await current_signing_key(key_store_for(settings, engine))
    return sign_token(key, issuer=settings.token_issuer, audience=settings.token_audience,
                      client_id=client_id, role=role, partner_id=partner_id,
                      purposes=purposes, ttl_seconds=TOKEN_TTL_SECONDS).access_token


def _counts_function() -> str:
    """PostGraphile's shape 3: the hub's own count statement, unscoped (RLS scopes it)."""
    from sqlalchemy.dialects import postgresql

    query = compile_counts(
        ALLOW_ALL, [Dimension.LA_OF_RESIDENCE, Dimension.AGE, Dimension.ACTIVITY_CATEGORY],
        {"activityCategory": "neet"}, backend="postgresql", today=dt.datetime.now(dt.UTC).date())
    body = str(query.statement.compile(dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                                       compile_kwargs={"literal_binds": True}))
    return (
        "CREATE OR REPLACE FUNCTION public.bench_neet_counts()\n"
        "  RETURNS TABLE (la_of_residence text, age integer, activity_category text,"
        " count bigint)\n"
        f"  LANGUAGE sql STABLE AS $body$\n{body}\n$body$;\n"
        f"GRANT EXECUTE ON FUNCTION public.bench_neet_counts() TO {READER_ROLE};\n"
    )


async def _apply_rls(engine: AsyncEngine) -> str:
    async with engine.connect() as connection:
        agreements = await active_agreements(connection)
    sql = rls_sql(agreements, {PURPOSE: False}, ROLE, dt.datetime.now(dt.UTC).date(),
                  admin_purpose=ADMIN_PURPOSE) + _counts_function()
    raw = await engine.raw_connection()
    try:
        await raw.driver_connection.execute(sql)  # type: ignore[union-attr]
    finally:
        raw.close()
    return sql


async def prepare(server_url: str, learners: int, *, fresh: bool = False) -> Prepared:
    """Create (or reuse) the database for ``learners``, then agreements, clients, tokens, RLS."""
    name = database_name(learners)
    base, _, _ = server_url.rpartition("/")
    url = f"{base}/{name}"
    fingerprint = build_fingerprint(learners)
    if fresh or await _recorded_fingerprint(server_url, name) != fingerprint:
        # Missing, half-loaded (no fingerprint yet) or built from other sources: load anew.
        await _drop_database(server_url, name)
        await _ensure_database(server_url, name)
        await asyncio.to_thread(_load, url, learners)
    engine = create_engine_for(url)
    try:
        existing = await count_learners(engine)
        if existing != learners:
            raise SystemExit(f"{name} holds {existing} learners, not {learners}")
        await _record_fingerprint(server_url, name, fingerprint)
        await load_folder_at_startup(engine, agreements_folder(load_settings({})))
        partner = await _client(engine, "bench-read-college", ROLE, PARTNER_ID, (PURPOSE,))
        admin = await _client(engine, "bench-read-admin", "admin", None, ())
        partner_token = await _token(engine, partner, ROLE, PARTNER_ID, (PURPOSE,))
        admin_token = await _token(engine, admin, "admin", None, ())
        sql = await _apply_rls(engine)
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
    finally:
        await engine.dispose()
    RLS_FILE.write_text(sql)
    libpq = url.replace("postgresql+asyncpg://", "postgres://")
    return Prepared(url, libpq, partner_token, admin_token, learners)
