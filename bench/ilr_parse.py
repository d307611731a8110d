"""Benchmark the ILR connector on a generated N-learner 2025-26 file.

Usage: ``python -m bench.ilr_parse [N]`` (default 10000). Prints the time of each stage and the
process's peak RSS, so the cost of XSD validation and rules can be compared with a bare parse.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from bench.ilr_generate import write_ilr_file
from connectors.ilr import IlrConnector
from connectors.ilr.scan import HEADER_PARTS, scan
from connectors.ilr.structure import StructureValidator
from connectors.ilr.years import year_for_namespace
from connectors.xmlsource import iter_events

NS = "ESFA/ILR/2025-26"


def stream_parse(path: Path) -> int:
    """Bare hardened iterparse over Learner elements, clearing each: the floor."""
    count = 0
    for _event, element in iter_events(path, events=("end",), tags=[f"{{{NS}}}Learner"]):
        count += 1
        element.clear()
        parent = element.getparent()
        while parent is not None and element.getprevious() is not None:
            del parent[0]
    return count


def parse_and_xsd(path: Path) -> int:
    """Scan pass plus the streaming pass with per-learner XSD validation, no rules or mapping."""
    found = scan(path)
    validator = StructureValidator(found.header.year, found.root, found.header_elements)
    errors = 0
    for number, (_event, element) in enumerate(
        iter_events(path, events=("end",), tags=[f"{{{NS}}}Learner"]), start=1
    ):
        issues, _header = validator.validate(element, "", number)
        errors += len(issues)
    return errors


def one_pass_xsd(path: Path) -> int:
    """One streaming pass with per-learner XSD validation and nothing else: the issue's floor.

    The header elements are picked up as they stream past; each Learner is then validated
    wrapped with them, as the connector does. (``parse_and_xsd`` adds the connector's first,
    scanning pass.)
    """
    names = {f"{{{NS}}}{name}" for name in HEADER_PARTS}
    header: list[etree._Element] = []
    validator: StructureValidator | None = None
    errors = 0
    tags = [*names, f"{{{NS}}}Learner"]
    for number, (_event, element) in enumerate(
        iter_events(path, events=("end",), tags=tags), start=1
    ):
        if element.tag in names:
            header.append(element)
            continue
        if validator is None:
            year, root = year_for_namespace(NS), element.getparent()
            if year is None or root is None:
                raise SystemExit(f"{path.name}: not a 2025-26 ILR file")
            validator = StructureValidator(year, root, header)
        issues, _header = validator.validate(element, "", number)
        errors += len(issues)
    return errors


def full_read(path: Path) -> int:
    """IlrConnector.read end to end: both passes, XSD, rules and mapping."""
    return sum(len(record.records) for record in IlrConnector().read(path))


def timed(label: str, run: Callable[[Path], int], path: Path) -> float:
    """Run one stage; print wall and CPU seconds; return CPU seconds (steadier on a busy host)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run(path)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<34} {wall:8.2f} s wall {cpu:8.2f} s cpu   (result {result})")
    return cpu


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main(learners: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ILR-10000001-2526-20251015-090000-01.xml"
        started = time.perf_counter()
        write_ilr_file(path, learners)
        size_mb = path.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"generated {learners} learners, {size_mb:.1f} MB in {took:.2f} s")
        print(f"peak RSS before reading: {peak_rss_mb():.1f} MB")
        base = timed("stream parse (iterparse + clear)", stream_parse, path)
        timed("scan pass only", lambda p: scan(p).learners, path)
        timed("one pass + per-learner XSD", one_pass_xsd, path)
        xsd = timed("scan + parse + per-learner XSD", parse_and_xsd, path)
        full = timed("full read (XSD + rules + mapping)", full_read, path)
        per_xsd, per_full = xsd / learners * 1e6, full / learners * 1e6
        print(f"per learner (cpu): XSD path {per_xsd:.0f} us, full {per_full:.0f} us")
        print(f"cpu ratios: full / stream parse {full / base:.1f}x, ", end="")
        print(f"full / (parse + XSD) {full / xsd:.2f}x")
        print(f"peak RSS: {peak_rss_mb():.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
