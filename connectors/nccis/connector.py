"""NCCIS-style activity CSV -> LearnerIn (first row per person) + ActivityIn (every row).

A monthly snapshot per LA. Activity codes and their categories come from the code table, so a
code the table does not list is a row error, and a provisional (unverified) code is flagged once
per file rather than silently trusted.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from connectors.base import FileHeader, LoadMode
from connectors.csvconnector import (
    SpecCsvConnector,
    Values,
    date_value,
    flag_value,
    issue_for,
    text_value,
)
from connectors.csvsource import CsvRow
from connectors.csvspec import CodeTables, CsvSpec
from connectors.nccis.codes import NccisCodes, default_codes
from connectors.nccis.spec import ACTIVITY_TABLE, CHARACTERISTIC_SEPARATOR, NCCIS
from connectors.normalise import ethnicity_list_for
from connectors.records import ActivityIn, LearnerIn, ParsedRecord, Record
from connectors.report import Severity

PRIMARY_COHORT = "P"  # YP10 primary: the returning LA is responsible, the person lives there


class NccisConnector(SpecCsvConnector):
    """Reads the NCCIS-style activity CSV (``docs/connectors/nccis.md``)."""

    spec: ClassVar[CsvSpec] = NCCIS
    name = "nccis"
    mode = LoadMode.SNAPSHOT
    needs_header: ClassVar[bool] = True

    def __init__(self, codes: NccisCodes | None = None, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self.codes = codes or default_codes()
        self._people: dict[str, tuple[object, ...]] = {}
        self._provisional: set[str] = set()

    def tables(self) -> CodeTables:
        """The activity codes the ``activity_code`` column accepts."""
        return {ACTIVITY_TABLE: self.codes.activities.keys()}

    def header_from(self, values: Values) -> FileHeader:
        """``nccis:<la_code>:<YYYY-MM>``, as of the first day of the return month."""
        month = str(values["return_month"])
        return FileHeader(
            snapshot_key=f"nccis:{values['la_code']}:{month}",
            la_code=str(values["la_code"]),
            as_of=f"{month}-01",
        )

    def source_ref(self, row: CsvRow) -> str:
        """The YoungPersonsID, or the row number when it is blank."""
        return row.values.get("young_person_id") or f"row {row.number}"

    def start(self) -> None:
        """Forget the people and codes of the previous file."""
        self._people = {}
        self._provisional = set()

    def finish(self) -> None:
        """One warning per provisional activity code the file used."""
        for code in sorted(self._provisional):
            activity = self.codes.activities[code]
            self._warn("NCCIS_PROVISIONAL_CODE", f"activity code {code} ({activity.description})"
                       " is provisional: its meaning is not verified against the NCCIS "
                       "requirement")

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """The person (first time seen) and this activity."""
        person = str(values["young_person_id"])
        code = str(values["activity_code"])
        activity = self.codes.activities[code]
        if activity.provisional:
            self._provisional.add(code)
        start, review = date_value(values, "activity_start_date"), date_value(values, "review_date")
        if start and review and review < start:
            issue_for(parsed, "NCCIS_REVIEW_BEFORE_START", f"review date {review} is before the "
                      f"start {start}", row=row, field="review_date")
            return []
        month_start = dt.date.fromisoformat(f"{values['return_month']}-01")
        if review and review < month_start:
            issue_for(parsed, "NCCIS_CURRENCY_LAPSED", f"review date {review} is before the "
                      f"return month: the activity has lapsed to not known", row=row,
                      field="review_date", severity=Severity.WARNING)
        records: list[Record] = []
        learner = self._learner(values, row, parsed)
        fingerprint = (learner.given_name, learner.family_name, learner.date_of_birth)
        if person not in self._people:
            self._people[person] = fingerprint
            records.append(learner)
        elif self._people[person] != fingerprint:
            issue_for(parsed, "NCCIS_PERSON_CONFLICT", f"{person} has a different name or date "
                      "of birth on an earlier row; the earlier one is kept", row=row,
                      severity=Severity.WARNING)
        records.append(
            ActivityIn(
                learner_ref=person,
                activity_code=code,
                category=activity.category,
                start_date=start,
                review_date=review,
                code_list="NCCIS",
            )
        )
        return records

    def _learner(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> LearnerIn:
        ethnicity = text_value(values, "ethnicity")
        learner = LearnerIn(
            local_ref=str(values["young_person_id"]),
            uln=text_value(values, "uln"),
            upn=text_value(values, "upn"),
            given_name=text_value(values, "given_name"),
            family_name=text_value(values, "family_name"),
            date_of_birth=date_value(values, "dob"),
            sex=text_value(values, "sex"),
            ethnicity_source_code=ethnicity,
            ethnicity_source_list=ethnicity_list_for(ethnicity) if ethnicity else None,
            postcode=text_value(values, "postcode"),
            la_of_residence=str(values["la_code"])
            if values.get("cohort_status") == PRIMARY_COHORT
            else None,
            lldd=flag_value(values, "send"),
            is_on_roll=False,
        )
        for code in filter(None, (c.strip() for c in (text_value(values, "characteristics")
                                                      or "").split(CHARACTERISTIC_SEPARATOR))):
            found = self.codes.characteristics.get(code)
            if found is None:
                issue_for(parsed, "NCCIS_UNKNOWN_CHARACTERISTIC", f"characteristic {code!r} is "
                          "not in the code table; ignored", row=row, field="characteristics",
                          severity=Severity.WARNING)
            elif found.learner_flag == "looked_after":
                learner.looked_after = True
            elif found.learner_flag == "care_leaver":
                learner.care_leaver = True
        return learner
