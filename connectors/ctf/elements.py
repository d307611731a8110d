"""Namespace-agnostic element access for CTF: DfE output has no namespace, older files do."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from connectors.xmlsource import local_name


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children of ``element`` whose local name is ``name``."""
    for child in element:
        if local_name(child) == name:
            yield child


def child(element: etree._Element | None, path: str) -> etree._Element | None:
    """The first element along ``path`` (``"BasicDetails/Ethnicity"``), matching local names."""
    current = element
    for name in path.split("/"):
        if current is None:
            return None
        current = next(children(current, name), None)
    return current


def text(element: etree._Element | None, path: str) -> str | None:
    """Stripped text at ``path`` under ``element``, or None when absent or blank."""
    found = child(element, path)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    return value or None


def first_text(element: etree._Element | None, *paths: str) -> tuple[str, str] | None:
    """(path, text) for the first of ``paths`` that has text (``Sex`` then ``Gender``)."""
    for path in paths:
        value = text(element, path)
        if value is not None:
            return path, value
    return None


def descendants(element: etree._Element | None, names: tuple[str, ...]) -> Iterator[str]:
    """Text of every descendant whose local name is one of ``names`` (postcodes in Address)."""
    if element is None:
        return
    for found in element.iter():
        if local_name(found) in names and found.text and found.text.strip():
            yield found.text.strip()
