"""The shared skeleton of every spec-driven CSV connector: header, typed rows, file findings.

A format subclass declares its ``spec``, ``name`` and ``mode``, says how the identifying
columns become a ``FileHeader`` and how one valid row becomes records; reading, typing, the
identifying-column checks and file-level warnings are done here once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from connectors.base import FileHeader, LoadMode
from connectors.csvsource import CsvFileHeaderError, CsvRow, first_row
from connectors.csvspec import CodeTables, CsvSpec, Value, convert_row
from connectors.records import ParsedRecord, Record
from connectors.report import Severity, ValidationIssue

Values = dict[str, Value]


class SpecCsvConnector:
    """Base for CSV connectors driven by one ``CsvSpec``.

    ``needs_header`` formats (snapshots) refuse a file whose identifying columns are missing,
    unreadable or vary between rows, since the snapshot key would be wrong.
    """

    spec: ClassVar[CsvSpec]
    name: str
    mode: LoadMode
    needs_header: ClassVar[bool] = False

    def __init__(self, *, encoding: str = "utf-8") -> None:
        self.encoding = encoding
        self._file_issues: list[ValidationIssue] = []

    # -- hooks for subclasses -------------------------------------------------------------
    def tables(self) -> CodeTables:
        """Code tables the spec's ``code_table`` columns refer to."""
        return {}

    def header_from(self, values: Values) -> FileHeader:
        """The file header from the identifying (``constant``) columns of the first row."""
        del values
        return FileHeader()

    def source_ref(self, row: CsvRow) -> str:
        """How reports name this row (a UPN, a person id, or the row number)."""
        return f"row {row.number}"

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """Records from one row whose values all converted; may add issues to ``parsed``."""
        raise NotImplementedError

    def start(self) -> None:
        """Called before the first row: reset per-file state (duplicate tracking...)."""

    def finish(self) -> None:
        """Called after the last row: add file-level findings to ``self._file_issues``."""

    # -- the Connector protocol -----------------------------------------------------------
    def read_header(self, path: Path) -> FileHeader:
        """Who sent the file and for when, from the first data row's identifying columns."""
        row = first_row(self.spec.source(path, encoding=self.encoding))
        if row is None:
            if self.needs_header:
                raise CsvFileHeaderError(
                    f"{path.name} has no data rows, so it does not say which "
                    f"{self._constant_names()} it is for"
                )
            return FileHeader()
        return self.header_from(self._header_values(path, row))

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """Every data row as a ``ParsedRecord``; file defects raise ``FileRejectedError``."""
        self._file_issues = []
        self.start()
        source = self.spec.source(path, encoding=self.encoding)
        first: dict[str, str] | None = None
        for row in source.rows():
            if first is None:
                self.header_from(self._header_values(path, row))
                first = {name: row.values.get(name, "") for name in self._constants()}
                if source.unknown:
                    self._warn("CSV_UNKNOWN_COLUMN", "columns not in the format were ignored: "
                               + ", ".join(source.unknown[:20]))
            self._check_constants(path, row, first)
            ref = self.source_ref(row)
            values, issues = convert_row(self.spec, row, ref, self.tables(), width=source.width)
            parsed = ParsedRecord(source_ref=ref, record_number=row.number, issues=issues)
            if not parsed.is_rejected:
                parsed.records = self.build(values, row, parsed)
            yield parsed
        self.finish()

    def file_issues(self) -> list[ValidationIssue]:
        """File-level warnings gathered while reading (complete once ``read`` is exhausted)."""
        return list(self._file_issues)

    # -- helpers ----------------------------------------------------------------------------
    def _warn(self, rule: str, message: str) -> None:
        self._file_issues.append(ValidationIssue(rule, message, Severity.WARNING))

    def _constants(self) -> list[str]:
        return [column.name for column in self.spec.columns if column.constant]

    def _constant_names(self) -> str:
        return " / ".join(self._constants()) or "partner"

    def _header_values(self, path: Path, row: CsvRow) -> Values:
        values, issues = convert_row(self.spec, row, f"row {row.number}", self.tables())
        constants = set(self._constants())
        for issue in issues:
            if issue.field in constants and issue.is_error:
                raise CsvFileHeaderError(f"{path.name} row {row.number}: {issue.message}")
        return {name: values.get(name) for name in constants}

    def _check_constants(self, path: Path, row: CsvRow, first: dict[str, str]) -> None:
        for name, expected in first.items():
            found = row.values.get(name, "")
            if found != expected:
                raise CsvFileHeaderError(
                    f"{path.name} row {row.number} (line {row.line}): {name} is {found!r} but "
                    f"row 1 has {expected!r}; one file covers one {self._constant_names()}"
                )


def issue_for(
    parsed: ParsedRecord,
    rule: str,
    message: str,
    *,
    row: CsvRow,
    field: str | None = None,
    severity: Severity = Severity.ERROR,
) -> None:
    """Add a finding about ``row`` to ``parsed``."""
    parsed.issues.append(
        ValidationIssue(
            rule=rule,
            message=message,
            severity=severity,
            source_ref=parsed.source_ref,
            record_number=row.number,
            field=field,
            line=row.line,
        )
    )


def text_value(values: Values, name: str) -> str | None:
    """``values[name]`` when it is text, else None."""
    value = values.get(name)
    return value if isinstance(value, str) else None


def date_value(values: Values, name: str) -> dt.date | None:
    """``values[name]`` when it is a date, else None."""
    value = values.get(name)
    return value if isinstance(value, dt.date) else None


def flag_value(values: Values, name: str) -> bool | None:
    """``values[name]`` when it is a yes/no flag, else None."""
    value = values.get(name)
    return value if isinstance(value, bool) else None


def int_value(values: Values, name: str) -> int | None:
    """``values[name]`` when it is a whole number (not a flag), else None."""
    value = values.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
