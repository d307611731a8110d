"""XSD validation of one Learner (or D&P record) at a time, so every error names its learner.

Validating a whole file stops at its first error and says nothing about which learner broke,
so each record is validated alone: it is moved into a small in-memory ``Message`` that holds a
copy of the file's Header, SourceFiles and LearningProvider, validated with the year's compiled
schema, then moved out again. No text is serialised or re-parsed, and elements keep their
source line numbers, so errors point at the line in the partner's file.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import cast

from lxml import etree

from connectors.ilr.years import IlrYear
from connectors.report import Severity, ValidationIssue

SCHEMA_RULE = "Schema"  # what ESFA's validation service reports XSD (FD) failures under
_ELEMENT = re.compile(r"Element '\{[^}]*\}([A-Za-z0-9_]+)'")
_NAMESPACE = re.compile(r"\{[^}{]*/ILR/[^}]*\}")
_LONG_VALUE = re.compile(r"'([^']{60})[^']{20,}'?")  # libxml2 may cut a huge value unquoted
_MAX_MESSAGE = 400


class StructureValidator:
    """Validates records of one file against its year's XSD, one record per call.

    Not thread-safe: one validator (and its wrapper document) per file being read.
    """

    def __init__(self, year: IlrYear, root: etree._Element, header: list[etree._Element]) -> None:
        self._schema = year.schema()
        self._wrapper = etree.Element(root.tag, nsmap=cast(dict[str, str], root.nsmap))
        for element in header:
            self._wrapper.append(copy.deepcopy(element))
        self._record_path = f"/*/*[{len(header) + 1}]"

    def validate(
        self, element: etree._Element, source_ref: str, record_number: int
    ) -> tuple[list[ValidationIssue], list[ValidationIssue]]:
        """Issues for ``element`` and, separately, issues in the header copy.

        ``element`` is detached from its own tree (it is borrowed and then dropped), so the
        caller must read anything it needs from it before or after, not from its old parent.
        """
        self._wrapper.append(element)
        try:
            self._schema.validate(self._wrapper)
            entries = list(cast(Iterable[etree._LogEntry], self._schema.error_log))
        finally:
            self._wrapper.remove(element)
        record: list[ValidationIssue] = []
        header: list[ValidationIssue] = []
        for entry in entries:
            path = entry.path or ""
            in_record = path == self._record_path or path.startswith(self._record_path + "/")
            issue = _issue(entry, source_ref if in_record else None, record_number, in_record)
            (record if in_record else header).append(issue)
        return record, header


def _issue(
    entry: etree._LogEntry, source_ref: str | None, record_number: int, in_record: bool
) -> ValidationIssue:
    field = _ELEMENT.search(entry.message)
    return ValidationIssue(
        rule=SCHEMA_RULE,
        message=_LONG_VALUE.sub(r"'\1...'", _NAMESPACE.sub("", entry.message))[:_MAX_MESSAGE],
        severity=Severity.ERROR,
        source_ref=source_ref,
        record_number=record_number if in_record else None,
        field=field.group(1) if field else None,
        line=entry.line,
    )
