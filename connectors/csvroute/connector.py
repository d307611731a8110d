"""Generic CSV route: a provider's own CSV, read through its ``ColumnMapping``.

Rows are renamed and value-translated by the mapping, then typed by the same column rules as
every other hub CSV (``connectors/csvroute/spec.py``), so a small provider's file is checked as
strictly as a census file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from connectors.base import FileHeader, LoadMode
from connectors.csvconnector import (
    SpecCsvConnector,
    Values,
    date_value,
    flag_value,
    text_value,
)
from connectors.csvroute.mapping import ColumnMapping, CsvMappingError
from connectors.csvroute.spec import TARGETS
from connectors.csvsource import CsvRow, CsvSource, header_key
from connectors.csvspec import CsvSpec, convert_row
from connectors.normalise import ethnicity_list_for
from connectors.records import LearnerIn, ParsedRecord, ParticipationIn, Record

SIDECAR_SUFFIXES = (".mapping.yaml", ".mapping.yml", ".mapping.json")


def sidecar(path: Path) -> Path:
    """The mapping file beside ``path``: ``learners.csv`` -> ``learners.mapping.yaml`` (or
    ``.yml``/``.json``), else ``mapping.yaml`` in the same folder."""
    candidates = [path.with_name(path.stem + suffix) for suffix in SIDECAR_SUFFIXES]
    candidates += [path.with_name("mapping.yaml"), path.with_name("mapping.json")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CsvMappingError(
        f"{path.name}: no column mapping given and none beside the file "
        f"(looked for {', '.join(c.name for c in candidates)})"
    )


class CsvRouteConnector(SpecCsvConnector):
    """Reads a provider's CSV with a column mapping (``docs/connectors/csv.md``).

    Without a mapping argument (as the format registry creates it) the mapping is read from the
    file beside the CSV, so ``hub ingest csv learners.csv`` works with ``learners.mapping.yaml``.
    """

    spec: ClassVar[CsvSpec] = TARGETS
    name = "csv"
    mode = LoadMode.DELTA

    def __init__(self, mapping: ColumnMapping | None = None) -> None:
        super().__init__(encoding=mapping.encoding if mapping else "utf-8")
        self._fixed = mapping
        self.mapping = mapping or ColumnMapping(columns={"local_ref": "local_ref"})
        self.mapped_spec = TARGETS

    def _use_mapping(self, path: Path) -> None:
        """Take the constructor's mapping, else the one beside the file (see ``sidecar``)."""
        self.mapping = self._fixed or ColumnMapping.load(sidecar(path))
        self.encoding = self.mapping.encoding
        mapped = set(self.mapping.columns.values())
        self.mapped_spec = replace(
            TARGETS, columns=tuple(c for c in TARGETS.columns if c.name in mapped)
        )

    def read_header(self, path: Path) -> FileHeader:
        """The sender from the mapping's ``partner_ref`` (the file itself does not say)."""
        self._use_mapping(path)
        ref = self.mapping.partner_ref
        if ref and len(ref) == 8:
            return FileHeader(ukprn=ref)
        if ref:
            return FileHeader(laestab=ref, la_code=ref[:3])
        return FileHeader()

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """Every row, renamed and translated by the mapping, then typed."""
        self._file_issues = []
        self._use_mapping(path)
        source = CsvSource(
            path,
            {header_key(header): target for header, target in self.mapping.columns.items()},
            required=tuple(self.mapping.columns.values()),
            encoding=self.encoding,
        )
        for raw in source.rows():
            if raw.number == 1 and source.unknown:
                self._warn("CSV_UNKNOWN_COLUMN", "columns not in the mapping were ignored: "
                           + ", ".join(source.unknown[:20]))
            row = self._translate(raw)
            ref = row.values.get("local_ref") or f"row {row.number}"
            values, issues = convert_row(self.mapped_spec, row, ref, width=source.width)
            parsed = ParsedRecord(source_ref=ref, record_number=row.number, issues=issues)
            if not parsed.is_rejected:
                parsed.records = self.build(values, row, parsed)
            yield parsed

    def _translate(self, row: CsvRow) -> CsvRow:
        values = dict(row.values)
        for target, table in self.mapping.values.items():
            if values.get(target) in table:
                values[target] = table[values[target]]
        return replace(row, values=values)

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """The learner, and their course when ``course_title`` has a value."""
        del row, parsed
        local_ref = str(values["local_ref"])
        ethnicity = text_value(values, "ethnicity")
        records: list[Record] = [
            LearnerIn(
                local_ref=local_ref,
                uln=text_value(values, "uln"),
                upn=text_value(values, "upn"),
                given_name=text_value(values, "given_name"),
                family_name=text_value(values, "family_name"),
                date_of_birth=date_value(values, "date_of_birth"),
                sex=text_value(values, "sex"),
                ethnicity_source_code=ethnicity,
                ethnicity_source_list=ethnicity_list_for(ethnicity) if ethnicity else None,
                postcode=text_value(values, "postcode"),
                sen_provision=text_value(values, "sen_provision"),
                lldd=flag_value(values, "lldd"),
                fsm=flag_value(values, "fsm"),
                looked_after=flag_value(values, "looked_after"),
                care_leaver=flag_value(values, "care_leaver"),
                is_on_roll=self.mapping.on_roll,
            )
        ]
        title = text_value(values, "course_title")
        if title:
            records.append(
                ParticipationIn(
                    learner_ref=local_ref,
                    source_ref=text_value(values, "course_ref") or title,
                    provision_title=title,
                    learn_aim_ref=text_value(values, "learn_aim_ref"),
                    level=text_value(values, "level"),
                    academic_year=text_value(values, "academic_year"),
                    delivering_partner_ref=self.mapping.partner_ref,
                    start_date=date_value(values, "start_date"),
                    planned_end_date=date_value(values, "planned_end_date"),
                    actual_end_date=date_value(values, "actual_end_date"),
                    completion_status=text_value(values, "completion_status"),
                    outcome=text_value(values, "outcome"),
                    code_list="csv",
                )
            )
        return records
