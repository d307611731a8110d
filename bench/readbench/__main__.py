"""``make bench``: the hub's read path against PostGraphile v5 on one PostgreSQL database.

Steps: install the npm parts into the cache; create and load ``hub_readbench_<N>`` (reused when
it already holds N learners); load the agreements, register the bench clients, generate the
row-level-security policies from the hub's own scope; check both servers return the same rows;
count SQL statements per request from the PostgreSQL log; then the load runs, one server at a
time, each shape after a warm-up. Optional scale runs (``--scale 10000,1000000``) measure the
hub's p50 with and without totalCount at other sizes. The last line printed is
``throughput hub/postgraphile: shape1=R1 shape2=R2 shape3=R3``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import text

from bench.readbench.database import Prepared, database_name, prepare
from bench.readbench.measure import (
    LoadResult,
    StatementLog,
    autocannon,
    post,
    statements_per_request,
)
from bench.readbench.servers import (
    ROOT,
    cache_dir,
    graphile_server,
    hub_server,
    install_npm_parts,
)
from bench.readbench.shapes import Shape, shapes
from hub.store.engine import create_engine_for

OUT = ROOT / "bench" / "out"


def _say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _body(query: str) -> bytes:
    return json.dumps({"query": query}).encode()


def _hub_headers(prepared: Prepared, shape: Shape) -> dict[str, str]:
    token = prepared.admin_token if shape.admin else prepared.partner_token
    return {"authorization": f"Bearer {token}"}


async def _set_logging(server_url: str, database: str, on: bool) -> Path | None:
    engine = create_engine_for(server_url)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            action = "SET log_statement = 'all'" if on else "RESET log_statement"
            await connection.execute(text(f'ALTER DATABASE "{database}" {action}'))
            current = await connection.scalar(text("SELECT pg_current_logfile()"))
            data_dir = await connection.scalar(text("SHOW data_directory"))
            version = await connection.scalar(text("SHOW server_version_num"))
    finally:
        await engine.dispose()
    if current:
        path = Path(current)
        return path if path.is_absolute() else Path(str(data_dir)) / path
    major = int(str(version)) // 10000
    fallback = Path(f"/var/log/postgresql/postgresql-{major}-main.log")
    return fallback if fallback.exists() else None


def _check(hub: dict[str, object], graphile: dict[str, object], shape: Shape) -> str:
    """Both answers error-free with the same rows: proves RLS gives PostGraphile the same scope."""
    for name, answer in (("hub", hub), ("postgraphile", graphile)):
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{shape.key}: {name} answered with errors: "
                             f"{json.dumps(answer.get('errors'))[:2000]}")
    hub_data, graphile_data = hub["data"], graphile["data"]
    if not isinstance(hub_data, dict) or not isinstance(graphile_data, dict):
        raise SystemExit(f"{shape.key}: an answer without a data object")
    rows = (shape.rows(hub_data), shape.rows(graphile_data))
    if rows[0] != rows[1]:
        raise SystemExit(f"{shape.key}: hub returned {rows[0]} rows, PostGraphile {rows[1]}")
    if shape.key in ("shape1", "shape2"):
        hub_ulns = [e["node"]["uln"] for e in hub_data["learners"]["edges"]]
        graphile_ulns = [n["uln"] for n in graphile_data["allLearners"]["nodes"]]
        if hub_ulns != graphile_ulns:
            raise SystemExit(f"{shape.key}: the two servers returned different learners")
    if shape.key == "shape2":
        hub_titles = [[p["provision"]["title"] for p in e["node"]["participations"]]
                      for e in hub_data["learners"]["edges"]]
        graphile_titles = [[p["provisionByProvisionId"]["title"]
                            for p in n["participationsByLearnerId"]["nodes"]]
                           for n in graphile_data["allLearners"]["nodes"]]
        if hub_titles != graphile_titles:
            raise SystemExit("shape2: the two servers returned different participations")
    return f"{rows[0]} rows, identical"


def _check_rls_filters(endpoint: str) -> None:
    """PostGraphile under a purpose no policy grants must see no learner at all."""
    body = _body(shapes()[0].graphile_query)
    answer = post(endpoint, body, {"x-hub-partner": "14", "x-hub-purpose": "none"})
    data = answer.get("data") or {}
    seen = len(data.get("allLearners", {}).get("nodes", [None]))
    if answer.get("errors") or seen:
        raise SystemExit(f"row-level security does not filter: {seen} learners seen without "
                         "a granted purpose")
    _say("postgraphile: row-level security filters (no purpose granted: 0 learners)")


@contextmanager
def _server(kind: str, prepared: Prepared, workers: int) -> Iterator[str]:
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / f"{kind}.log"
    server: AbstractContextManager[str]
    if kind == "hub":
        server = hub_server(prepared.url, prepared.partner_token, workers, log)
    else:
        server = graphile_server(prepared.libpq_url, cache_dir(), log)
    with server as endpoint:
        yield endpoint


def _headers_for(kind: str, prepared: Prepared) -> Callable[[Shape], dict[str, str]]:
    if kind == "hub":
        return lambda shape: _hub_headers(prepared, shape)
    return lambda shape: shape.graphile_headers()


def _query(kind: str, shape: Shape) -> str:
    return shape.hub_query if kind == "hub" else shape.graphile_query


def _count_statements(args: argparse.Namespace, prepared: Prepared,
                      answers: dict[tuple[str, str], dict[str, object]]
                      ) -> dict[tuple[str, str], tuple[float, str]]:
    name = database_name(prepared.learners)
    path = asyncio.run(_set_logging(args.server_url, name, True))
    counts: dict[tuple[str, str], tuple[float, str]] = {}
    try:
        log = StatementLog(path, name)
        for kind in ("hub", "postgraphile"):
            with _server(kind, prepared, args.workers) as endpoint:
                headers = _headers_for(kind, prepared)
                if kind == "postgraphile":
                    _check_rls_filters(endpoint)
                for shape in shapes():
                    body = _body(_query(kind, shape))
                    answers[(kind, shape.key)] = post(endpoint, body, headers(shape))
                    if log.available:
                        time.sleep(0.3)
                        counts[(kind, shape.key)] = statements_per_request(
                            log, endpoint, body, headers(shape))
    finally:
        asyncio.run(_set_logging(args.server_url, name, False))
    if not counts:
        _say("the PostgreSQL log is not readable here: statements per request not counted")
    return counts


def _load_runs(args: argparse.Namespace, prepared: Prepared, kinds: tuple[str, ...],
               shape_list: list[Shape], *, connections: int | None = None,
               strict: bool = True) -> dict[tuple[str, str], LoadResult]:
    cache = cache_dir()
    connections = connections or args.connections
    results: dict[tuple[str, str], LoadResult] = {}
    for kind in kinds:
        with _server(kind, prepared, args.workers) as endpoint:
            headers = _headers_for(kind, prepared)
            for shape in shape_list:
                body = _body(_query(kind, shape))
                _say(f"{kind} {shape.key}: warm-up {args.warmup} s, then {args.seconds} s")
                autocannon(cache, endpoint, body, headers(shape),
                           connections=connections, seconds=args.warmup)
                result = autocannon(cache, endpoint, body, headers(shape),
                                    connections=connections, seconds=args.seconds)
                if result.failures and strict:
                    raise SystemExit(f"{kind} {shape.key}: {result.failures} failed requests")
                results[(kind, shape.key)] = result
    return results


def _table(prepared: Prepared, args: argparse.Namespace,
           results: dict[tuple[str, str], LoadResult],
           counts: dict[tuple[str, str], tuple[float, str]]) -> dict[str, float]:
    print(f"Read path: hub ({args.workers} uvicorn workers, HUB_ENV=prod) vs PostGraphile 5 "
          f"(amber, Node 22, 1 process); {prepared.learners:,} learners; autocannon "
          f"-c {args.connections}, {args.warmup} s warm-up + {args.seconds} s per shape")
    header = f"{'shape':<8}{'server':<14}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'stmts/req':>11}"
    print(header)
    print("-" * len(header))
    ratios: dict[str, float] = {}
    for shape in shapes():
        for kind in ("hub", "postgraphile"):
            result = results[(kind, shape.key)]
            count = counts.get((kind, shape.key))
            stmts = f"{count[0]:.2f}" if count else "n/a"
            print(f"{shape.key:<8}{kind:<14}{result.rps:>10.1f}{result.p50_ms:>9.1f}"
                  f"{result.p99_ms:>9.1f}{stmts:>11}")
        hub, peer = results[("hub", shape.key)], results[("postgraphile", shape.key)]
        ratios[shape.key] = hub.rps / peer.rps if peer.rps else float("inf")
        p99 = hub.p99_ms / peer.p99_ms if peer.p99_ms else float("inf")
        print(f"{shape.key:<8}{'hub/pg':<14}{ratios[shape.key]:>10.2f}"
              f"{hub.p50_ms / peer.p50_ms if peer.p50_ms else 0:>9.2f}{p99:>9.2f}")
    if counts:
        print("statements per request, by kind:")
        for (kind, key), (_, breakdown) in sorted(counts.items()):
            print(f"  {key} {kind}: {breakdown}")
    return ratios


def _scale(args: argparse.Namespace) -> None:
    """p50 of the page shapes at other sizes, one connection (service time, not queueing)."""
    sizes = [int(s) for s in args.scale.split(",") if s]
    rows: list[str] = []
    for size in sizes:
        _say(f"scale: preparing {database_name(size)}")
        prepared = asyncio.run(prepare(args.server_url, size, fresh=args.reload))
        plain = _load_runs(args, prepared, ("hub",), shapes()[:2],
                           connections=args.scale_connections, strict=False)
        with_total = _load_runs(args, prepared, ("hub",), shapes(total_count=True)[:2],
                                connections=args.scale_connections, strict=False)
        for key in ("shape1", "shape2"):
            base, total = plain[("hub", key)], with_total[("hub", key)]
            failed = base.failures + total.failures
            note = f"  ({failed} requests over 30 s)" if failed else ""
            rows.append(f"{size:>10}{key:>8}{base.p50_ms:>9.1f}{total.p50_ms:>16.1f}"
                        f"{total.p50_ms - base.p50_ms:>17.1f}{base.rps:>9.1f}{note}")
    print(f"Scale (hub only, autocannon -c {args.scale_connections}, {args.warmup} s warm-up + "
          f"{args.seconds} s; p50 in ms):")
    print(f"{'learners':>10}{'shape':>8}{'p50':>9}{'p50+totalCount':>16}{'totalCount cost':>17}"
          f"{'req/s':>9}")
    for row in rows:
        print(row)


def main(argv: list[str] | None = None) -> None:
    """Parse options, prepare, check, count, load, print the table and the ratio line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--warmup", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--scale", default="", help="extra sizes for the hub-only scale runs, "
                        "e.g. 10000,1000000")
    parser.add_argument("--scale-connections", type=int, default=1)
    parser.add_argument("--scale-only", action="store_true",
                        help="run only the scale runs (no comparison, no ratio line)")
    parser.add_argument("--reload", action="store_true",
                        help="drop and reload the bench databases even if their schema matches")
    parser.add_argument("--server-url", default=os.environ.get(
        "BENCH_SERVER_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"),
        help="a database on the PostgreSQL server to create the bench database from")
    args = parser.parse_args(argv)
    _say("installing npm parts into " + str(cache_dir()))
    install_npm_parts(cache_dir())
    if args.scale_only:
        _scale(args)
        return
    _say(f"preparing {database_name(args.learners)}")
    prepared = asyncio.run(prepare(args.server_url, args.learners, fresh=args.reload))
    answers: dict[tuple[str, str], dict[str, object]] = {}
    _say("checking answers and counting statements (log_statement on, sequential requests)")
    counts = _count_statements(args, prepared, answers)
    for shape in shapes():
        verdict = _check(answers[("hub", shape.key)], answers[("postgraphile", shape.key)], shape)
        _say(f"{shape.key}: {verdict}")
    results = _load_runs(args, prepared, ("hub", "postgraphile"), shapes())
    if args.scale:
        _scale(args)
    ratios = _table(prepared, args, results, counts)
    print("throughput hub/postgraphile: " + " ".join(
        f"{key}={value:.2f}" for key, value in ratios.items()))


if __name__ == "__main__":
    main()
