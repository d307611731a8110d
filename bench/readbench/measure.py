"""Load runs (autocannon, the same for both servers) and SQL statements per request.

Statements are counted from PostgreSQL's own log: the benchmark database gets
``log_statement = 'all'`` for a short sequential run (never during the load runs), and every
statement or execute line of that database between two offsets is counted, transaction control
included.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.readbench.servers import node_bin


@dataclass(frozen=True, slots=True)
class LoadResult:
    """One autocannon run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int


def post(endpoint: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """One GraphQL POST; the decoded JSON answer."""
    request = urllib.request.Request(  # noqa: S310 (http on loopback)
        endpoint, data=body, method="POST",
        headers={"content-type": "application/json", **headers})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def autocannon(cache: Path, endpoint: str, body: bytes, headers: dict[str, str], *,
               connections: int, seconds: int, timeout: int = 30) -> LoadResult:
    """Run autocannon (Node 22) against ``endpoint`` and read its JSON summary.

    A request still unanswered after ``timeout`` seconds counts as failed.
    """
    command = [str(node_bin(cache)), str(cache / "node_modules" / "autocannon" / "autocannon.js"),
               "--json", "-c", str(connections), "-d", str(seconds), "-t", str(timeout),
               "-m", "POST",
               "-H", "content-type=application/json", "-b", body.decode()]
    for name, value in headers.items():
        command += ["-H", f"{name}={value}"]
    command.append(endpoint)
    done = subprocess.run(command, check=True, capture_output=True,
                          timeout=seconds + timeout + 60)
    summary = json.loads(done.stdout)
    failures = int(summary.get("non2xx", 0)) + int(summary.get("errors", 0)) + int(
        summary.get("timeouts", 0))
    return LoadResult(
        rps=float(summary["requests"]["average"]),
        p50_ms=float(summary["latency"]["p50"]),
        p99_ms=float(summary["latency"]["p99"]),
        requests=int(summary["requests"]["total"]),
        failures=failures,
    )


_LINE = re.compile(
    r"\[(?P<pid>\d+)\] \S*@(?P<db>\S+) LOG:  (?:statement|execute [^:]*): (?P<sql>.*)")
# The hub's audit sealer runs beside the requests (hub.store.audit_chain): its transactions are
# counted apart, as background work, not as statements of the request path.
_BACKGROUND = ("disclosure_learners", "pg_advisory_xact_lock", "sealed_seq",
               "UPDATE disclosure_events")
_BOUNDARY = ("BEGIN", "COMMIT", "ROLLBACK", "begin", "commit", "rollback")


def _label(sql: str) -> str:
    return " ".join(sql.split()[:3])[:40]


def _first_words(first_line: str, lines: list[str], start: int) -> str:
    """A logged statement's text from its first non-blank line.

    A statement whose text starts with a line break (asyncpg's own introspection on a new
    connection does) has nothing after ``statement:`` on the log line itself; its text follows
    on continuation lines, which the server indents with a tab.
    """
    sql = first_line.strip().rstrip(";")
    while not sql and start < len(lines) and lines[start].startswith("\t"):
        sql = lines[start].strip().rstrip(";")
        start += 1
    return sql or "?"


class StatementLog:
    """Counts the statements one database ran between two points in the server log."""

    def __init__(self, path: Path | None, database: str) -> None:
        self.path = path
        self.database = database
        self._offset = 0

    @property
    def available(self) -> bool:
        """Whether the server log can be read here."""
        return self.path is not None and self.path.exists()

    def mark(self) -> None:
        """Start counting from the log's current end."""
        if self.path is not None and self.path.exists():
            self._offset = self.path.stat().st_size

    def since_mark(self) -> tuple[Counter[str], Counter[str]]:
        """Statements this database logged since ``mark``: (request path, background)."""
        request: Counter[str] = Counter()
        background: Counter[str] = Counter()
        if self.path is None or not self.path.exists():
            return request, background
        open_transactions: dict[str, list[str]] = {}
        with self.path.open("rb") as log:
            log.seek(self._offset)
            lines = [raw.decode("utf-8", "replace") for raw in log]
        for number, line in enumerate(lines):
            match = _LINE.search(line)
            if not match or match.group("db") != self.database:
                continue
            sql = _first_words(match.group("sql"), lines, number + 1)
            pending = open_transactions.setdefault(match.group("pid"), [])
            pending.append(sql)
            if sql.split()[0] in _BOUNDARY[1:] or (
                    len(pending) == 1 and sql.split()[0] not in _BOUNDARY):
                into = background if any(
                    marker in s for s in pending for marker in _BACKGROUND) else request
                into.update(_label(s) for s in pending)
                pending.clear()
        return request, background


def statements_per_request(log: StatementLog, endpoint: str, body: bytes,
                           headers: dict[str, str], requests: int = 40) -> tuple[float, str]:
    """Request-path statements per request over ``requests`` sequential requests, and a
    breakdown (background sealing work is listed apart)."""
    for _ in range(5):
        post(endpoint, body, headers)
    log.mark()
    for _ in range(requests):
        post(endpoint, body, headers)
    time.sleep(0.3)
    request, background = log.since_mark()
    total = sum(request.values())
    breakdown = ", ".join(f"{name} x{count / requests:g}" for name, count in request.most_common())
    if background:
        breakdown += "; background audit sealing: " + ", ".join(
            f"{name} x{count / requests:g}" for name, count in background.most_common())
    return total / requests, breakdown
