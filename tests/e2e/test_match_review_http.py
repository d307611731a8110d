"""The identity review queue over real HTTP: a weak match from a real ingest is listed by
``matchReviews`` and decided by ``resolveMatch``, only by the partner that submitted the record.

A school's census and the LA's NCCIS return name the same two young people with the same name
and date of birth but a different postcode and no shared identifier: two of three is never
merged automatically, so each NCCIS record is queued for the LA to decide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.census.spec import CENSUS
from connectors.nccis.spec import NCCIS
from connectors.pipeline import ingest_file
from hub.demo.exports.csvs import write_csv
from tests.support.ingest import add_partner, valid_upn
from tests.support.served import served, settings_for
from tests.support.tokens import bearer, issue_token

SCHOOL, LA = "9304001", "930"
PEOPLE = (("Ada", "Testperson", dt.date(2009, 12, 10)), ("Ben", "Examplename", dt.date(2010, 1, 2)))
REVIEWS = """{ matchReviews { id status reason partnerId source localRef provisionalLearnerId
    candidateLearnerIds decidedBy } }"""
RESOLVE = """mutation($id: ID!, $decision: MatchDecision!) {
    resolveMatch(reviewId: $id, decision: $decision) { id status decidedBy } }"""
LEARNERS = "{ learners(first: 50) { totalCount edges { node { id upn records { source } } } } }"


async def _queue_two_reviews(engine: AsyncEngine, tmp_path: Path) -> dict[str, int]:
    """The school's census, then the LA's NCCIS return: two weak matches, two reviews."""
    ids = {
        "school": await add_partner(engine, "School", ukprn=None, urn="930001", laestab=SCHOOL,
                                    la_code=LA, partner_type="school"),
        "la": await add_partner(engine, "LA", ukprn="10000007", la_code=LA,
                                partner_type="local_authority"),
    }
    census = write_csv(tmp_path / "census.csv", CENSUS, [
        {"laestab": SCHOOL, "census_term": "2026-spring", "census_date": dt.date(2026, 1, 15),
         "upn": valid_upn(n), "legal_surname": family, "legal_forename": given, "dob": born,
         "sex": "F", "postcode": "ZZ1 1AA", "nc_year_actual": "11", "enrol_status": "C"}
        for n, (given, family, born) in enumerate(PEOPLE, start=1)])
    nccis = write_csv(tmp_path / "nccis.csv", NCCIS, [
        {"la_code": LA, "return_month": "2026-03", "young_person_id": f"93000000000{n:02d}",
         "given_name": given, "family_name": family, "dob": born, "postcode": "ZZ9 9ZZ",
         "cohort_status": "P", "activity_code": "540"}
        for n, (given, family, born) in enumerate(PEOPLE, start=1)])
    assert (await ingest_file(engine, "census", census, partner_id=ids["school"])).status == (
        "loaded")
    summary = await ingest_file(engine, "nccis", nccis, partner_id=ids["la"])
    assert (summary.status, summary.reviews_queued, summary.learners_created) == ("loaded", 2, 2)
    return ids


async def _post(client: Any, token: str, query: str, **variables: object) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables},
                                 headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_submitter_lists_and_decides_its_reviews_and_nobody_else_can(
    engine: AsyncEngine, empty_url: str, tmp_path: Path,
) -> None:
    ids = await _queue_two_reviews(engine, tmp_path)
    la = await issue_token(empty_url, role="caseworker", partner_id=ids["la"],
                           purposes=["neet_tracking"])
    school = await issue_token(empty_url, role="caseworker", partner_id=ids["school"],
                               purposes=["attendance_reporting"])
    admin = await issue_token(empty_url, role="admin", partner_id=None)
    async with served(settings_for(empty_url)) as (_app, client):
        listed = (await _post(client, la, REVIEWS))["data"]["matchReviews"]
        assert len(listed) == 2
        assert {r["localRef"] for r in listed} == {"9300000000001", "9300000000002"}
        for review in listed:
            assert (review["status"], review["partnerId"], review["source"]) == (
                "open", str(ids["la"]), "nccis")
            assert len(review["candidateLearnerIds"]) == 1
            assert review["provisionalLearnerId"] not in review["candidateLearnerIds"]
        first, second = sorted(listed, key=lambda r: r["localRef"])
        assert (await _post(client, admin, LEARNERS))["data"]["learners"]["totalCount"] == 4

        # Another partner neither sees the reviews nor can decide one: answered as missing.
        assert (await _post(client, school, REVIEWS))["data"]["matchReviews"] == []
        for decision in ("ACCEPT", "REJECT"):
            refused = await _post(client, school, RESOLVE, id=first["id"], decision=decision)
            assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND", refused
        assert len((await _post(client, la, REVIEWS))["data"]["matchReviews"]) == 2

        accepted = await _post(client, la, RESOLVE, id=first["id"], decision="ACCEPT")
        assert accepted["data"]["resolveMatch"]["status"] == "accepted", accepted
        rejected = await _post(client, la, RESOLVE, id=second["id"], decision="REJECT")
        assert rejected["data"]["resolveMatch"]["status"] == "rejected", rejected
        assert rejected["data"]["resolveMatch"]["decidedBy"]
        assert (await _post(client, la, REVIEWS))["data"]["matchReviews"] == []
        decided = await _post(client, la, "{ matchReviews(status: null) { id status } }")
        assert {(r["id"], r["status"]) for r in decided["data"]["matchReviews"]} == {
            (first["id"], "accepted"), (second["id"], "rejected")}
        again = await _post(client, school, RESOLVE, id=second["id"], decision="ACCEPT")
        assert again["errors"][0]["extensions"]["code"] == "NOT_FOUND"

        # Accepting moved the LA's record onto the pupil; the emptied provisional learner is
        # kept only so the merge can be reversed, and nobody sees it, not even an admin or the
        # LA whose residents it would count. Rejecting kept the second person apart.
        learners = (await _post(client, admin, LEARNERS))["data"]["learners"]
        assert learners["totalCount"] == 3
        ghost = first["provisionalLearnerId"]
        entities = await _post(
            client, admin, "query($r: [_Any!]!) { _entities(representations: $r) "
            "{ ... on Learner { id } } }", r=[{"__typename": "Learner", "id": ghost}])
        assert entities["data"]["_entities"] == [None]
        counted = await _post(client, admin, "{ learnerCounts(groupBy: [SEX]) { sex count } }")
        assert sum(c["count"] for c in counted["data"]["learnerCounts"]) == 3
    sources = {edge["node"]["id"]: (edge["node"]["upn"],
                                    sorted(r["source"] for r in edge["node"]["records"]))
               for edge in learners["edges"]}
    assert sources[first["candidateLearnerIds"][0]] == (valid_upn(1), ["census", "nccis"])
    assert first["provisionalLearnerId"] not in sources
    assert sources[second["candidateLearnerIds"][0]] == (valid_upn(2), ["census"])
    assert sources[second["provisionalLearnerId"]] == (None, ["nccis"])
