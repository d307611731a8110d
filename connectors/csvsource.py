"""Reading CSV exports safely: by header name never by position, with a clear error for each defect.

A file is checked for its encoding before any row is read (UTF-8 with or without a BOM unless the
caller names another), so a Windows-1252 or UTF-16 export is refused with the line and the fix
rather than half-loaded. Every row carries its data-row number and physical line for reports.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hub.errors import FileRejectedError

CSV_HARD_LIMIT = 131_072  # the csv module's own field limit: beyond it the file is unreadable
_CHUNK = 1 << 16
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class CsvEncodingError(FileRejectedError):
    """The file is not in the expected text encoding (usually UTF-8)."""

    code = "CSV_ENCODING"


class CsvMalformedError(FileRejectedError):
    """The file is not readable CSV: empty, binary, broken quoting, duplicate or huge fields."""

    code = "CSV_MALFORMED"


class CsvMissingColumnError(FileRejectedError):
    """A column the format requires is absent from the header row."""

    code = "CSV_MISSING_COLUMN"


class CsvFileHeaderError(FileRejectedError):
    """The columns that identify the file (school, LA, period) are invalid, missing or vary."""

    code = "CSV_FILE_HEADER"


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its 1-based row number (header excluded), first line, and values by column."""

    number: int
    line: int
    values: dict[str, str]
    field_count: int


def header_key(name: str) -> str:
    """The matching key for a header: case, spaces and punctuation do not matter."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


def check_encoding(path: Path, encoding: str = "utf-8") -> None:
    """Decode the whole file once so a wrong encoding is refused before any record is yielded."""
    with path.open("rb") as handle:
        start = handle.read(4)
        if start.startswith(_UTF16_BOMS):
            raise CsvEncodingError(
                f"{path.name} is UTF-16 (Excel 'Unicode text'); save it as 'CSV UTF-8' and resend"
            )
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        line = 1
        offset = 0
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                raise CsvMalformedError(
                    f"{path.name} contains NUL bytes near line {line}: it is binary, not CSV"
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                bad_line = line + chunk[: error.start].count(b"\n")
                raise CsvEncodingError(
                    f"{path.name} is not valid {encoding}: byte 0x{chunk[error.start]:02x} at "
                    f"offset {offset + error.start} (line {bad_line}); export it as 'CSV UTF-8'"
                ) from None
            line += chunk.count(b"\n")
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise CsvEncodingError(
                f"{path.name} ends in the middle of a {encoding} character: the file is truncated"
            ) from None


class CsvSource:
    """A CSV file read by header names, yielding ``CsvRow`` items.

    ``columns`` maps each accepted header key to the canonical column name (aliases included);
    ``required`` names columns that must be present. Unknown headers are kept in ``unknown``.
    """

    def __init__(
        self,
        path: Path,
        columns: dict[str, str],
        required: Sequence[str] = (),
        *,
        encoding: str = "utf-8",
    ) -> None:
        self.path = path
        self.columns = columns
        self.required = tuple(required)
        self.encoding = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
        self.unknown: list[str] = []
        self.positions: dict[str, int] = {}

    def rows(self) -> Iterator[CsvRow]:
        """Every non-blank data row; raises ``FileRejectedError`` subclasses for file defects."""
        check_encoding(self.path, "utf-8" if self.encoding == "utf-8-sig" else self.encoding)
        with self.path.open(encoding=self.encoding, newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = self._next(reader)
            if header is None:
                raise CsvMalformedError(f"{self.path.name} is empty: expected a header row")
            self._map_header(header)
            number = 0
            while True:
                line = reader.line_num + 1
                fields = self._next(reader)
                if fields is None:
                    return
                if not any(field.strip() for field in fields):
                    continue
                number += 1
                values = {
                    name: fields[index].strip()
                    for name, index in self.positions.items()
                    if index < len(fields)
                }
                yield CsvRow(number=number, line=line, values=values, field_count=len(fields))

    @property
    def width(self) -> int:
        """How many fields the header row has (a row with another count is malformed)."""
        return len(self.positions) + len(self.unknown)

    def _next(self, reader: Iterator[list[str]]) -> list[str] | None:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error as error:
            line = getattr(reader, "line_num", "?")
            if "field larger than field limit" in str(error):
                raise CsvMalformedError(
                    f"{self.path.name} line {line}: a field is over {CSV_HARD_LIMIT} characters "
                    "(an unclosed quote or a non-CSV file)"
                ) from None
            raise CsvMalformedError(
                f"{self.path.name} line {line}: {error} (check quoting; the file may be truncated)"
            ) from None

    def _map_header(self, header: list[str]) -> None:
        for index, raw in enumerate(header):
            name = self.columns.get(header_key(raw))
            if name is None:
                self.unknown.append(raw.strip())
            elif name in self.positions:
                raise CsvMalformedError(
                    f"{self.path.name}: column {name!r} appears more than once in the header"
                )
            else:
                self.positions[name] = index
        missing = [name for name in self.required if name not in self.positions]
        if missing:
            raise CsvMissingColumnError(
                f"{self.path.name}: required column(s) missing from the header: "
                f"{', '.join(missing)} (header was: {', '.join(h.strip() for h in header)})"
            )


def first_row(source: CsvSource) -> CsvRow | None:
    """The first data row (for header information a format carries in every row)."""
    for row in source.rows():
        return row
    return None
