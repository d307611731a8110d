"""``hub token``: prints a real token the served app accepts, for registered clients only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from hub.auth.clients import create_client, revoke_client
from hub.cli import app
from hub.store.engine import create_engine_for
from tests.support.databases import fresh_database
from tests.support.served import served, settings_for
from tests.support.tokens import add_partner, bearer

runner = CliRunner()
PROTECTED = "/graphql?query=%7B__typename%7D"


@pytest.fixture(scope="module")
def auth_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, so its partners never collide with the sample."""
    with fresh_database(backend, tmp_path_factory.mktemp("auth")) as url:
        yield url


def _env(url: str) -> dict[str, str]:
    return {"HUB_DATABASE_URL": url, "HUB_ENV": "test"}


async def _client(url: str, *purposes: str, revoked: bool = False) -> str:
    partner = await add_partner(url)
    engine = create_engine_for(url)
    try:
        new = await create_client(
            engine, name="dev", partner_id=partner, role="analyst", purposes=purposes
        )
        if revoked:
            await revoke_client(engine, new.record.client_id)
    finally:
        await engine.dispose()
    return new.record.client_id


async def _status(url: str, token: str, purpose: str | None = None) -> int:
    async with served(settings_for(url)) as (_app, http):
        response = await http.get(PROTECTED, headers=bearer(token, purpose=purpose))
    return response.status_code


def test_printed_token_is_accepted_by_the_app(auth_url: str) -> None:
    client_id = asyncio.run(_client(auth_url, "neet_tracking", "funding_reconciliation"))
    result = runner.invoke(
        app, ["token", "--client", client_id, "--purpose", "funding_reconciliation"],
        env=_env(auth_url),
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.count(".") == 2
    assert asyncio.run(_status(auth_url, token)) == 200


def test_purpose_outside_the_clients_purposes_is_refused(auth_url: str) -> None:
    client_id = asyncio.run(_client(auth_url, "neet_tracking"))
    result = runner.invoke(
        app, ["token", "--client", client_id, "--purpose", "marketing"], env=_env(auth_url)
    )
    assert result.exit_code == 1
    assert "FORBIDDEN_PURPOSE" in result.output


def test_revoked_or_unknown_clients_get_no_token(auth_url: str) -> None:
    revoked = asyncio.run(_client(auth_url, "neet_tracking", revoked=True))
    refused = runner.invoke(app, ["token", "--client", revoked], env=_env(auth_url))
    assert refused.exit_code == 1
    assert "revoked" in refused.output
    unknown = runner.invoke(app, ["token", "--client", "hub-nobody"], env=_env(auth_url))
    assert unknown.exit_code == 1
    assert "OAUTH_CLIENT_NOT_FOUND" in unknown.output


def test_help_says_how_to_use_the_token() -> None:
    result = runner.invoke(app, ["token", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--client" in result.stdout
    assert "TOKEN=$(hub token" in result.stdout
