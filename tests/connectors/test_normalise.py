"""Value normalisation: dates, sex, flags, money in pence, postcodes, ethnicity across sources."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.normalise import (
    academic_year_for,
    canonical_ethnicity,
    ethnicity_table,
    lookup_ethnicity,
    normalise_sex,
    parse_bool,
    parse_date,
    parse_pence,
    parse_postcode,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010-05-17", dt.date(2010, 5, 17)),
        ("17/05/2010", dt.date(2010, 5, 17)),
        ("1/2/2010", dt.date(2010, 2, 1)),
    ],
)
def test_iso_and_uk_dates_are_read(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2010-02-30", "05/17/2010", "17.05.2010", "2010-5-17", ""])
def test_other_date_shapes_and_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_sex_codes_and_words_normalise_to_m_f_u() -> None:
    assert [normalise_sex(v) for v in ("M", "f", "Female", "MALE", "u")] == [
        "M",
        "F",
        "F",
        "M",
        "U",
    ]
    with pytest.raises(ValueError, match="sex"):
        normalise_sex("X")


def test_yes_no_flags() -> None:
    assert [parse_bool(v) for v in ("Y", "no", "true", "0", "T")] == [
        True,
        False,
        True,
        False,
        True,
    ]
    with pytest.raises(ValueError, match="yes/no"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("1234.56", 123_456),
        ("1,234.56", 123_456),
        ("£1234.5", 123_450),
        ("0.1", 10),
        ("0.30", 30),
        ("7", 700),
        ("1,000,000.01", 100_000_001),
        (" 12.00 ", 1_200),
    ],
)
def test_amounts_become_exact_integer_pence(text: str, pence: int) -> None:
    assert parse_pence(text) == pence


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-5.00", "negative"),
        ("12.345", "not an amount"),
        ("1e3", "not an amount"),
        ("12,34", "not an amount"),
        ("", "not an amount"),
        ("NaN", "not an amount"),
        ("1 000", "not an amount"),
    ],
)
def test_malformed_amounts_are_refused(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_pence(text)


def test_postcodes_are_canonical_or_refused() -> None:
    assert parse_postcode(" zz99  9zz ") == "ZZ99 9ZZ"
    with pytest.raises(ValueError, match="postcode"):
        parse_postcode("NOT A PC")


def test_school_and_college_codes_meet_in_one_category_keeping_the_source() -> None:
    school, college = lookup_ethnicity("WBRI"), lookup_ethnicity("31")
    assert (school.source_list, college.source_list) == ("CBDS", "ILR")
    assert school.canonical == college.canonical == "white_british"
    assert (
        canonical_ethnicity("WROM") == canonical_ethnicity("33") == ("white_gypsy_irish_traveller")
    )
    assert canonical_ethnicity("CHNE") == canonical_ethnicity("42") == "asian_chinese"
    assert canonical_ethnicity("REFU") == canonical_ethnicity("99") == "not_provided"
    assert canonical_ethnicity("ZZZZ") is None
    assert canonical_ethnicity(None) is None


def test_every_ilr_ethnicity_code_has_a_cbds_counterpart_except_arab() -> None:
    table = ethnicity_table()
    cbds = {row.canonical for (lst, _), row in table.items() if lst == "CBDS"}
    ilr = {row.canonical for (lst, _), row in table.items() if lst == "ILR"}
    assert ilr - cbds == {"arab"}
    assert len([k for k in table if k[0] == "ILR"]) == 19


def test_academic_year_starts_on_the_first_of_august() -> None:
    assert academic_year_for(dt.date(2025, 7, 31)) == "2024-25"
    assert academic_year_for(dt.date(2025, 8, 1)) == "2025-26"
    assert academic_year_for(dt.date(1999, 9, 1)) == "1999-00"


@given(st.integers(min_value=0, max_value=10**15))
def test_any_amount_written_in_pounds_reads_back_to_the_same_pence(pence: int) -> None:
    pounds, rest = divmod(pence, 100)
    assert parse_pence(f"{pounds}.{rest:02d}") == pence
    assert parse_pence(f"£{pounds:,}.{rest:02d}") == pence
