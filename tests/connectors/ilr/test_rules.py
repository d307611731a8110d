"""Each implemented ESFA rule: one learner that breaks it, and the same learner fixed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from connectors.ilr.catalogue import catalogue, rule_def
from connectors.ilr.model import LearnerData
from connectors.ilr.rules import IMPLEMENTED_RULES, RuleRunner
from connectors.report import Severity
from tests.connectors.ilr.support import context, delivery, learner

TEMP = "9999999999"


def _aim(**fields: str) -> dict[str, str]:
    """A continuing 16-19 core aim that breaks no rule, with ``fields`` changed."""
    base = {
        "LearnAimRef": "60149735",
        "AimType": "5",
        "AimSeqNumber": "1",
        "LearnStartDate": "2025-09-01",
        "LearnPlanEndDate": "2026-07-01",
        "FundModel": "25",
        "DelLocPostCode": "BR1 3RL",
        "CompStatus": "1",
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v != ""}


def _learner(aims: list[dict[str, str]] | None = None, **fields: str) -> LearnerData:
    base = {
        "ULN": "1061484016",
        "DateOfBirth": "2009-02-27",
        "Ethnicity": "31",
        "Sex": "F",
        "LLDDHealthProb": "2",
        "PostcodePrior": "BR1 7SS",
        "Postcode": "BR1 7SS",
    }
    base.update(fields)
    built = learner(*(delivery(**a) for a in (aims or [_aim()])), **base)
    for key in [k for k, v in built.items() if v == ""]:
        del built[key]
    return built


ENDED = {"LearnActEndDate": "2025-10-01", "CompStatus": "2", "Outcome": "1"}


def _ended(**fields: str) -> dict[str, str]:
    """An aim that ended on 2025-10-01, completed and achieved, with ``fields`` changed."""
    return _aim(**{**ENDED, **fields})


CASES: list[tuple[str, LearnerData]] = [
    ("ULN_04", _learner(ULN="1061484935")),
    ("ULN_02", _learner([_aim(FundModel="10", AimType="4")], ULN=TEMP)),
    ("ULN_03", _learner(ULN=TEMP)),
    ("DateOfBirth_01", _learner(DateOfBirth="", ULN=TEMP)),
    ("DateOfBirth_02", _learner([_aim(FundModel="99", AimType="4")], DateOfBirth="", ULN=TEMP)),
    ("DateOfBirth_04", _learner(DateOfBirth="1900-01-01")),
    ("DateOfBirth_05", _learner([_aim(FundModel="99", AimType="4")], DateOfBirth="2023-01-01")),
    ("DateOfBirth_06", _learner(DateOfBirth="2013-01-01")),
    ("DateOfBirth_24", _learner([_aim(FundModel="10", AimType="4")], DateOfBirth="")),
    ("DateOfBirth_27", _learner(DateOfBirth="2025-08-01")),
    ("Postcode_15", _learner(Postcode="BR1 7SC")),
    ("PostcodePrior_02", _learner(PostcodePrior="BR17SS")),
    ("Sex_01", _learner(Sex="X")),
    ("Ethnicity_01", _learner(Ethnicity="12")),
    ("LLDDHealthProb_01", _learner(LLDDHealthProb="5")),
    ("Accom_01", _learner(Accom="7")),
    ("LearnPlanEndDate_02", _learner([_aim(LearnPlanEndDate="2025-08-01")])),
    ("LearnPlanEndDate_03", _learner([_aim(LearnPlanEndDate="2035-09-01")])),
    ("LearnActEndDate_01", _learner([_ended(LearnActEndDate="2025-08-20")])),
    ("LearnActEndDate_04", _learner([_ended(LearnActEndDate="2025-10-20")])),
    ("LearnStartDate_03", _learner([_aim(LearnStartDate="2026-08-01", LearnPlanEndDate="")])),
    ("LearnStartDate_05", _learner([_aim(LearnStartDate="2009-02-27")])),
    ("AchDate_03", _learner([_ended(AchDate="2025-08-01")])),
    ("AchDate_04", _learner([_aim(AchDate="2025-10-01")])),
    ("AchDate_05", _learner([_ended(AchDate="2025-09-30")])),
    ("AchDate_07", _learner([_ended(AchDate="2025-10-16")])),
    ("CompStatus_02", _learner([_aim(LearnActEndDate="2025-10-01")])),
    ("CompStatus_03", _learner([_aim(CompStatus="6")])),
    ("CompStatus_04", _learner([_aim(LearnActEndDate="2025-10-01", CompStatus="2")])),
    ("CompStatus_05", _learner([_aim(Outcome="8")])),
    ("CompStatus_06", _learner([_ended(CompStatus="3", WithdrawReason="98")])),
    ("Outcome_04", _learner([_ended(Outcome="2", AchDate="2025-10-01")])),
    ("Outcome_05", _learner([_aim(Outcome="1")])),
    ("Outcome_09", _learner([_ended(CompStatus="3", Outcome="8", WithdrawReason="98")])),
    ("Outcome_10", _learner([_aim(Outcome="3")])),
    ("Outcome_11", _learner([_aim(Outcome="2")])),
    ("Outcome_12", _learner([_aim(LearnActEndDate="2025-10-01", CompStatus="2")])),
    ("WithdrawReason_03", _learner([_ended(CompStatus="3", Outcome="3")])),
    ("WithdrawReason_04", _learner([_ended(WithdrawReason="98")])),
    (
        "WithdrawReason_02",
        _learner([_ended(CompStatus="3", Outcome="3", WithdrawReason="5")]),
    ),
    ("AimType_05", _learner([_aim(FundModel="35")], DateOfBirth="1990-01-01")),
    ("AimType_01", _learner([_aim(AimType="2")])),
    ("ProgType_01", _learner([_aim(AimType="1")])),
    ("ProgType_02", _learner([_aim(AimType="4", ProgType="31")])),
    ("ProgType_03", _learner([_aim(AimType="1", ProgType="26")])),
    ("ProgType_21", _learner([_aim(AimType="1", ProgType="32")])),
    ("FundModel_16", _learner([_aim(AimType="4", FundModel="37")], DateOfBirth="1990-01-01")),
    ("FundModel_11", _learner([_aim(AimType="1", ProgType="31", FundModel="82")])),
    ("FundModel_17", _learner([_aim(AimType="4", FundModel="35")], DateOfBirth="1990-01-01")),
    ("FundModel_19", _learner([_aim(AimType="4", FundModel="38", LearnStartDate="2024-07-01")])),
    ("FundModel_20", _learner([_aim(AimType="4", FundModel="11", LearnStartDate="2024-07-01")])),
    ("FundModel_01", _learner([_aim(FundModel="12")])),
    ("CompStatus_01", _learner([_ended(CompStatus="4")])),
    ("Outcome_01", _learner([_ended(Outcome="5")])),
    ("DelLocPostCode_11", _learner([_aim(DelLocPostCode="NOT A PC")])),
    ("R_07", _learner([_aim(), _aim(AimType="4")])),
    ("AimSeqNumber_02", _learner([_aim(AimSeqNumber="3")])),
]


def _with(
    base: LearnerData,
    *,
    lldd: list[tuple[str, str | None]] | None = None,
    fams: list[tuple[str, str]] | None = None,
    employment: list[tuple[str, str]] | None = None,
) -> LearnerData:
    base.lldd.extend(lldd or [])
    base.fams.extend(fams or [])
    base.employment.extend(employment or [])
    return base


CASES += [
    ("R_45", _with(_learner(LLDDHealthProb="1"), lldd=[("4", "1"), ("4", None)])),
    ("R_51", _with(_learner(), fams=[("EHC", "1"), ("EHC", "1")])),
    ("PrimaryLLDD_03", _with(_learner(LLDDHealthProb="1"), lldd=[("4", "1"), ("5", "1")])),
    ("PrimaryLLDD_04", _with(_learner(LLDDHealthProb="1"), lldd=[("4", None)])),
    ("LLDDHealthProb_04", _with(_learner(), lldd=[("4", "1")])),
    ("LLDDCat_01", _with(_learner(LLDDHealthProb="1"), lldd=[("2", "1"), ("55", None)])),
    ("LearnFAMType_01", _with(_learner(), fams=[("FME", "7")])),
    ("EmpStat_05", _with(_learner(), employment=[("13", "2025-01-01")])),
]


def _rules_hit(found: LearnerData, **ctx: Counter[str]) -> list[str]:
    runner = RuleRunner(context().year)
    return sorted({i.rule for i in runner.run(found, context(**ctx), "L1", 1)})


def test_the_clean_learner_breaks_no_rule() -> None:
    assert _rules_hit(_learner()) == []


@pytest.mark.parametrize(("rule", "breaking"), CASES, ids=[rule for rule, _ in CASES])
def test_rule_reports_its_breach_under_its_esfa_name(rule: str, breaking: LearnerData) -> None:
    assert rule in _rules_hit(breaking)


def test_duplicate_learn_ref_and_uln_come_from_the_file_counts() -> None:
    hit = _rules_hit(_learner(), refs=Counter({"L1": 2}), ulns=Counter({"1061484016": 2}))
    assert hit == ["R_06", "R_59"]


def test_shared_temporary_uln_is_not_a_duplicate() -> None:
    assert "R_59" not in _rules_hit(_learner(ULN=TEMP), ulns=Counter({TEMP: 5}))


def test_every_implemented_rule_has_a_breaking_case() -> None:
    covered = {rule for rule, _ in CASES} | {"R_06", "R_59"}
    assert covered == set(IMPLEMENTED_RULES)


def test_every_implemented_rule_is_an_active_esfa_2025_26_rule() -> None:
    rules = catalogue()
    for name in IMPLEMENTED_RULES:
        assert rules[name].status in {"Active", "Changed", "New"}, name


def test_severity_is_esfa_s_except_lookups_and_shared_uln() -> None:
    assert rule_def("ULN_04").severity is Severity.ERROR
    assert rule_def("ULN_03").severity is Severity.WARNING
    assert catalogue()["R_59"].severity is Severity.ERROR
    assert rule_def("R_59").severity is Severity.WARNING
    assert rule_def("FundModel_01", lookup=True).severity is Severity.WARNING


def test_unknown_code_is_a_warning_naming_the_rule() -> None:
    runner = RuleRunner(context().year)
    issues = runner.run(_learner([_aim(AimType="4", FundModel="12")]), context(), "L1", 1)
    (issue,) = issues
    assert issue.rule == "FundModel_01"
    assert (issue.severity, issue.field) == (Severity.WARNING, "FundModel")
    assert "'12'" in issue.message


def test_2025_26_funding_rules_do_not_run_on_older_years() -> None:
    old = context(year="ESFA/ILR/2018-19", prepared="2018-10-15")
    runner = RuleRunner(old.year)
    bootcamp = _learner([_aim(AimType="4", FundModel="37", LearnStartDate="2018-09-01")])
    assert "FundModel_16" not in {i.rule for i in runner.run(bootcamp, old, "L1", 1)}


def test_overrides_regrade_a_rule() -> None:
    runner = RuleRunner(context().year, {"ULN_04": Severity.WARNING})
    (issue,) = runner.run(_learner(ULN="1061484935"), context(), "L1", 1)
    assert issue.severity is Severity.WARNING


def test_docs_publish_exactly_the_implemented_rules() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "connectors" / "ilr.md"
    section = doc.read_text(encoding="utf-8").split("## Implemented ESFA rules", 1)[1]
    section = section.split("\n## ", 1)[0]
    listed = re.findall(r"^\| `([A-Za-z]+_[0-9]+)` \|", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(IMPLEMENTED_RULES)
