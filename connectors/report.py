"""Validation findings, each with where it was found and the rule (ESFA name where one exists)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """What a finding does to its record: an error rejects it, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One finding about one record (or the whole file when ``source_ref`` is None)."""

    rule: str
    message: str
    severity: Severity = Severity.ERROR
    source_ref: str | None = None
    record_number: int | None = None
    field: str | None = None
    line: int | None = None

    @property
    def is_error(self) -> bool:
        """Whether this finding rejects its record."""
        return self.severity is Severity.ERROR
