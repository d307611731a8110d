"""The isolation suite's world: a served hub on its own database, real tokens, the oracle.

One world per backend: the isolation dataset inserted into a fresh database, the agreements of
``tests/fixtures/agreements/isolation`` loaded by the app's own start-up, and one registered
client (with a real signed token) per partner and role, allowed every purpose; each request
declares its purpose in ``Hub-Purpose`` as real clients do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from hub.store.engine import create_engine_for
from policies.loading import active_agreements
from tests.security.expect import Oracle, Who
from tests.security.isolation_data import isolation_dataset
from tests.support.policy_dataset import CAREERS, D_COLLEGE, LA, A, B, C, E, insert_dataset
from tests.support.served import served, settings_for
from tests.support.tokens import bearer, issue_token

AGREEMENTS = Path(__file__).parents[1] / "fixtures" / "agreements" / "isolation"
PARTNERS = (A, B, C, D_COLLEGE, LA, CAREERS, E)
ROLES = ("caseworker", "mis_integration", "analyst", "dpo")
PURPOSES = (
    "attendance_reporting",
    "neet_tracking",
    "transition_handover",
    "commissioning",
    "funding_reconciliation",
    "careers_guidance",
    "provision_planning",
)
# (role, purpose) pairs the agreements name, and some no agreement names.
SERVED = (
    ("caseworker", "attendance_reporting"),
    ("mis_integration", "attendance_reporting"),
    ("caseworker", "neet_tracking"),
    ("analyst", "provision_planning"),
    ("analyst", "commissioning"),
    ("caseworker", "transition_handover"),
    ("mis_integration", "funding_reconciliation"),
    ("analyst", "funding_reconciliation"),
)
UNSERVED = (
    ("dpo", "attendance_reporting"),
    ("caseworker", "commissioning"),
    ("caseworker", "careers_guidance"),
)
PRINCIPALS = tuple(Who(p, role, purpose) for p in PARTNERS for role, purpose in SERVED + UNSERVED)


@dataclass
class World:
    """The served app, its database, a token per (partner, role), and the oracle."""

    app: Starlette
    http: httpx.AsyncClient
    url: str
    tokens: dict[tuple[int, str], str]
    oracle: Oracle

    async def ask(
        self, who: Who, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        """POST ``query`` with the caller's token and declared purpose."""
        headers = bearer(self.tokens[(who.partner, who.role)], purpose=who.purpose)
        payload: dict[str, Any] = {"query": query}
        if variables:
            payload["variables"] = variables
        return await self.http.post("/graphql", json=payload, headers=headers)

    async def body(
        self, who: Who, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The JSON answer to ``query`` (the status must be 200)."""
        response = await self.ask(who, query, variables)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


@asynccontextmanager
async def isolation_world(url: str) -> AsyncIterator[World]:
    """Fill the empty migrated database at ``url`` and serve the hub on it."""
    engine = create_engine_for(url)
    try:
        data = await insert_dataset(engine, isolation_dataset())
    finally:
        await engine.dispose()
    tokens = {
        (partner, role): await issue_token(url, role=role, partner_id=partner, purposes=PURPOSES)
        for partner in PARTNERS
        for role in ROLES
    }
    async with served(settings_for(url, agreements_dir=AGREEMENTS)) as (app, http):
        async with app.state.engine.connect() as connection:
            agreements = await active_agreements(connection)
        today = dt.datetime.now(dt.UTC).date()
        yield World(app, http, url, tokens, Oracle(data, agreements, today))
