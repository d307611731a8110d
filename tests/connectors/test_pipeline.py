"""The ingest pipeline end to end on both backends, with in-memory connectors."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import FileHeader, LoadMode
from connectors.errors import PartnerNotRegisteredError, SubmissionForbiddenError
from connectors.pipeline import ingest_file
from connectors.records import ActivityIn, ParsedRecord
from connectors.report import ValidationIssue
from connectors.xmlsource import XmlNotWellFormedError
from hub.principal import Principal
from hub.store.models import (
    Activity,
    IngestBatch,
    IngestIssue,
    Learner,
    LearnerRecord,
    MatchReview,
    Participation,
    Provision,
)
from tests.support.ingest import (
    ListConnector,
    add_partner,
    count,
    learner,
    numbered,
    source_file,
    valid_uln,
)


def _ilr(records: list[ParsedRecord], **header: str) -> ListConnector:
    fields = {"snapshot_key": "ilr:2025-26", "ukprn": "10000001", "as_of": "2025-10-01", **header}
    return ListConnector(numbered(records), header=FileHeader(**fields))


async def test_file_loads_learners_records_participations_with_batch_provenance(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    connector = _ilr(
        [
            learner("A1", uln=valid_uln(1), courses=["60000001", "60000002"]),
            learner("A2", uln=valid_uln(2), given="Alan", family="Turing", courses=["60000001"]),
        ]
    )
    summary = await ingest_file(
        engine, "ilr", source_file(tmp_path, "one"), partner_id=partner, connector=connector
    )
    assert summary.status == "loaded"
    assert (summary.records_read, summary.records_loaded, summary.learners_created) == (2, 2, 2)
    assert await count(engine, LearnerRecord, batch_id=summary.batch_id) == 2
    assert await count(engine, Participation, batch_id=summary.batch_id) == 3
    assert await count(engine, Provision, delivering_partner_id=partner) == 2
    async with engine.connect() as conn:
        ethnicity = await conn.scalar(select(Learner.ethnicity).where(Learner.uln == valid_uln(1)))
    assert ethnicity is not None


async def test_same_file_twice_is_reported_as_already_loaded_and_changes_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    path = source_file(tmp_path, "same")
    first = await ingest_file(
        engine,
        "ilr",
        path,
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1), courses=["60000001"])]),
    )
    second = await ingest_file(
        engine,
        "ilr",
        path,
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1), courses=["60000001"])]),
    )
    assert second.already_loaded
    assert second.batch_id == first.batch_id
    assert await count(engine, IngestBatch) == 1
    assert await count(engine, LearnerRecord) == 1
    assert await count(engine, Participation) == 1


async def test_snapshot_resubmission_replaces_the_previous_one_for_the_same_key(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    first = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "v1"),
        partner_id=partner,
        connector=_ilr(
            [
                learner("A1", uln=valid_uln(1), courses=["60000001"]),
                learner("A2", uln=valid_uln(2), given="Alan", courses=["60000001"]),
            ]
        ),
    )
    second = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "v2"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1), courses=["60000002", "60000003"])]),
    )
    assert second.status == "loaded"
    assert await count(engine, LearnerRecord) == 1
    assert await count(engine, LearnerRecord, batch_id=first.batch_id) == 0
    assert await count(engine, Participation) == 2
    assert await count(engine, Participation, batch_id=second.batch_id) == 2
    assert await count(engine, IngestBatch, status="superseded") == 1
    assert second.learners_matched == 1  # the same ULN links to the same learner
    assert await count(engine, Learner) == 2  # learners outlive their records


async def test_snapshot_for_another_key_keeps_the_earlier_year(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "y1"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1), courses=["60000001"])]),
    )
    await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "y2"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1))], snapshot_key="ilr:2026-27"),
    )
    assert await count(engine, LearnerRecord) == 2
    assert await count(engine, Participation) == 1


async def test_delta_upserts_its_learners_and_keeps_the_others(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(
        engine, "School", ukprn=None, urn="100001", laestab="9301234", partner_type="school"
    )

    def ctf(records: list[ParsedRecord]) -> ListConnector:
        return ListConnector(
            numbered(records), header=FileHeader(laestab="9301234"), name="ctf", mode=LoadMode.DELTA
        )

    await ingest_file(
        engine,
        "ctf",
        source_file(tmp_path, "c1"),
        partner_id=school,
        connector=ctf([learner("P1", given="Ann"), learner("P2", given="Bea")]),
    )
    await ingest_file(
        engine,
        "ctf",
        source_file(tmp_path, "c2"),
        partner_id=school,
        connector=ctf([learner("P1", given="Ann", postcode="B2 2BB")]),
    )
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(LearnerRecord.local_ref, LearnerRecord.postcode).order_by(
                    LearnerRecord.local_ref
                )
            )
        ).all()
    assert [tuple(row) for row in rows] == [("P1", "B2 2BB"), ("P2", "B1 1AA")]


async def test_rejected_record_is_reported_and_the_rest_loads(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    bad = learner("A2", uln=valid_uln(2), given="Alan")
    bad.issues.append(ValidationIssue(rule="ULN_04", message="bad check digit", field="ULN"))
    summary = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "mixed"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1)), bad]),
    )
    assert (summary.records_loaded, summary.records_rejected) == (1, 1)
    async with engine.connect() as conn:
        issue = (await conn.execute(select(IngestIssue))).one()
    assert (issue.rule, issue.source_ref, issue.record_number, issue.field) == (
        "ULN_04",
        "A2",
        2,
        "ULN",
    )


async def test_file_whose_every_record_is_rejected_is_rejected_and_replaces_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "good"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1))]),
    )
    bad = learner("A1", uln=valid_uln(1))
    bad.issues.append(ValidationIssue(rule="DateOfBirth_01", message="missing"))
    summary = await ingest_file(
        engine, "ilr", source_file(tmp_path, "bad"), partner_id=partner, connector=_ilr([bad])
    )
    assert summary.is_rejected
    assert await count(engine, LearnerRecord) == 1
    assert await count(engine, IngestIssue, batch_id=summary.batch_id) == 2


async def test_header_naming_another_provider_rejects_the_file(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    summary = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "other"),
        partner_id=partner,
        connector=_ilr([learner("A1")], ukprn="10009999"),
    )
    assert summary.is_rejected
    assert summary.issues[0].rule == "PARTNER_MISMATCH"
    assert await count(engine, LearnerRecord) == 0


async def test_unregistered_partner_cannot_submit(engine: AsyncEngine, tmp_path: Path) -> None:
    with pytest.raises(PartnerNotRegisteredError):
        await ingest_file(
            engine,
            "ilr",
            source_file(tmp_path, "x"),
            partner_id=999,
            connector=_ilr([learner("A1")]),
        )


async def test_only_the_partner_or_an_admin_may_submit(engine: AsyncEngine, tmp_path: Path) -> None:
    partner = await add_partner(engine)
    other = await add_partner(engine, "Other", ukprn="10000002")
    someone = Principal(subject="client-b", role="mis_integration", partner_id=other)
    with pytest.raises(SubmissionForbiddenError):
        await ingest_file(
            engine,
            "ilr",
            source_file(tmp_path, "x"),
            partner_id=partner,
            principal=someone,
            connector=_ilr([learner("A1")]),
        )
    mine = dataclasses.replace(someone, partner_id=partner)
    summary = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "x"),
        partner_id=partner,
        principal=mine,
        connector=_ilr([learner("A1")]),
    )
    assert summary.status == "loaded"


async def test_activity_for_an_earlier_learner_links_by_local_ref(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "l"),
        partner_id=partner,
        connector=_ilr([learner("A1", uln=valid_uln(1))]),
    )
    records = numbered(
        [
            ParsedRecord(
                "A1", 0, [ActivityIn(learner_ref="A1", activity_code="210", category="education")]
            ),
            ParsedRecord(
                "ZZ", 0, [ActivityIn(learner_ref="ZZ", activity_code="540", category="neet")]
            ),
        ]
    )
    summary = await ingest_file(
        engine,
        "nccis",
        source_file(tmp_path, "n"),
        partner_id=partner,
        connector=ListConnector(records, name="nccis", header=FileHeader(snapshot_key="2025-10")),
    )
    assert (summary.records_loaded, summary.records_rejected) == (1, 1)
    assert await count(engine, Activity) == 1
    assert summary.issues[0].rule == "HUB_UNKNOWN_LEARNER"


async def test_chunks_see_learners_created_by_earlier_chunks(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    records = [learner(f"R{n}", uln=valid_uln(n % 3), given=chr(65 + n) * 3) for n in range(7)]
    summary = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "chunks"),
        partner_id=partner,
        connector=_ilr(records),
        chunk_size=2,
    )
    assert summary.learners_created == 3
    assert summary.learners_matched == 4
    assert await count(engine, Learner) == 3
    assert await count(engine, MatchReview) == 0


class _BreaksAfter(ListConnector):
    """Yields its records, then finds the file broken (as a truncated XML file is, at its end)."""

    def read(self, path: Path) -> Iterator[ParsedRecord]:
        yield from self.records
        raise XmlNotWellFormedError(f"{path.name}: XML is not well formed (truncated)")


async def test_a_file_that_breaks_after_chunks_were_written_leaves_nothing_of_them(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """Earlier chunks (their last COPY possibly still in flight) roll back with the file."""
    partner = await add_partner(engine)
    records = [learner(f"B{n}", uln=valid_uln(n), courses=["60000001"]) for n in range(9)]
    summary = await ingest_file(
        engine,
        "ilr",
        source_file(tmp_path, "breaks"),
        partner_id=partner,
        connector=_BreaksAfter(numbered(records), header=FileHeader(snapshot_key="ilr:2025-26")),
        chunk_size=4,
    )
    assert summary.is_rejected
    assert "truncated" in (summary.error or "")
    for model in (Learner, LearnerRecord, Participation, Provision):
        assert await count(engine, model) == 0
    async with engine.connect() as conn:  # the connection went back to the pool in good order
        assert await conn.scalar(select(IngestBatch.status)) == "rejected"


class _InterruptedError(Exception):
    """What a progress display raises when the user interrupts it."""


async def test_an_interrupted_load_rolls_back_even_with_a_copy_in_flight(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The progress callback runs right after a chunk's last COPY was sent: failing there must
    still roll everything back (the driver refuses a rollback in the middle of a COPY)."""
    partner = await add_partner(engine)
    courses = ["60000001", "60000002"]
    records = [learner(f"I{n}", uln=valid_uln(n), courses=courses) for n in range(400)]

    def progress(stage: str, records_read: int) -> None:
        if stage == "loading":
            raise _InterruptedError

    with pytest.raises(_InterruptedError):
        await ingest_file(
            engine,
            "ilr",
            source_file(tmp_path, "interrupted"),
            partner_id=partner,
            connector=_ilr(records),
            progress=progress,
            chunk_size=1600,
        )
    for model in (Learner, LearnerRecord, Participation):
        assert await count(engine, model) == 0
