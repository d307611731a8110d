"""Providers CSV (GIAS "all establishments" headers or ours) -> PartnerIn.

GIAS has no partner types of ours, so its ``TypeOfEstablishment (name)`` (and, for colleges,
``FurtherEducationType (name)``) is mapped through ``connectors/data/gias_partner_types.csv``;
an explicit ``partner_type`` column wins, for providers GIAS does not list.
"""

from __future__ import annotations

import csv
from functools import cache
from typing import ClassVar

from connectors.base import LoadMode
from connectors.csvconnector import SpecCsvConnector, Values, issue_for, text_value
from connectors.csvsource import CsvRow
from connectors.csvspec import CsvSpec
from connectors.normalise import DATA_DIR
from connectors.records import ParsedRecord, PartnerIn, Record
from connectors.reference.spec import PROVIDERS

PARTNER_TYPE_TABLE = DATA_DIR / "gias_partner_types.csv"


@cache
def gias_partner_types() -> dict[tuple[str, str], str]:
    """(type name lower-cased, FE type name lower-cased or '') -> hub partner type."""
    with PARTNER_TYPE_TABLE.open(encoding="utf-8", newline="") as handle:
        return {
            (row["type_of_establishment_name"].lower(),
             row["further_education_type_name"].lower()): row["partner_type"]
            for row in csv.DictReader(handle)
        }


def partner_type_for(type_name: str, fe_type: str | None = None) -> str | None:
    """The hub partner type for a GIAS type (and FE type), or None when it is not mapped."""
    table = gias_partner_types()
    key = type_name.strip().lower()
    if fe_type and (key, fe_type.strip().lower()) in table:
        return table[(key, fe_type.strip().lower())]
    return table.get((key, ""))


class ProvidersConnector(SpecCsvConnector):
    """Reads the providers CSV (``docs/connectors/reference.md``); a DELTA upsert of partners."""

    spec: ClassVar[CsvSpec] = PROVIDERS
    name = "providers"
    mode = LoadMode.DELTA

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self._seen: set[str] = set()

    def start(self) -> None:
        """Forget the identifiers of the previous file."""
        self._seen = set()

    def source_ref(self, row: CsvRow) -> str:
        """URN, else UKPRN, else the row number."""
        return row.values.get("urn") or row.values.get("ukprn") or f"row {row.number}"

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """One partner, typed and identified, unless it repeats an earlier row."""
        urn, ukprn = text_value(values, "urn"), text_value(values, "ukprn")
        if not urn and not ukprn:
            issue_for(parsed, "PROVIDERS_NO_IDENTIFIER", "a provider needs a urn or a ukprn",
                      row=row)
            return []
        keys = {f"urn:{urn}" if urn else "", f"ukprn:{ukprn}" if ukprn else ""} - {""}
        if keys & self._seen:
            issue_for(parsed, "PROVIDERS_DUPLICATE", f"{' / '.join(sorted(keys))} is on an "
                      "earlier row", row=row)
            return []
        partner_type = text_value(values, "partner_type")
        gias_type = text_value(values, "type_of_establishment")
        if partner_type is None and gias_type:
            partner_type = partner_type_for(gias_type, text_value(values, "further_education_type"))
        if partner_type is None:
            issue_for(parsed, "PROVIDERS_UNKNOWN_TYPE", f"type {gias_type!r} is not in "
                      f"{PARTNER_TYPE_TABLE.name}; give partner_type", row=row,
                      field="type_of_establishment")
            return []
        self._seen |= keys
        la_code, number = text_value(values, "la_code"), text_value(values, "establishment_number")
        return [
            PartnerIn(
                name=str(values["name"]),
                partner_type=partner_type,
                urn=urn,
                ukprn=ukprn,
                la_code=la_code,
                laestab=f"{la_code}{number}" if la_code and number else None,
                postcode=text_value(values, "postcode"),
            )
        ]
