"""The provision-offered reference connector."""

from __future__ import annotations

from pathlib import Path

from connectors.base import LoadMode
from connectors.records import ProvisionIn
from connectors.reference.provision import ProvisionConnector

FIXTURES = Path(__file__).parents[2] / "fixtures" / "reference"


def test_connector_is_a_delta_named_provision() -> None:
    assert (ProvisionConnector.name, ProvisionConnector.mode) == ("provision", LoadMode.DELTA)


def test_course_rows_become_provision_with_places_and_block() -> None:
    first = next(iter(ProvisionConnector().read(FIXTURES / "provision.csv")))
    assert first.records == [
        ProvisionIn(
            delivering_partner_ref="10000004",
            title="Level 1 Construction",
            academic_year="2025-26",
            learn_aim_ref="60300003",
            qualification="Certificate in Construction Skills",
            level="1",
            sector_subject_area="5.2",
            diploma_line="Construction",
            mode="off_site_day",
            venue="Main campus",
            places_offered=16,
            minimum_group=8,
            timetable_block="Wed-PM",
        )
    ]


def test_bad_rows_are_rejected_with_rules() -> None:
    parsed = list(ProvisionConnector().read(FIXTURES / "provision.csv"))
    assert [[i.rule for i in p.issues] for p in parsed] == [
        [],
        [],
        ["PROVISION_DUPLICATE"],
        ["CSV_BAD_ACADEMIC_YEAR"],
        ["PROVISION_GROUP_EXCEEDS_PLACES"],
        ["CSV_BAD_CODE"],
    ]
