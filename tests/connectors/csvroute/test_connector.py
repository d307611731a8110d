"""The generic CSV route: a provider's own headers through a column mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.base import FileHeader, LoadMode
from connectors.csvroute.connector import CsvRouteConnector
from connectors.csvroute.mapping import ColumnMapping, CsvMappingError
from connectors.csvsource import CsvMissingColumnError
from connectors.records import LearnerIn, ParticipationIn
from hub.errors import ConfigError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "csv"


def connector() -> CsvRouteConnector:
    return CsvRouteConnector(ColumnMapping.load(FIXTURES / "riverside-mapping.yaml"))


def test_connector_is_a_delta_named_csv_with_sender_from_mapping() -> None:
    route = connector()
    assert (route.name, route.mode) == ("csv", LoadMode.DELTA)
    assert route.read_header(FIXTURES / "riverside-learners.csv") == FileHeader(ukprn="10012345")


def test_mapped_row_becomes_learner_and_participation() -> None:
    first = next(iter(connector().read(FIXTURES / "riverside-learners.csv")))
    learner, course = first.records
    assert learner == LearnerIn(
        local_ref="S1001",
        uln="1061484016",
        given_name="Ola",
        family_name="Testlearner",
        date_of_birth=dt.date(2009, 11, 2),
        sex="F",
        is_on_roll=True,
    )
    assert course == ParticipationIn(
        learner_ref="S1001",
        source_ref="ENG-L2",
        provision_title="Level 2 Engineering",
        delivering_partner_ref="10012345",
        start_date=dt.date(2025, 9, 8),
        completion_status="1",
        code_list="csv",
    )


def test_row_without_course_gives_only_the_learner() -> None:
    second = list(connector().read(FIXTURES / "riverside-learners.csv"))[1]
    assert [type(r).__name__ for r in second.records] == ["LearnerIn"]


def test_untranslated_value_and_bad_uln_reject_the_row() -> None:
    third = list(connector().read(FIXTURES / "riverside-learners.csv"))[2]
    assert sorted(i.rule for i in third.issues) == ["CSV_BAD_CODE", "CSV_BAD_ULN"]
    assert third.is_rejected
    assert third.source_ref == "S1003"


def test_unmapped_columns_are_a_file_warning() -> None:
    route = connector()
    list(route.read(FIXTURES / "riverside-learners.csv"))
    assert [(i.rule, i.message.endswith("Tutor")) for i in route.file_issues()] == [
        ("CSV_UNKNOWN_COLUMN", True)
    ]


def test_renamed_column_rejects_the_file() -> None:
    with pytest.raises(CsvMissingColumnError, match="local_ref"):
        list(connector().read(FIXTURES / "riverside-learners-renamed-column.csv"))


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("mapping-unknown-field.yaml", "'shoe_size' is not a hub field"),
        ("mapping-no-local-ref.json", "'local_ref'"),
        ("mapping-not-yaml.yaml", "not readable YAML"),
        ("mapping-field-mapped-twice.yaml", "mapped from both"),
    ],
)
def test_invalid_mapping_is_a_configuration_error(fixture: str, words: str) -> None:
    with pytest.raises(CsvMappingError) as raised:
        ColumnMapping.load(FIXTURES / fixture)
    assert words in str(raised.value)
    assert isinstance(raised.value, ConfigError)
    assert raised.value.code == "CSV_MAPPING_INVALID"


def test_mapping_partner_ref_must_be_quoted_digits() -> None:
    with pytest.raises(CsvMappingError, match="partner_ref"):
        ColumnMapping.from_dict({"columns": {"ID": "local_ref"}, "partner_ref": 10012345})


def test_documented_example_mapping_is_the_tested_fixture() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "connectors" / "csv.md").read_text("utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert example == (FIXTURES / "riverside-mapping.yaml").read_text("utf-8")


def test_without_a_mapping_argument_the_mapping_beside_the_file_is_used(tmp_path: Path) -> None:
    data = tmp_path / "learners.csv"
    data.write_bytes((FIXTURES / "riverside-learners.csv").read_bytes())
    route = CsvRouteConnector()
    with pytest.raises(CsvMappingError, match=r"learners\.mapping\.yaml"):
        route.read_header(data)
    (tmp_path / "learners.mapping.yaml").write_bytes(
        (FIXTURES / "riverside-mapping.yaml").read_bytes()
    )
    assert route.read_header(data) == FileHeader(ukprn="10012345")
    assert [p.source_ref for p in route.read(data)] == ["S1001", "S1002", "S1003"]
