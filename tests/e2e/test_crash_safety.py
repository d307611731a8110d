"""Crash safety: an ingest killed with SIGKILL mid-load leaves nothing, and a rerun loads once.

The ingest runs in a real subprocess on a generated ILR file big enough to take seconds. The
test waits until the batch is visibly "processing" (its data transaction is open), kills the
process outright, and checks that none of the batch's rows are visible. A second run must
resume the same batch and load every learner exactly once. The same holds for an HTTP upload:
the server is killed while loading it, and on restart it resumes the stored upload.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from hub.store.engine import create_engine_for, database_kind
from hub.store.models import IngestBatch, Learner, LearnerRecord, Participation
from tests.support.ilr_synthetic import write_ilr_file
from tests.support.tokens import bearer, issue_token

LEARNERS = 3000
# The server test kills a second after the load takes SQLite's write lock: the file must take
# longer than that to load, with room to spare on a fast machine.
UPLOAD_LEARNERS = 20_000
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
        cwd=REPO,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )


def _wait_for_first_chunk(process: subprocess.Popen[bytes]) -> None:
    """Wait until ``hub ingest`` reports its first chunk written (inside the open transaction)."""
    assert process.stdout is not None
    for raw in process.stdout:
        line = raw.decode(errors="replace")
        if line.startswith("loading ") and not line.rstrip().endswith(": 0 records"):
            return
    raise AssertionError("ingest ended before it loaded a chunk")


async def _load_in_progress(url: str) -> bool:
    """Whether a load's transaction is open and writing rows (which no one can see yet).

    PostgreSQL sequences are not transactional: the learner id sequence moves as soon as the
    loader allocates ids. On SQLite the open transaction holds the write lock.
    """
    if database_kind(url) == "sqlite":
        probe = sqlite3.connect(make_url(url).database or "", timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.rollback()
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
        return False
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
    """Wait until the batch is "processing" and its transaction is writing rows."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the load finished before it could be killed"
        batches, *_ = asyncio.run(_state(url))
        if batches and batches[0][1] == "processing" and asyncio.run(_load_in_progress(url)):
            if database_kind(url) == "sqlite":
                time.sleep(1.0)  # the lock shows the transaction is open; let it write rows
            return
        time.sleep(0.05)
    raise AssertionError("the load never started writing")


def _processes_reading(path: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(path).encode() in cmdline:
            found.append(int(entry.name))
    return found


def _wait_until_no_process_reads(path: Path) -> None:
    deadline = time.monotonic() + 10
    while _processes_reading(path):
        assert time.monotonic() < deadline, f"left running: {_processes_reading(path)}"
        time.sleep(0.1)


def test_sigkill_mid_ingest_leaves_nothing_and_a_rerun_loads_once(
    empty_url: str, tmp_path: Path
) -> None:
    source = write_ilr_file(tmp_path / "big.xml", LEARNERS, seed=5, ukprn="10000001")
    added = _hub(
        empty_url,
        "partners",
        "add",
        "--ukprn",
        "10000001",
        "--name",
        "Synthetic FE",
        "--type",
        "fe_college",
        quiet=True,
    )
    assert added.wait(60) == 0
    ingest = ["ingest", "ilr", str(source), "--partner", "1"]

    first = _hub(empty_url, *ingest)
    _wait_for_first_chunk(first)  # rows are written, uncommitted
    first.send_signal(signal.SIGKILL)
    first.wait(30)
    assert first.stdout is not None
    first.stdout.close()
    _wait_until_no_process_reads(source)  # the reader process does not outlive its loader
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_ENV": "test", "HUB_DATA_DIR": str(data_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "hub", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server did not start"
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        time.sleep(0.1)
    raise AssertionError("the server did not answer /healthz")


def _wait_for_status(url: str, status: str) -> None:
    deadline = time.monotonic() + 300
    while asyncio.run(_state(url))[0] != [(1, status)]:
        assert time.monotonic() < deadline, f"batch never became {status!r}"
        time.sleep(0.2)


def test_server_killed_mid_upload_load_resumes_the_batch_on_restart(
    empty_url: str, tmp_path: Path
) -> None:
    source = write_ilr_file(tmp_path / "upload.xml", UPLOAD_LEARNERS, seed=6, ukprn="10000001")
    added = _hub(
        empty_url,
        "partners",
        "add",
        "--ukprn",
        "10000001",
        "--name",
        "Synthetic FE",
        "--type",
        "fe_college",
        quiet=True,
    )
    assert added.wait(60) == 0
    token = asyncio.run(
        issue_token(empty_url, role="mis_integration", partner_id=1)
    )
    port = _free_port()
    server = _serve(empty_url, tmp_path / "data", port)
    try:
        answer = httpx.post(
            f"http://127.0.0.1:{port}/ingest/ilr?partner=1",
            content=source.read_bytes(),
            headers=bearer(token),
            timeout=60,
        )
        assert answer.status_code == 202, answer.text
        assert answer.json()["batch"] == 1
        _wait_for_writes(empty_url, server)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(30)
    batches, records, learners, _participations = asyncio.run(_state(empty_url))
    assert batches == [(1, "processing")]
    assert (records, learners) == (0, 0)
    assert len(list((tmp_path / "data" / "uploads").iterdir())) == 1  # the upload survived

    server = _serve(empty_url, tmp_path / "data", port)
    try:
        _wait_for_status(empty_url, "loaded")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    _batches, records, learners, _participations = asyncio.run(_state(empty_url))
    assert (records, learners) == (UPLOAD_LEARNERS, UPLOAD_LEARNERS)
