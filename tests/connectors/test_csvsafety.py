"""Formula-injection-safe CSV writing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.csvsafety import DANGEROUS_FIRST, safe_cell, write_csv


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Alpha", "Alpha"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_is_quoted(value: str, written: str) -> None:
    assert safe_cell(value) == written


def test_numbers_dates_flags_and_none_are_written_plainly() -> None:
    assert [safe_cell(v) for v in (-5, 1.5, True, False, None, dt.date(2025, 3, 3))] == [
        "-5",
        "1.5",
        "Y",
        "N",
        "",
        "2025-03-03",
    ]


def test_write_csv_makes_every_cell_safe_and_round_trips() -> None:
    buffer = io.StringIO(newline="")
    count = write_csv(buffer, ["name", "=header"], [["=1+1", 3], ['Zoë, "Z"', None]])
    assert count == 2
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [
        ["name", "'=header"],
        ["'=1+1", "3"],
        ['Zoë, "Z"', ""],
    ]


@given(st.text(max_size=40))
def test_no_written_text_cell_starts_with_a_formula_character(text: str) -> None:
    written = safe_cell(text)
    assert not written.startswith(DANGEROUS_FIRST)
    assert written in (text, "'" + text)
