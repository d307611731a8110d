"""Loading one chunk of parsed records: check, resolve learners, then bulk-write every table.

A chunk is a few thousand source records. Every lookup it needs (learners by identifier,
earlier records by local ref, provision, participations for attendance) is one query for the
whole chunk, and every table is written with one bulk insert, so the cost per record is flat.
A source record whose references cannot be resolved is rejected *before* anything of it is
written, so a record's rows load or are rejected together. (Over 400 lines because the check,
resolve and write steps share one chunk's state; the row shapes are plain dict builders.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from connectors.directory import PartnerDirectory
from connectors.matching import ChunkResolution, IdentityResolver, NewLearner, Resolution
from connectors.normalise import canonical_ethnicity
from connectors.provision import ProvisionCatalogue, academic_year_of
from connectors.records import (
    ActivityIn,
    AttendanceIn,
    FundingAllocationIn,
    FundingFlowIn,
    LearnerIn,
    ParsedRecord,
    ParticipationIn,
    PartnerIn,
    ProvisionIn,
)
from connectors.refdata import ReferenceWriter
from connectors.report import Severity, ValidationIssue
from hub.store.batches import table_of
from hub.store.loading import BatchWriter
from hub.store.models.destinations import Activity
from hub.store.models.identity import MatchReview
from hub.store.models.learners import Learner, LearnerRecord
from hub.store.models.participation import Participation

KEPT_ISSUES = 2000  # findings kept in memory for the summary; all are stored with the batch


@dataclass(slots=True)
class Counts:
    """A batch's running totals, as stored on the IngestBatch row."""

    records_read: int = 0
    records_loaded: int = 0
    records_rejected: int = 0
    learners_matched: int = 0
    learners_created: int = 0
    reviews_queued: int = 0

    def as_dict(self) -> dict[str, int]:
        """The totals keyed by IngestBatch column."""
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(slots=True)
class _Refs:
    """What a chunk's references resolved to before anything is written."""

    learners: dict[str, int] = field(default_factory=dict)  # earlier local ref -> learner id
    attendance: dict[int, int] = field(default_factory=dict)  # id(AttendanceIn) -> participation


@dataclass(slots=True)
class _Sorted:
    """A chunk's accepted records other than learners, by kind, each in file order."""

    participations: list[tuple[ParsedRecord, ParticipationIn]] = field(default_factory=list)
    activities: list[ActivityIn] = field(default_factory=list)
    attendance: list[AttendanceIn] = field(default_factory=list)
    partners: list[PartnerIn] = field(default_factory=list)
    provision: list[ProvisionIn] = field(default_factory=list)
    allocations: list[FundingAllocationIn] = field(default_factory=list)
    flows: list[FundingFlowIn] = field(default_factory=list)

    def has_others(self) -> bool:
        """Whether the chunk holds anything besides learners and participations."""
        return any(
            (
                self.activities,
                self.attendance,
                self.partners,
                self.provision,
                self.allocations,
                self.flows,
            )
        )

    @classmethod
    def of(cls, accepted: list[ParsedRecord]) -> _Sorted:
        """Sort in one pass (a chunk can hold hundreds of thousands of records)."""
        out = cls()
        for parsed in accepted:
            for record in parsed.records:
                if isinstance(record, LearnerIn):
                    continue
                if isinstance(record, ParticipationIn):
                    out.participations.append((parsed, record))
                elif isinstance(record, ActivityIn):
                    out.activities.append(record)
                elif isinstance(record, AttendanceIn):
                    out.attendance.append(record)
                elif isinstance(record, PartnerIn):
                    out.partners.append(record)
                elif isinstance(record, ProvisionIn):
                    out.provision.append(record)
                elif isinstance(record, FundingAllocationIn):
                    out.allocations.append(record)
                elif isinstance(record, FundingFlowIn):
                    out.flows.append(record)
        return out


class ChunkLoader:
    """Loads a batch's chunks, one after another, through one ``BatchWriter``."""

    def __init__(
        self,
        writer: BatchWriter,
        *,
        partner_id: int,
        source: str,
        as_of: dt.date,
        old_batches: Sequence[int],
        directory: PartnerDirectory,
    ) -> None:
        self.writer = writer
        self.conn: AsyncConnection = writer.conn
        self.partner_id = partner_id
        self.source = source
        self.as_of = as_of
        self.old_batches = list(old_batches)
        self.directory = directory
        self.counts = Counts()
        self.kept_issues: list[ValidationIssue] = []
        self.issue_count = 0
        self.resolver = IdentityResolver(
            partner_id, source, lambda n: writer.allocate_ids(table_of(Learner), n)
        )
        self.catalogue = ProvisionCatalogue(writer, directory)
        self.reference = ReferenceWriter(writer, directory, self.catalogue, self.old_batches)

    async def load(self, chunk: Sequence[ParsedRecord]) -> None:
        """Check, resolve and write one chunk."""
        self.counts.records_read += len(chunk)
        issues: list[ValidationIssue] = []
        accepted: list[ParsedRecord] = []
        for parsed in chunk:
            issues.extend(_located(parsed, issue) for issue in parsed.issues)
            if not parsed.is_rejected:
                accepted.append(parsed)
        learners = [(p, r) for p in accepted for r in p.records if isinstance(r, LearnerIn)]
        prepared = self.resolver.prepare([r for _, r in learners])
        await self.writer.settle()  # the previous chunk's last COPY, worked on meanwhile
        resolved = await self.resolver.resolve(self.conn, prepared)
        in_chunk = {
            r.local_ref: res.learner_id
            for (_, r), res in zip(learners, resolved.resolutions, strict=True)
        }
        refs = await self._resolve_refs(accepted, issues, in_chunk)
        self.counts.records_loaded += len(accepted)
        self.counts.records_rejected += len(chunk) - len(accepted)
        kept = {id(p) for p in accepted}
        for index, warning in resolved.warnings:
            if id(learners[index][0]) in kept:
                issues.append(_located(learners[index][0], warning))
        resolutions = [
            (p, r, res)
            for (p, r), res in zip(learners, resolved.resolutions, strict=True)
            if id(p) in kept
        ]
        if resolutions:
            await self._load_learners(resolutions, resolved)
        await self._write(accepted, refs, issues)
        await self.add_issues(issues)

    async def add_issues(self, issues: Sequence[ValidationIssue]) -> None:
        """Store findings with the batch and keep the first few for the summary."""
        self.issue_count += len(issues)
        room = KEPT_ISSUES - len(self.kept_issues)
        if room > 0:
            self.kept_issues.extend(issues[:room])
        await self.writer.add_issues(issue_row(issue) for issue in issues)

    async def _resolve_refs(
        self, accepted: list[ParsedRecord], issues: list[ValidationIssue], in_chunk: dict[str, int]
    ) -> _Refs:
        """Look up every outside reference; reject (in place) records with unresolvable ones.

        ``in_chunk`` maps the chunk's own learner refs to the learners they resolved to.
        """
        refs = _Refs()
        wanted = {
            r.learner_ref
            for p in accepted
            for r in p.records
            if isinstance(r, ParticipationIn | ActivityIn | AttendanceIn | FundingFlowIn)
            and r.learner_ref
            and r.learner_ref not in in_chunk
        }
        if wanted:
            refs.learners = await self._earlier_learners(sorted(wanted))
        refs.learners.update(in_chunk)
        refs.attendance = await self._attendance_targets(accepted, refs.learners)
        kept: list[ParsedRecord] = []
        for parsed in accepted:
            problems = [
                problem
                for record in parsed.records
                if (problem := self._problem(record, refs)) is not None
            ]
            if problems:
                issues.extend(_located(parsed, p) for p in problems)
            else:
                kept.append(parsed)
        accepted[:] = kept
        return refs

    def _problem(self, record: object, refs: _Refs) -> ValidationIssue | None:
        ref = getattr(record, "learner_ref", None)
        if isinstance(record, ParticipationIn | ActivityIn | AttendanceIn) and (
            ref not in refs.learners
        ):
            return _error(
                "HUB_UNKNOWN_LEARNER", f"no learner {ref!r} from this partner", "learner_ref"
            )
        if isinstance(record, ParticipationIn) and academic_year_of(record) is None:
            return _error("HUB_NO_ACADEMIC_YEAR", "no academic year or start date", "academic_year")
        if isinstance(record, AttendanceIn) and id(record) not in refs.attendance:
            return _error(
                "HUB_UNKNOWN_PARTICIPATION", "no matching course for this learner", "course_ref"
            )
        if isinstance(record, FundingFlowIn | FundingAllocationIn | ProvisionIn):
            return self.reference.problem(record)
        return None

    async def _write(
        self, accepted: list[ParsedRecord], refs: _Refs, issues: list[ValidationIssue]
    ) -> None:
        ref_ids = refs.learners
        by_kind = _Sorted.of(accepted)
        if by_kind.participations:
            await self._load_participations(by_kind.participations, ref_ids, issues)
        if by_kind.has_others():
            await self.writer.settle()  # what follows may query outside the writer
        activities = [self._activity_row(a, ref_ids) for a in by_kind.activities]
        await self._insert(table_of(Activity), activities)
        if by_kind.attendance:
            await self.reference.attendance(by_kind.attendance, refs.attendance)
        await self.reference.partners(by_kind.partners)
        await self.reference.provision(by_kind.provision)
        await self.reference.allocations(by_kind.allocations)
        await self.reference.flows(by_kind.flows, ref_ids)

    async def _load_learners(
        self,
        learners: list[tuple[ParsedRecord, LearnerIn, Resolution]],
        resolved: ChunkResolution,
    ) -> None:
        needed = {res.learner_id for _, _, res in learners}
        await self.writer.insert_rows(
            table_of(Learner),
            [
                self._learner_row(new)
                for new in resolved.new_learners
                if new.id in needed
            ],
        )
        await resolved.apply_fills(self.conn)
        record_ids = await self.writer.allocate_ids(table_of(LearnerRecord), len(learners))
        record_rows = []
        review_rows = []
        now = dt.datetime.now(dt.UTC)
        for record_id, (_, record, res) in zip(record_ids, learners, strict=True):
            record_rows.append(self._record_row(record_id, record, res))
            if res.review_reason is not None:
                review_rows.append(
                    {
                        "id": None,
                        "learner_record_id": record_id,
                        "candidate_learner_ids": list(res.candidates),
                        "reason": res.review_reason,
                        "status": "open",
                        "created_at": now,
                        "decided_by": None,
                        "decided_at": None,
                    }
                )
            if res.is_new:
                self.counts.learners_created += 1
            else:
                self.counts.learners_matched += 1
        await self.writer.insert_rows(table_of(LearnerRecord), record_rows)
        await self._insert(table_of(MatchReview), review_rows)
        self.counts.reviews_queued += len(review_rows)
        new_ids = {r["local_ref"]: r["id"] for r in record_rows}
        await self.writer.replace_records(self.partner_id, self.source, new_ids, self.old_batches)

    async def _load_participations(
        self,
        participations: list[tuple[ParsedRecord, ParticipationIn]],
        ref_ids: dict[str, int],
        issues: list[ValidationIssue],
    ) -> None:
        rows: list[dict[str, Any]] = []
        for parsed, p in participations:
            delivering = self.directory.find(p.delivering_partner_ref) or self.partner_id
            if p.delivering_partner_ref and self.directory.find(p.delivering_partner_ref) is None:
                issues.append(
                    _located(
                        parsed,
                        _warning(
                            f"delivering partner {p.delivering_partner_ref} is not registered; "
                            "recorded as delivered by the submitter"
                        ),
                    )
                )
            home = self.directory.find(p.home_partner_ref)
            if p.home_partner_ref and home is None:
                issues.append(
                    _located(
                        parsed, _warning(f"home partner {p.home_partner_ref} is not registered")
                    )
                )
            rows.append(
                {
                    "id": None,
                    "learner_id": ref_ids[p.learner_ref],
                    "provision_id": await self.catalogue.find_or_create(p, delivering),
                    "home_partner_id": home,
                    "delivering_partner_id": delivering,
                    "start_date": p.start_date,
                    "planned_end_date": p.planned_end_date,
                    "actual_end_date": p.actual_end_date,
                    "completion_status": _cut(p.completion_status, 4),
                    "outcome": _cut(p.outcome, 4),
                    "sessions_possible": p.sessions_possible,
                    "sessions_attended": p.sessions_attended,
                    "withdrawal_reason": _cut(p.withdrawal_reason, 4),
                    "code_list": _cut(p.code_list, 30),
                    "source_ref": _cut(p.source_ref, 40),
                    "batch_id": self.writer.batch_id,
                }
            )
        await self.catalogue.flush()
        # Deferred: the server works through the chunk's biggest COPY while the next chunk is
        # received and prepared; the next statement waits for it (BatchWriter.settle).
        await self._insert(table_of(Participation), rows, defer=True)

    async def _insert(self, table: Any, rows: list[dict[str, Any]], *, defer: bool = False) -> None:
        if not rows:
            return
        ids = await self.writer.allocate_ids(table, len(rows))
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        await self.writer.insert_rows(table, rows, defer=defer)

    def _learner_row(self, new: NewLearner) -> dict[str, Any]:
        r = new.record
        return {
            "id": new.id,
            "uln": new.uln,
            "upn": new.upn,
            "given_name": _cut(r.given_name, 100),
            "family_name": _cut(r.family_name, 100),
            "date_of_birth": r.date_of_birth,
            "sex": _cut(r.sex, 1),
            "ethnicity": _cut(
                canonical_ethnicity(r.ethnicity_source_code, r.ethnicity_source_list), 40
            ),
            "ethnicity_source_code": _cut(r.ethnicity_source_code, 4),
            "ethnicity_source_list": _cut(r.ethnicity_source_list, 30),
            "postcode": new.postcode,
            "la_of_residence": _cut(r.la_of_residence, 3),
            "sen_provision": _cut(r.sen_provision, 1),
            "lldd": r.lldd,
            "fsm": r.fsm,
            "looked_after": r.looked_after,
            "care_leaver": r.care_leaver,
            "batch_id": self.writer.batch_id,
            **new.keys,  # matching.match_keys, computed once by the resolver
        }

    def _record_row(self, record_id: int, r: LearnerIn, res: Resolution) -> dict[str, Any]:
        return {
            "id": record_id,
            "learner_id": res.learner_id,
            "partner_id": self.partner_id,
            "local_ref": r.local_ref[:20],
            "source": self.source,
            "is_on_roll": r.is_on_roll,
            "as_of": self.as_of,
            "batch_id": self.writer.batch_id,
            "uln": r.uln if r.uln and len(r.uln) <= 10 else None,
            "upn": r.upn if r.upn and len(r.upn) <= 13 else None,
            "given_name": _cut(r.given_name, 100),
            "family_name": _cut(r.family_name, 100),
            "date_of_birth": r.date_of_birth,
            "postcode": _cut(res.postcode, 8),
            "sex": _cut(r.sex, 1),
            "ethnicity_source_code": _cut(r.ethnicity_source_code, 4),
        }

    def _activity_row(self, a: ActivityIn, ref_ids: dict[str, int]) -> dict[str, Any]:
        return {
            "id": None,
            "learner_id": ref_ids[a.learner_ref],
            "activity_code": a.activity_code[:4],
            "category": a.category[:20],
            "start_date": a.start_date,
            "review_date": a.review_date,
            "recorded_by_partner_id": self.partner_id,
            "code_list": _cut(a.code_list, 30),
            "batch_id": self.writer.batch_id,
        }

    async def _earlier_learners(self, refs: list[str]) -> dict[str, int]:
        """Learners this partner's earlier records (or this batch's earlier chunks) name."""
        c = table_of(LearnerRecord).c
        found: dict[str, int] = {}
        for start in range(0, len(refs), 5000):
            rows = await self.conn.execute(
                select(c.local_ref, c.learner_id)
                .where(c.partner_id == self.partner_id, c.local_ref.in_(refs[start : start + 5000]))
                .order_by(c.id)
            )
            found.update((row.local_ref, int(row.learner_id)) for row in rows)
        return found

    async def _attendance_targets(
        self, accepted: list[ParsedRecord], learners: dict[str, int]
    ) -> dict[int, int]:
        weeks = [r for p in accepted for r in p.records if isinstance(r, AttendanceIn)]
        if not weeks:
            return {}
        return await self.reference.attendance_targets(weeks, learners, self.partner_id)


def issue_row(issue: ValidationIssue) -> dict[str, Any]:
    """A finding as an ``ingest_issues`` row (without ids)."""
    return {
        "severity": issue.severity.value,
        "rule": issue.rule,
        "source_ref": issue.source_ref,
        "record_number": issue.record_number,
        "field": issue.field,
        "message": issue.message,
    }


def _located(parsed: ParsedRecord, issue: ValidationIssue) -> ValidationIssue:
    if issue.source_ref is not None and issue.record_number is not None:
        return issue
    return ValidationIssue(
        rule=issue.rule,
        message=issue.message,
        severity=issue.severity,
        source_ref=issue.source_ref or parsed.source_ref,
        record_number=issue.record_number
        if issue.record_number is not None
        else parsed.record_number,
        field=issue.field,
        line=issue.line,
    )


def _error(rule: str, message: str, field_name: str) -> ValidationIssue:
    return ValidationIssue(rule=rule, message=message, field=field_name)


def _warning(message: str) -> ValidationIssue:
    return ValidationIssue(
        rule="HUB_UNKNOWN_PARTNER", message=message, severity=Severity.WARNING, field="partner_ref"
    )


def _cut(value: str | None, size: int) -> str | None:
    return None if value is None else value[:size]
