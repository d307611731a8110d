"""CSV reading by header: names matched loosely, rows numbered, encodings checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.csvsource import CsvEncodingError, CsvSource, check_encoding, header_key


def test_header_keys_ignore_case_spaces_and_punctuation() -> None:
    assert header_key(" Legal Surname ") == header_key("LEGAL-SURNAME") == "legal_surname"
    assert header_key("\ufeffLA (code)") == "la_code"


def test_rows_are_read_by_name_whatever_the_column_order(tmp_path: Path) -> None:
    path = tmp_path / "reordered.csv"
    path.write_text('B,a,extra\n2,1,x\n\n"multi\nline",3,y\n', encoding="utf-8")
    source = CsvSource(path, {"a": "a", "b": "b"}, required=("a",))
    rows = list(source.rows())
    assert [(r.number, r.line, r.values) for r in rows] == [
        (1, 2, {"a": "1", "b": "2"}),
        (2, 4, {"a": "3", "b": "multi\nline"}),
    ]
    assert source.unknown == ["extra"]
    assert source.width == 3


def test_encoding_error_names_offset_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a\nok\nCaf\xe9\n")
    with pytest.raises(CsvEncodingError, match=r"offset 8 \(line 3\)"):
        check_encoding(path)
    check_encoding(path, "cp1252")


def test_character_cut_at_the_end_is_a_truncated_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_bytes("a\nZo\u00eb".encode()[:-1])
    with pytest.raises(CsvEncodingError, match="truncated"):
        check_encoding(path)


def test_every_connector_error_code_has_its_documentation_page() -> None:
    from connectors.attendance.connector import AttendanceHostRefError
    from connectors.csvroute.mapping import CsvMappingError
    from connectors.csvsource import (
        CsvFileHeaderError,
        CsvMalformedError,
        CsvMissingColumnError,
    )
    from connectors.ctf.header import CtfHeaderError, CtfNotCtfError
    from connectors.nccis.codes import NccisCodeTableError

    docs = Path(__file__).parents[2] / "docs" / "errors"
    classes = [CsvEncodingError, CsvMalformedError, CsvMissingColumnError, CsvFileHeaderError,
               AttendanceHostRefError, CsvMappingError, CtfHeaderError, CtfNotCtfError,
               NccisCodeTableError]
    missing = [c.code for c in classes if not (docs / f"{c.code}.md").is_file()]
    assert missing == []
    assert len({c.code for c in classes}) == len(classes)
