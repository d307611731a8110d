"""Funding allocations and flows: exact pence, malformed amounts rejected per row."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.base import LoadMode
from connectors.csvsource import CsvMissingColumnError
from connectors.records import FundingAllocationIn, FundingFlowIn, ParsedRecord
from connectors.reference.funding import AllocationsConnector, FlowsConnector

FIXTURES = Path(__file__).parents[2] / "fixtures" / "reference"


def rules(parsed: ParsedRecord) -> list[str]:
    return [issue.rule for issue in parsed.issues]


def test_connectors_are_deltas_with_their_names() -> None:
    assert (AllocationsConnector.name, AllocationsConnector.mode) == ("allocations", LoadMode.DELTA)
    assert (FlowsConnector.name, FlowsConnector.mode) == ("flows", LoadMode.DELTA)


def test_allocation_amounts_become_exact_pence() -> None:
    parsed = list(AllocationsConnector().read(FIXTURES / "allocations.csv"))
    loaded = [r for p in parsed for r in p.records if not p.is_rejected]
    assert loaded == [
        FundingAllocationIn("IFP", "8201234", "2025-26", 12_500_000),
        FundingAllocationIn("IFP", "10000004", "2025-26", 123_456),
        FundingAllocationIn("ESF", "10000004", "2025-26", 1_000),
        FundingAllocationIn("DSG-AL", "8204002", "2025-26", 10),
    ]


def test_malformed_amounts_and_duplicates_reject_only_their_rows() -> None:
    parsed = list(AllocationsConnector().read(FIXTURES / "allocations.csv"))
    assert [(p.record_number, rules(p)) for p in parsed[4:]] == [
        (5, ["ALLOCATIONS_DUPLICATE"]),
        (6, ["CSV_BAD_MONEY"]),
        (7, ["CSV_BAD_MONEY"]),
        (8, ["CSV_BAD_MONEY"]),
        (9, ["CSV_BAD_MONEY"]),
        (10, ["CSV_BAD_MONEY"]),
    ]
    assert "negative" in parsed[6].issues[0].message
    assert parsed[5].issues[0].field == "amount"


def test_flows_keep_payer_payee_basis_and_learner() -> None:
    parsed = list(FlowsConnector().read(FIXTURES / "flows.csv"))
    assert parsed[0].records == [
        FundingFlowIn(
            payer_ref="8201234",
            payee_ref="10000004",
            academic_year="2025-26",
            amount_pence=57_500,
            basis="per_learner_fee",
            stream_code="IFP",
            learner_ref="C820123424001",
            provision_ref="Level 1 Construction",
        )
    ]
    assert [rules(p) for p in parsed[1:]] == [["FLOWS_SAME_PARTNER"], ["CSV_BAD_CODE"], []]
    thirty = parsed[3].records[0]
    assert isinstance(thirty, FundingFlowIn)
    assert thirty.amount_pence == 30


def test_missing_amount_column_rejects_the_file() -> None:
    with pytest.raises(CsvMissingColumnError, match="amount"):
        list(
            AllocationsConnector().read(FIXTURES / "allocations-missing-required-column-amount.csv")
        )
