"""Round trip: generator -> partners' files -> ingest -> GraphQL over HTTP gives the same learners.

The demo partnership goes in through the connectors (``hub.demo.route``), then a real admin
token reads it back through the ASGI app; the three demo principals (``hub demo-tokens``) each
see what their agreement allows, which needs the partners, memberships and LA of residence the
files carried.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from hub.auth.issuing import issue_for_client
from hub.cli.demo_tokens import demo_clients
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from hub.demo.route import load_through_connectors
from hub.store.engine import create_engine_for
from tests.support.databases import fresh_database
from tests.support.served import served, settings_for
from tests.support.tokens import bearer, issue_token

LEARNERS = 200
SEED = 11
ALL_LEARNERS = """{ learners(first: 500) { totalCount edges { node {
    uln upn givenName familyName dateOfBirth
    participations { provision { title } deliveringPartner { name } sessionsAttended }
    activities { activityCode category } } } } }"""


@pytest.fixture(scope="module")
def index() -> DemoIndex:
    return DemoIndex.build(DemoModel(LEARNERS, seed=SEED))


@pytest.fixture(scope="module")
def demo_url(backend: str, index: DemoIndex, tmp_path_factory: pytest.TempPathFactory,
             ) -> Iterator[str]:
    """A database holding the demo partnership, loaded through the connectors."""
    with fresh_database(backend, tmp_path_factory.mktemp("round-trip")) as url:
        async def load() -> None:
            engine = create_engine_for(url)
            try:
                result = await load_through_connectors(engine, index.model)
            finally:
                await engine.dispose()
            assert result.failed == []

        asyncio.run(load())
        yield url


async def _query(url: str, query: str, token: str, *, withheld: bool = False,
                 ) -> dict[str, Any]:
    """The data; errors fail the test unless ``withheld`` allows FORBIDDEN_FIELD (fields the
    agreement does not cover on some rows are withheld there and reported)."""
    async with served(settings_for(url)) as (_app, client):
        response = await client.post("/graphql", json={"query": query}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    assert codes <= ({"FORBIDDEN_FIELD"} if withheld else set()), body["errors"]
    return body["data"]


def _generated(index: DemoIndex) -> dict[str, dict[str, Any]]:
    """Per ULN: identity, courses (title, deliverer, sessions attended) and activity codes."""
    people: dict[str, dict[str, Any]] = {}
    for learner in index.learners.values():
        people[learner["uln"]] = {
            "identity": (learner["upn"], learner["given_name"], learner["family_name"],
                         learner["date_of_birth"].isoformat()),
            "courses": Counter(
                (index.provision[p["provision_id"]]["title"],
                 index.partners[p["delivering_partner_id"]]["name"], p["sessions_attended"])
                for p in index.participations_by_learner[learner["id"]]),
            "activities": Counter((a["activity_code"], a["category"])
                                  for a in index.activities_by_learner[learner["id"]]),
        }
    return people


def _served(node: dict[str, Any]) -> dict[str, Any]:
    return {
        "identity": (node["upn"], node["givenName"], node["familyName"], node["dateOfBirth"]),
        "courses": Counter((p["provision"]["title"], p["deliveringPartner"]["name"],
                            p["sessionsAttended"]) for p in node["participations"] or []),
        "activities": Counter((a["activityCode"], a["category"])
                              for a in node["activities"] or []),
    }


async def test_graphql_returns_the_generated_learners(demo_url: str, index: DemoIndex) -> None:
    token = await issue_token(demo_url, role="admin", partner_id=None)
    learners = (await _query(demo_url, ALL_LEARNERS, token))["learners"]
    assert learners["totalCount"] == LEARNERS
    served_people = {edge["node"]["uln"]: _served(edge["node"]) for edge in learners["edges"]}
    generated = _generated(index)
    assert set(served_people) == set(generated)
    for uln, person in generated.items():
        assert served_people[uln] == person, uln
    assert sum(sum(p["courses"].values()) for p in served_people.values()) == len(
        index.tables["participations"])


async def _principal_tokens(url: str) -> dict[str, str]:
    engine = create_engine_for(url)
    settings = settings_for(url)
    try:
        return {principal.purpose: (await issue_for_client(engine, settings, record)).access_token
                for principal, record in await demo_clients(engine)}
    finally:
        await engine.dispose()


async def test_each_demo_principal_sees_what_its_agreement_allows(
    demo_url: str, index: DemoIndex,
) -> None:
    tokens = await _principal_tokens(demo_url)
    college = index.partners_of_type("fe_college")[0]
    taught = {index.learners[r["learner_id"]]["uln"]
              for r in index.records_by_partner[college["id"]]}
    offsite = {index.learners[p["learner_id"]]["uln"]: p["sessions_attended"]
               for p in index.tables["participations"]
               if p["delivering_partner_id"] == college["id"]
               and p["home_partner_id"] != college["id"]}
    seen = await _query(demo_url, "{ learners(first: 500) { totalCount edges { node { uln "
                        "participations { sessionsAttended deliveringPartner { name } } } } } }",
                        tokens["attendance_reporting"], withheld=True)
    nodes = {edge["node"]["uln"]: edge["node"] for edge in seen["learners"]["edges"]}
    assert seen["learners"]["totalCount"] == len(taught)  # its roll and its off-site learners
    assert set(nodes) == taught
    assert offsite
    for uln, attended in offsite.items():  # the home school's census, the host's attendance
        assert [p["sessionsAttended"] for p in nodes[uln]["participations"]
                if p["deliveringPartner"]["name"] == college["name"]] == [attended]
    residents = [learner for learner in index.learners.values()
                 if learner["upn"] is None and learner["la_of_residence"] == "931"]
    tracked = await _query(demo_url, "{ learners(first: 500) { totalCount edges { node { "
                           "activities { category } } } } }", tokens["neet_tracking"],
                           withheld=True)
    assert tracked["learners"]["totalCount"] == len(residents)
    assert all(edge["node"]["activities"] for edge in tracked["learners"]["edges"])
    counted = await _query(demo_url, "{ learnerCounts(groupBy: [LA_OF_RESIDENCE]) "
                           "{ laOfResidence count } }", tokens["commissioning"])
    by_la = {cell["laOfResidence"]: cell["count"] for cell in counted["learnerCounts"]}
    assert by_la["931"] == sum(1 for learner in residents)
