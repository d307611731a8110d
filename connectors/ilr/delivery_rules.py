"""ESFA rules on LearningDelivery records: dates, completion/outcome logic, codes, funding.

Exclusions ESFA lists for a rule are applied where they need no reference data (skills
bootcamps, apprenticeship standards, restarts); rules whose exclusions need LARS are not here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from connectors.ilr.learner_rules import POSTCODE_FORMAT
from connectors.ilr.model import (
    NONE,
    Delivery,
    DeliveryCheck,
    DeliveryRule,
    Finding,
    LearnerData,
    Rule,
    RuleContext,
    age_on,
)

_ASF_START = dt.date(2024, 8, 1)


def _bootcamp(d: Delivery) -> bool:
    return d.get("FundModel") == "37" and d.get("ProgType") == "32"


def _app_standard(d: Delivery, *, programme_aim: bool = False) -> bool:
    standard = d.get("FundModel") in {"36", "99"} and d.get("ProgType") == "25"
    return standard and (not programme_aim or d.get("AimType") == "1")


def plan_before_start(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """LearnPlanEndDate before LearnStartDate."""
    start, plan = d.date("LearnStartDate"), d.date("LearnPlanEndDate")
    return (
        f"planned end {plan} is before start {start}" if start and plan and plan < start else None
    )


def plan_ten_years(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """LearnPlanEndDate 10 years or more after LearnStartDate."""
    start, plan = d.date("LearnStartDate"), d.date("LearnPlanEndDate")
    too_long = start and plan and plan >= start and age_on(start, plan) >= 10
    return f"planned end {plan} is 10+ years after start {start}" if too_long else None


def actual_before_start(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """LearnActEndDate before LearnStartDate."""
    start, end = d.date("LearnStartDate"), d.date("LearnActEndDate")
    return f"actual end {end} is before start {start}" if start and end and end < start else None


def actual_after_file(d: Delivery, _l: LearnerData, ctx: RuleContext) -> str | None:
    """LearnActEndDate after the file preparation date (an end date in the future)."""
    end = d.date("LearnActEndDate")
    late = end and end > ctx.file_preparation_date
    return (
        f"actual end {end} is after the file preparation date {ctx.file_preparation_date}"
        if late
        else None
    )


def start_after_year(d: Delivery, _l: LearnerData, ctx: RuleContext) -> str | None:
    """LearnStartDate after the teaching year (apprenticeships, bootcamps, T Levels excluded)."""
    if d.get("FundModel") in {"36", "37"} or d.get("ProgType") == "31":
        return None
    start = d.date("LearnStartDate")
    return f"start {start} is after {ctx.year_end}" if start and start > ctx.year_end else None


def start_before_birth(d: Delivery, learner: LearnerData, _c: RuleContext) -> str | None:
    """LearnStartDate on or before DateOfBirth."""
    start, birth = d.date("LearnStartDate"), learner.date("DateOfBirth")
    return (
        f"start {start} is not after birth {birth}" if start and birth and birth >= start else None
    )


def ach_before_start(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AchDate before LearnStartDate."""
    start, ach = d.date("LearnStartDate"), d.date("AchDate")
    return f"achievement {ach} is before start {start}" if start and ach and ach < start else None


def ach_without_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AchDate without LearnActEndDate."""
    return (
        "AchDate without LearnActEndDate"
        if d.get("AchDate") and not d.get("LearnActEndDate")
        else None
    )


def ach_before_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AchDate before LearnActEndDate (bootcamps excluded)."""
    end, ach = d.date("LearnActEndDate"), d.date("AchDate")
    early = end and ach and ach < end and not _bootcamp(d)
    return f"achievement {ach} is before actual end {end}" if early else None


def ach_after_file(d: Delivery, _l: LearnerData, ctx: RuleContext) -> str | None:
    """AchDate after the file preparation date."""
    ach = d.date("AchDate")
    late = ach and ach > ctx.file_preparation_date
    return (
        f"achievement {ach} is after the file preparation date {ctx.file_preparation_date}"
        if late
        else None
    )


def continuing_with_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """CompStatus 1 with a LearnActEndDate (apprenticeship standard programme aims excluded)."""
    bad = d.get("LearnActEndDate") and d.get("CompStatus") == "1"
    return (
        "CompStatus 1 with an actual end date"
        if bad and not _app_standard(d, programme_aim=True)
        else None
    )


def ended_without_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """No LearnActEndDate but CompStatus is not 1."""
    bad = not d.get("LearnActEndDate") and d.get("CompStatus") != "1"
    return f"CompStatus {d.get('CompStatus')} without an actual end date" if bad else None


def no_outcome_not_continuing(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """No Outcome but CompStatus is not 1."""
    bad = not d.get("Outcome") and d.get("CompStatus") != "1"
    return f"CompStatus {d.get('CompStatus')} without an Outcome" if bad else None


def continuing_with_outcome(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """CompStatus 1 with an Outcome (apprenticeship standards and bootcamps excluded)."""
    bad = d.get("CompStatus") == "1" and d.get("Outcome")
    excluded = _app_standard(d) or _bootcamp(d)
    return f"CompStatus 1 with Outcome {d.get('Outcome')}" if bad and not excluded else None


def withdrawn_achieved(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """CompStatus 3/6 with Outcome 1/8 (bootcamps excluded)."""
    bad = d.get("CompStatus") in {"3", "6"} and d.get("Outcome") in {"1", "8"}
    return (
        f"CompStatus {d.get('CompStatus')} with Outcome {d.get('Outcome')}"
        if bad and not _bootcamp(d)
        else None
    )


def ach_not_achieved(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AchDate with Outcome other than 1 (apprenticeship standards excluded)."""
    bad = d.get("AchDate") and d.get("Outcome") != "1"
    excluded = d.get("FundModel") == "36" and d.get("ProgType") == "25"
    return f"AchDate with Outcome {d.get('Outcome')}" if bad and not excluded else None


def achieved_without_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """Outcome 1 without LearnActEndDate (bootcamps excluded)."""
    bad = d.get("Outcome") == "1" and not d.get("LearnActEndDate")
    return "Outcome 1 without an actual end date" if bad and not _bootcamp(d) else None


def unknown_outcome_not_completed(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """Outcome 8 with CompStatus other than 2 (app. standard programme aims, bootcamps excluded)."""
    bad = d.get("Outcome") == "8" and d.get("CompStatus") != "2"
    excluded = _app_standard(d, programme_aim=True) or _bootcamp(d)
    return f"Outcome 8 with CompStatus {d.get('CompStatus')}" if bad and not excluded else None


def no_achievement_continuing(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """Outcome 3 with CompStatus 1."""
    return (
        "Outcome 3 with CompStatus 1"
        if d.get("Outcome") == "3" and d.get("CompStatus") == "1"
        else None
    )


def outcome_without_end(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """An Outcome without LearnActEndDate (bootcamps excluded)."""
    bad = d.get("Outcome") and not d.get("LearnActEndDate")
    return (
        f"Outcome {d.get('Outcome')} without an actual end date"
        if bad and not _bootcamp(d)
        else None
    )


def end_without_outcome(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """LearnActEndDate without an Outcome."""
    return (
        "actual end date without an Outcome"
        if d.get("LearnActEndDate") and not d.get("Outcome")
        else None
    )


def withdrawn_without_reason(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """CompStatus 3 without WithdrawReason."""
    return (
        "CompStatus 3 without a WithdrawReason"
        if d.get("CompStatus") == "3" and not d.get("WithdrawReason")
        else None
    )


def reason_not_withdrawn(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """WithdrawReason with CompStatus 1, 2 or 6."""
    bad = d.get("WithdrawReason") and d.get("CompStatus") in {"1", "2", "6"}
    return f"WithdrawReason with CompStatus {d.get('CompStatus')}" if bad else None


def core_aim_not_16_19(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AimType 5 outside FundModel 25/82."""
    bad = d.get("AimType") == "5" and d.get("FundModel") not in {"25", "82"}
    return f"core aim with FundModel {d.get('FundModel')}" if bad else None


def programme_without_type(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AimType 1/3 without ProgType."""
    bad = d.get("AimType") in {"1", "3"} and not d.get("ProgType")
    return f"AimType {d.get('AimType')} without a ProgType" if bad else None


def standalone_with_type(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """AimType 4 with ProgType."""
    bad = d.get("AimType") == "4" and d.get("ProgType")
    return f"AimType 4 with ProgType {d.get('ProgType')}" if bad else None


def _pairing(if_field: str, if_value: str, then_field: str, then_values: set[str]) -> DeliveryCheck:
    def check(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
        if d.get(if_field) == if_value and d.get(then_field) not in then_values:
            wanted = "/".join(sorted(then_values))
            return f"{if_field} {if_value} needs {then_field} {wanted}, not {d.get(then_field)}"
        return None

    check.__doc__ = f"{if_field} {if_value} requires {then_field} in {sorted(then_values)}."
    return check


def _start_window(fund_model: str, *, before: bool) -> DeliveryCheck:
    def check(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
        start = d.date("LearnStartDate")
        if d.get("FundModel") != fund_model or start is None:
            return None
        if before and start < _ASF_START:
            return f"FundModel {fund_model} starting {start}, before {_ASF_START}"
        if not before and start >= _ASF_START and not d.has_fam("RES"):
            return f"FundModel {fund_model} starting {start}, on or after {_ASF_START}"
        return None

    check.__doc__ = (
        f"FundModel {fund_model} start date {'before' if before else 'from'} 2024-08-01."
    )
    return check


def del_loc_postcode(d: Delivery, _l: LearnerData, _c: RuleContext) -> str | None:
    """DelLocPostCode in the valid postcode format."""
    value = d.get("DelLocPostCode")
    return (
        f"DelLocPostCode '{value}' is not in the postcode format"
        if value and not POSTCODE_FORMAT.fullmatch(value)
        else None
    )


def _code(field: str, list_name: str, *, dated: bool = False) -> DeliveryCheck:
    def check(d: Delivery, _l: LearnerData, ctx: RuleContext) -> str | None:
        value = d.get(field)
        on = d.date("LearnStartDate") if dated else None
        if value and not ctx.codes.is_known(list_name, value, on):
            return f"{field} '{value}' is not in the {ctx.year.code_list} code list"
        return None

    check.__doc__ = f"{field} is a known {list_name} code."
    return check


# Checks across all the deliveries of one learner: run once per learner.


def r_07(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """AimSeqNumber unique within the learner."""
    seqs = [d.seq for d in learner.deliveries]
    if len(set(seqs)) == len(seqs):
        return NONE
    return [
        ("AimSeqNumber", f"AimSeqNumber {seq} used by {count} aims")
        for seq, count in Counter(seqs).items()
        if count > 1
    ]


def aim_seq_02(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """AimSeqNumber not above the number of aims."""
    total = len(learner.deliveries)
    return [
        ("AimSeqNumber", f"AimSeqNumber {delivery.seq} but only {total} aims")
        for delivery in learner.deliveries
        if delivery.seq.isdigit() and int(delivery.seq) > total
    ]


def _d(
    name: str,
    field: str,
    check: DeliveryCheck,
    *,
    lookup: bool = False,
    current_only: bool = False,
    needs: str | None = None,
) -> DeliveryRule:
    return DeliveryRule(name, field, check, lookup=lookup, current_only=current_only, needs=needs)


ACT_END, ACH, OUTCOME, PROG_TYPE = "LearnActEndDate", "AchDate", "Outcome", "ProgType"


DELIVERY_RULES: tuple[DeliveryRule, ...] = (
    _d("LearnPlanEndDate_02", "LearnPlanEndDate", plan_before_start, needs="LearnPlanEndDate"),
    _d("LearnPlanEndDate_03", "LearnPlanEndDate", plan_ten_years, needs="LearnPlanEndDate"),
    _d("LearnActEndDate_01", "LearnActEndDate", actual_before_start, needs=ACT_END),
    _d("LearnActEndDate_04", "LearnActEndDate", actual_after_file, needs=ACT_END),
    _d("LearnStartDate_03", "LearnStartDate", start_after_year, needs="LearnStartDate"),
    _d("LearnStartDate_05", "LearnStartDate", start_before_birth, needs="LearnStartDate"),
    _d("AchDate_03", "AchDate", ach_before_start, needs=ACH),
    _d("AchDate_04", "AchDate", ach_without_end, needs=ACH),
    _d("AchDate_05", "AchDate", ach_before_end, needs=ACH),
    _d("AchDate_07", "AchDate", ach_after_file, needs=ACH),
    _d("CompStatus_02", "CompStatus", continuing_with_end, needs=ACT_END),
    _d("CompStatus_03", "CompStatus", ended_without_end),
    _d("CompStatus_04", "CompStatus", no_outcome_not_continuing),
    _d("CompStatus_05", "CompStatus", continuing_with_outcome, needs=OUTCOME),
    _d("CompStatus_06", "CompStatus", withdrawn_achieved, needs=OUTCOME),
    _d("Outcome_04", "Outcome", ach_not_achieved, needs=ACH),
    _d("Outcome_05", "Outcome", achieved_without_end, needs=OUTCOME),
    _d("Outcome_09", "Outcome", unknown_outcome_not_completed, needs=OUTCOME),
    _d("Outcome_10", "Outcome", no_achievement_continuing, needs=OUTCOME),
    _d("Outcome_11", "Outcome", outcome_without_end, needs=OUTCOME),
    _d("Outcome_12", "Outcome", end_without_outcome, current_only=True, needs=ACT_END),
    _d("WithdrawReason_03", "WithdrawReason", withdrawn_without_reason),
    _d("WithdrawReason_04", "WithdrawReason", reason_not_withdrawn, needs="WithdrawReason"),
    _d("AimType_05", "AimType", core_aim_not_16_19),
    _d("ProgType_01", "ProgType", programme_without_type),
    _d("ProgType_02", "ProgType", standalone_with_type, needs=PROG_TYPE),
    _d(
        "ProgType_21",
        "FundModel",
        _pairing("ProgType", "32", "FundModel", {"37"}),
        current_only=True,
        needs=PROG_TYPE,
    ),
    _d(
        "FundModel_16",
        "ProgType",
        _pairing("FundModel", "37", "ProgType", {"32"}),
        current_only=True,
    ),
    _d(
        "FundModel_11",
        "FundModel",
        _pairing("ProgType", "31", "FundModel", {"25"}),
        current_only=True,
        needs=PROG_TYPE,
    ),
    _d("FundModel_17", "FundModel", _start_window("35", before=False), current_only=True),
    _d("FundModel_19", "FundModel", _start_window("38", before=True), current_only=True),
    _d("FundModel_20", "FundModel", _start_window("11", before=True), current_only=True),
    _d("DelLocPostCode_11", "DelLocPostCode", del_loc_postcode),
    _d("FundModel_01", "FundModel", _code("FundModel", "FundModel"), lookup=True),
    _d("CompStatus_01", "CompStatus", _code("CompStatus", "CompStatus"), lookup=True),
    _d("Outcome_01", "Outcome", _code("Outcome", "Outcome"), lookup=True, needs=OUTCOME),
    _d("AimType_01", "AimType", _code("AimType", "AimType"), lookup=True),
    _d(
        "WithdrawReason_02",
        "WithdrawReason",
        _code("WithdrawReason", "WithdrawReason"),
        lookup=True,
        needs="WithdrawReason",
    ),
    _d(
        "ProgType_03",
        "ProgType",
        _code("ProgType", "ProgType", dated=True),
        lookup=True,
        needs=PROG_TYPE,
    ),
)

DELIVERY_SET_RULES: tuple[Rule, ...] = (Rule("R_07", r_07), Rule("AimSeqNumber_02", aim_seq_02))
