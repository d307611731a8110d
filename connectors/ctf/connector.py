"""CTF XML -> LearnerIn per pupil, streamed through the hardened reader in connectors.xmlsource.

A DELTA load: the pupils in the file are upserted, nobody else is touched (a CTF describes the
pupils moving, never the whole roll). Elements are matched by local name so a namespaced or
un-namespaced file reads the same; unknown optional blocks are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from connectors.base import FileHeader, LoadMode
from connectors.ctf.header import CtfHeader, CtfHeaderError, CtfNotCtfError, parse_header
from connectors.ctf.pupil import pupil_record
from connectors.records import ParsedRecord
from connectors.report import Severity, ValidationIssue
from connectors.xmlsource import iter_events, local_name


def _release(element: etree._Element) -> None:
    """Free a processed element and the siblings before it, so memory stays flat."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class CtfConnector:
    """Reads a Common Transfer File (``docs/connectors/ctf.md``)."""

    name = "ctf"
    mode = LoadMode.DELTA

    def __init__(self) -> None:
        self._file_issues: list[ValidationIssue] = []

    def ctf_header(self, path: Path) -> CtfHeader:
        """The full CTF header (source, destination, version, full/partial)."""
        for header in self._headers(path):
            return header
        raise CtfHeaderError(f"{path.name}: no Header element before the pupil data")

    def read_header(self, path: Path) -> FileHeader:
        """The receiving school for a school-to-school CTF, else the sending school."""
        return self.ctf_header(path).file_header()

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """Every Pupil as a ``ParsedRecord``; file defects raise ``FileRejectedError``."""
        self._file_issues = []
        header: CtfHeader | None = None
        number = 0
        for event, element in self._events(path):
            name = local_name(element)
            if event != "end":
                continue
            if name == "Header" and header is None:
                header, warnings = parse_header(element, path.name)
                self._file_issues += [
                    ValidationIssue("CTF_HEADER", message, Severity.WARNING) for message in warnings
                ]
            elif name == "Pupil" and _parent_name(element) == "CTFpupilData":
                if header is None:
                    raise CtfHeaderError(f"{path.name}: pupil data comes before the Header")
                number += 1
                yield pupil_record(element, header, number)
                _release(element)
        if header is None:
            raise CtfHeaderError(f"{path.name}: the file has no Header")

    def file_issues(self) -> list[ValidationIssue]:
        """Header warnings gathered while reading (complete once ``read`` is exhausted)."""
        return list(self._file_issues)

    def _events(self, path: Path) -> Iterator[tuple[str, etree._Element]]:
        """Hardened events, refusing a file whose root is not ``CTfile``."""
        first = True
        for event, element in iter_events(path, events=("start", "end")):
            if first:
                first = False
                if local_name(element) != "CTfile":
                    raise CtfNotCtfError(
                        f"{path.name}: root element is {local_name(element)!r}, not 'CTfile'"
                    )
            yield event, element

    def _headers(self, path: Path) -> Iterator[CtfHeader]:
        for event, element in self._events(path):
            if event == "end" and local_name(element) == "Header":
                yield parse_header(element, path.name)[0]
                return
            if event == "start" and local_name(element) == "CTFpupilData":
                return


def _parent_name(element: etree._Element) -> str:
    parent = element.getparent()
    return local_name(parent) if parent is not None else ""
