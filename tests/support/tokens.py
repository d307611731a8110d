"""Real tokens for tests: a registered client and a token signed with the hub's stored key.

Usage from any test that talks to the app over HTTP::

    token = await issue_token(url, role="analyst", partner_id=partner, purposes=["neet_tracking"])
    response = await http.get("/graphql", params=..., headers=bearer(token))

The app must be built with the same issuer and audience (the defaults of ``load_settings``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert

from hub.auth.clients import create_client
from hub.auth.issuing import issue_for_client
from hub.config import Settings, load_settings
from hub.store.engine import create_engine_for
from hub.store.models.partners import Partner


async def issue_token(
    database_url: str,
    *,
    role: str,
    partner_id: int | None,
    purposes: Sequence[str] = (),
    settings: Settings | None = None,
) -> str:
    """Register a client (the partner must exist unless role is admin) and sign it a token."""
    settings = settings or load_settings({}, database_url=database_url)
    engine = create_engine_for(database_url)
    try:
        new = await create_client(
            engine,
            name=f"test client {uuid.uuid4().hex[:6]}",
            partner_id=partner_id,
            role=role,
            purposes=tuple(purposes),
        )
        issued = await issue_for_client(engine, settings, new.record)
    finally:
        await engine.dispose()
    return issued.access_token


async def add_partner(database_url: str, *, name: str = "Synthetic Test College") -> int:
    """Insert a synthetic partner and return its id (for clients that need one).

    The id comes from the database's sequence: use a database of your own (``empty_url`` or a
    module-scoped ``fresh_database``), not one a loader fills with fixed partner ids later.
    """
    engine = create_engine_for(database_url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                insert(Partner).values(name=name, partner_type="fe_college").returning(Partner.id)
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


def bearer(token: str, *, purpose: str | None = None) -> dict[str, str]:
    """Request headers carrying ``token`` and, when given, a ``Hub-Purpose``."""
    headers = {"Authorization": f"Bearer {token}"}
    if purpose is not None:
        headers["Hub-Purpose"] = purpose
    return headers
