"""The hardened XML reader: events, DOCTYPE refusal and error translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.xmlsource import (
    NotXmlError,
    XmlDtdForbiddenError,
    XmlNotWellFormedError,
    iter_events,
    local_name,
    namespace_of,
)


def test_events_stream_elements_with_names_and_namespaces(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_text('<a xmlns="urn:x"><!-- note --><b>1</b><?pi x?><b>2</b></a>', encoding="utf-8")
    ends = [(local_name(e), namespace_of(e), e.text) for ev, e in iter_events(path) if ev == "end"]
    assert ends == [("b", "urn:x", "1"), ("b", "urn:x", "2"), ("a", "urn:x", None)]


def test_tag_filter_limits_events(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_text("<a><b/><c/><b/></a>", encoding="utf-8")
    names = [local_name(e) for _ev, e in iter_events(path, events=("end",), tags=["b"])]
    assert names == ["b", "b"]


def test_internal_entity_declaration_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "entity.xml"
    path.write_text('<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>', encoding="utf-8")
    with pytest.raises(XmlDtdForbiddenError):
        list(iter_events(path))


def test_empty_file_is_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    with pytest.raises(NotXmlError):
        list(iter_events(path))


def test_undeclared_prefix_is_not_well_formed(tmp_path: Path) -> None:
    path = tmp_path / "prefix.xml"
    path.write_text("<a><x:b/></a>", encoding="utf-8")
    with pytest.raises(XmlNotWellFormedError):
        list(iter_events(path))


def test_stopping_early_closes_the_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_text("<a><b/><b/></a>", encoding="utf-8")
    events = iter_events(path)
    next(events)
    events.close()  # ResourceWarning would fail the test (filterwarnings = error)
