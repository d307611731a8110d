"""Ingest batches with their per-record reports, and the identity review queue."""

import datetime as dt
from enum import Enum
from typing import Any, Optional

import strawberry
from strawberry.types import Info

from hub.errors import BadRequestError


@strawberry.type(description="One finding about one record (or the whole file).")
class IngestIssue:
    severity: str
    rule: str
    source_ref: Optional[str]
    record_number: Optional[int]
    field: Optional[str]
    message: str


@strawberry.type(description="A submitted file, what became of it, and its per-record report.")
class IngestBatch:
    id: strawberry.ID
    partner_id: Optional[strawberry.ID]
    connector: str
    file_name: str
    file_sha256: str
    status: str
    received_at: dt.datetime
    completed_at: Optional[dt.datetime]
    records_read: int
    records_loaded: int
    records_rejected: int
    learners_matched: int
    learners_created: int
    reviews_queued: int
    error: Optional[str]
    issues: list[IngestIssue]


@strawberry.type(description="A possible match too weak to merge automatically.")
class MatchReview:
    id: strawberry.ID
    status: str
    reason: str
    partner_id: strawberry.ID
    source: str
    local_ref: str
    provisional_learner_id: strawberry.ID
    candidate_learner_ids: list[strawberry.ID]
    created_at: dt.datetime
    decided_by: Optional[str]
    decided_at: Optional[dt.datetime]


@strawberry.enum(description="What to do with a match review.")
class MatchDecision(Enum):
    ACCEPT = "accept"
    REJECT = "reject"


def _id(value: Any) -> Optional[strawberry.ID]:
    return None if value is None else strawberry.ID(str(value))


def to_batch(row: dict[str, Any]) -> IngestBatch:
    """A stored batch (with its issues) as GraphQL."""
    issues = [
        IngestIssue(
            severity=i["severity"],
            rule=i["rule"],
            source_ref=i["source_ref"],
            record_number=i["record_number"],
            field=i["field"],
            message=i["message"],
        )
        for i in row.get("issues", [])
    ]
    return IngestBatch(
        id=strawberry.ID(str(row["id"])),
        partner_id=_id(row["partner_id"]),
        connector=row["connector"],
        file_name=row["file_name"],
        file_sha256=row["file_sha256"],
        status=row["status"],
        received_at=row["received_at"],
        completed_at=row["completed_at"],
        records_read=row["records_read"] or 0,
        records_loaded=row["records_loaded"] or 0,
        records_rejected=row["records_rejected"] or 0,
        learners_matched=row["learners_matched"] or 0,
        learners_created=row["learners_created"] or 0,
        reviews_queued=row["reviews_queued"] or 0,
        error=row["error"],
        issues=issues,
    )


def to_review(row: dict[str, Any]) -> MatchReview:
    """A stored review as GraphQL."""
    return MatchReview(
        id=strawberry.ID(str(row["id"])),
        status=row["status"],
        reason=row["reason"],
        partner_id=strawberry.ID(str(row["partner_id"])),
        source=row["source"],
        local_ref=row["local_ref"],
        provisional_learner_id=strawberry.ID(str(row["provisional_learner_id"])),
        candidate_learner_ids=[strawberry.ID(str(c)) for c in row["candidate_learner_ids"]],
        created_at=row["created_at"],
        decided_by=row.get("decided_by"),
        decided_at=row.get("decided_at"),
    )


def int_id(value: Optional[strawberry.ID], name: str) -> Optional[int]:
    """An id argument as the store's integer."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise BadRequestError(f"{name} must be an id, got {value!r}") from error


async def ingest_batch(info: Info, batch_id: strawberry.ID) -> Optional[IngestBatch]:
    """A batch of the caller's, with its report."""
    found = await info.context.operations.batch(int_id(batch_id, "id"))
    return None if found is None else to_batch(found)


async def ingest_batches(info: Info) -> list[IngestBatch]:
    """The caller's latest batches."""
    return [to_batch(row) for row in await info.context.operations.batches()]


async def match_reviews(info: Info, status: Optional[str]) -> list[MatchReview]:
    """Reviews of the caller's records."""
    return [to_review(row) for row in await info.context.operations.reviews(status)]


async def resolve_match(
    info: Info,
    review_id: strawberry.ID,
    decision: MatchDecision,
    learner_id: Optional[strawberry.ID] = None,
) -> MatchReview:
    """Accept (merge into a candidate) or reject (keep apart) one review."""
    review_number = int_id(review_id, "reviewId")
    if review_number is None:
        raise BadRequestError("reviewId is required")
    row = await info.context.operations.resolve(
        review_number, decision.value, int_id(learner_id, "learnerId")
    )
    return to_review(row)
