"""First pass: year detection, header facts and identifier counts."""

from __future__ import annotations

import datetime as dt

from connectors.ilr.scan import detect_year, read_header, scan
from tests.connectors.ilr.support import HOSTILE, INVALID, SAMPLE_2526


def test_year_comes_from_the_root_namespace() -> None:
    year, root = detect_year(SAMPLE_2526)
    assert year.year == "2526"
    assert root.tag == "{ESFA/ILR/2025-26}Message"


def test_header_facts_are_read_without_the_learners() -> None:
    header = read_header(SAMPLE_2526)
    assert (header.ukprn, header.source_ukprn, header.collection_year) == (
        "99999999",
        "99999999",
        "2526",
    )
    assert header.file_preparation_date == dt.date(2025, 1, 8)
    assert header.date_time == "2025-01-08T09:14:05"


def test_read_header_stops_before_a_broken_learner() -> None:
    assert read_header(HOSTILE / "truncated.xml").ukprn == "99999999"


def test_scan_counts_learners_and_identifiers() -> None:
    found = scan(SAMPLE_2526)
    assert found.learners == 19
    assert found.ulns["1061485810"] == 2
    assert found.ulns["9999999999"] == 6
    assert set(found.learn_refs.values()) == {1}


def test_scan_counts_duplicate_learn_refs() -> None:
    found = scan(INVALID / "ILR-1819-FD-Mandatory_Fields.xml")
    assert found.learners == 54
    assert found.learn_refs["0AimTy01"] == 2


def test_scan_keeps_header_elements_for_the_wrappers() -> None:
    found = scan(SAMPLE_2526)
    names = [element.tag.rpartition("}")[2] for element in found.header_elements]
    assert names == ["Header", "SourceFiles", "LearningProvider"]
    assert len(found.root) <= 4  # streamed learners were dropped from the tree
