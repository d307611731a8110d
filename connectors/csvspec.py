"""Column specifications for the hub's CSV formats: one truth for code, docs and demo data.

Each format's ``spec.py`` declares a ``CsvSpec``; the connector converts rows with
``convert_row``, the documentation table is ``spec_markdown`` of the same object, and the demo
generator writes files from the same column list. Values are typed here, once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from connectors.csvsource import CsvRow, CsvSource, header_key
from connectors.normalise import (
    lookup_ethnicity,
    normalise_sex,
    parse_bool,
    parse_date,
    parse_pence,
    parse_postcode,
)
from connectors.report import Severity, ValidationIssue
from hub.identifiers import is_valid_uln, is_valid_upn

Value = str | int | bool | dt.date | None
MAX_FIELD_CHARS = 1000


class ColumnType(StrEnum):
    """How a column's text becomes a value, and the rule id used when it cannot."""

    TEXT = "text"
    DATE = "date"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CODE = "code"
    UPN = "upn"
    ULN = "uln"
    POSTCODE = "postcode"
    SEX = "sex"
    ETHNICITY = "ethnicity"
    MONEY = "money"
    DIGITS = "digits"
    PARTNER_REF = "partner_ref"
    ACADEMIC_YEAR = "academic_year"
    PATTERN = "pattern"


_FORMAT_HINTS = {
    ColumnType.TEXT: "text",
    ColumnType.DATE: "date, YYYY-MM-DD (DD/MM/YYYY accepted)",
    ColumnType.INTEGER: "whole number",
    ColumnType.BOOLEAN: "Y/N (also yes/no, true/false, 1/0)",
    ColumnType.CODE: "code",
    ColumnType.UPN: "UPN, 13 characters with a valid check letter",
    ColumnType.ULN: "ULN, 10 digits with a valid check digit",
    ColumnType.POSTCODE: "UK postcode",
    ColumnType.SEX: "M, F or U",
    ColumnType.ETHNICITY: "CBDS 4-letter or ILR 2-digit ethnicity code",
    ColumnType.MONEY: "pounds with pence, e.g. 1234.56 (no minus sign)",
    ColumnType.DIGITS: "digits",
    ColumnType.PARTNER_REF: "partner: URN (6 digits), LAESTAB (7) or UKPRN (8)",
    ColumnType.ACADEMIC_YEAR: "academic year YYYY-YY, e.g. 2025-26",
    ColumnType.PATTERN: "text matching a pattern",
}
_ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column: its snake_case name, type, whether it is required, and what it may hold.

    ``required`` means the column must be in the header and non-blank in every row. ``constant``
    columns identify the file (school, period) and must hold one value throughout. ``invalid``
    is the severity of an unreadable value: ERROR rejects the row, WARNING drops just the value.
    """

    name: str
    type: ColumnType
    description: str
    required: bool = False
    codes: tuple[str, ...] = ()
    code_table: str | None = None
    length: int | None = None
    pattern: str | None = None
    minimum: int | None = None
    max_chars: int = 200
    aliases: tuple[str, ...] = ()
    constant: bool = False
    invalid: Severity = Severity.ERROR
    example: str = ""

    def format_hint(self) -> str:
        """What the value looks like, for documentation and error messages."""
        hint = _FORMAT_HINTS[self.type]
        if self.codes:
            hint = f"one of {', '.join(self.codes)}"
        elif self.code_table:
            hint = f"code from `{self.code_table}`"
        elif self.length:
            hint = f"{self.length} {hint}"
        elif self.pattern:
            hint = f"matches `{self.pattern}`"
        return hint


@dataclass(frozen=True, slots=True)
class CsvSpec:
    """A CSV format: its connector name, columns, and what identifies a file."""

    name: str
    title: str
    description: str
    columns: tuple[ColumnSpec, ...]

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns that must be present."""
        return tuple(column.name for column in self.columns if column.required)

    def header_map(self) -> dict[str, str]:
        """Header key -> canonical name, names and aliases alike."""
        found: dict[str, str] = {}
        for column in self.columns:
            for label in (column.name, *column.aliases):
                found[header_key(label)] = column.name
        return found

    def source(self, path: Path, *, encoding: str = "utf-8") -> CsvSource:
        """A ``CsvSource`` reading ``path`` by this spec's header names."""
        return CsvSource(path, self.header_map(), self.required, encoding=encoding)


CodeTables = Mapping[str, Collection[str]]


def _academic_year(text: str) -> str:
    match = _ACADEMIC_YEAR.match(text)
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{text!r} is not an academic year like 2025-26")
    return text


def _integer(column: ColumnSpec, text: str) -> int:
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise ValueError(f"{text!r} is not a whole number")
    value = int(text)
    if column.minimum is not None and value < column.minimum:
        raise ValueError(f"{value} is below the minimum {column.minimum}")
    return value


def _code(column: ColumnSpec, text: str, tables: CodeTables) -> str:
    allowed: Collection[str] = column.codes
    if column.code_table:
        allowed = tables.get(column.code_table, ())
    if text not in allowed:
        raise ValueError(f"{text!r} is not an allowed code ({column.format_hint()})")
    return text


def _digits(column: ColumnSpec, text: str) -> str:
    if not text.isdigit() or (column.length is not None and len(text) != column.length):
        raise ValueError(f"{text!r} is not {column.length or 'all'} digits")
    return text


def _partner_ref(text: str) -> str:
    if not text.isdigit() or len(text) not in (6, 7, 8):
        raise ValueError(f"{text!r} is not a URN (6 digits), LAESTAB (7) or UKPRN (8)")
    return text


def _upn(text: str) -> str:
    value = text.upper()
    if not is_valid_upn(value):
        raise ValueError(f"{text!r} is not a valid UPN (shape or check letter)")
    return value


def _uln(text: str) -> str:
    if not is_valid_uln(text):
        raise ValueError(f"{text!r} is not a valid ULN (10 digits, check digit)")
    return text


def _pattern(column: ColumnSpec, text: str) -> str:
    if column.pattern is None or not re.fullmatch(column.pattern, text):
        raise ValueError(f"{text!r} does not match {column.pattern}")
    return text


_CONVERTERS: dict[ColumnType, Callable[[ColumnSpec, str, CodeTables], Value]] = {
    ColumnType.TEXT: lambda c, t, _: t,
    ColumnType.DATE: lambda c, t, _: parse_date(t),
    ColumnType.INTEGER: lambda c, t, _: _integer(c, t),
    ColumnType.BOOLEAN: lambda c, t, _: parse_bool(t),
    ColumnType.CODE: _code,
    ColumnType.UPN: lambda c, t, _: _upn(t),
    ColumnType.ULN: lambda c, t, _: _uln(t),
    ColumnType.POSTCODE: lambda c, t, _: parse_postcode(t),
    ColumnType.SEX: lambda c, t, _: normalise_sex(t),
    ColumnType.ETHNICITY: lambda c, t, _: lookup_ethnicity(t).source_code,
    ColumnType.MONEY: lambda c, t, _: parse_pence(t),
    ColumnType.DIGITS: lambda c, t, _: _digits(c, t),
    ColumnType.PARTNER_REF: lambda c, t, _: _partner_ref(t),
    ColumnType.ACADEMIC_YEAR: lambda c, t, _: _academic_year(t),
    ColumnType.PATTERN: lambda c, t, _: _pattern(c, t),
}


def rule_for(column: ColumnSpec) -> str:
    """The rule id for an unreadable value in ``column``, e.g. ``CSV_BAD_DATE``."""
    return f"CSV_BAD_{column.type.value.upper()}"


def convert_row(
    spec: CsvSpec,
    row: CsvRow,
    source_ref: str,
    tables: CodeTables | None = None,
    width: int | None = None,
) -> tuple[dict[str, Value], list[ValidationIssue]]:
    """Typed values for every column of ``row`` and the issues found converting them."""
    issues: list[ValidationIssue] = []
    values: dict[str, Value] = {}

    def issue(rule: str, message: str, field: str | None, severity: Severity) -> None:
        issues.append(
            ValidationIssue(
                rule=rule,
                message=message,
                severity=severity,
                source_ref=source_ref,
                record_number=row.number,
                field=field,
                line=row.line,
            )
        )

    if width is not None and row.field_count != width:
        issue(
            "CSV_FIELD_COUNT",
            f"row has {row.field_count} fields but the header has {width} (truncated row?)",
            None,
            Severity.ERROR,
        )
    for column in spec.columns:
        text = row.values.get(column.name, "")
        if not text:
            values[column.name] = None
            if column.required:
                issue("CSV_REQUIRED_VALUE", f"{column.name} is required", column.name,
                      Severity.ERROR)
            continue
        if len(text) > column.max_chars:
            values[column.name] = None
            issue("CSV_FIELD_TOO_LONG",
                  f"{column.name} is {len(text)} characters (limit {column.max_chars})",
                  column.name, Severity.ERROR)
            continue
        try:
            values[column.name] = _CONVERTERS[column.type](column, text, tables or {})
        except ValueError as error:
            values[column.name] = None
            severity = Severity.ERROR if column.required else column.invalid
            issue(rule_for(column), f"{column.name}: {error}", column.name, severity)
    return values, issues


def spec_markdown(spec: CsvSpec) -> str:
    """The column table for ``docs/connectors/<format>.md``, generated so it cannot drift."""
    lines = [
        "| column | type / allowed values | required | example | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for column in spec.columns:
        required = "yes" if column.required else "no"
        notes = column.description
        if column.constant:
            notes += " Same value in every row (identifies the file)."
        if column.aliases:
            notes += " Also accepted as: " + ", ".join(f"`{a}`" for a in column.aliases) + "."
        if column.invalid is Severity.WARNING and not column.required:
            notes += " An unreadable value is dropped with a warning."
        cells = [f"`{column.name}`", column.format_hint(), required, f"`{column.example}`", notes]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def spec_example_csv(spec: CsvSpec) -> str:
    """A header row and one example row, from each column's ``example``."""
    names = ",".join(column.name for column in spec.columns)
    examples = ",".join(
        f'"{column.example}"' if "," in column.example else column.example
        for column in spec.columns
    )
    return f"{names}\n{examples}\n"


BEGIN_MARK = "<!-- BEGIN GENERATED FROM {name} SPEC: do not edit by hand -->"
END_MARK = "<!-- END GENERATED -->"


def render_doc(text: str, spec: CsvSpec) -> str:
    """``text`` with its generated region (column table and example file) rebuilt from ``spec``.

    Regenerate a page with ``python -c "from connectors.csvspec import write_doc; ..."``; a test
    fails when a page and its spec disagree.
    """
    begin = BEGIN_MARK.format(name=spec.name)
    start = text.index(begin) + len(begin)
    end = text.index(END_MARK, start)
    body = f"\n\n{spec_markdown(spec)}\nExample file:\n\n```csv\n{spec_example_csv(spec)}```\n\n"
    return text[:start] + body + text[end:]


def write_doc(path: Path, spec: CsvSpec) -> None:
    """Rewrite the generated region of the documentation page at ``path``."""
    path.write_text(render_doc(path.read_text(encoding="utf-8"), spec), encoding="utf-8")
