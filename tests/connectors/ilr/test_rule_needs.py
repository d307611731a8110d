"""A delivery rule's ``needs`` claim holds: without that field the check never finds a breach.

The runner skips such checks when the field is empty, so a wrong claim would silently drop a
rule. Each claim is tried on thousands of seeded random deliveries (field values picked to
trigger the rules: odd date orders, every completion status and outcome, funding models and
programme types the exclusions name), in both a current and an earlier collection year.
"""

from __future__ import annotations

import random

import pytest

from connectors.ilr.delivery_rules import DELIVERY_RULES
from connectors.ilr.model import Delivery, DeliveryRule, LearnerData
from tests.connectors.ilr.support import context, delivery, learner

_DATES = (
    "2019-08-01",
    "2024-07-31",
    "2024-08-01",
    "2025-09-01",
    "2025-10-14",
    "2026-07-31",
    "2036-09-01",
    "2009-02-27",
    "not-a-date",
)
_VALUES: dict[str, tuple[str, ...]] = {
    "LearnAimRef": ("60149735", "ZPROG001"),
    "AimType": ("1", "3", "4", "5", "9"),
    "AimSeqNumber": ("1", "2", "7"),
    "LearnStartDate": _DATES,
    "LearnPlanEndDate": _DATES,
    "LearnActEndDate": _DATES,
    "AchDate": _DATES,
    "FundModel": ("10", "11", "25", "35", "36", "37", "38", "81", "82", "99", "77"),
    "ProgType": ("2", "25", "31", "32", "99"),
    "CompStatus": ("1", "2", "3", "6", "9"),
    "Outcome": ("1", "3", "8", "9"),
    "WithdrawReason": ("2", "40", "99"),
    "DelLocPostCode": ("BR1 3RL", "ZZ99 9ZZ", "bad"),
}
_FAMS = (("RES", "1"), ("SOF", "1"), ("SOF", "107"), ("LDM", "034"), ("ACT", "1"))
_GUARDED = [rule for rule in DELIVERY_RULES if rule.needs]


def _random_delivery(rng: random.Random, without: str) -> Delivery:
    fields = {
        name: rng.choice(values)
        for name, values in _VALUES.items()
        if name != without and rng.random() < 0.8
    }
    built = delivery(**fields)
    if rng.random() < 0.5:  # the field present but empty reads as absent too
        built[without] = ""
    built.fams.extend(rng.sample(_FAMS, rng.randint(0, 2)))
    return built


def _random_learner(rng: random.Random, aim: Delivery) -> LearnerData:
    born = rng.choice(("2009-02-27", "2022-01-01", "1900-01-01", "2025-09-01", ""))
    return learner(aim, **({"DateOfBirth": born} if born else {}))


def test_the_runner_skips_a_quarter_or_more_of_the_delivery_rules_when_fields_are_empty() -> None:
    assert len(_GUARDED) >= len(DELIVERY_RULES) // 4


@pytest.mark.parametrize("rule", _GUARDED, ids=lambda rule: rule.name)
def test_a_rule_never_fires_without_the_field_it_needs(rule: DeliveryRule) -> None:
    assert rule.needs is not None
    rng = random.Random(rule.name)
    contexts = (context(), context(year="ESFA/ILR/2018-19", prepared="2019-03-01"))
    for _ in range(3000):
        aim = _random_delivery(rng, rule.needs)
        found = rule.check(aim, _random_learner(rng, aim), rng.choice(contexts))
        assert found is None, f"{rule.name} fired without {rule.needs}: {dict(aim)} -> {found}"


@pytest.mark.parametrize("rule", _GUARDED, ids=lambda rule: rule.name)
def test_the_same_random_deliveries_do_break_the_rule_when_the_field_is_there(
    rule: DeliveryRule,
) -> None:
    """The generator reaches each guarded rule (so the test above is not vacuous)."""
    assert rule.needs is not None
    rng = random.Random(f"{rule.name}+")
    contexts = (context(), context(year="ESFA/ILR/2018-19", prepared="2019-03-01"))
    fired = 0
    for _ in range(3000):
        aim = _random_delivery(rng, rule.needs)
        aim[rule.needs] = rng.choice(_VALUES[rule.needs])
        fired += rule.check(aim, _random_learner(rng, aim), rng.choice(contexts)) is not None
    assert fired > 0, f"no random delivery breaks {rule.name}"
