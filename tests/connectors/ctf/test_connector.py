"""The CTF connector on synthetic CTF 25 files, valid and hostile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from connectors.base import FileHeader, LoadMode
from connectors.ctf.connector import CtfConnector
from connectors.ctf.header import CtfHeaderError, CtfNotCtfError
from connectors.records import LearnerIn, ParsedRecord
from connectors.xmlsource import NotXmlError, XmlDtdForbiddenError, XmlNotWellFormedError

FIXTURES = Path(__file__).parents[2] / "fixtures" / "ctf"
FULL = FIXTURES / "8201234_CTF_8205678_001.xml"
PARTIAL = FIXTURES / "8201234_CTF_820LLLL_002-partial-namespaced.xml"


def read_all(path: Path) -> list[ParsedRecord]:
    return list(CtfConnector().read(path))


def rules(parsed: ParsedRecord) -> list[str]:
    return [issue.rule for issue in parsed.issues]


def test_connector_is_a_delta_named_ctf() -> None:
    assert (CtfConnector.name, CtfConnector.mode) == ("ctf", LoadMode.DELTA)


def test_school_to_school_ctf_belongs_to_the_receiving_school() -> None:
    connector = CtfConnector()
    assert connector.read_header(FULL) == FileHeader(
        laestab="8205678", la_code="820", as_of="2025-03-14"
    )
    header = connector.ctf_header(FULL)
    assert (header.source_laestab, header.dest_laestab) == ("8201234", "8205678")
    assert (header.version, header.qualifier, header.source_urn) == ("25.0", "full", "100001")


def test_full_pupil_maps_every_item_the_hub_keeps() -> None:
    first = read_all(FULL)[0]
    assert first.issues == []
    assert first.records == [
        LearnerIn(
            local_ref="C820123424001",
            uln="1061484016",
            upn="C820123424001",
            given_name="Alpha",
            family_name="Testpupil",
            date_of_birth=dt.date(2010, 5, 17),
            sex="F",
            ethnicity_source_code="MWBC",
            ethnicity_source_list="CBDS",
            postcode="ZZ99 9ZZ",
            sen_provision="K",
            fsm=True,
            looked_after=True,
            is_on_roll=True,
        )
    ]


def test_gender_is_accepted_and_ended_fsm_is_false() -> None:
    beta = read_all(FULL)[1].records[0]
    assert isinstance(beta, LearnerIn)
    assert (beta.sex, beta.fsm, beta.sen_provision, beta.looked_after) == ("M", False, None, None)


def test_bad_uln_is_dropped_with_a_warning() -> None:
    gamma = read_all(FULL)[2]
    assert rules(gamma) == ["CTF_ULN_CHECK"]
    learner = gamma.records[0]
    assert isinstance(learner, LearnerIn)
    assert learner.uln is None
    assert learner.fsm is None


def test_partial_namespaced_ctf_to_an_la_is_the_senders_and_not_on_roll() -> None:
    connector = CtfConnector()
    assert connector.read_header(PARTIAL) == FileHeader(
        laestab="8201234", la_code="820", as_of="2024-07-20"
    )
    parsed = list(connector.read(PARTIAL))
    learner = parsed[0].records[0]
    assert isinstance(learner, LearnerIn)
    assert (learner.upn, learner.sex, learner.postcode, learner.is_on_roll) == (
        "V820123424004",
        "F",
        "ZZ99 1AA",
        False,
    )
    assert connector.file_issues() == []


def test_pupil_level_errors_reject_only_that_pupil() -> None:
    parsed = read_all(FIXTURES / "bad-pupils.xml")
    assert [(p.source_ref, rules(p), p.is_rejected) for p in parsed] == [
        ("A820123424001", ["CTF_UPN_CHECK"], True),
        ("pupil 2", ["CTF_UPN_MISSING"], True),
        ("R820123424002", ["CTF_BAD_SEX"], True),
        ("F820123424003", ["CTF_REQUIRED", "CTF_BAD_DOB"], True),
        (
            "V820123424004",
            ["CTF_BAD_POSTCODE", "CTF_SEN_HISTORIC", "CTF_BAD_LOOKED_AFTER", "CTF_BAD_ETHNICITY"],
            False,
        ),
    ]
    warned = parsed[4].records[0]
    assert isinstance(warned, LearnerIn)
    assert (warned.sen_provision, warned.ethnicity_source_code, warned.postcode) == (
        "E",
        None,
        None,
    )


def test_external_entity_is_refused_and_never_read() -> None:
    with pytest.raises(XmlDtdForbiddenError) as raised:
        read_all(FIXTURES / "external-entity.xml")
    assert "root:" not in str(raised.value)
    assert raised.value.code == "XML_DTD_FORBIDDEN"


@pytest.mark.parametrize(
    ("fixture", "error"),
    [
        ("billion-laughs.xml", XmlDtdForbiddenError),
        ("not-xml-csv-body.xml", NotXmlError),
        ("empty.xml", NotXmlError),
        ("wrong-encoding-declared-utf8.xml", XmlNotWellFormedError),
        ("wrong-root-ilr.xml", CtfNotCtfError),
        ("no-source-school.xml", CtfHeaderError),
        ("pupils-before-header.xml", CtfHeaderError),
    ],
)
def test_hostile_or_broken_file_is_rejected(fixture: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        read_all(FIXTURES / fixture)


def test_truncated_file_fails_after_the_complete_pupils() -> None:
    reader = CtfConnector().read(FIXTURES / "truncated.xml")
    first = next(reader)
    assert first.source_ref == "C820123424001"
    with pytest.raises(XmlNotWellFormedError, match="truncated"):
        next(reader)


def test_header_reading_refuses_hostile_files_too() -> None:
    with pytest.raises(XmlDtdForbiddenError):
        CtfConnector().read_header(FIXTURES / "billion-laughs.xml")
    with pytest.raises(CtfNotCtfError, match="Message"):
        CtfConnector().read_header(FIXTURES / "wrong-root-ilr.xml")


def test_error_codes_are_the_ctf_ones() -> None:
    assert (CtfNotCtfError.code, CtfHeaderError.code) == ("CTF_NOT_CTF", "CTF_HEADER_INVALID")


def test_text_node_over_the_parser_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "oversized-field.xml"
    body = FULL.read_text("utf-8").replace(
        "<Forename>Alpha</Forename>", "<Forename>" + "A" * 10_500_000 + "</Forename>")
    path.write_text(body, encoding="utf-8")
    with pytest.raises(XmlNotWellFormedError):
        read_all(path)
