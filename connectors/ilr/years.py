"""Supported ILR collection years: namespace -> schema, code lists and year facts.

The ILR changes every year, and the root namespace names the year (``ESFA/ILR/2025-26``).
Each supported year names its XSD and its code-list files; code lists are loaded once per process
and schemas compiled once per thread (lxml validators keep a per-instance error log), because
compiling an XSD costs far more than validating a learner.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache

from lxml import etree

from connectors.codelists import DATA_DIR, CodeLists, load_code_lists

_BASE_LOOKUPS = ("ilr/ILR-2020-21-lookups.csv", "ilr/ILR-2020-21-lookup-subcategories.csv")


@dataclass(frozen=True, slots=True)
class IlrYear:
    """Everything the connector needs to know about one collection year."""

    year: str  # "2526", as in Header/CollectionDetails/Year and the filename
    namespace: str
    xsd: str  # path under connectors/data
    lookup_files: tuple[str, ...]
    has_destinations: bool  # LearnerDestinationandProgression exists (removed from 2024-25)
    current_rules: bool  # 2025-26 funding-policy rules apply (the rule CSV is for 2025-26)

    @property
    def academic_year(self) -> str:
        """The year as the hub writes it, e.g. ``2025/26``."""
        return f"20{self.year[:2]}/{self.year[2:]}"

    @property
    def code_list(self) -> str:
        """The code-list label stored with each record, e.g. ``ILR-2025-26``."""
        return f"ILR-20{self.year[:2]}-{self.year[2:]}"

    @property
    def start(self) -> dt.date:
        """1 August: the first day of the teaching year."""
        return dt.date(2000 + int(self.year[:2]), 8, 1)

    @property
    def end(self) -> dt.date:
        """31 July: the last day of the teaching year."""
        return dt.date(2000 + int(self.year[2:]), 7, 31)

    def schema(self) -> etree.XMLSchema:
        """The compiled XSD, compiled once per thread (a validator's error log is not shared)."""
        return _compiled_schema(self.xsd)

    def codes(self) -> CodeLists:
        """The code lists for this year (loaded once per process)."""
        return _code_lists(self.code_list, self.lookup_files)


SUPPORTED_YEARS: tuple[IlrYear, ...] = (
    IlrYear("1819", "ESFA/ILR/2018-19", "ilr/ILR-2018-19-v2.xsd", _BASE_LOOKUPS, True, False),
    IlrYear("1920", "ESFA/ILR/2019-20", "ilr/ILR-2019-20-v2.xsd", _BASE_LOOKUPS, True, False),
    IlrYear("2021", "ESFA/ILR/2020-21", "ilr/ILR-2020-21-v1.xsd", _BASE_LOOKUPS, True, False),
    IlrYear(
        "2526",
        "ESFA/ILR/2025-26",
        "ilr/ILR-2025-26.xsd",
        (*_BASE_LOOKUPS, "ilr/ILR-2025-26-lookup-additions.csv"),
        False,
        True,
    ),
)

_BY_NAMESPACE = {year.namespace: year for year in SUPPORTED_YEARS}


def year_for_namespace(namespace: str | None) -> IlrYear | None:
    """The supported year whose namespace is ``namespace``, or None."""
    return _BY_NAMESPACE.get(namespace or "")


def supported_namespaces() -> list[str]:
    """Every namespace the connector reads, oldest first (for error messages and docs)."""
    return [year.namespace for year in SUPPORTED_YEARS]


_per_thread = threading.local()


def _compiled_schema(relative: str) -> etree.XMLSchema:
    schemas: dict[str, etree.XMLSchema] = _per_thread.__dict__.setdefault("schemas", {})
    if relative not in schemas:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        schemas[relative] = etree.XMLSchema(etree.parse(str(DATA_DIR / relative), parser))
    return schemas[relative]


@cache
def _code_lists(name: str, files: tuple[str, ...]) -> CodeLists:
    return load_code_lists(name, files)
