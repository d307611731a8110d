"""Code lists read from data files, with the dates each code is valid for.

ESFA changes its lists every year (new funding models, retired LLDD categories), so codes live
in CSV files under ``connectors/data`` and a year's list is the union of the files named for
it, never a Python enum. A code's ``EffectiveFrom``/``EffectiveTo`` bound the dates it may be
used on; blank bounds are open.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of one list, with the dates it is valid between (inclusive)."""

    list_name: str
    code: str
    description: str
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None

    def is_valid_on(self, day: dt.date) -> bool:
        """Whether the code may be used on ``day``."""
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


@dataclass(slots=True)
class CodeLists:
    """Every code list of one collection by list name (``LearnFAMType:FME`` for sub-lists)."""

    name: str
    lists: dict[str, dict[str, Code]] = field(default_factory=dict)

    def add(self, code: Code) -> None:
        """Add or replace one code (a later file overrides an earlier one)."""
        self.lists.setdefault(code.list_name, {})[code.code] = code

    def has_list(self, list_name: str) -> bool:
        """Whether any code is known for ``list_name``."""
        return list_name in self.lists

    def lookup(self, list_name: str, code: str) -> Code | None:
        """The code's entry, or None when the list does not know it."""
        return self.lists.get(list_name, {}).get(code)

    def is_known(self, list_name: str, code: str, on: dt.date | None = None) -> bool:
        """Whether ``code`` is in ``list_name`` (and valid on ``on`` when a date is given)."""
        entry = self.lookup(list_name, code)
        if entry is None:
            return False
        return on is None or entry.is_valid_on(on)


def _date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    return dt.date.fromisoformat(text) if text else None


def read_lookup_file(path: Path) -> Iterable[Code]:
    """Codes from a ``Name,Code,Description,EffectiveFrom,EffectiveTo`` CSV.

    A ``ParentName`` column (ESFA's sub-category file) makes the list name ``Parent:Name``,
    e.g. ``LearnFAMType:FME``.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"].strip()
            parent = (row.get("ParentName") or "").strip()
            yield Code(
                list_name=f"{parent}:{name}" if parent else name,
                code=row["Code"].strip(),
                description=row.get("Description", "").strip(),
                effective_from=_date(row.get("EffectiveFrom")),
                effective_to=_date(row.get("EffectiveTo")),
            )


def load_code_lists(name: str, files: Iterable[str], data_dir: Path = DATA_DIR) -> CodeLists:
    """Build the code lists called ``name`` from ``files`` (paths relative to ``data_dir``)."""
    lists = CodeLists(name=name)
    for relative in files:
        for code in read_lookup_file(data_dir / relative):
            lists.add(code)
    return lists
