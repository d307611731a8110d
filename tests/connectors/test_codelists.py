"""Code lists from CSV files: membership, sub-lists and effective dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from connectors.codelists import load_code_lists


def _write(folder: Path) -> None:
    (folder / "base.csv").write_text(
        "Name,Code,Description,EffectiveFrom,EffectiveTo\n"
        "LLDDCat,1,Emotional/behavioural difficulties,1900-01-01,2015-07-31\n"
        "LLDDCat,4,Visual impairment,,\n",
        encoding="utf-8",
    )
    (folder / "sub.csv").write_text(
        "ParentName,Name,Code,Description,EffectiveFrom,EffectiveTo\n"
        "LearnFAMType,FME,2,Free meals,1900-01-01,2099-12-31\n",
        encoding="utf-8",
    )
    (folder / "later.csv").write_text(
        "Name,Code,Description,EffectiveFrom,EffectiveTo,Source\n"
        "LLDDCat,4,Visual impairment (renamed),,,test\n",
        encoding="utf-8",
    )


def test_codes_are_known_by_list_and_date(tmp_path: Path) -> None:
    _write(tmp_path)
    lists = load_code_lists("test", ["base.csv", "sub.csv"], tmp_path)
    assert lists.is_known("LLDDCat", "1")
    assert lists.is_known("LLDDCat", "1", on=dt.date(2015, 7, 31))
    assert not lists.is_known("LLDDCat", "1", on=dt.date(2015, 8, 1))
    assert lists.is_known("LLDDCat", "4", on=dt.date(2030, 1, 1))
    assert not lists.is_known("LLDDCat", "99")
    assert not lists.is_known("Nope", "1")


def test_sub_lists_are_named_parent_colon_name(tmp_path: Path) -> None:
    _write(tmp_path)
    lists = load_code_lists("test", ["sub.csv"], tmp_path)
    assert lists.has_list("LearnFAMType:FME")
    assert lists.is_known("LearnFAMType:FME", "2")


def test_a_later_file_overrides_an_earlier_one(tmp_path: Path) -> None:
    _write(tmp_path)
    lists = load_code_lists("test", ["base.csv", "later.csv"], tmp_path)
    entry = lists.lookup("LLDDCat", "4")
    assert entry is not None
    assert entry.description == "Visual impairment (renamed)"
