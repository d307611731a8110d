"""The providers reference connector: GIAS headers, partner types, identifiers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from connectors.base import FileHeader, LoadMode
from connectors.csvsource import CsvEncodingError
from connectors.normalise import DATA_DIR
from connectors.records import PartnerIn
from connectors.reference.providers import ProvidersConnector, partner_type_for
from connectors.reference.spec import PARTNER_TYPES

FIXTURES = Path(__file__).parents[2] / "fixtures" / "reference"


def test_connector_is_a_delta_named_providers() -> None:
    connector = ProvidersConnector()
    assert (connector.name, connector.mode) == ("providers", LoadMode.DELTA)
    assert connector.read_header(FIXTURES / "providers-gias.csv") == FileHeader()


def test_gias_extract_loads_with_types_mapped_and_laestab_built() -> None:
    connector = ProvidersConnector()
    partners = [p.records[0] for p in connector.read(FIXTURES / "providers-gias.csv")]
    assert [(p.urn, p.partner_type) for p in partners if isinstance(p, PartnerIn)] == [
        ("100001", "school"),
        ("100002", "academy"),
        ("100003", "sixth_form_college"),
        ("100004", "fe_college"),
        ("100005", "pru"),
        ("100006", "special_school"),
    ]
    assert partners[1] == PartnerIn(
        name="Example Academy",
        partner_type="academy",
        urn="100002",
        ukprn="10000002",
        la_code="820",
        laestab="8204002",
        postcode="ZZ99 1AB",
    )
    assert isinstance(partners[2], PartnerIn)
    assert partners[2].laestab is None
    unknown = [i for i in connector.file_issues() if i.rule == "CSV_UNKNOWN_COLUMN"]
    assert len(unknown) == 1
    assert "LA (name)" in unknown[0].message


def test_our_own_layout_with_partner_type_and_row_rules() -> None:
    parsed = list(ProvidersConnector().read(FIXTURES / "providers.csv"))
    assert [(p.source_ref, [i.rule for i in p.issues]) for p in parsed] == [
        ("10000010", []),
        ("10000011", ["PROVIDERS_UNKNOWN_TYPE"]),
        ("row 3", ["PROVIDERS_NO_IDENTIFIER"]),
        ("10000010", ["PROVIDERS_DUPLICATE"]),
        ("10000012", ["CSV_BAD_CODE"]),
    ]
    first = parsed[0].records[0]
    assert isinstance(first, PartnerIn)
    assert (first.partner_type, first.ukprn, first.urn) == ("wbl_provider", "10000010", None)


def test_gias_file_in_windows_1252_needs_the_encoding_named() -> None:
    with pytest.raises(CsvEncodingError, match="CSV UTF-8"):
        list(ProvidersConnector().read(FIXTURES / "providers-gias-cp1252.csv"))
    parsed = list(
        ProvidersConnector(encoding="cp1252").read(FIXTURES / "providers-gias-cp1252.csv")
    )
    partner = parsed[0].records[0]
    assert isinstance(partner, PartnerIn)
    assert (partner.name, partner.partner_type) == ("École Example School", "school")


def test_every_gias_establishment_type_maps_to_a_hub_partner_type() -> None:
    with (DATA_DIR / "gias-establishment-types.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    unmapped = [
        (row["type-of-establishment-name"], row["further-education-type-name-applicable"])
        for row in rows
        if partner_type_for(
            row["type-of-establishment-name"], row["further-education-type-name-applicable"]
        )
        not in PARTNER_TYPES
    ]
    assert unmapped == []
    assert len(rows) == 50


def test_fe_type_refines_further_education() -> None:
    assert partner_type_for("Further education", "Sixth Form College (General)") == (
        "sixth_form_college"
    )
    assert partner_type_for("further education", "Land-Based College") == "fe_college"
    assert partner_type_for("Castle") is None
