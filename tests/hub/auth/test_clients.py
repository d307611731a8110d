"""OAuth clients: secrets stored hashed, checked in constant time, revocation is final."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.clients import (
    authenticate_client,
    create_client,
    find_client,
    hash_secret,
    list_clients,
    revoke_client,
    secret_matches,
)
from hub.errors import AuthenticationError, BadRequestError, OAuthClientNotFoundError
from hub.store.models.access import OAuthClient
from hub.store.models.partners import Partner
from policies.vocabulary import purposes


async def _partner(engine: AsyncEngine) -> int:
    async with engine.begin() as connection:
        result = await connection.execute(
            insert(Partner)
            .values(name="Synthetic College", partner_type="fe_college")
            .returning(Partner.id)
        )
        return int(result.scalar_one())


def test_secret_hash_is_salted_and_verifies_only_the_same_secret() -> None:
    first, second = hash_secret("s3cret"), hash_secret("s3cret")
    assert first != second
    assert "s3cret" not in first
    assert secret_matches("s3cret", first)
    assert not secret_matches("s3creT", first)
    assert not secret_matches("s3cret", "garbage")


async def test_created_client_stores_only_a_hash_of_its_secret(engine: AsyncEngine) -> None:
    partner = await _partner(engine)
    new = await create_client(
        engine,
        name="MIS",
        partner_id=partner,
        role="mis_integration",
        purposes=["funding_reconciliation"],
    )
    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(OAuthClient.secret_hash).where(OAuthClient.client_id == new.record.client_id)
        )
    assert stored is not None
    assert new.secret not in stored
    assert secret_matches(new.secret, stored)
    assert [client.client_id for client in await list_clients(engine)] == [new.record.client_id]


async def test_authentication_accepts_the_secret_and_refuses_everything_else(
    engine: AsyncEngine,
) -> None:
    partner = await _partner(engine)
    new = await create_client(
        engine, name="MIS", partner_id=partner, role="analyst", purposes=["neet_tracking"]
    )
    client = await authenticate_client(engine, new.record.client_id, new.secret)
    assert client.role == "analyst"
    assert client.purposes == ("neet_tracking",)
    with pytest.raises(AuthenticationError):
        await authenticate_client(engine, new.record.client_id, new.secret + "x")
    with pytest.raises(AuthenticationError):
        await authenticate_client(engine, "hub-unknown", new.secret)


async def test_revoked_client_cannot_authenticate(engine: AsyncEngine) -> None:
    new = await create_client(engine, name="Ops", partner_id=None, role="admin", purposes=[])
    revoked = await revoke_client(engine, new.record.client_id)
    assert revoked.is_revoked
    again = await revoke_client(engine, new.record.client_id)
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(AuthenticationError):
        await authenticate_client(engine, new.record.client_id, new.secret)
    found = await find_client(engine, new.record.client_id)
    assert found is not None
    assert found.is_revoked


async def test_revoking_an_unknown_client_is_an_error(engine: AsyncEngine) -> None:
    with pytest.raises(OAuthClientNotFoundError):
        await revoke_client(engine, "hub-nobody")


@pytest.mark.parametrize(
    ("role", "partner_id", "purposes"),
    [
        ("superuser", None, []),
        ("analyst", None, ["neet_tracking"]),
        ("analyst", 999_999, ["neet_tracking"]),
        ("admin", None, ["Not A Purpose"]),
        ("admin", None, ["marketing"]),
        ("admin", None, ["admin"]),
    ],
    ids=[
        "unknown-role",
        "partner-missing",
        "partner-unknown",
        "malformed-purpose",
        "purpose-outside-vocabulary",
        "admin-is-a-role-not-a-purpose",
    ],
)
async def test_invalid_client_definitions_are_refused(
    engine: AsyncEngine, role: str, partner_id: int | None, purposes: list[str]
) -> None:
    with pytest.raises(BadRequestError):
        await create_client(
            engine, name="Bad", partner_id=partner_id, role=role, purposes=purposes
        )
    assert await list_clients(engine) == []


async def test_a_purpose_outside_the_vocabulary_is_refused_naming_the_known_ones(
    engine: AsyncEngine,
) -> None:
    partner = await _partner(engine)
    with pytest.raises(BadRequestError) as refused:
        await create_client(
            engine,
            name="Analyst",
            partner_id=partner,
            role="analyst",
            purposes=["neet_tracking", "tracking", "marketing"],
        )
    message = refused.value.message
    assert "unknown purpose(s) tracking, marketing" in message
    for known in purposes():
        assert known in message
    assert await list_clients(engine) == []
    accepted = await create_client(
        engine, name="Analyst", partner_id=partner, role="analyst", purposes=list(purposes())
    )
    assert accepted.record.purposes == tuple(purposes())
