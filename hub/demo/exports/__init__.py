"""Real-format export files for the demo partnership, as each partner's MIS would send them.

``write_demo_exports(model, out_dir)`` writes, per kind: ``ilr`` (ILR 2025-26 XML per college
and WBL provider), ``ctf`` (CTF 25.0 XML per school), ``census`` (census pupil CSV per school),
``nccis`` (activity CSV per LA), ``attendance`` (off-site attendance CSV per host) and
``reference`` (providers, provision and allocations CSVs, and a flows CSV per payer).
``hub.demo.route`` loads them through the connectors (``hub demo``'s default);
``docs/demo.md`` lists what differs from the bulk loader's rows.
"""

from __future__ import annotations

from pathlib import Path

from hub.demo.exports.csvs import (
    write_attendance_files,
    write_census_files,
    write_nccis_files,
    write_reference_files,
)
from hub.demo.exports.ctf import write_ctf_files
from hub.demo.exports.ilr import write_ilr_files
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel

__all__ = ["write_demo_exports", "write_exports"]


def write_demo_exports(model: DemoModel, out_dir: Path) -> dict[str, list[Path]]:
    """Write every partner's export files for ``model`` into ``out_dir``, by kind."""
    return write_exports(DemoIndex.build(model), out_dir)


def write_exports(index: DemoIndex, out_dir: Path) -> dict[str, list[Path]]:
    """Write every partner's export files for an indexed model into ``out_dir``, by kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return {
        "reference": write_reference_files(index, out_dir),
        "ilr": write_ilr_files(index, out_dir),
        "ctf": write_ctf_files(index, out_dir),
        "census": write_census_files(index, out_dir),
        "nccis": write_nccis_files(index, out_dir),
        "attendance": write_attendance_files(index, out_dir),
    }
