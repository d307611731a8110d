"""Load N demo learners into a PostgreSQL (or SQLite) database and print time and rows/s.

Usage: ``python -m bench.load_demo --learners 100000 --database-url postgresql+asyncpg://...``.
The database is migrated to head first and must hold no learners (use a fresh one).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from hub.demo.bulk import count_learners, load_demo
from hub.demo.generator import DEFAULT_SEED, DemoModel
from hub.store.engine import create_engine_for
from hub.store.migrate import upgrade


async def _run(url: str, learners: int, seed: int) -> None:
    engine = create_engine_for(url)
    try:
        if await count_learners(engine):
            raise SystemExit("the database already holds learners: use a fresh database")
        started = time.perf_counter()
        result = await load_demo(engine, DemoModel(learners, seed))
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    print(f"learners        {learners:>12,}")
    print(f"rows            {result.total_rows:>12,}")
    print(f"seconds         {seconds:>12.1f}")
    print(f"rows/s          {result.total_rows / seconds:>12,.0f}")
    print(f"learners/s      {learners / seconds:>12,.0f}")


def main() -> None:
    """Parse arguments, migrate, load, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    upgrade(args.database_url)
    asyncio.run(_run(args.database_url, args.learners, args.seed))


if __name__ == "__main__":
    main()
