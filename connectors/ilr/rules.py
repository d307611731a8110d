"""The ESFA rules the connector implements, and running them on one learner.

Only rules that need no outside reference data (LARS, the Learner Register, FCT contracts,
postcode tables) are implemented; ``IMPLEMENTED_RULES`` lists them and docs/connectors/ilr.md
publishes the list. Every issue carries ESFA's rule name, ESFA's message plus a detail, and the
severity from ``catalogue.rule_def`` (or the caller's override).
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.ilr.catalogue import rule_def
from connectors.ilr.delivery_rules import DELIVERY_RULES, DELIVERY_SET_RULES
from connectors.ilr.learner_rules import LEARNER_RULES
from connectors.ilr.model import (
    Delivery,
    DeliveryCheck,
    DeliveryRule,
    LearnerData,
    Rule,
    RuleContext,
)
from connectors.ilr.years import IlrYear
from connectors.report import Severity, ValidationIssue

ALL_RULES: tuple[Rule | DeliveryRule, ...] = (*LEARNER_RULES, *DELIVERY_SET_RULES, *DELIVERY_RULES)
IMPLEMENTED_RULES: tuple[str, ...] = tuple(rule.name for rule in ALL_RULES)


class RuleRunner:
    """The rules that apply to one year, with messages and severities resolved once per file."""

    def __init__(self, year: IlrYear, overrides: Mapping[str, Severity] | None = None) -> None:
        overrides = overrides or {}

        def applies(rule: Rule | DeliveryRule) -> bool:
            return year.current_rules or not rule.current_only

        def grade(rule: Rule | DeliveryRule) -> tuple[str, Severity]:
            found = rule_def(rule.name, lookup=rule.lookup)
            return found.message, overrides.get(rule.name, found.severity)

        learner_rules = (*LEARNER_RULES, *DELIVERY_SET_RULES)
        self._learner = [
            (rule.check, rule.name, *grade(rule)) for rule in learner_rules if applies(rule)
        ]
        delivery_rules = [rule for rule in DELIVERY_RULES if applies(rule)]
        self._delivery = [(rule.name, rule.field, *grade(rule)) for rule in delivery_rules]
        # Checks grouped by the field they need (None: always run), each with its position,
        # so a delivery's issues come out in rule order whichever checks ran.
        groups: dict[str | None, list[tuple[int, DeliveryCheck]]] = {}
        for position, rule in enumerate(delivery_rules):
            groups.setdefault(rule.needs, []).append((position, rule.check))
        self._always = groups.get(None, [])
        self._guarded = [(needed, checks) for needed, checks in groups.items() if needed]

    def run(
        self, learner: LearnerData, ctx: RuleContext, source_ref: str, record_number: int
    ) -> list[ValidationIssue]:
        """Every breach of an applicable rule by ``learner``, as issues.

        About a hundred checks run per learner, nearly all finding nothing, so the loops are
        kept lean: one call per check, checks skipped whose ``needs`` field is empty, and issues
        built only for what was found.
        """
        issues: list[ValidationIssue] = []
        for check, name, message, severity in self._learner:
            found = check(learner, ctx)
            if found:
                for field, detail in found:
                    text = f"{message} ({detail})"
                    issues.append(
                        ValidationIssue(name, text, severity, source_ref, record_number, field)
                    )
        for delivery in learner.deliveries:
            found_at = self._check_delivery(delivery, learner, ctx)
            for position, result in sorted(found_at.items()):
                name, field, message, severity = self._delivery[position]
                text = f"{message} (aim {delivery.seq}: {result})"
                issues.append(
                    ValidationIssue(name, text, severity, source_ref, record_number, field)
                )
        return issues

    def _check_delivery(
        self, delivery: Delivery, learner: LearnerData, ctx: RuleContext
    ) -> dict[int, str]:
        """What each breached delivery rule found, by rule position."""
        found: dict[int, str] = {}
        for position, check in self._always:
            result = check(delivery, learner, ctx)
            if result is not None:
                found[position] = result
        for needed, checks in self._guarded:
            if delivery.get(needed):
                for position, check in checks:
                    result = check(delivery, learner, ctx)
                    if result is not None:
                        found[position] = result
        return found
