"""The CTF header: who sent the file, to whom, when, and whether it is full or partial.

A CTF moves pupils from a source school to a destination. The hub records the pupils as the
receiving school's when the destination is a school (they are joining its roll); when the
destination is an LA or unknown, the file is the sending school's statement about pupils who
are leaving, and nobody's roll is asserted. See docs/connectors/ctf.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from lxml import etree

from connectors.base import FileHeader
from connectors.ctf.elements import text
from hub.errors import FileRejectedError

_VERSION = re.compile(r"^\d{1,2}\.\d$")


class CtfNotCtfError(FileRejectedError):
    """The XML is well formed but is not a Common Transfer File (root is not ``CTfile``)."""

    code = "CTF_NOT_CTF"


class CtfHeaderError(FileRejectedError):
    """The CTF header is missing or does not name the source school and the file's date."""

    code = "CTF_HEADER_INVALID"


@dataclass(frozen=True, slots=True)
class CtfHeader:
    """The header items the hub uses (CTF 25 ``Header``)."""

    version: str | None
    qualifier: str | None
    created: dt.datetime | None
    source_lea: str
    source_estab: str
    source_urn: str | None
    source_name: str | None
    dest_lea: str | None
    dest_estab: str | None

    @property
    def source_laestab(self) -> str | None:
        """The sending school's LAESTAB, or None when the sender is an LA or not a school."""
        return _laestab(self.source_lea, self.source_estab)

    @property
    def dest_laestab(self) -> str | None:
        """The receiving school's LAESTAB, or None when the destination is not a school."""
        return _laestab(self.dest_lea, self.dest_estab)

    @property
    def to_school(self) -> bool:
        """Whether the pupils are moving to a named school (they join its roll)."""
        return self.dest_laestab is not None

    @property
    def as_of(self) -> dt.date | None:
        """The day the file was made, for judging current FSM and SEN."""
        return self.created.date() if self.created else None

    def file_header(self) -> FileHeader:
        """The receiving school for a school-to-school CTF, else the sending school."""
        laestab = self.dest_laestab if self.to_school else self.source_laestab
        lea = (self.dest_lea if self.to_school else self.source_lea) or ""
        return FileHeader(
            laestab=laestab,
            la_code=lea if lea.isdigit() and len(lea) == 3 else None,
            as_of=self.as_of.isoformat() if self.as_of else None,
        )


def _laestab(lea: str | None, estab: str | None) -> str | None:
    if lea and estab and lea.isdigit() and estab.isdigit() and len(lea) == 3 and len(estab) == 4:
        return lea + estab
    return None


def _created(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_header(header: etree._Element, file_name: str) -> tuple[CtfHeader, list[str]]:
    """The header and warnings about it; raises ``CtfHeaderError`` when the source is unknown."""
    lea, estab = text(header, "SourceSchool/LEA"), text(header, "SourceSchool/Estab")
    if not lea or not estab:
        raise CtfHeaderError(f"{file_name}: Header/SourceSchool needs LEA and Estab")
    warnings: list[str] = []
    version = text(header, "CTFversion")
    if version is None or not _VERSION.match(version):
        warnings.append(f"CTFversion {version!r} is not a version like 25.0")
    qualifier = text(header, "DocumentQualifier")
    if qualifier not in ("full", "partial"):
        warnings.append(f"DocumentQualifier {qualifier!r} is neither full nor partial")
    created = _created(text(header, "DateTime"))
    if created is None:
        warnings.append("Header/DateTime is missing or not an ISO date-time")
    return (
        CtfHeader(
            version=version,
            qualifier=qualifier,
            created=created,
            source_lea=lea,
            source_estab=estab,
            source_urn=text(header, "SourceSchool/URN"),
            source_name=text(header, "SourceSchool/SchoolName"),
            dest_lea=text(header, "DestSchool/LEA"),
            dest_estab=text(header, "DestSchool/Estab"),
        ),
        warnings,
    )
