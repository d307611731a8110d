"""The school census CSV connector on synthetic files, valid and hostile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.base import LoadMode
from connectors.census.connector import CensusConnector
from connectors.csvsource import (
    CsvEncodingError,
    CsvFileHeaderError,
    CsvMalformedError,
    CsvMissingColumnError,
)
from connectors.records import LearnerIn, ParsedRecord, ParticipationIn

FIXTURES = Path(__file__).parents[2] / "fixtures" / "census"


def read_all(name: str) -> list[ParsedRecord]:
    return list(CensusConnector().read(FIXTURES / name))


def rules(parsed: ParsedRecord) -> list[str]:
    return [issue.rule for issue in parsed.issues]


def test_connector_is_a_termly_snapshot_named_census() -> None:
    connector = CensusConnector()
    assert (connector.name, connector.mode) == ("census", LoadMode.SNAPSHOT)


def test_header_gives_school_term_snapshot_key_and_census_date() -> None:
    header = CensusConnector().read_header(FIXTURES / "census-8201234-2025-spring.csv")
    assert header.snapshot_key == "census:8201234:2025-spring"
    assert (header.laestab, header.la_code, header.as_of) == ("8201234", "820", "2025-01-16")


def test_valid_pupil_becomes_an_on_roll_learner_with_cbds_items() -> None:
    first = read_all("census-8201234-2025-spring.csv")[0]
    learner = first.records[0]
    assert first.issues == []
    assert learner == LearnerIn(
        local_ref="C820123424001",
        uln="1061484016",
        upn="C820123424001",
        given_name="Alpha",
        family_name="Testpupil",
        date_of_birth=dt.date(2010, 5, 17),
        sex="F",
        ethnicity_source_code="WBRI",
        ethnicity_source_list="CBDS",
        postcode="ZZ99 9ZZ",
        sen_provision="K",
        fsm=True,
        is_on_roll=True,
    )


def test_offsite_columns_add_a_participation_at_the_host() -> None:
    participation = read_all("census-8201234-2025-spring.csv")[0].records[1]
    assert isinstance(participation, ParticipationIn)
    assert participation.source_ref == "C820123424001:offsite"
    assert participation.delivering_partner_ref == "10012345"
    assert participation.home_partner_ref == "8201234"
    assert participation.provision_title == "Level 1 Construction"
    assert participation.start_date == dt.date(2024, 9, 9)
    assert participation.academic_year == "2024-25"


def test_enrol_status_decides_on_roll_c_and_m_only() -> None:
    on_roll = {
        p.source_ref: p.records[0].is_on_roll
        for p in read_all("census-8201234-2025-spring.csv")
        if isinstance(p.records[0], LearnerIn)
    }
    assert on_roll == {
        "C820123424001": True,
        "R820123424002": True,
        "F820123424003": False,
        "N82012342400A": False,
        "V820123424004": True,
    }


def test_postcode_is_normalised_and_uk_dates_accepted() -> None:
    parsed = read_all("census-8201234-2025-spring.csv")
    beta, gamma = parsed[1].records[0], parsed[2].records[0]
    assert isinstance(beta, LearnerIn)
    assert isinstance(gamma, LearnerIn)
    assert beta.postcode == "ZZ99 9ZZ"
    assert gamma.date_of_birth == dt.date(2010, 5, 17)
    assert gamma.family_name == "Test-Pupil, Jr"


def test_temporary_upn_loads_with_a_warning() -> None:
    delta = read_all("census-8201234-2025-spring.csv")[3]
    assert rules(delta) == ["CENSUS_TEMPORARY_UPN"]
    assert not delta.is_rejected


def test_bad_ethnicity_and_postcode_are_dropped_with_warnings_not_rejected() -> None:
    epsilon = read_all("census-8201234-2025-spring.csv")[4]
    assert sorted(rules(epsilon)) == ["CSV_BAD_ETHNICITY", "CSV_BAD_POSTCODE"]
    learner = epsilon.records[0]
    assert isinstance(learner, LearnerIn)
    assert (learner.ethnicity_source_code, learner.postcode) == (None, None)


def test_each_bad_row_is_rejected_alone_with_its_rule() -> None:
    parsed = read_all("bad-values.csv")
    found = {p.record_number: (p.source_ref, rules(p), p.is_rejected) for p in parsed}
    assert found == {
        1: ("C820123424001", [], False),
        2: ("A820123424001", ["CSV_BAD_UPN"], True),
        3: ("R820123424002", ["CSV_BAD_DATE"], True),
        4: ("F820123424003", ["CSV_BAD_SEX"], True),
        5: ("V820123424004", ["CSV_BAD_CODE"], True),
        6: ("C820123424001", ["CENSUS_DUPLICATE_UPN"], True),
        7: ("J820123424005", ["CENSUS_OFFSITE_INCOMPLETE"], True),
        8: ("Y820123424006", ["CENSUS_DOB_AFTER_CENSUS"], True),
        9: ("row 9", ["CSV_REQUIRED_VALUE"], True),
    }


def test_issue_carries_row_line_and_field() -> None:
    issue = read_all("bad-values.csv")[2].issues[0]
    assert (issue.record_number, issue.line, issue.field) == (3, 4, "dob")
    assert "2010-02-30" in issue.message


def test_bom_is_ignored_and_utf8_names_survive() -> None:
    learner = read_all("bom-utf8.csv")[0].records[0]
    assert isinstance(learner, LearnerIn)
    assert learner.given_name == "Zoë"


def test_overlong_value_rejects_only_its_row() -> None:
    parsed = read_all("field-too-long.csv")
    assert rules(parsed[0]) == ["CSV_FIELD_TOO_LONG"]
    assert parsed[1].issues == []
    assert len(parsed[1].records) == 1


def test_truncated_last_row_is_rejected_as_short() -> None:
    parsed = read_all("truncated-last-row.csv")
    assert parsed[0].issues == []
    assert "CSV_FIELD_COUNT" in rules(parsed[1])


@pytest.mark.parametrize(
    ("fixture", "error", "words"),
    [
        ("missing-required-column-sex.csv", CsvMissingColumnError, "sex"),
        ("wrong-encoding-cp1252.csv", CsvEncodingError, "line 2"),
        ("utf16-excel-unicode-text.csv", CsvEncodingError, "UTF-16"),
        ("binary-nul-bytes.csv", CsvMalformedError, "NUL"),
        ("truncated-inside-quote.csv", CsvMalformedError, "line 3"),
        ("mixed-schools.csv", CsvFileHeaderError, "8205678"),
        ("bad-laestab.csv", CsvFileHeaderError, "laestab"),
        ("empty.csv", CsvMalformedError, "empty"),
        ("duplicate-column.csv", CsvMalformedError, "more than once"),
    ],
)
def test_file_defect_rejects_the_whole_file_with_its_code(
    fixture: str, error: type[Exception], words: str
) -> None:
    with pytest.raises(error) as raised:
        read_all(fixture)
    assert words in str(raised.value)


def test_file_defect_codes_are_distinct() -> None:
    codes = {
        CsvEncodingError.code,
        CsvMalformedError.code,
        CsvMissingColumnError.code,
        CsvFileHeaderError.code,
    }
    assert codes == {"CSV_ENCODING", "CSV_MALFORMED", "CSV_MISSING_COLUMN", "CSV_FILE_HEADER"}


def test_header_only_file_has_no_snapshot_key_so_it_is_refused() -> None:
    with pytest.raises(CsvFileHeaderError):
        CensusConnector().read_header(FIXTURES / "header-only.csv")
    assert read_all("header-only.csv") == []


def test_field_beyond_the_csv_limit_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "oversized-field.csv"
    path.write_text(
        "laestab,census_term,upn,legal_surname,legal_forename,dob,sex,enrol_status\n"
        '8201234,2025-spring,C820123424001,"' + "A" * 200_000 + '",Alpha,2010-05-17,F,C\n',
        encoding="utf-8",
    )
    with pytest.raises(CsvMalformedError, match="131072"):
        read_all(str(path))
