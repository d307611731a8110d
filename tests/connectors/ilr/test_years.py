"""Supported years: namespace lookup, year facts, schemas and code lists loaded once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from connectors.ilr.years import SUPPORTED_YEARS, supported_namespaces, year_for_namespace


def test_each_supported_namespace_finds_its_year() -> None:
    for year in SUPPORTED_YEARS:
        assert year_for_namespace(year.namespace) is year


def test_unknown_or_missing_namespace_finds_nothing() -> None:
    assert year_for_namespace("SFA/ILR/2017-18") is None
    assert year_for_namespace("ESFA/ILR/2026-27") is None
    assert year_for_namespace(None) is None


def test_year_facts_for_2025_26() -> None:
    year = year_for_namespace("ESFA/ILR/2025-26")
    assert year is not None
    assert (year.year, year.academic_year, year.code_list) == ("2526", "2025/26", "ILR-2025-26")
    assert (year.start, year.end) == (dt.date(2025, 8, 1), dt.date(2026, 7, 31))
    assert not year.has_destinations
    assert year.current_rules


def test_schema_and_code_lists_are_loaded_once() -> None:
    year = SUPPORTED_YEARS[-1]
    assert year.schema() is year.schema()
    assert year.codes() is year.codes()


def test_each_thread_gets_its_own_compiled_schema() -> None:
    year = SUPPORTED_YEARS[-1]
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(year.schema).result()
    assert other is not year.schema()


def test_2025_26_codes_include_the_later_funding_models() -> None:
    later = year_for_namespace("ESFA/ILR/2025-26")
    older = year_for_namespace("ESFA/ILR/2020-21")
    assert later is not None
    assert older is not None
    for code in ("11", "37", "38"):
        assert later.codes().is_known("FundModel", code)
        assert not older.codes().is_known("FundModel", code)
    assert later.codes().is_known("ProgType", "32")


def test_supported_namespaces_are_listed_oldest_first() -> None:
    assert supported_namespaces() == [
        "ESFA/ILR/2018-19",
        "ESFA/ILR/2019-20",
        "ESFA/ILR/2020-21",
        "ESFA/ILR/2025-26",
    ]
