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
from connectors.ilr.model import DeliveryRule, LearnerData, Rule, RuleContext
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
        self._learner = [(rule, *grade(rule)) for rule in learner_rules if applies(rule)]
        self._delivery = [
            (rule.check, rule.name, rule.field, *grade(rule))
            for rule in DELIVERY_RULES
            if applies(rule)
        ]

    def run(
        self, learner: LearnerData, ctx: RuleContext, source_ref: str, record_number: int
    ) -> list[ValidationIssue]:
        """Every breach of an applicable rule by ``learner``, as issues."""
        issues: list[ValidationIssue] = []
        for rule, message, severity in self._learner:
            for field, detail in rule.check(learner, ctx):
                issues.append(
                    ValidationIssue(
                        rule.name,
                        f"{message} ({detail})",
                        severity,
                        source_ref,
                        record_number,
                        field,
                    )
                )
        for delivery in learner.deliveries:
            for check, name, field, message, severity in self._delivery:
                found = check(delivery, learner, ctx)
                if found is not None:
                    detail = f"aim {delivery.seq}: {found}"
                    issues.append(
                        ValidationIssue(
                            name,
                            f"{message} ({detail})",
                            severity,
                            source_ref,
                            record_number,
                            field,
                        )
                    )
        return issues
