"""Benchmark ILR ingest into PostgreSQL against its floor.

Usage: ``python -m bench.ingest_ilr [N ...] [--pg postgresql+asyncpg://postgres@127.0.0.1/postgres]``
(default N = 10000). For each N it generates a synthetic ILR file, then in separate processes:

- **ingest**: ``connectors.pipeline.ingest_file`` into a fresh, migrated database (created and
  dropped here): wall and CPU time, rows/s, peak RSS of the process;
- **floor**: what no ingest can avoid: the streaming parse with per-learner XSD validation of the
  same file (``bench.ilr_parse.parse_and_xsd``, which includes the connector's scanning first
  pass), plus a bare ``COPY`` of the same normalised rows (learners, learner records,
  participations) into a fresh database;
- **strict floor**: the same, with one streaming pass and nothing else (``one_pass_xsd``), as
  the issue words it; printed alongside, so neither ratio flatters the other.

The target is ingest <= 2x floor at 100,000 learners with peak RSS < 300 MB.
"""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
UKPRN = "10000001"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _admin(admin_url: str, statement: str) -> None:
    url = make_url(admin_url)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def _fresh_database(admin_url: str) -> AsyncIterator[str]:
    from hub.store.migrate import upgrade

    name = f"hub_bench_{uuid.uuid4().hex[:10]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _child_ingest(path: Path, admin_url: str) -> dict[str, Any]:
    from connectors.pipeline import ingest_file
    from hub.store.engine import create_engine_for
    from hub.store.models.partners import Partner

    async with _fresh_database(admin_url) as url:
        engine = create_engine_for(url)
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    Partner.__table__.insert().values(
                        id=1, name="Bench College", partner_type="fe_college", ukprn=UKPRN
                    )
                )
            wall, cpu = time.perf_counter(), time.process_time()
            summary = await ingest_file(engine, "ilr", path, partner_id=1)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            reader = resource.getrusage(resource.RUSAGE_CHILDREN)
            reader_cpu = reader.ru_utime + reader.ru_stime
            # A resubmission of the same learners (another file hash): every record replaces
            # its predecessor and every learner is matched by ULN.
            again = path.with_name("resubmitted-" + path.name)
            shutil.copyfile(path, again)  # streamed: the bench must not inflate the RSS it reports
            with again.open("ab") as handle:
                handle.write(b"<!-- resubmitted -->\n")
            reload_wall = time.perf_counter()
            resubmitted = await ingest_file(engine, "ilr", again, partner_id=1)
            reload_wall = time.perf_counter() - reload_wall
        finally:
            await engine.dispose()
    return {
        "wall": wall,
        "cpu": cpu,
        "rss": _peak_rss_mb(),
        "status": summary.status,
        "reload_wall": reload_wall,
        "reader_cpu": reader_cpu,
        "reader_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "reload_matched": resubmitted.learners_matched,
        "loaded": summary.records_loaded,
        "rejected": summary.records_rejected,
    }


def _floor_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The normalised rows an ingest writes, built (untimed) from the connector's records."""
    import datetime as dt

    from connectors.ilr import IlrConnector
    from connectors.records import LearnerIn, ParticipationIn

    today = dt.date(2025, 10, 15)
    rows: dict[str, list[tuple[Any, ...]]] = {
        "learners": [],
        "learner_records": [],
        "participations": [],
    }
    provision: dict[str, int] = {}
    learner_id = 0
    for parsed in IlrConnector().read(path):
        if parsed.is_rejected:
            continue
        for record in parsed.records:
            if isinstance(record, LearnerIn):
                learner_id += 1
                rows["learners"].append(
                    (
                        learner_id,
                        record.uln,
                        record.given_name,
                        record.family_name,
                        record.date_of_birth,
                        record.sex,
                        record.ethnicity_source_code,
                        record.postcode,
                    )
                )
                rows["learner_records"].append(
                    (
                        learner_id,
                        learner_id,
                        1,
                        record.local_ref,
                        "ilr",
                        False,
                        today,
                        record.uln,
                        record.given_name,
                        record.family_name,
                        record.date_of_birth,
                        record.postcode,
                    )
                )
            elif isinstance(record, ParticipationIn):
                aim = record.learn_aim_ref or record.provision_title
                provision_id = provision.setdefault(aim, len(provision) + 1)
                rows["participations"].append(
                    (
                        learner_id,
                        provision_id,
                        1,
                        record.start_date,
                        record.planned_end_date,
                        record.actual_end_date,
                        record.completion_status,
                        record.outcome,
                        record.source_ref,
                    )
                )
    rows["provision"] = [(pid, 1, aim[:200], "2025-26") for aim, pid in provision.items()]
    return rows


_FLOOR_COLUMNS = {
    "provision": ["id", "delivering_partner_id", "title", "academic_year"],
    "learners": [
        "id",
        "uln",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "ethnicity_source_code",
        "postcode",
    ],
    "learner_records": [
        "id",
        "learner_id",
        "partner_id",
        "local_ref",
        "source",
        "is_on_roll",
        "as_of",
        "uln",
        "given_name",
        "family_name",
        "date_of_birth",
        "postcode",
    ],
    "participations": [
        "learner_id",
        "provision_id",
        "delivering_partner_id",
        "start_date",
        "planned_end_date",
        "actual_end_date",
        "completion_status",
        "outcome",
        "source_ref",
    ],
}


async def _child_floor(path: Path, admin_url: str) -> dict[str, Any]:
    from bench.ilr_parse import one_pass_xsd, parse_and_xsd

    wall, cpu = time.perf_counter(), time.process_time()
    parse_and_xsd(path)
    parse_wall, parse_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall = time.perf_counter()
    one_pass_xsd(path)
    one_pass_wall = time.perf_counter() - wall
    rows = _floor_rows(path)
    async with _fresh_database(admin_url) as url:
        target = make_url(url)
        connection = await asyncpg.connect(
            host=target.host,
            port=target.port or 5432,
            user=target.username,
            database=target.database,
        )
        try:
            await connection.execute(
                "INSERT INTO partners (id, name, partner_type, ukprn) "
                "VALUES (1, 'Floor', 'fe_college', $1)",
                UKPRN,
            )
            wall = time.perf_counter()
            async with connection.transaction():
                for table in ("provision", "learners", "learner_records", "participations"):
                    await connection.copy_records_to_table(
                        table, records=rows[table], columns=_FLOOR_COLUMNS[table]
                    )
            copy_wall = time.perf_counter() - wall
        finally:
            await connection.close()
    return {
        "parse_wall": parse_wall,
        "parse_cpu": parse_cpu,
        "one_pass_wall": one_pass_wall,
        "copy_wall": copy_wall,
        "rows": sum(len(r) for r in rows.values()),
    }


def _child(kind: str, path: str, admin_url: str) -> None:
    work = _child_ingest if kind == "ingest" else _child_floor
    print(json.dumps(asyncio.run(work(Path(path), admin_url))))


def _run_child(kind: str, path: Path, admin_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.ingest_ilr", f"--child-{kind}", str(path), admin_url],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(sizes: list[int], admin_url: str) -> None:
    from bench.ilr_generate import write_ilr_file

    for learners in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"ILR-{UKPRN}-2526-20251015-090000-01.xml"
            write_ilr_file(path, learners, seed=1, ukprn=UKPRN)
            size = path.stat().st_size / 1e6
            ingest = _run_child("ingest", path, admin_url)
            floor = _run_child("floor", path, admin_url)
        floor_wall = floor["parse_wall"] + floor["copy_wall"]
        print(
            f"\n{learners:,} learners ({size:.1f} MB): {ingest['status']}, "
            f"{ingest['loaded']:,} loaded, {ingest['rejected']:,} rejected"
        )
        print(
            f"  ingest   {ingest['wall']:8.2f} s wall {ingest['cpu']:8.2f} s cpu "
            f"(+ reader process {ingest['reader_cpu']:.2f} s cpu)  "
            f"{ingest['loaded'] / ingest['wall']:9,.0f} learners/s"
        )
        print(
            f"           peak RSS {ingest['rss']:.0f} MB "
            f"(reader process {ingest['reader_rss']:.0f} MB)"
        )
        print(
            f"  reload   {ingest['reload_wall']:8.2f} s wall (the same learners resubmitted: "
            f"{ingest['reload_matched']:,} matched by ULN, the earlier rows replaced)"
        )
        print(
            f"  floor    {floor_wall:8.2f} s wall = parse+XSD {floor['parse_wall']:.2f} s "
            f"(cpu {floor['parse_cpu']:.2f}) + COPY {floor['copy_wall']:.2f} s "
            f"of {floor['rows']:,} rows"
        )
        print(f"  ratio    {ingest['wall'] / floor_wall:8.2f}x the floor (target <= 2x)")
        strict = floor["one_pass_wall"] + floor["copy_wall"]
        print(
            f"  strict   {strict:8.2f} s wall = one pass+XSD {floor['one_pass_wall']:.2f} s "
            f"+ COPY: ingest {ingest['wall'] / strict:.2f}x"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1].startswith("--child-"):
        _child(sys.argv[1].removeprefix("--child-"), sys.argv[2], sys.argv[3])
    else:
        args = sys.argv[1:]
        admin = DEFAULT_ADMIN_URL
        if "--pg" in args:
            admin = args[args.index("--pg") + 1]
            del args[args.index("--pg") : args.index("--pg") + 2]
        main([int(n) for n in args] or [10_000], admin)
