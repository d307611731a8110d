"""What enforcing agreements costs: a scoped principal's page against the admin's same page.

Loads a demo partnership into a fresh PostgreSQL database, then times, through the real ASGI
app (real tokens, audit on), a college attendance officer's page of 50 learners with their
participations, and an admin query returning the same 50 learners (selected by their ULNs
through a filter-free `_entities` lookup would change the shape, so the admin pages through
`learners(filter: {partnerId})` and the row sets are compared and printed). Prints median and
p95 latency of each and the ratio scoped/admin (target: at most 1.1).

Usage: ``python -m bench.scope_overhead --learners 20000 [--requests 300]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from hub.app import build_app
from hub.auth.clients import create_client
from hub.auth.issuing import issue_for_client
from hub.config import Settings, load_settings
from hub.demo.bulk import load_demo
from hub.demo.generator import DemoModel
from hub.store.engine import create_engine_for
from hub.store.migrate import upgrade

ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SHAPE = (
    "edges { node { id uln givenName familyName participations { sessionsAttended "
    "provision { title deliveringPartner { name } } } } }"
)


async def _token(
    settings: Settings, *, role: str, partner: int | None, purpose: str | None
) -> str:
    engine = create_engine_for(settings.database_url)
    try:
        client = await create_client(
            engine,
            name=f"bench {uuid.uuid4().hex[:6]}",
            partner_id=partner,
            role=role,
            purposes=() if purpose is None else (purpose,),
        )
        issued = await issue_for_client(engine, settings, client.record, ttl_seconds=3600)
    finally:
        await engine.dispose()
    return issued.access_token


async def _time_pair(
    http: httpx.AsyncClient, first: tuple[str, str], second: tuple[str, str], requests: int
) -> tuple[list[float], list[float]]:
    """Alternate the two (token, query) requests, so load from elsewhere hits both alike."""

    async def one(token: str, query: str) -> float:
        started = time.perf_counter()
        response = await http.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        return elapsed

    for _ in range(20):  # warm-up
        await one(*first)
        await one(*second)
    first_times, second_times = [], []
    for _ in range(requests):
        first_times.append(await one(*first))
        second_times.append(await one(*second))
    return first_times, second_times


def _ids(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in body["data"]["learners"]["edges"]]


async def _run(learners: int, requests: int) -> None:
    name = f"hub_bench_scope_{uuid.uuid4().hex[:6]}"
    server = await asyncpg.connect(dsn=ADMIN_URL.replace("+asyncpg", ""))
    await server.execute(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        engine = create_engine_for(url)
        await load_demo(engine, DemoModel(learners))
        async with engine.connect() as connection:
            from sqlalchemy import text

            college = (
                await connection.execute(
                    text(
                        "SELECT id FROM partners WHERE partner_type = 'fe_college' "
                        "ORDER BY id LIMIT 1"
                    )
                )
            ).scalar_one()
        await engine.dispose()
        settings = load_settings({}, database_url=url, env="prod")
        scoped = await _token(
            settings, role="caseworker", partner=college, purpose="attendance_reporting"
        )
        admin = await _token(settings, role="admin", partner=None, purpose=None)
        app = build_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
                scoped_query = f"{{ learners(first: 50) {{ {SHAPE} }} }}"
                admin_query = (
                    f'{{ learners(first: 50, filter: {{partnerId: "{college}"}}) {{ {SHAPE} }} }}'
                )
                headers = {"Authorization": f"Bearer {scoped}"}
                first = (
                    await http.post("/graphql", json={"query": scoped_query}, headers=headers)
                ).json()
                headers = {"Authorization": f"Bearer {admin}"}
                second = (
                    await http.post("/graphql", json={"query": admin_query}, headers=headers)
                ).json()
                same = len(set(_ids(first)) & set(_ids(second)))
                scoped_times, admin_times = await _time_pair(
                    http, (scoped, scoped_query), (admin, admin_query), requests
                )
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()
    scoped_p50 = statistics.median(scoped_times) * 1000
    admin_p50 = statistics.median(admin_times) * 1000
    scoped_p95 = statistics.quantiles(scoped_times, n=20)[-1] * 1000
    admin_p95 = statistics.quantiles(admin_times, n=20)[-1] * 1000
    print(f"learners in partnership   {learners:>10,}")
    print(f"rows per page             {len(_ids(first)):>10} (same rows as admin: {same})")
    print(f"scoped p50 / p95 ms       {scoped_p50:>10.2f} / {scoped_p95:.2f}")
    print(f"admin  p50 / p95 ms       {admin_p50:>10.2f} / {admin_p95:.2f}")
    print(f"ratio scoped/admin (p50)  {scoped_p50 / admin_p50:>10.2f}")


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    asyncio.run(_run(arguments.learners, arguments.requests))


if __name__ == "__main__":
    main()
