"""School census pupil CSV -> LearnerIn (+ ParticipationIn for an off-site course).

A termly snapshot per school: the loader replaces the school's earlier batch for the same term.
Enrol status C/M is on roll here; S/G pupils belong to another school's roll.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.base import FileHeader, LoadMode
from connectors.census.spec import CENSUS, ON_ROLL_ENROL_STATUSES
from connectors.csvconnector import (
    SpecCsvConnector,
    Values,
    date_value,
    flag_value,
    issue_for,
    text_value,
)
from connectors.csvsource import CsvRow
from connectors.csvspec import CsvSpec
from connectors.normalise import ethnicity_list_for
from connectors.records import LearnerIn, ParsedRecord, ParticipationIn, Record
from connectors.report import Severity
from hub.identifiers import is_temporary_upn


def _term_year(term: str) -> str:
    """The academic year of a census term: autumn 2024, spring and summer 2025 are 2024-25."""
    year, season = int(term[:4]), term[5:]
    first = year if season == "autumn" else year - 1
    return f"{first}-{(first + 1) % 100:02d}"


class CensusConnector(SpecCsvConnector):
    """Reads the school census pupil CSV (``docs/connectors/census.md``)."""

    spec: ClassVar[CsvSpec] = CENSUS
    name = "census"
    mode = LoadMode.SNAPSHOT
    needs_header: ClassVar[bool] = True

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self._seen: set[str] = set()

    def start(self) -> None:
        """Forget the UPNs of the previous file."""
        self._seen = set()

    def header_from(self, values: Values) -> FileHeader:
        """``census:<laestab>:<term>``; the school's LA is the first three digits of laestab."""
        laestab = str(values["laestab"])
        census_date = date_value(values, "census_date")
        return FileHeader(
            snapshot_key=f"census:{laestab}:{values['census_term']}",
            laestab=laestab,
            la_code=laestab[:3],
            as_of=census_date.isoformat() if census_date else None,
        )

    def source_ref(self, row: CsvRow) -> str:
        """The UPN as written, or the row number when it is blank."""
        return row.values.get("upn") or f"row {row.number}"

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """One pupil, and their off-site course when the row names one."""
        upn = str(values["upn"])
        if upn in self._seen:
            issue_for(parsed, "CENSUS_DUPLICATE_UPN", f"UPN {upn} is on an earlier row",
                      row=row, field="upn")
            return []
        self._seen.add(upn)
        if is_temporary_upn(upn):
            issue_for(parsed, "CENSUS_TEMPORARY_UPN", f"UPN {upn} is temporary; it is kept "
                      "but never used to link records", row=row, field="upn",
                      severity=Severity.WARNING)
        dob, census_date = date_value(values, "dob"), date_value(values, "census_date")
        if census_date and dob and dob > census_date:
            issue_for(parsed, "CENSUS_DOB_AFTER_CENSUS", f"date of birth {dob} is after the "
                      f"census date {census_date}", row=row, field="dob")
        records: list[Record] = [self._learner(values, upn)]
        provider = text_value(values, "offsite_provider")
        course = text_value(values, "offsite_course")
        if provider and course:
            records.append(
                ParticipationIn(
                    learner_ref=upn,
                    source_ref=f"{upn}:offsite",
                    provision_title=course,
                    delivering_partner_ref=provider,
                    home_partner_ref=text_value(values, "laestab"),
                    start_date=date_value(values, "offsite_start_date"),
                    academic_year=_term_year(str(values["census_term"])),
                    code_list="census",
                )
            )
        elif provider or course:
            missing = "offsite_course" if provider else "offsite_provider"
            issue_for(parsed, "CENSUS_OFFSITE_INCOMPLETE", f"{missing} is needed with the "
                      "other off-site column", row=row, field=missing)
        return records

    def _learner(self, values: Values, upn: str) -> LearnerIn:
        ethnicity = text_value(values, "ethnicity")
        return LearnerIn(
            local_ref=upn,
            upn=upn,
            uln=text_value(values, "uln"),
            given_name=text_value(values, "legal_forename"),
            family_name=text_value(values, "legal_surname"),
            date_of_birth=date_value(values, "dob"),
            sex=text_value(values, "sex"),
            ethnicity_source_code=ethnicity,
            ethnicity_source_list=ethnicity_list_for(ethnicity) if ethnicity else None,
            postcode=text_value(values, "postcode"),
            sen_provision=text_value(values, "sen_provision"),
            fsm=flag_value(values, "fsm_eligible"),
            is_on_roll=values.get("enrol_status") in ON_ROLL_ENROL_STATUSES,
        )
