"""The off-site attendance CSV connector."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.attendance.connector import AttendanceConnector, AttendanceHostRefError
from connectors.base import FileHeader, LoadMode
from connectors.csvsource import CsvFileHeaderError, CsvMissingColumnError
from connectors.records import AttendanceIn, LearnerIn, ParsedRecord, ParticipationIn

FIXTURES = Path(__file__).parents[2] / "fixtures" / "attendance"
VALID = FIXTURES / "attendance-10012345.csv"


def rules(parsed: ParsedRecord) -> list[str]:
    return [issue.rule for issue in parsed.issues]


def test_connector_is_a_delta_named_attendance() -> None:
    connector = AttendanceConnector()
    assert (connector.name, connector.mode) == ("attendance", LoadMode.DELTA)


def test_header_names_the_host_by_ukprn_or_laestab() -> None:
    assert AttendanceConnector().read_header(VALID) == FileHeader(ukprn="10012345")
    assert AttendanceConnector().read_header(FIXTURES / "host-ref-laestab.csv") == FileHeader(
        laestab="8201234", la_code="820"
    )


def test_rows_give_the_learner_once_and_every_week() -> None:
    parsed = list(AttendanceConnector().read(VALID))
    kinds = [[type(r).__name__ for r in p.records] for p in parsed]
    assert kinds == [
        ["LearnerIn", "AttendanceIn"], ["AttendanceIn"], ["AttendanceIn"],
        ["LearnerIn", "AttendanceIn"],
    ]
    assert all(p.issues == [] for p in parsed)


def test_records_carry_identifiers_and_the_week_for_the_course() -> None:
    learner, week = next(iter(AttendanceConnector().read(VALID))).records
    assert isinstance(learner, LearnerIn)
    assert not learner.is_on_roll
    assert (learner.local_ref, learner.uln, learner.upn) == (
        "H-0001", "1061484016", "C820123424001")
    assert week == AttendanceIn("H-0001", dt.date(2025, 3, 3), 2, 2, "CON-L1")


def test_no_participations_are_created_by_an_attendance_file() -> None:
    records = [r for p in AttendanceConnector().read(VALID) for r in p.records]
    assert not any(isinstance(r, ParticipationIn) for r in records)
    assert [r.course_ref for r in records if isinstance(r, AttendanceIn)] == [
        "CON-L1", "CON-L1", "HB-L1", "CON-L1"]


def test_bad_weeks_are_rejected_with_their_rules() -> None:
    parsed = list(AttendanceConnector().read(FIXTURES / "bad-rows.csv"))
    assert [(rules(p), p.is_rejected) for p in parsed] == [
        ([], False),
        (["ATTENDANCE_WEEK_NOT_MONDAY"], True),
        (["ATTENDANCE_ATTENDED_EXCEEDS_POSSIBLE"], True),
        (["ATTENDANCE_DUPLICATE_WEEK"], True),
        (["ATTENDANCE_SESSIONS_IMPLAUSIBLE"], True),
        (["CSV_BAD_INTEGER"], True),
        (["CSV_BAD_INTEGER"], True),
    ]
    assert "Wednesday" in parsed[1].issues[0].message


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("host-ref-is-a-urn.csv", AttendanceHostRefError),
        ("mixed-hosts.csv", CsvFileHeaderError),
        ("missing-required-column-sessions-attended.csv", CsvMissingColumnError),
    ],
)
def test_file_defects_reject_the_file(fixture: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        list(AttendanceConnector().read(FIXTURES / fixture))


def test_urn_host_is_refused_by_read_header_too() -> None:
    with pytest.raises(AttendanceHostRefError, match="UKPRN"):
        AttendanceConnector().read_header(FIXTURES / "host-ref-is-a-urn.csv")
    assert AttendanceHostRefError.code == "ATTENDANCE_HOST_REF"
