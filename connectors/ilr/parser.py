"""The ILR connector: two streaming passes over a file, one ParsedRecord per Learner.

Pass 1 (``scan``) proves the file well formed, picks the year by namespace, checks the header
and counts identifiers, so a file-level defect is raised before any record is handed out. Pass
2 streams each Learner: XSD validation of that learner alone, then the ESFA rules, then the
mapping to LearnerIn/ParticipationIn. D&P records (years up to 2023-24) follow all learners in
the file, so each is yielded as its own ParsedRecord of ActivityIn records.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from connectors.base import FileHeader, LoadMode
from connectors.ilr.mapping import destination_records, learner_records
from connectors.ilr.model import RuleContext, read_learner
from connectors.ilr.rules import RuleRunner
from connectors.ilr.scan import DESTINATION, LEARNER, FileScan, read_header, scan
from connectors.ilr.structure import StructureValidator
from connectors.records import ParsedRecord, Record
from connectors.report import Severity, ValidationIssue
from connectors.xmlsource import iter_events, local_name

DP_LEARNER_RULE = "HUB_DP_LEARNER"  # hub rule: a D&P record needs its learner loaded


class IlrConnector:
    """Reads ESFA ILR XML (2018-19, 2019-20, 2020-21, 2025-26) as a full-year snapshot."""

    name = "ilr"
    mode = LoadMode.SNAPSHOT

    def __init__(self, severity_overrides: Mapping[str, Severity] | None = None) -> None:
        """``severity_overrides`` re-grades named rules (e.g. ``{"LearnActEndDate_04": WARNING}``)
        for a deployment that must accept files ESFA would reject; by default ESFA's grades hold.
        """
        self._overrides = dict(severity_overrides or {})
        self._file_issues: list[ValidationIssue] = []

    def read_header(self, path: Path) -> FileHeader:
        """UKPRN, year and file date from the header, without reading the learners."""
        header = read_header(path)
        return FileHeader(
            snapshot_key=f"ilr:{header.ukprn}:{header.year.year}",
            ukprn=header.ukprn,
            as_of=header.date_time[:10],
        )

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        """Yield every Learner (and D&P record) with its records and findings.

        Raises FileRejectedError subclasses (from the first pass, before any yield) for a file
        that is not XML, carries a DOCTYPE, has an unknown namespace or a broken header.
        """
        self._file_issues = []
        found = scan(path)
        header = found.header
        ctx = RuleContext(
            year=header.year,
            file_preparation_date=header.file_preparation_date,
            codes=header.year.codes(),
            learn_refs=found.learn_refs,
            ulns=found.ulns,
        )
        state = _FileState(
            found=found,
            ctx=ctx,
            validator=StructureValidator(header.year, found.root, found.header_elements),
            rules=RuleRunner(header.year, self._overrides),
        )
        number = 0
        has_destinations = header.year.has_destinations
        ns = header.year.namespace
        tags = [f"{{{ns}}}{LEARNER}", f"{{{ns}}}{DESTINATION}"]
        for _event, element in iter_events(path, events=("end",), tags=tags):
            parent = element.getparent()
            if parent is None or parent.getparent() is not None:
                continue
            number += 1
            if local_name(element) == LEARNER:
                record = _learner(element, number, state)
                if has_destinations and not record.is_rejected:  # only D&P checks need it
                    state.loaded.add(record.source_ref)
            else:
                record = _destination(element, number, state)
            # validate() detached the element from the streamed tree: nothing accumulates.
            yield record

    def file_issues(self) -> list[ValidationIssue]:
        """File-level warnings from the last ``read`` (none are raised today)."""
        return list(self._file_issues)


@dataclass(slots=True)
class _FileState:
    """What reading one file shares across its records."""

    found: FileScan
    ctx: RuleContext
    validator: StructureValidator
    rules: RuleRunner
    loaded: set[str] = field(default_factory=set)  # learners yielded without errors


def _learner(element: etree._Element, number: int, state: _FileState) -> ParsedRecord:
    ref = _source_ref(element, state.found, number)
    structural, _header = state.validator.validate(element, ref, number)
    if structural:
        return ParsedRecord(source_ref=ref, record_number=number, issues=structural)
    learner = read_learner(element)
    issues = state.rules.run(learner, state.ctx, ref, number)
    records: list[Record] = learner_records(learner, state.ctx.year, state.found.header.ukprn)
    return ParsedRecord(source_ref=ref, record_number=number, records=records, issues=issues)


def _destination(element: etree._Element, number: int, state: _FileState) -> ParsedRecord:
    ref = _source_ref(element, state.found, number)
    structural, _header = state.validator.validate(element, ref, number)
    if structural:
        return ParsedRecord(source_ref=ref, record_number=number, issues=structural)
    issues: list[ValidationIssue] = []
    if ref not in state.loaded:
        why = "is not in this file" if ref not in state.found.learn_refs else "was rejected"
        issues.append(
            ValidationIssue(
                rule=DP_LEARNER_RULE,
                message=f"Destination and progression record for learner '{ref}', who {why}",
                severity=Severity.ERROR,
                source_ref=ref,
                record_number=number,
                field="LearnRefNumber",
            )
        )
    records: list[Record] = list(destination_records(element, state.found.header.year))
    return ParsedRecord(source_ref=ref, record_number=number, records=records, issues=issues)


def _source_ref(element: etree._Element, found: FileScan, number: int) -> str:
    """The record's LearnRefNumber, or a placeholder naming its position when it has none."""
    tag = f"{{{found.header.year.namespace}}}LearnRefNumber"
    first = element[0] if len(element) else None
    # The XSD puts it first: look there before searching.
    text = first.text if first is not None and first.tag == tag else element.findtext(tag)
    ref = (text or "").strip()
    return ref or f"(no LearnRefNumber, record {number})"
