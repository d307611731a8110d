"""The issue's example query over real HTTP through the ASGI app, with a real signed token."""

from __future__ import annotations

from tests.support.served import served, settings_for
from tests.support.tokens import bearer, issue_token

QUERY = """{ learners(first: 5) { totalCount edges { node { uln participations {
    provision { title deliveringPartner { name } } } } } } }"""


async def test_example_query_answers_over_http(sample_url: str) -> None:
    token = await issue_token(sample_url, role="admin", partner_id=None)
    async with served(settings_for(sample_url)) as (_app, client):
        response = await client.post("/graphql", json={"query": QUERY}, headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert "errors" not in body
    learners = body["data"]["learners"]
    assert learners["totalCount"] == 12
    assert len(learners["edges"]) == 5
    first = learners["edges"][0]["node"]
    assert first["participations"][0]["provision"]["deliveringPartner"]["name"]


async def test_without_a_token_the_graphql_endpoint_answers_401(sample_url: str) -> None:
    async with served(settings_for(sample_url)) as (_app, client):
        response = await client.post("/graphql", json={"query": QUERY})
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
    assert response.status_code == 401
    assert health.status_code == 200
    assert ready.json() == {"status": "ok"}


async def test_introspection_is_refused_outside_dev_but_the_sdl_is_served(
    sample_url: str,
) -> None:
    token = await issue_token(sample_url, role="admin", partner_id=None)
    async with served(settings_for(sample_url, env="prod")) as (_app, client):
        schema = await client.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=bearer(token)
        )
        sdl = await client.post(
            "/graphql", json={"query": "{ _service { sdl } }"}, headers=bearer(token)
        )
    assert "errors" in schema.json()
    assert "introspection" in schema.json()["errors"][0]["message"].lower()
    assert 'type Learner @key(fields: "id")' in sdl.json()["data"]["_service"]["sdl"]
