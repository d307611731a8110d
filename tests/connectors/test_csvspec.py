"""Column specs: typing rules, and the documentation pages generated from them."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from connectors.attendance.spec import ATTENDANCE
from connectors.census.spec import CENSUS
from connectors.csvroute.spec import TARGETS
from connectors.csvsource import CsvRow
from connectors.csvspec import CsvSpec, convert_row, render_doc, spec_example_csv
from connectors.nccis.spec import NCCIS
from connectors.reference.spec import ALLOCATIONS, FLOWS, PROVIDERS, PROVISION
from connectors.report import Severity

DOCS = Path(__file__).parents[2] / "docs" / "connectors"
PAGES = [
    ("census.md", CENSUS),
    ("nccis.md", NCCIS),
    ("attendance.md", ATTENDANCE),
    ("csv.md", TARGETS),
    ("reference.md", PROVIDERS),
    ("reference.md", PROVISION),
    ("reference.md", ALLOCATIONS),
    ("reference.md", FLOWS),
]


@pytest.mark.parametrize(("page", "spec"), PAGES, ids=[s.name for _, s in PAGES])
def test_documentation_table_matches_the_spec(page: str, spec: CsvSpec) -> None:
    text = (DOCS / page).read_text(encoding="utf-8")
    assert render_doc(text, spec) == text, (
        f"docs/connectors/{page} is stale: run connectors.csvspec.write_doc on it"
    )


@pytest.mark.parametrize(("page", "spec"), PAGES, ids=[s.name for _, s in PAGES])
def test_each_spec_example_row_converts_without_issues(page: str, spec: CsvSpec) -> None:
    del page
    header, example = spec_example_csv(spec).splitlines()
    values = dict(zip(header.split(","), next(csv.reader([example])), strict=True))
    row = CsvRow(number=1, line=2, values=values, field_count=len(values))
    tables = {c.code_table: [c.example] for c in spec.columns if c.code_table}
    _, issues = convert_row(spec, row, "example", tables)
    assert issues == []


def test_column_names_are_snake_case_and_unique() -> None:
    for _, spec in PAGES:
        names = [c.name for c in spec.columns]
        assert len(names) == len(set(names))
        assert all(n == n.lower() and " " not in n for n in names)


def test_required_blank_is_an_error_and_optional_bad_value_can_be_a_warning() -> None:
    row = CsvRow(number=4, line=5, values={"upn": "", "postcode": "nope"}, field_count=18)
    _, issues = convert_row(CENSUS, row, "row 4")
    by_field = {i.field: (i.rule, i.severity) for i in issues}
    assert by_field["upn"] == ("CSV_REQUIRED_VALUE", Severity.ERROR)
    assert by_field["postcode"] == ("CSV_BAD_POSTCODE", Severity.WARNING)
    assert {i.record_number for i in issues} == {4}
