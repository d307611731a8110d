"""Hostile and broken files: each is refused as a whole with a clear, specific error.

One fixture per defect in tests/fixtures/ilr/hostile, named for it. Every refusal happens in
the first pass, before any record is yielded, so a loader never sees half a file.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from connectors.ilr import IlrConnector
from connectors.ilr.errors import (
    IlrHeaderInvalidError,
    IlrNamespaceMismatchError,
    IlrNoLearnersError,
    IlrUnknownNamespaceError,
    IlrWrongRootError,
)
from connectors.records import ParsedRecord
from connectors.xmlsource import NotXmlError, XmlDtdForbiddenError, XmlNotWellFormedError
from hub.errors import FileRejectedError, HubError
from tests.connectors.ilr.support import HOSTILE, INVALID


def _read_all(path: Path) -> list[ParsedRecord]:
    return list(IlrConnector().read(path))


@pytest.mark.parametrize(
    ("name", "error", "says"),
    [
        ("billion-laughs.xml", XmlDtdForbiddenError, "DOCTYPE"),
        ("external-entity.xml", XmlDtdForbiddenError, "DOCTYPE"),
        ("external-dtd.xml", XmlDtdForbiddenError, "DOCTYPE"),
        ("truncated.xml", XmlNotWellFormedError, "truncated"),
        ("wrong-encoding.xml", XmlNotWellFormedError, "encoding"),
        ("not-xml.xml", NotXmlError, "not an XML document"),
        ("unknown-namespace.xml", IlrUnknownNamespaceError, "ESFA/ILR/2026-27"),
        ("wrong-root.xml", IlrWrongRootError, "<CTfile>"),
        ("header-ukprn-mismatch.xml", IlrHeaderInvalidError, "UKPRN_03"),
        ("header-missing-serialno.xml", IlrHeaderInvalidError, "SerialNo"),
        ("no-learners.xml", IlrNoLearnersError, "Entity_1"),
    ],
)
def test_hostile_file_is_rejected_with_its_own_error(
    name: str, error: type[FileRejectedError], says: str
) -> None:
    with pytest.raises(error) as raised:
        _read_all(HOSTILE / name)
    assert says in raised.value.message
    assert name in raised.value.message
    assert isinstance(raised.value, FileRejectedError)


def test_unknown_namespace_message_lists_the_supported_years() -> None:
    with pytest.raises(IlrUnknownNamespaceError) as raised:
        IlrConnector().read_header(HOSTILE / "unknown-namespace.xml")
    for supported in (
        "ESFA/ILR/2018-19",
        "ESFA/ILR/2019-20",
        "ESFA/ILR/2020-21",
        "ESFA/ILR/2025-26",
    ):
        assert supported in raised.value.message


def test_mixed_namespace_file_is_rejected_as_namespace_mismatch() -> None:
    with pytest.raises(IlrNamespaceMismatchError) as raised:
        _read_all(INVALID / "ILR-1718-mixed-namespaces.xml")
    assert "SFA/ILR/2017-18" in raised.value.message
    assert "line 4" in raised.value.message


def test_entities_are_never_expanded() -> None:
    started = time.perf_counter()
    with pytest.raises(XmlDtdForbiddenError) as raised:
        _read_all(HOSTILE / "billion-laughs.xml")
    assert time.perf_counter() - started < 2
    assert "lol" not in raised.value.message


def test_external_entity_content_never_reaches_a_record_or_message() -> None:
    with pytest.raises(XmlDtdForbiddenError) as raised:
        _read_all(HOSTILE / "external-entity.xml")
    assert "root:" not in raised.value.message


def test_truncated_file_is_refused_before_any_record_is_yielded() -> None:
    records = IlrConnector().read(HOSTILE / "truncated.xml")
    with pytest.raises(XmlNotWellFormedError):
        next(records)


def test_oversized_field_rejects_only_its_learner_with_a_short_message() -> None:
    (record,) = _read_all(HOSTILE / "oversized-field.xml")
    (issue,) = record.issues
    assert (issue.rule, issue.field, issue.source_ref) == ("Schema", "FamilyName", "16Learner")
    assert len(issue.message) < 400


def test_text_node_over_the_parser_limit_is_refused(tmp_path: Path) -> None:
    source = (HOSTILE / "oversized-field.xml").read_text(encoding="utf-8")
    huge = source.replace("A" * 200_000, "A" * 10_000_001)
    path = tmp_path / "huge-text-node.xml"
    path.write_text(huge, encoding="utf-8")
    with pytest.raises(XmlNotWellFormedError) as raised:
        _read_all(path)
    assert "huge-text-node.xml" in raised.value.message


def test_a_broken_learner_rejects_that_learner_only() -> None:
    records = _read_all(HOSTILE / "one-learner-bad-date.xml")
    assert [(r.source_ref, r.is_rejected) for r in records] == [
        ("16Learner", False),
        ("BadDate", True),
    ]
    assert records[1].issues[0].field == "DateOfBirth"


def test_every_rejection_error_has_a_documentation_page() -> None:
    root = Path(__file__).resolve().parents[3]
    errors: list[type[HubError]] = [
        XmlDtdForbiddenError,
        XmlNotWellFormedError,
        NotXmlError,
        IlrUnknownNamespaceError,
        IlrWrongRootError,
        IlrHeaderInvalidError,
        IlrNamespaceMismatchError,
        IlrNoLearnersError,
    ]
    assert len({e.code for e in errors}) == len(errors)
    for error in errors:
        assert (root / "docs" / "errors" / f"{error.code}.md").is_file(), error.code
