"""Identity resolution rules, the review queue and reversible merges, on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.base import FileHeader, LoadMode
from connectors.matching import is_given_name_variant, normalise_name
from connectors.pipeline import IngestSummary, ingest_file
from connectors.records import ParsedRecord
from hub.identifiers import TEMPORARY_ULN
from hub.store.models import Learner, LearnerRecord, MatchReview, MergeEvent, Participation
from hub.store.reviews import list_reviews, resolve_review, unmerge
from tests.support.ingest import (
    ListConnector,
    add_partner,
    count,
    learner,
    numbered,
    source_file,
    valid_uln,
    valid_upn,
)


async def _load(
    engine: AsyncEngine,
    tmp_path: Path,
    partner: int,
    records: list[ParsedRecord],
    *,
    name: str = "ilr",
    key: str = "ilr:2025-26",
) -> IngestSummary:
    mode = LoadMode.SNAPSHOT if name == "ilr" else LoadMode.DELTA
    connector = ListConnector(
        numbered(records), name=name, mode=mode, header=FileHeader(snapshot_key=key)
    )
    content = f"{name}{key}{[(r.source_ref, repr(r.records)) for r in records]}"
    return await ingest_file(
        engine, name, source_file(tmp_path, content), partner_id=partner, connector=connector
    )


async def _learner_of(engine: AsyncEngine, partner: int, ref: str) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(LearnerRecord.learner_id).where(
                LearnerRecord.partner_id == partner, LearnerRecord.local_ref == ref
            )
        )
    assert found is not None
    return int(found)


async def _record_of(engine: AsyncEngine, partner: int, ref: str) -> int:
    async with engine.connect() as conn:
        found = await conn.scalar(
            select(LearnerRecord.id).where(
                LearnerRecord.partner_id == partner, LearnerRecord.local_ref == ref
            )
        )
    assert found is not None
    return int(found)


def test_names_normalise_case_accents_and_punctuation() -> None:
    assert normalise_name("  O'Brien-Smith ") == normalise_name("obrien smith")
    assert normalise_name("Zoë") == "zoe"
    assert normalise_name("--") is None


def test_given_name_variants_are_prefixes_of_three_letters_or_more() -> None:
    assert is_given_name_variant("jon", "jonathan")
    assert not is_given_name_variant("jo", "jonathan")
    assert not is_given_name_variant("ann", "ann")


async def test_exact_uln_links_records_from_two_partners(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    college = await add_partner(engine)
    school = await add_partner(engine, "School", ukprn="10000002")
    await _load(engine, tmp_path, college, [learner("C1", uln=valid_uln(1))])
    summary = await _load(
        engine,
        tmp_path,
        school,
        [learner("S1", uln=valid_uln(1), given="Ada Mary", postcode="CV1 1AA")],
    )
    assert summary.learners_matched == 1
    assert await _learner_of(engine, college, "C1") == await _learner_of(engine, school, "S1")


async def test_temporary_uln_never_links(engine: AsyncEngine, tmp_path: Path) -> None:
    partner = await add_partner(engine)
    summary = await _load(
        engine,
        tmp_path,
        partner,
        [
            learner("A1", uln=TEMPORARY_ULN, given="Ann", postcode="B1 1AA"),
            learner(
                "A2",
                uln=TEMPORARY_ULN,
                given="Zed",
                family="Other",
                postcode="N1 1AA",
                dob=dt.date(2007, 1, 1),
            ),
        ],
    )
    assert summary.learners_created == 2
    assert await count(engine, Learner) == 2


async def test_permanent_upn_links_and_temporary_upn_does_not(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    upn = valid_upn(7)
    await _load(engine, tmp_path, school, [learner("P1", upn=upn)], name="ctf", key="")
    await _load(
        engine,
        tmp_path,
        college,
        [
            learner("C1", upn=upn, given="Other", family="Name", postcode="N1 1AA"),
        ],
    )
    assert await _learner_of(engine, school, "P1") == await _learner_of(engine, college, "C1")
    temporary = upn[:-1] + "A"
    summary = await _load(
        engine,
        tmp_path,
        college,
        [
            learner(
                "C2",
                upn=temporary,
                given="Bob",
                family="Else",
                postcode="N9 9ZZ",
                dob=dt.date(2001, 1, 1),
            ),
        ],
        key="ilr:other",
    )
    assert summary.learners_created == 1


async def test_exact_name_date_of_birth_and_postcode_with_one_candidate_links(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1", family="O'Neil")], name="ctf", key="")
    summary = await _load(
        engine,
        tmp_path,
        college,
        [learner("C1", uln=valid_uln(3), family="ONEIL", postcode="b11aa")],
    )
    assert summary.learners_matched == 1
    assert summary.reviews_queued == 0
    linked = await _learner_of(engine, college, "C1")
    assert linked == await _learner_of(engine, school, "P1")
    async with engine.connect() as conn:
        uln = await conn.scalar(select(Learner.uln).where(Learner.id == linked))
    assert uln == valid_uln(3)  # the match fills in the identifier the learner lacked


async def test_two_of_three_goes_to_review_with_a_provisional_learner(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    summary = await _load(
        engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["60000001"])]
    )
    assert summary.reviews_queued == 1
    assert summary.learners_created == 1
    provisional = await _learner_of(engine, college, "C1")
    assert provisional != await _learner_of(engine, school, "P1")
    assert await count(engine, Participation, learner_id=provisional) == 1  # nothing is lost
    async with engine.connect() as conn:
        (review,) = await list_reviews(conn)
    assert review["candidate_learner_ids"] == [await _learner_of(engine, school, "P1")]
    assert "date of birth" in review["reason"]


async def test_given_name_variant_goes_to_review(engine: AsyncEngine, tmp_path: Path) -> None:
    partner = await add_partner(engine)
    summary = await _load(
        engine,
        tmp_path,
        partner,
        [
            learner("A1", given="Jonathan"),
            learner("A2", given="Jon"),
        ],
    )
    assert summary.reviews_queued == 1
    assert await count(engine, Learner) == 2


async def test_two_exact_candidates_go_to_review(engine: AsyncEngine, tmp_path: Path) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(
        engine,
        tmp_path,
        school,
        [
            learner("P1", uln=valid_uln(1)),
            learner("P2", uln=valid_uln(2)),
        ],
        name="ctf",
        key="",
    )
    summary = await _load(engine, tmp_path, college, [learner("C1")])
    assert summary.reviews_queued == 1
    async with engine.connect() as conn:
        review = (await list_reviews(conn))[-1]  # the school's twin is under review as well
    assert review["partner_id"] == college
    assert len(review["candidate_learner_ids"]) == 2


async def test_exact_name_with_a_different_uln_goes_to_review(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    summary = await _load(
        engine,
        tmp_path,
        partner,
        [
            learner("A1", uln=valid_uln(1)),
            learner("A2", uln=valid_uln(2)),
        ],
    )
    assert summary.reviews_queued == 1
    assert summary.learners_created == 2


async def test_same_uln_under_two_local_refs_warns_and_links_one_learner(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    partner = await add_partner(engine)
    summary = await _load(
        engine,
        tmp_path,
        partner,
        [
            learner("A1", uln=valid_uln(1)),
            learner("A2", uln=valid_uln(1), given="Ada J"),
        ],
    )
    assert summary.learners_created == 1
    assert summary.learners_matched == 1
    assert [issue.rule for issue in summary.issues] == ["HUB_DUPLICATE_ULN"]
    assert await _learner_of(engine, partner, "A1") == await _learner_of(engine, partner, "A2")


async def test_accepted_review_merges_and_survives_snapshot_replacement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    target = await _learner_of(engine, school, "P1")
    await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["A"])])
    async with engine.begin() as conn:
        (review,) = await list_reviews(conn)
        await resolve_review(conn, review["id"], "accept", decided_by="tester")
    assert await _learner_of(engine, college, "C1") == target
    assert await count(engine, Participation, learner_id=target) == 1
    # The college resubmits its snapshot: the confirmed link is applied first, no new review.
    summary = await _load(
        engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["A", "B"])]
    )
    assert summary.reviews_queued == 0
    assert await _learner_of(engine, college, "C1") == target
    async with engine.connect() as conn:
        statuses = (await conn.execute(select(MatchReview.status))).scalars().all()
    assert statuses == ["accepted"]  # the decided review followed the record to its new row


async def test_a_merged_away_learner_is_never_a_candidate_again(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """The merged-away row keeps its own name keys (for unmerge); a later record with exactly
    those keys must not link to it, or to anything but the person it was merged into."""
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    provider = await add_partner(engine, "Provider", ukprn="10000003")
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    person = await _learner_of(engine, school, "P1")
    await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AL")])
    ghost = await _learner_of(engine, college, "C1")
    async with engine.begin() as conn:
        (review,) = await list_reviews(conn)
        await resolve_review(conn, review["id"], "accept", decided_by="tester")
    assert await _learner_of(engine, college, "C1") == person

    summary = await _load(engine, tmp_path, provider, [learner("W1", postcode="CV4 7AL")])
    linked = await _learner_of(engine, provider, "W1")
    assert linked != ghost
    async with engine.connect() as conn:
        reviews = await list_reviews(conn)
    assert summary.reviews_queued == 1
    assert [r["candidate_learner_ids"] for r in reviews if r["status"] == "open"] == [[person]]


async def test_a_resubmitted_snapshot_leaves_one_open_review_per_record(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["A"])])

    async def open_reviews() -> list[int]:
        async with engine.connect() as conn:
            reviews = await list_reviews(conn, status=None)
        assert {r["status"] for r in reviews} == {"open"}
        return [int(r["learner_record_id"]) for r in reviews]

    # Resolved the same way again: the open review follows the record to its new row.
    await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["A", "B"])])
    assert await open_reviews() == [await _record_of(engine, college, "C1")]
    # Queued afresh (a new postcode: two partial candidates now): only the fresh review stays.
    summary = await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AM")])
    assert summary.reviews_queued == 1
    assert await open_reviews() == [await _record_of(engine, college, "C1")]


async def test_unmerge_moves_exactly_the_merged_rows_back(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    await _load(
        engine,
        tmp_path,
        college,
        [learner("C1", uln=valid_uln(5), postcode="CV4 7AL", courses=["A"])],
    )
    provisional = await _learner_of(engine, college, "C1")
    async with engine.begin() as conn:
        (review,) = await list_reviews(conn)
        await resolve_review(conn, review["id"], "accept")
        event = (await conn.execute(select(MergeEvent))).one()
        assert event.moved["learners.uln"] == [provisional]
        merged_into = select(Learner.merged_into_id).where(Learner.id == provisional)
        assert await conn.scalar(merged_into) == event.kept_learner_id
        await unmerge(conn, event.id, decided_by="tester")
        assert await conn.scalar(merged_into) is None
    assert await _learner_of(engine, college, "C1") == provisional
    assert await count(engine, Participation, learner_id=provisional) == 1
    async with engine.connect() as conn:
        uln = await conn.scalar(select(Learner.uln).where(Learner.id == provisional))
    assert uln == valid_uln(5)
    assert await count(engine, MergeEvent, kind="split") == 1


async def test_rejected_review_pins_the_record_to_its_own_learner(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    school = await add_partner(engine, "School", ukprn="10000002")
    college = await add_partner(engine)
    await _load(engine, tmp_path, school, [learner("P1")], name="ctf", key="")
    await _load(engine, tmp_path, college, [learner("C1", postcode="CV4 7AL")])
    provisional = await _learner_of(engine, college, "C1")
    async with engine.begin() as conn:
        (review,) = await list_reviews(conn)
        await resolve_review(conn, review["id"], "reject")
    summary = await _load(
        engine, tmp_path, college, [learner("C1", postcode="CV4 7AL", courses=["X"])]
    )
    assert summary.reviews_queued == 0
    assert await _learner_of(engine, college, "C1") == provisional
