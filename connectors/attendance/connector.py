"""Off-site attendance CSV -> LearnerIn (first time each learner) and AttendanceIn per row.

A DELTA: each row upserts one (learner, course, week) so a host can resend a single corrected
week without deleting the others (see docs/connectors/attendance.md for why not a snapshot).
The week attaches to a participation the hub already holds (the host's ILR or CSV-route
course, or the home school's census off-site course), found by learner and ``course_ref``;
the attendance file never creates courses, so resending it cannot duplicate them.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.attendance.spec import ATTENDANCE
from connectors.base import FileHeader, LoadMode
from connectors.csvconnector import (
    SpecCsvConnector,
    Values,
    date_value,
    int_value,
    issue_for,
    text_value,
)
from connectors.csvsource import CsvFileHeaderError, CsvRow
from connectors.csvspec import CsvSpec
from connectors.records import AttendanceIn, LearnerIn, ParsedRecord, Record

MAX_SESSIONS_PER_WEEK = 14  # two sessions a day, seven days: more is a data error


class AttendanceHostRefError(CsvFileHeaderError):
    """host_ref is not a UKPRN or LAESTAB, so the reporting partner cannot be named."""

    code = "ATTENDANCE_HOST_REF"


class AttendanceConnector(SpecCsvConnector):
    """Reads the off-site attendance CSV (``docs/connectors/attendance.md``)."""

    spec: ClassVar[CsvSpec] = ATTENDANCE
    name = "attendance"
    mode = LoadMode.DELTA
    needs_header: ClassVar[bool] = True

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self._learners: set[str] = set()
        self._weeks: set[tuple[str, str, str]] = set()

    def start(self) -> None:
        """Forget the learners and weeks of the previous file."""
        self._learners, self._weeks = set(), set()

    def header_from(self, values: Values) -> FileHeader:
        """The host: a UKPRN (8 digits) or a LAESTAB (7 digits, its LA the first three)."""
        host = str(values["host_ref"])
        if len(host) == 8:
            return FileHeader(ukprn=host)
        if len(host) == 7:
            return FileHeader(laestab=host, la_code=host[:3])
        raise AttendanceHostRefError(
            f"host_ref {host} looks like a URN; name the host by UKPRN (8 digits) or "
            "LAESTAB (7 digits)"
        )

    def source_ref(self, row: CsvRow) -> str:
        """The host's learner reference and the row number."""
        return f"{row.values.get('learner_ref') or '?'} (row {row.number})"

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """The week, plus the learner the first time they appear."""
        learner_ref, course_ref = str(values["learner_ref"]), str(values["course_ref"])
        week = date_value(values, "week_start")
        possible = int_value(values, "sessions_possible") or 0
        attended = int_value(values, "sessions_attended") or 0
        if week is None or not self._valid_week(values, row, parsed, possible, attended):
            return []
        key = (learner_ref, course_ref, week.isoformat())
        if key in self._weeks:
            issue_for(parsed, "ATTENDANCE_DUPLICATE_WEEK", f"{learner_ref} on {course_ref} for "
                      f"the week of {week} is on an earlier row", row=row, field="week_start")
            return []
        self._weeks.add(key)
        records: list[Record] = []
        if learner_ref not in self._learners:
            self._learners.add(learner_ref)
            records.append(
                LearnerIn(
                    local_ref=learner_ref,
                    uln=text_value(values, "uln"),
                    upn=text_value(values, "upn"),
                    given_name=text_value(values, "given_name"),
                    family_name=text_value(values, "family_name"),
                    date_of_birth=date_value(values, "dob"),
                    is_on_roll=False,
                )
            )
        records.append(AttendanceIn(learner_ref, week, possible, attended, course_ref))
        return records

    def _valid_week(
        self, values: Values, row: CsvRow, parsed: ParsedRecord, possible: int, attended: int
    ) -> bool:
        week = date_value(values, "week_start")
        valid = True
        if week is not None and week.weekday() != 0:
            issue_for(parsed, "ATTENDANCE_WEEK_NOT_MONDAY", f"week_start {week} is a "
                      f"{week.strftime('%A')}, not a Monday", row=row, field="week_start")
            valid = False
        if possible > MAX_SESSIONS_PER_WEEK:
            issue_for(parsed, "ATTENDANCE_SESSIONS_IMPLAUSIBLE", f"{possible} sessions possible "
                      f"in one week (at most {MAX_SESSIONS_PER_WEEK})", row=row,
                      field="sessions_possible")
            valid = False
        if attended > possible:
            issue_for(parsed, "ATTENDANCE_ATTENDED_EXCEEDS_POSSIBLE", f"{attended} sessions "
                      f"attended of {possible} possible", row=row, field="sessions_attended")
            valid = False
        return valid
