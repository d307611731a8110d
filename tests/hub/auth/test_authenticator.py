"""The per-request revocation check: read fresh every time, one statement, no transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.authenticator import Authenticator
from hub.auth.clients import create_client, revoke_client
from hub.auth.issuing import issue_for_client
from hub.config import load_settings
from hub.errors import AuthenticationError
from tests.support.tokens import add_partner


def _in_transaction(driver: Any) -> bool:
    """Whether the driver's own connection holds an open transaction (asyncpg or aiosqlite)."""
    if hasattr(driver, "is_in_transaction"):
        return bool(driver.is_in_transaction())
    return bool(driver.in_transaction)


@contextmanager
def sent(engine: AsyncEngine) -> Iterator[list[tuple[str, bool]]]:
    """Each statement sent while the block runs, and whether a transaction was open after it."""
    seen: list[tuple[str, bool]] = []

    def after(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append((statement, _in_transaction(connection.connection.driver_connection)))

    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "after_cursor_execute", after)


async def test_revocation_check_is_one_statement_outside_any_transaction(
    engine: AsyncEngine, empty_url: str
) -> None:
    partner = await add_partner(empty_url)
    new = await create_client(
        engine, name="reader", partner_id=partner, role="analyst", purposes=["neet_tracking"]
    )
    settings = load_settings({}, database_url=empty_url)
    token = (await issue_for_client(engine, settings, new.record)).access_token
    authenticator = Authenticator(settings)
    await authenticator.authenticate(engine, token)  # loads the signing keys once
    with sent(engine) as statements:
        principal = await authenticator.authenticate(engine, token)
    assert principal.client_id == new.record.client_id
    assert len(statements) == 1
    statement, in_transaction = statements[0]
    assert "FROM oauth_clients" in statement
    # No BEGIN before it, so no ROLLBACK after it: one round trip per request.
    assert not in_transaction


async def test_revocation_applies_to_the_very_next_check(
    engine: AsyncEngine, empty_url: str
) -> None:
    partner = await add_partner(empty_url)
    new = await create_client(
        engine, name="reader", partner_id=partner, role="analyst", purposes=["neet_tracking"]
    )
    settings = load_settings({}, database_url=empty_url)
    token = (await issue_for_client(engine, settings, new.record)).access_token
    authenticator = Authenticator(settings)
    await authenticator.authenticate(engine, token)
    await revoke_client(engine, new.record.client_id)
    with pytest.raises(AuthenticationError, match="revoked or unknown"):
        await authenticator.authenticate(engine, token)
