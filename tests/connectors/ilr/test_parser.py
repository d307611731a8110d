"""IlrConnector end to end on ESFA's own files: the outcome each fixture is built for."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from connectors.base import Connector, FileHeader, LoadMode
from connectors.ilr import IlrConnector
from connectors.ilr.years import year_for_namespace
from connectors.records import ActivityIn, LearnerIn, ParticipationIn
from connectors.report import Severity
from tests.connectors.ilr.support import INVALID, ONE_LEARNER_1819, SAMPLE_2526, rules_by_ref

# ESFA's 2025-26 example is XSD-valid but breaks these ESFA rules (checked by hand against the
# file: e.g. TLevelT plans to end on 2023-07-30 aims that start on 2023-09-01).
SAMPLE_2526_FINDINGS = {
    "16Learner": ["LearnActEndDate_04"],
    "ASFLearner": ["ULN_04"],
    "ASLearner": ["LearnActEndDate_04", "R_07", "R_59"],
    "AdultLearner": ["FundModel_17"],
    "CLLearner": ["ULN_02", "ULN_03"],
    "MCALearner": ["FundModel_19", "R_59"],
    "SBLearner": ["ULN_03"],
    "SBLearnerEV": ["AchDate_07", "LearnActEndDate_04", "LearnActEndDate_04", "ULN_03"],
    "TLLearner": ["ULN_02", "ULN_03"],
    "TLevel16": ["ULN_03"],
    "TLevelT": ["LearnPlanEndDate_02"] * 4 + ["ULN_03"],
}


def test_connector_satisfies_the_protocol_as_a_snapshot() -> None:
    connector: Connector = IlrConnector()
    assert connector.name == "ilr"
    assert connector.mode is LoadMode.SNAPSHOT


def test_read_header_gives_snapshot_key_ukprn_and_file_date() -> None:
    header = IlrConnector().read_header(SAMPLE_2526)
    assert header == FileHeader(
        snapshot_key="ilr:99999999:2526", ukprn="99999999", as_of="2025-01-08"
    )


def test_one_learner_2018_19_file_loads_without_findings() -> None:
    records = list(IlrConnector().read(ONE_LEARNER_1819))
    assert len(records) == 1
    assert records[0].issues == []
    assert records[0].source_ref == "16Learner"
    assert records[0].record_number == 1


def test_2526_sample_yields_one_record_per_learner_in_file_order() -> None:
    records = list(IlrConnector().read(SAMPLE_2526))
    assert len(records) == 19
    assert [r.record_number for r in records] == list(range(1, 20))
    assert records[0].source_ref == "16Learner"
    assert records[-1].source_ref == "SBLearnerEV"


def test_2526_sample_findings_are_exactly_the_esfa_rules_it_breaks() -> None:
    records = list(IlrConnector().read(SAMPLE_2526))
    assert rules_by_ref(records) == SAMPLE_2526_FINDINGS


def test_2526_sample_bad_checksum_uln_is_an_error_under_uln_04() -> None:
    records = {r.source_ref: r for r in IlrConnector().read(SAMPLE_2526)}
    (issue,) = records["ASFLearner"].issues
    assert (issue.rule, issue.severity, issue.field) == ("ULN_04", Severity.ERROR, "ULN")
    assert "1061484935" in issue.message
    assert records["ASFLearner"].is_rejected


def test_2526_sample_shared_uln_warns_on_both_learners_and_both_map() -> None:
    records = {r.source_ref: r for r in IlrConnector().read(SAMPLE_2526)}
    shared = [
        issue
        for ref in ("ASLearner", "MCALearner")
        for issue in records[ref].issues
        if issue.rule == "R_59"
    ]
    assert [i.severity for i in shared] == [Severity.WARNING, Severity.WARNING]
    for ref in ("ASLearner", "MCALearner"):
        learner = records[ref].records[0]
        assert isinstance(learner, LearnerIn)
        assert learner.uln == "1061485810"


def test_severity_overrides_let_a_deployment_accept_the_2526_sample() -> None:
    lenient = {
        rule: Severity.WARNING
        for rule in ("LearnActEndDate_04", "AchDate_07", "FundModel_17", "FundModel_19")
    }
    lenient |= {"R_07": Severity.WARNING, "LearnPlanEndDate_02": Severity.WARNING}
    records = list(IlrConnector(severity_overrides=lenient).read(SAMPLE_2526))
    assert [r.source_ref for r in records if r.is_rejected] == ["ASFLearner"]


def test_learner_maps_identity_fields_and_flags() -> None:
    records = {r.source_ref: r for r in IlrConnector().read(SAMPLE_2526)}
    learner = records["16Learner"].records[0]
    assert learner == LearnerIn(
        local_ref="16Learner",
        uln="1061484016",
        given_name="Jane",
        family_name="Smith",
        date_of_birth=dt.date(2009, 2, 27),
        sex="F",
        ethnicity_source_code="31",
        ethnicity_source_list="ILR",
        postcode="BR1 7SS",
        lldd=False,
        fsm=True,
        is_on_roll=True,
    )


def test_temporary_uln_maps_to_no_uln() -> None:
    records = {r.source_ref: r for r in IlrConnector().read(SAMPLE_2526)}
    learner = records["CLLearner"].records[0]
    assert isinstance(learner, LearnerIn)
    assert learner.uln is None


def test_each_learning_delivery_maps_to_a_participation() -> None:
    records = {r.source_ref: r for r in IlrConnector().read(SAMPLE_2526)}
    withdrawn = records["16Learner"].records[2]
    assert withdrawn == ParticipationIn(
        learner_ref="16Learner",
        source_ref="16Learner/2",
        provision_title="60146242",
        learn_aim_ref="60146242",
        academic_year="2025/26",
        delivering_partner_ref="99999999",
        home_partner_ref="99999999",
        start_date=dt.date(2024, 2, 14),
        planned_end_date=dt.date(2025, 7, 15),
        actual_end_date=dt.date(2025, 4, 1),
        completion_status="3",
        outcome="3",
        withdrawal_reason="98",
        code_list="ILR-2025-26",
    )


@pytest.mark.parametrize(
    ("name", "records", "rejected", "schema_errors"),
    [
        ("ILR-1819-FD-Field_Length.xml", 106, 101, 105),
        ("ILR-1819-FD-Field_Occurance.xml", 12, 11, 14),
        ("ILR-1819-FD-Mandatory_Fields.xml", 60, 54, 52),
        ("ILR-1819-bad-ULN-email-workplacement.xml", 1, 1, 3),
        ("ILR-1819-misspelt-element.xml", 1, 1, 1),
    ],
)
def test_esfa_invalid_files_give_their_xsd_errors_per_learner(
    name: str, records: int, rejected: int, schema_errors: int
) -> None:
    found = list(IlrConnector().read(INVALID / name))
    assert len(found) == records
    assert sum(r.is_rejected for r in found) == rejected
    schema = [(r, i) for r in found for i in r.issues if i.rule == "Schema"]
    assert len(schema) == schema_errors
    for record, issue in schema:
        assert issue.source_ref == record.source_ref
        assert issue.record_number == record.record_number
        assert issue.line is not None
        assert record.records == []


@pytest.mark.parametrize(
    "name",
    [
        "ILR-1819-FD-Field_Length.xml",
        "ILR-1819-FD-Field_Occurance.xml",
        "ILR-1819-FD-Mandatory_Fields.xml",
        "ILR-1819-bad-ULN-email-workplacement.xml",
        "ILR-1819-misspelt-element.xml",
    ],
)
def test_per_learner_validation_finds_what_whole_file_validation_finds(name: str) -> None:
    path = INVALID / name
    year = year_for_namespace("ESFA/ILR/2018-19")
    assert year is not None
    schema = year.schema()
    schema.validate(etree.parse(str(path)))
    whole_file = sorted((e.line, e.message) for e in schema.error_log)
    per_learner = sorted(
        (i.line, i.message)
        for r in IlrConnector().read(path)
        for i in r.issues
        if i.rule == "Schema"
    )
    assert [line for line, _ in per_learner] == [line for line, _ in whole_file]


def test_misspelt_element_error_names_learner_line_and_element() -> None:
    (record,) = IlrConnector().read(INVALID / "ILR-1819-misspelt-element.xml")
    (issue,) = record.issues
    assert (issue.source_ref, issue.field, issue.line) == ("16Learner", "FamilyNamE", 28)
    assert "FamilyNamE" in issue.message
    assert "{ESFA" not in issue.message


def test_learner_without_learn_ref_number_is_named_by_position() -> None:
    records = list(IlrConnector().read(INVALID / "ILR-1819-FD-Mandatory_Fields.xml"))
    assert records[0].source_ref == "(no LearnRefNumber, record 1)"
    assert records[0].is_rejected


def test_duplicate_learn_ref_number_rejects_every_occurrence_under_r_06() -> None:
    records = list(IlrConnector().read(INVALID / "ILR-1819-FD-Mandatory_Fields.xml"))
    duplicated = [r for r in records if any(i.rule == "R_06" for i in r.issues)]
    assert [(r.source_ref, r.record_number) for r in duplicated] == [
        ("0AimTy01", 34),
        ("0AimTy01", 35),
    ]
    assert all(r.is_rejected for r in duplicated)


def test_destination_records_follow_the_learners_and_map_to_activities() -> None:
    records = list(IlrConnector().read(INVALID / "ILR-1819-FD-Field_Length.xml"))
    destinations = records[100:]
    assert len(destinations) == 6
    mapped = [r for r in destinations if r.records]
    assert [r.source_ref for r in mapped] == ["L145Outcome", "L146OutGrad"]
    activity = mapped[0].records[0]
    assert isinstance(activity, ActivityIn)
    assert activity.learner_ref == "L145Outcome"
    assert activity.code_list == "ILR-2018-19"
    assert activity.activity_code == activity.category + "1"
    assert all(r.is_rejected for r in destinations if not r.records)


def test_destination_of_a_rejected_learner_is_an_error() -> None:
    records = list(IlrConnector().read(INVALID / "ILR-1819-FD-Field_Length.xml"))
    orphaned = {
        r.source_ref: r.issues[0].message
        for r in records
        if any(i.rule == "HUB_DP_LEARNER" for i in r.issues)
    }
    assert set(orphaned) == {"L145Outcome", "L146OutGrad"}
    assert all("was rejected" in message for message in orphaned.values())


def test_file_issues_are_empty_after_a_read() -> None:
    connector = IlrConnector()
    list(connector.read(ONE_LEARNER_1819))
    assert connector.file_issues() == []
