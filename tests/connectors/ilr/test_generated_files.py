"""Generated files (bench/ilr_generate.py): XSD-valid, rule-clean, and read in flat memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from bench.ilr_generate import write_ilr_file
from connectors.ilr import IlrConnector
from connectors.ilr.years import year_for_namespace
from connectors.records import LearnerIn
from hub.identifiers import is_valid_uln

ROOT = Path(__file__).resolve().parents[3]
_MEASURE = """
import json, resource, sys
from pathlib import Path
from connectors.ilr import IlrConnector
count = sum(1 for _ in IlrConnector().read(Path(sys.argv[1])))
print(json.dumps({"records": count,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def test_generated_file_is_valid_against_the_2025_26_xsd(tmp_path: Path) -> None:
    path = tmp_path / "ILR-10000001-2526-20251015-090000-01.xml"
    write_ilr_file(path, 50, seed=7)
    year = year_for_namespace("ESFA/ILR/2025-26")
    assert year is not None
    schema = year.schema()
    assert schema.validate(etree.parse(str(path))), str(schema.error_log)[:300]


def test_generated_file_loads_with_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "gen.xml"
    write_ilr_file(path, 200, seed=3, ukprn="10000002")
    records = list(IlrConnector().read(path))
    assert len(records) == 200
    assert [issue for record in records for issue in record.issues] == []
    learners = [r.records[0] for r in records]
    assert all(isinstance(x, LearnerIn) and x.uln and is_valid_uln(x.uln) for x in learners)
    assert IlrConnector().read_header(path).snapshot_key == "ilr:10000002:2526"


def test_same_seed_writes_the_same_file(tmp_path: Path) -> None:
    write_ilr_file(tmp_path / "a.xml", 20, seed=5)
    write_ilr_file(tmp_path / "b.xml", 20, seed=5)
    assert (tmp_path / "a.xml").read_bytes() == (tmp_path / "b.xml").read_bytes()


def _peak_kib(path: Path) -> int:
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(json.loads(result.stdout)["peak_kib"])


@pytest.mark.slow
def test_memory_stays_flat_as_the_file_grows(tmp_path: Path) -> None:
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    write_ilr_file(small, 300)
    write_ilr_file(large, 6000)  # 20x the learners, about 8 MB
    growth_kib = _peak_kib(large) - _peak_kib(small)
    assert large.stat().st_size > 7_000_000
    assert growth_kib < 8 * 1024, f"peak RSS grew {growth_kib} KiB for 20x the learners"
