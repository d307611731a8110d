"""Demo CSVs: exactly the connectors' columns, read without errors, totals that add up."""

from __future__ import annotations

import csv
from pathlib import Path

from connectors.attendance.connector import AttendanceConnector
from connectors.attendance.spec import ATTENDANCE
from connectors.base import Connector
from connectors.census.connector import CensusConnector
from connectors.census.spec import CENSUS
from connectors.csvspec import CsvSpec
from connectors.nccis.connector import NccisConnector
from connectors.nccis.spec import NCCIS
from connectors.records import ActivityIn, AttendanceIn, FundingFlowIn, ProvisionIn
from connectors.reference.funding import AllocationsConnector, FlowsConnector
from connectors.reference.providers import ProvidersConnector
from connectors.reference.provision import ProvisionConnector
from connectors.reference.spec import ALLOCATIONS, FLOWS, PROVIDERS, PROVISION
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from tests.hub.demo.exports.conftest import read_all

_FORMATS: dict[str, tuple[CsvSpec, type[Connector]]] = {
    "nccis": (NCCIS, NccisConnector),
    "attendance": (ATTENDANCE, AttendanceConnector),
    "census": (CENSUS, CensusConnector),
    "providers": (PROVIDERS, ProvidersConnector),
    "provision": (PROVISION, ProvisionConnector),
    "allocations": (ALLOCATIONS, AllocationsConnector),
    "flows": (FLOWS, FlowsConnector),
}


def _format(path: Path) -> str:
    return path.stem.split("-")[0]


def _csv_paths(exports: dict[str, list[Path]]) -> list[Path]:
    return [p for kind in ("nccis", "attendance", "census", "reference") for p in exports[kind]]


def test_every_csv_has_exactly_its_specs_columns(exports: dict[str, list[Path]]) -> None:
    for path in _csv_paths(exports):
        spec = _FORMATS[_format(path)][0]
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == [column.name for column in spec.columns], path.name


def test_every_csv_reads_through_its_connector_without_errors(
    exports: dict[str, list[Path]],
) -> None:
    for path in _csv_paths(exports):
        connector = _FORMATS[_format(path)][1]()
        parsed, errors = read_all(connector, path)
        assert parsed, path.name
        assert errors == {}, (path.name, errors)


def test_nccis_files_carry_every_activity_by_la_of_residence(
    exports: dict[str, list[Path]], model: DemoModel,
) -> None:
    index = DemoIndex.build(model)
    assert [p.name for p in exports["nccis"]] == ["nccis-931-2026-03.csv",
                                                  "nccis-932-2026-03.csv"]
    activities = [r for path in exports["nccis"]
                  for p in read_all(NccisConnector(), path)[0]
                  for r in p.records if isinstance(r, ActivityIn)]
    assert len(activities) == len(index.tables["activities"])
    neet = sum(1 for a in activities if a.category == "neet")
    assert neet == sum(1 for a in index.tables["activities"] if a["category"] == "neet")


def test_attendance_files_total_the_off_site_sessions(
    exports: dict[str, list[Path]], model: DemoModel,
) -> None:
    index = DemoIndex.build(model)
    weeks = [r for path in exports["attendance"]
             for p in read_all(AttendanceConnector(), path)[0]
             for r in p.records if isinstance(r, AttendanceIn)]
    offsite = [p for p in index.tables["participations"]
               if p["home_partner_id"] != p["delivering_partner_id"]]
    assert sum(w.sessions_attended for w in weeks) == sum(p["sessions_attended"] for p in offsite)
    assert sum(w.sessions_possible for w in weeks) == sum(p["sessions_possible"] for p in offsite)


def test_reference_files_carry_all_provision_and_money(
    exports: dict[str, list[Path]], model: DemoModel,
) -> None:
    index = DemoIndex.build(model)
    paths = {path.stem: path for path in exports["reference"]}
    provision = [r for p in read_all(ProvisionConnector(), paths["provision"])[0]
                 for r in p.records if isinstance(r, ProvisionIn)]
    assert len(provision) == len(index.provision)
    flow_files = [path for path in exports["reference"] if path.stem.startswith("flows-")]
    flows = [r for path in flow_files for p in read_all(FlowsConnector(), path)[0]
             for r in p.records if isinstance(r, FundingFlowIn)]
    assert len(flows) == len(index.tables["funding_flows"])
    assert sum(f.amount_pence for f in flows) == sum(
        f["amount_pence"] for f in index.tables["funding_flows"])
    for path in flow_files:  # one file per payer: each names only its own payments
        payers = {r.payer_ref for p in read_all(FlowsConnector(), path)[0] for r in p.records
                  if isinstance(r, FundingFlowIn)}
        assert payers == {path.stem.removeprefix("flows-")}, path.name
