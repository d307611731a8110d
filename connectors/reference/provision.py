"""Provision offered CSV -> ProvisionIn: courses, places, venues and timetable blocks."""

from __future__ import annotations

from typing import ClassVar

from connectors.base import LoadMode
from connectors.csvconnector import SpecCsvConnector, Values, int_value, issue_for, text_value
from connectors.csvsource import CsvRow
from connectors.csvspec import CsvSpec
from connectors.records import ParsedRecord, ProvisionIn, Record
from connectors.reference.spec import PROVISION


class ProvisionConnector(SpecCsvConnector):
    """Reads the provision CSV (``docs/connectors/reference.md``); a DELTA upsert of courses.

    A course is identified by (provider_ref, academic_year, title).
    """

    spec: ClassVar[CsvSpec] = PROVISION
    name = "provision"
    mode = LoadMode.DELTA

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self._seen: set[tuple[str, str, str]] = set()

    def start(self) -> None:
        """Forget the courses of the previous file."""
        self._seen = set()

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """One course, unless its group size is impossible or it repeats an earlier row."""
        key = (str(values["provider_ref"]), str(values["academic_year"]), str(values["title"]))
        places, minimum = int_value(values, "places_offered"), int_value(values, "minimum_group")
        if places is not None and minimum is not None and minimum > places:
            issue_for(parsed, "PROVISION_GROUP_EXCEEDS_PLACES", f"minimum group {minimum} is "
                      f"more than the {places} places offered", row=row, field="minimum_group")
            return []
        if key in self._seen:
            issue_for(parsed, "PROVISION_DUPLICATE", f"{key[2]!r} ({key[1]}) from {key[0]} is "
                      "on an earlier row", row=row, field="title")
            return []
        self._seen.add(key)
        return [
            ProvisionIn(
                delivering_partner_ref=key[0],
                academic_year=key[1],
                title=key[2],
                learn_aim_ref=text_value(values, "learn_aim_ref"),
                qualification=text_value(values, "qualification"),
                level=text_value(values, "level"),
                sector_subject_area=text_value(values, "sector_subject_area"),
                diploma_line=text_value(values, "diploma_line"),
                mode=text_value(values, "mode"),
                venue=text_value(values, "venue"),
                places_offered=places,
                minimum_group=minimum,
                timetable_block=text_value(values, "timetable_block"),
            )
        ]
