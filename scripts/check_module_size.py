"""Fail when a module grows past 600 lines: small modules with one job each."""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 600
PACKAGES = ("hub", "schema", "policies", "connectors")


def main() -> int:
    """Print every module over the limit and return non-zero if there is one."""
    too_long = []
    for package in PACKAGES:
        for path in sorted(Path(package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                too_long.append(f"{path}: {lines} lines (limit {LIMIT})")
    for line in too_long:
        print(line)  # noqa: T201
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
