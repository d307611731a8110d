"""The connector protocol: what every export format reader provides."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from connectors.records import ParsedRecord
from connectors.report import ValidationIssue


class LoadMode(StrEnum):
    """How a batch relates to what is already stored from the same partner."""

    SNAPSHOT = "snapshot"  # replaces the partner's earlier batch for the same snapshot key
    DELTA = "delta"  # upserts the records in it, deletes nothing


@dataclass(frozen=True, slots=True)
class FileHeader:
    """What a connector learns from a file before its records: who sent it, for when."""

    snapshot_key: str | None = None
    ukprn: str | None = None
    laestab: str | None = None
    la_code: str | None = None
    as_of: str | None = None


class Connector(Protocol):
    """Reads one export format as a stream.

    ``read`` raises ``hub.errors.FileRejectedError`` for a file-level error (not the format,
    unknown version, broken header); record-level findings travel on each ``ParsedRecord``.
    """

    name: str
    mode: LoadMode

    def read_header(self, path: Path) -> FileHeader:
        """Read just enough of the file to say who sent it and for which period."""
        ...

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield every source record with its normalised records and findings."""
        ...

    def file_issues(self) -> list[ValidationIssue]:
        """File-level warnings gathered while reading (after ``read`` is exhausted)."""
        ...
