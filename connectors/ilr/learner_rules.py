"""ESFA rules on the Learner entity and across learners in the file (no reference data needed).

Each check returns ``(field, detail)`` for every breach (an empty tuple, nearly always);
``rules.py`` turns them into issues with ESFA's rule name, message and severity. They return
sequences rather than yield: a generator per rule per learner costs more than most checks.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence

from connectors.ilr.model import NONE, Finding, LearnerData, Rule, RuleContext, age_on
from hub.identifiers import TEMPORARY_ULN, is_valid_uln

# Postcode_15 / PostcodePrior_02 / DelLocPostCode_11: outward 1-2 letters + (1-2 digits | digit
# letter); inward digit + two letters, never C, I, K, M, O or V.
POSTCODE_FORMAT = re.compile(r"[A-Z]{1,2}(?:[0-9]{1,2}|[0-9][A-Z]) [0-9][ABD-HJLNP-UW-Z]{2}")
FUNDED = {"25", "82", "35", "36", "37", "38", "81"}


def _fund_models(learner: LearnerData) -> set[str]:
    return {d.get("FundModel") or "" for d in learner.deliveries}


def uln_04(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """ULN check digit (DD01)."""
    uln = learner.get("ULN")
    if uln and not is_valid_uln(uln):
        return (("ULN", f"ULN {uln} fails the check-digit calculation"),)
    return NONE


def uln_02(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Temporary ULN on community learning, tailored learning or non-funded aims."""
    if learner.get("ULN") != TEMPORARY_ULN:
        return NONE
    for delivery in learner.deliveries:
        if delivery.get("FundModel") in {"99", "10", "11"} and not delivery.has_fam("SOF", "1"):
            return (("ULN", f"temporary ULN with FundModel {delivery.get('FundModel')}"),)
    return NONE


def uln_03(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Temporary ULN in a file prepared before 1 January of the teaching year."""
    if learner.get("ULN") != TEMPORARY_ULN:
        return NONE
    if ctx.file_preparation_date >= dt.date(ctx.year_end.year, 1, 1):
        return NONE
    if any(d.has_fam("ACT", "1") for d in learner.deliveries):
        return NONE
    return (("ULN", f"temporary ULN in a file prepared on {ctx.file_preparation_date}"),)


def r_06(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """LearnRefNumber unique in the file (every occurrence is flagged)."""
    count = ctx.learn_refs[learner.learn_ref]
    if count > 1:
        return (("LearnRefNumber", f"LearnRefNumber '{learner.learn_ref}' occurs {count} times"),)
    return NONE


def r_59(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """ULN unique in the file except the temporary ULN (every occurrence is flagged)."""
    uln = learner.get("ULN") or ""
    count = ctx.ulns[uln]
    if uln != TEMPORARY_ULN and count > 1:
        return (("ULN", f"ULN {uln} is used by {count} learners in this file"),)
    return NONE


def dob_04(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Learner 115 or over at the start of the teaching year."""
    birth = learner.date("DateOfBirth")
    if birth is not None and age_on(birth, ctx.year_start) >= 115:
        detail = f"DateOfBirth {birth} is 115 or more years before {ctx.year_start}"
        return (("DateOfBirth", detail),)
    return NONE


def dob_27(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """DateOfBirth on or after the start of the teaching year."""
    birth = learner.date("DateOfBirth")
    if birth is not None and birth >= ctx.year_start:
        return (("DateOfBirth", f"DateOfBirth {birth} is on or after {ctx.year_start}"),)
    return NONE


def dob_01(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """DateOfBirth required for funded provision (OLASS aims excluded)."""
    if learner.get("DateOfBirth"):
        return NONE
    for delivery in learner.deliveries:
        if delivery.get("FundModel") in FUNDED and not delivery.has_fam("LDM", "034"):
            detail = f"missing for aim {delivery.seq} (FundModel {delivery.get('FundModel')})"
            return (("DateOfBirth", detail),)
    return NONE


def dob_02(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """DateOfBirth should be returned for community, tailored and non-funded learning."""
    if not learner.get("DateOfBirth") and _fund_models(learner) & {"10", "99", "11"}:
        return (("DateOfBirth", "missing"),)
    return NONE


def dob_24(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """A real ULN needs a DateOfBirth."""
    uln = learner.get("ULN")
    if uln and uln != TEMPORARY_ULN and not learner.get("DateOfBirth"):
        return (("DateOfBirth", f"missing although ULN {uln} is returned"),)
    return NONE


def dob_05(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Under 4 at the start of a community-learning or non-funded aim."""
    birth = learner.date("DateOfBirth")
    if not birth:
        return NONE
    return [
        ("DateOfBirth", f"under 4 at the start of aim {delivery.seq}")
        for delivery in learner.deliveries
        if (start := delivery.date("LearnStartDate"))
        and delivery.get("FundModel") in {"10", "99"}
        and age_on(birth, start) < 4
    ]


def dob_06(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Under 13 on 31 August for 16-19 funded aims."""
    birth = learner.date("DateOfBirth")
    if birth and _fund_models(learner) & {"25", "82"} and age_on(birth, ctx.august_31) < 13:
        return (("DateOfBirth", f"under 13 on {ctx.august_31}"),)
    return NONE


def r_45(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """No repeated LLDD category."""
    if len(learner.lldd) < 2:
        return NONE
    return [
        ("LLDDCat", f"LLDDCat {category} returned {count} times")
        for category, count in Counter(cat for cat, _ in learner.lldd).items()
        if count > 1
    ]


def r_51(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """No repeated LearnerFAM type and code."""
    if len(learner.fams) < 2:
        return NONE
    return [
        ("LearnFAMType", f"LearnerFAM {fam_type} {code} returned {count} times")
        for (fam_type, code), count in Counter(learner.fams).items()
        if count > 1
    ]


def primary_lldd_03(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """At most one primary LLDD record."""
    if sum(1 for _, primary in learner.lldd if primary == "1") > 1:
        return (("PrimaryLLDD", "more than one LLDD record is marked primary"),)
    return NONE


def primary_lldd_04(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """A single LLDD record must be marked primary."""
    if len(learner.lldd) == 1 and not learner.lldd[0][1]:
        return (("PrimaryLLDD", "the only LLDD record has no PrimaryLLDD"),)
    return NONE


def lldd_health_prob_04(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """No LLDD records when the learner reports no difficulty (LLDDHealthProb 2)."""
    if learner.get("LLDDHealthProb") == "2" and learner.lldd:
        return (("LLDDHealthProb", "LLDDHealthProb is 2 but LLDD records are returned"),)
    return NONE


def _postcode(field: str):  # type: ignore[no-untyped-def]
    def check(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
        value = learner.get(field)
        if value and POSTCODE_FORMAT.fullmatch(value) is None:
            return ((field, f"{field} '{value}' is not in the postcode format"),)
        return NONE

    check.__doc__ = f"{field} in the valid postcode format."
    return check


def _lookup(field: str, list_name: str):  # type: ignore[no-untyped-def]
    def check(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
        value = learner.get(field)
        if value and ctx.codes.has_list(list_name) and not ctx.codes.is_known(list_name, value):
            return ((field, f"{field} '{value}' is not in the {ctx.year.code_list} code list"),)
        return NONE

    check.__doc__ = f"{field} is a known {list_name} code."
    return check


def lldd_cat_01(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Every LLDDCat is a known code."""
    return [
        ("LLDDCat", f"LLDDCat '{category}' is not in the {ctx.year.code_list} code list")
        for category, _ in learner.lldd
        if not ctx.codes.is_known("LLDDCat", category)
    ]


def learn_fam_type_01(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Every LearnerFAM code is known for its type."""
    found: list[Finding] = []
    for fam_type, code in learner.fams:
        list_name = f"LearnFAMType:{fam_type}"
        if ctx.codes.has_list(list_name) and not ctx.codes.is_known(list_name, code):
            found.append(
                ("LearnFAMCode", f"LearnerFAM {fam_type} code '{code}' is not in the code list")
            )
    return found


def emp_stat_05(learner: LearnerData, ctx: RuleContext) -> Sequence[Finding]:
    """Every EmpStat is a known code."""
    return [
        ("EmpStat", f"EmpStat '{status}' is not in the {ctx.year.code_list} code list")
        for status, _ in learner.employment
        if not ctx.codes.is_known("EmpStat", status)
    ]


LEARNER_RULES: tuple[Rule, ...] = (
    Rule("ULN_04", uln_04),
    Rule("ULN_02", uln_02),
    Rule("ULN_03", uln_03),
    Rule("R_06", r_06),
    Rule("R_59", r_59),
    Rule("DateOfBirth_01", dob_01),
    Rule("DateOfBirth_02", dob_02),
    Rule("DateOfBirth_04", dob_04),
    Rule("DateOfBirth_05", dob_05),
    Rule("DateOfBirth_06", dob_06),
    Rule("DateOfBirth_24", dob_24),
    Rule("DateOfBirth_27", dob_27),
    Rule("R_45", r_45),
    Rule("R_51", r_51),
    Rule("PrimaryLLDD_03", primary_lldd_03),
    Rule("PrimaryLLDD_04", primary_lldd_04),
    Rule("LLDDHealthProb_04", lldd_health_prob_04),
    Rule("Postcode_15", _postcode("Postcode")),
    Rule("PostcodePrior_02", _postcode("PostcodePrior")),
    Rule("Sex_01", _lookup("Sex", "Sex"), lookup=True),
    Rule("Ethnicity_01", _lookup("Ethnicity", "Ethnicity"), lookup=True),
    Rule("LLDDHealthProb_01", _lookup("LLDDHealthProb", "LLDDHealthProb"), lookup=True),
    Rule("Accom_01", _lookup("Accom", "Accom"), lookup=True),
    Rule("LLDDCat_01", lldd_cat_01, lookup=True),
    Rule("LearnFAMType_01", learn_fam_type_01, lookup=True),
    Rule("EmpStat_05", emp_stat_05, lookup=True),
)
