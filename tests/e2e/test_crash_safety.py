"""Crash safety: ``hub ingest`` killed with SIGKILL mid-load leaves nothing, and a rerun loads once.

The ingest runs in a real subprocess on a generated ILR file big enough to take seconds. The
test waits until the batch is visibly "processing" (its data transaction is open), kills the
process outright, and checks that none of the batch's rows are visible. A second run must
resume the same batch and load every learner exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from hub.store.engine import create_engine_for, database_kind
from hub.store.models import IngestBatch, Learner, LearnerRecord, Participation
from tests.support.ilr_synthetic import write_ilr_file

LEARNERS = 4000
REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


async def _state(url: str) -> tuple[list[tuple[int, str]], int, int, int]:
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            batches = [
                (int(row.id), str(row.status))
                for row in await conn.execute(
                    select(IngestBatch.id, IngestBatch.status).order_by(IngestBatch.id)
                )
            ]
            records = await conn.scalar(select(func.count()).select_from(LearnerRecord))
            learners = await conn.scalar(select(func.count()).select_from(Learner))
            participations = await conn.scalar(select(func.count()).select_from(Participation))
    finally:
        await engine.dispose()
    return batches, int(records or 0), int(learners or 0), int(participations or 0)


def _hub(url: str, *args: str, quiet: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_ENV": "test", "COLUMNS": "200"}
    output = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "hub", *args],
        cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
    )


async def _rows_written(url: str) -> bool:
    """Whether the open load has written rows (without seeing them: they are uncommitted).

    PostgreSQL sequences are not transactional, so the learner id sequence moves as soon as the
    loader allocates ids. SQLite spills uncommitted pages into its write-ahead log.
    """
    if database_kind(url) == "sqlite":
        database = make_url(url).database or ""
        wal = Path(database + "-wal")
        return wal.exists() and wal.stat().st_size > 1_000_000
    engine = create_engine_for(url)
    try:
        async with engine.connect() as conn:
            value = await conn.scalar(
                text("SELECT last_value FROM learners_id_seq WHERE is_called")
            )
    finally:
        await engine.dispose()
    return value is not None and int(value) >= 1000


def _wait_for_writes(url: str, process: subprocess.Popen[bytes]) -> None:
    """Wait until the batch is "processing" and its transaction has written rows."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "ingest finished before it could be killed"
        batches, *_ = asyncio.run(_state(url))
        if batches and batches[0][1] == "processing" and asyncio.run(_rows_written(url)):
            return
        time.sleep(0.05)
    raise AssertionError("the load never started writing")


def test_sigkill_mid_ingest_leaves_nothing_and_a_rerun_loads_once(
    empty_url: str, tmp_path: Path
) -> None:
    source = write_ilr_file(tmp_path / "big.xml", LEARNERS, seed=5, ukprn="10000001")
    added = _hub(empty_url, "partners", "add", "--ukprn", "10000001", "--name", "Synthetic FE",
                 "--type", "fe_college", quiet=True)
    assert added.wait(60) == 0
    ingest = ["ingest", "ilr", str(source), "--partner", "1"]

    first = _hub(empty_url, *ingest, quiet=True)
    _wait_for_writes(empty_url, first)
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    batches, records, learners, participations = asyncio.run(_state(empty_url))
    assert batches == [(1, "processing")]  # killed before the commit...
    assert (records, learners, participations) == (0, 0, 0)  # ...so nothing of it is visible

    second = _hub(empty_url, *ingest)
    output = second.communicate(timeout=300)[0].decode()
    assert second.returncode == 0, output
    batches, records, learners, participations = asyncio.run(_state(empty_url))
    assert batches == [(1, "loaded")]  # the same batch, resumed
    assert (records, learners) == (LEARNERS, LEARNERS)
    assert participations > LEARNERS

    third = _hub(empty_url, *ingest)
    output = third.communicate(timeout=120)[0].decode()
    assert third.returncode == 0, output
    assert "already loaded as batch 1" in output
    assert asyncio.run(_state(empty_url))[1] == LEARNERS
