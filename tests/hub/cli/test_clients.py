"""``hub clients`` and ``hub keys``, run as an operator would, against a real database."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from hub.auth.clients import authenticate_client, find_client
from hub.cli import app
from hub.store.engine import create_engine_for
from tests.support.databases import fresh_database
from tests.support.tokens import add_partner

runner = CliRunner()


@pytest.fixture(scope="module")
def auth_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database of this module's own, so its partners never collide with the sample."""
    with fresh_database(backend, tmp_path_factory.mktemp("auth")) as url:
        yield url


def _env(url: str) -> dict[str, str]:
    return {"HUB_DATABASE_URL": url, "HUB_ENV": "test"}


def _create(url: str, *args: str) -> tuple[str, str]:
    result = runner.invoke(app, ["clients", "create", *args], env=_env(url))
    assert result.exit_code == 0, result.output
    client_id = re.search(r"client_id: (\S+)", result.stdout)
    secret = re.search(r"client_secret: (\S+)", result.stdout)
    assert client_id is not None
    assert secret is not None
    return client_id.group(1), secret.group(1)


async def _authenticates(url: str, client_id: str, secret: str) -> str:
    engine = create_engine_for(url)
    try:
        return (await authenticate_client(engine, client_id, secret)).role
    finally:
        await engine.dispose()


def test_create_prints_a_working_secret_and_list_shows_the_client(auth_url: str) -> None:
    partner = asyncio.run(add_partner(auth_url))
    client_id, secret = _create(
        auth_url,
        "--name", "Northgate MIS",
        "--partner-id", str(partner),
        "--role", "mis_integration",
        "--purpose", "funding_reconciliation",
        "--purpose", "neet_tracking",
    )  # fmt: skip
    assert asyncio.run(_authenticates(auth_url, client_id, secret)) == "mis_integration"

    listed = runner.invoke(app, ["clients", "list"], env=_env(auth_url))
    assert listed.exit_code == 0, listed.output
    line = next(row for row in listed.stdout.splitlines() if client_id in row)
    assert "Northgate MIS" in line
    assert "funding_reconciliation neet_tracking" in line
    assert "active" in line
    assert secret not in listed.stdout


def test_revoke_marks_the_client_revoked(auth_url: str) -> None:
    client_id, _secret = _create(auth_url, "--name", "Ops", "--role", "admin")
    result = runner.invoke(app, ["clients", "revoke", client_id], env=_env(auth_url))
    assert result.exit_code == 0, result.output

    async def revoked() -> bool:
        engine = create_engine_for(auth_url)
        try:
            record = await find_client(engine, client_id)
        finally:
            await engine.dispose()
        return record is not None and record.is_revoked

    assert asyncio.run(revoked())


def test_revoking_an_unknown_client_exits_with_its_error_code(auth_url: str) -> None:
    result = runner.invoke(app, ["clients", "revoke", "hub-nobody"], env=_env(auth_url))
    assert result.exit_code == 1
    assert "OAUTH_CLIENT_NOT_FOUND" in result.output


def test_create_with_an_unknown_role_exits_with_a_clear_error(auth_url: str) -> None:
    result = runner.invoke(
        app, ["clients", "create", "--name", "X", "--role", "root"], env=_env(auth_url)
    )
    assert result.exit_code == 1
    assert "BAD_REQUEST" in result.output
    assert "mis_integration" in result.output


def test_create_with_a_purpose_outside_the_vocabulary_names_the_known_purposes(
    auth_url: str,
) -> None:
    partner = asyncio.run(add_partner(auth_url))
    result = runner.invoke(
        app,
        ["clients", "create", "--name", "Typo", "--partner-id", str(partner),
         "--role", "analyst", "--purpose", "neet-tracking"],
        env={**_env(auth_url), "COLUMNS": "300"},
    )  # fmt: skip
    assert result.exit_code == 1
    assert "BAD_REQUEST" in result.output
    assert "neet-tracking" in result.output
    assert "neet_tracking" in result.output
    assert "client_secret" not in result.output
    listed = runner.invoke(app, ["clients", "list"], env=_env(auth_url))
    assert "Typo" not in listed.stdout


def test_keys_rotate_publishes_a_new_current_key(auth_url: str) -> None:
    rotated = runner.invoke(app, ["keys", "rotate"], env=_env(auth_url))
    assert rotated.exit_code == 0, rotated.output
    kid = rotated.stdout.split()[-1]
    listed = runner.invoke(app, ["keys", "list"], env=_env(auth_url))
    assert listed.exit_code == 0, listed.output
    rows = [row for row in listed.stdout.splitlines() if "ES256" in row]
    assert kid in rows[0]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["clients", "--help"], "create"),
        (["clients", "create", "--help"], "--partner-id"),
        (["clients", "revoke", "--help"], "CLIENT_ID"),
        (["keys", "--help"], "rotate"),
        (["keys", "rotate", "--help"], "published"),
    ],
)
def test_help_explains_each_command(command: list[str], expected: str) -> None:
    result = runner.invoke(app, command, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert expected in result.stdout
