"""Paths to the ILR fixtures and small builders for rule tests."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from connectors.ilr.model import Delivery, LearnerData, RuleContext, parse_date
from connectors.ilr.years import year_for_namespace
from connectors.records import ParsedRecord

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ilr"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"
HOSTILE = FIXTURES / "hostile"
SAMPLE_2526 = VALID / "ILR-99999999-2526-20250108-094401.xml"
ONE_LEARNER_1819 = VALID / "ILR-1819-one-learner-valid.xml"


def delivery(**fields: str) -> Delivery:
    """A LearningDelivery with ``fields`` (FAMs as ``fams=[(type, code)]`` set afterwards)."""
    built = Delivery()
    built.update(fields)
    return built


def learner(*deliveries: Delivery, **fields: str) -> LearnerData:
    """A Learner with ``fields`` and ``deliveries``."""
    built = LearnerData()
    built.update({"LearnRefNumber": "L1", **fields})
    built.deliveries.extend(deliveries)
    return built


def context(
    year: str = "ESFA/ILR/2025-26",
    prepared: str = "2025-10-15",
    refs: Counter[str] | None = None,
    ulns: Counter[str] | None = None,
) -> RuleContext:
    """A RuleContext for ``year`` with a file prepared on ``prepared``."""
    found = year_for_namespace(year)
    assert found is not None
    prepared_on = parse_date(prepared)
    assert prepared_on is not None
    return RuleContext(found, prepared_on, found.codes(), refs or Counter(), ulns or Counter())


def rules_by_ref(records: list[ParsedRecord]) -> dict[str, list[str]]:
    """Rule names of every issue, per source_ref (sorted), for compact assertions."""
    found: dict[str, list[str]] = {}
    for record in records:
        for issue in record.issues:
            found.setdefault(record.source_ref, []).append(issue.rule)
    return {ref: sorted(rules) for ref, rules in found.items()}
