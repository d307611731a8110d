"""The NCCIS-style activity CSV connector, driven by the code table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.base import LoadMode
from connectors.csvsource import CsvFileHeaderError, CsvMissingColumnError
from connectors.nccis.codes import NccisCodeTableError, default_codes, load_codes
from connectors.nccis.connector import NccisConnector
from connectors.records import ActivityIn, LearnerIn, ParsedRecord
from connectors.report import Severity

FIXTURES = Path(__file__).parents[2] / "fixtures" / "nccis"
VALID = FIXTURES / "nccis-820-2025-03.csv"


def rules(parsed: ParsedRecord) -> list[str]:
    return [issue.rule for issue in parsed.issues]


def test_connector_is_a_monthly_snapshot_per_la() -> None:
    connector = NccisConnector()
    assert (connector.name, connector.mode) == ("nccis", LoadMode.SNAPSHOT)
    header = connector.read_header(VALID)
    assert (header.snapshot_key, header.la_code, header.as_of) == (
        "nccis:820:2025-03",
        "820",
        "2025-03-01",
    )


def test_person_is_yielded_once_and_every_activity_row_is_kept() -> None:
    parsed = list(NccisConnector().read(VALID))
    kinds = [[type(r).__name__ for r in p.records] for p in parsed]
    assert kinds == [
        ["LearnerIn", "ActivityIn"],
        ["ActivityIn"],
        ["LearnerIn", "ActivityIn"],
        ["LearnerIn", "ActivityIn"],
        ["ActivityIn"],
    ]


def test_learner_takes_identifiers_and_characteristic_flags() -> None:
    learner = next(iter(NccisConnector().read(VALID))).records[0]
    assert learner == LearnerIn(
        local_ref="4440000000001",
        uln="1061484016",
        upn="C820123424001",
        given_name="Sam",
        family_name="Testperson",
        date_of_birth=dt.date(2008, 2, 29),
        sex="M",
        ethnicity_source_code="WBRI",
        ethnicity_source_list="CBDS",
        postcode="ZZ99 9ZZ",
        la_of_residence="820",  # cohort status P: the returning LA is where they live
        lldd=True,
        looked_after=True,
        is_on_roll=False,
    )


def test_ilr_ethnicity_code_and_care_leaver_characteristic() -> None:
    learner = list(NccisConnector().read(VALID))[2].records[0]
    assert isinstance(learner, LearnerIn)
    assert (learner.ethnicity_source_code, learner.ethnicity_source_list) == ("31", "ILR")
    assert (learner.care_leaver, learner.looked_after) == (True, None)


def test_activity_category_comes_from_the_code_table() -> None:
    activities = [
        r for p in NccisConnector().read(VALID) for r in p.records if isinstance(r, ActivityIn)
    ]
    assert [(a.activity_code, a.category) for a in activities] == [
        ("130", "education"),
        ("540", "neet"),
        ("440", "training"),
        ("810", "not_known"),
        ("820", "not_known"),
    ]
    assert activities[0].review_date == dt.date(2025, 7, 31)
    assert {a.code_list for a in activities} == {"NCCIS"}


def test_lapsed_currency_unknown_characteristic_and_conflict_are_warnings() -> None:
    parsed = list(NccisConnector().read(VALID))
    assert rules(parsed[1]) == ["NCCIS_CURRENCY_LAPSED"]
    assert rules(parsed[2]) == ["NCCIS_CURRENCY_LAPSED"]
    assert rules(parsed[3]) == ["NCCIS_UNKNOWN_CHARACTERISTIC"]
    assert rules(parsed[4]) == ["NCCIS_PERSON_CONFLICT"]
    assert not any(p.is_rejected for p in parsed)


def test_provisional_codes_are_reported_once_each_at_file_level() -> None:
    connector = NccisConnector()
    list(connector.read(VALID))
    provisional = [i for i in connector.file_issues() if i.rule == "NCCIS_PROVISIONAL_CODE"]
    assert [i.message.split()[2] for i in provisional] == ["130", "540", "810", "820"]
    assert {i.severity for i in provisional} == {Severity.WARNING}


def test_bad_rows_are_rejected_with_rule_ids() -> None:
    parsed = list(NccisConnector().read(FIXTURES / "bad-rows.csv"))
    assert [(p.source_ref, rules(p), p.is_rejected) for p in parsed] == [
        ("4440000000001", ["CSV_BAD_CODE"], True),
        ("4440000000002", ["NCCIS_REVIEW_BEFORE_START"], True),
        ("ABC", ["CSV_BAD_PATTERN"], True),
        ("4440000000004", ["CSV_REQUIRED_VALUE"], True),
    ]


def test_an_la_supplied_table_changes_what_is_accepted() -> None:
    codes = load_codes(FIXTURES / "codes-la-supplied.csv")
    parsed = list(NccisConnector(codes).read(FIXTURES / "bad-rows.csv"))
    first = parsed[0].records[1]
    assert isinstance(first, ActivityIn)
    assert (first.activity_code, first.category) == ("999", "other")


def test_shipped_table_marks_only_440_as_verified_among_activities() -> None:
    verified = [c.code for c in default_codes().activities.values() if not c.provisional]
    assert verified == ["440"]


def test_code_table_with_unknown_category_is_a_config_error() -> None:
    with pytest.raises(NccisCodeTableError, match="college"):
        load_codes(FIXTURES / "codes-bad-category.csv")


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("missing-required-column-activity-code.csv", CsvMissingColumnError),
        ("mixed-return-months.csv", CsvFileHeaderError),
        ("bad-return-month.csv", CsvFileHeaderError),
    ],
)
def test_file_defects_reject_the_file(fixture: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        list(NccisConnector().read(FIXTURES / fixture))
