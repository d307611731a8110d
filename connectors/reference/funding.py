"""Funding allocations and flows CSVs -> FundingAllocationIn / FundingFlowIn, money in pence.

Amounts are parsed from their digits (``connectors.normalise.parse_pence``), never through a
float, so 0.10 + 0.20 is exactly 30 pence and totals reconcile to the penny.
"""

from __future__ import annotations

from typing import ClassVar

from connectors.base import LoadMode
from connectors.csvconnector import SpecCsvConnector, Values, int_value, issue_for, text_value
from connectors.csvsource import CsvRow
from connectors.csvspec import CsvSpec
from connectors.records import FundingAllocationIn, FundingFlowIn, ParsedRecord, Record
from connectors.reference.spec import ALLOCATIONS, FLOWS


class AllocationsConnector(SpecCsvConnector):
    """Reads the allocations CSV; a DELTA upsert keyed by (stream, partner, academic year)."""

    spec: ClassVar[CsvSpec] = ALLOCATIONS
    name = "allocations"
    mode = LoadMode.DELTA

    def __init__(self, *, encoding: str = "utf-8") -> None:
        super().__init__(encoding=encoding)
        self._seen: set[tuple[str, str, str]] = set()

    def start(self) -> None:
        """Forget the allocations of the previous file."""
        self._seen = set()

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """One allocation, unless the same stream, partner and year came earlier."""
        key = (str(values["stream_code"]), str(values["partner_ref"]), str(values["academic_year"]))
        if key in self._seen:
            issue_for(parsed, "ALLOCATIONS_DUPLICATE", f"{key[0]} for {key[1]} in {key[2]} is "
                      "on an earlier row", row=row)
            return []
        self._seen.add(key)
        amount = int_value(values, "amount") or 0  # required: a row reaching here has one
        return [FundingAllocationIn(key[0], key[1], key[2], amount)]


class FlowsConnector(SpecCsvConnector):
    """Reads the flows CSV; each row is one payment (a DELTA: nothing is deleted)."""

    spec: ClassVar[CsvSpec] = FLOWS
    name = "flows"
    mode = LoadMode.DELTA

    def build(self, values: Values, row: CsvRow, parsed: ParsedRecord) -> list[Record]:
        """One flow between two different partners."""
        payer, payee = str(values["payer_ref"]), str(values["payee_ref"])
        if payer == payee:
            issue_for(parsed, "FLOWS_SAME_PARTNER", f"payer and payee are both {payer}",
                      row=row, field="payee_ref")
            return []
        amount = int_value(values, "amount") or 0  # required: a row reaching here has one
        return [
            FundingFlowIn(
                payer_ref=payer,
                payee_ref=payee,
                academic_year=str(values["academic_year"]),
                amount_pence=amount,
                basis=str(values["basis"]),
                stream_code=text_value(values, "stream_code"),
                learner_ref=text_value(values, "learner_ref"),
                provision_ref=text_value(values, "provision_ref"),
            )
        ]
