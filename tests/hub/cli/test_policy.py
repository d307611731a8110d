"""``hub policy``: check lists every problem; reload and explain work against the store."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert
from typer.testing import CliRunner

from hub.cli.policy import policy_app
from hub.store.engine import create_engine_for
from hub.store.models import OAuthClient
from tests.support.policy_dataset import LA, C, insert_dataset

FIXTURES = Path(__file__).parents[2] / "fixtures" / "agreements"


def run(*args: str, url: str | None = None) -> tuple[int, str]:
    env = {"HUB_DATABASE_URL": url} if url else {}
    result = CliRunner().invoke(policy_app, list(args), env=env)
    return result.exit_code, result.output


def test_check_accepts_the_demo_agreements() -> None:
    code, output = run("check", str(Path("hub/demo/agreements").resolve()))
    assert code == 0
    assert "demo-neet-tracking@1" in output
    assert "6 agreement(s)" in output


def test_check_fails_with_every_problem_and_its_line(tmp_path: Path) -> None:
    (tmp_path / "unknown_field.yaml").write_text(
        (FIXTURES / "invalid" / "unknown_field.yaml").read_text()
    )
    (tmp_path / "three.yaml").write_text((FIXTURES / "invalid" / "three_defects.yaml").read_text())
    code, output = run("check", str(tmp_path))
    assert code == 1
    assert "unknown_field.yaml:17: AGREEMENT_UNKNOWN_FIELD" in output
    assert "three.yaml:7: AGREEMENT_UNKNOWN_PURPOSE" in output
    assert "4 problem(s)" in output


def _setup(url: str) -> None:
    async def go() -> None:
        engine = create_engine_for(url)
        await insert_dataset(engine)
        async with engine.begin() as connection:
            await connection.execute(
                insert(cast(Table, OAuthClient.__table__)),
                [
                    {
                        "client_id": "castle-mis",
                        "secret_hash": "x",
                        "name": "Castle",
                        "partner_id": C,
                        "role": "caseworker",
                        "purposes": ["attendance_reporting", "neet_tracking"],
                        "created_at": dt.datetime.now(dt.UTC),
                    },
                    {
                        "client_id": "la-analyst",
                        "secret_hash": "x",
                        "name": "LA",
                        "partner_id": LA,
                        "role": "analyst",
                        "purposes": ["commissioning"],
                        "created_at": dt.datetime.now(dt.UTC),
                    },
                ],
            )
        await engine.dispose()

    asyncio.run(go())


def test_reload_then_explain_prints_fields_scope_and_granularity(empty_url: str) -> None:
    _setup(empty_url)
    code, output = run("reload", str(FIXTURES / "valid"), url=empty_url)
    assert code == 0, output
    assert "added: test-attendance-send@1" in output
    code, output = run("reload", str(FIXTURES / "valid"), url=empty_url)
    assert "added: -" in output

    code, output = run(
        "explain",
        "--client",
        "castle-mis",
        "--purpose",
        "attendance_reporting",
        "--date",
        "2026-01-15",
        url=empty_url,
    )
    assert code == 0, output
    assert "agreements in force: test-attendance@1" in output
    assert "granularity: identified" in output
    assert "participation:" in output
    assert "sessions_attended" in output
    assert "learner_records" in output  # the SQL predicate text
    assert "is_on_roll" in output

    code, output = run(
        "explain",
        "--client",
        "la-analyst",
        "--purpose",
        "commissioning",
        "--date",
        "2026-01-15",
        url=empty_url,
    )
    assert code == 0, output
    assert "granularity: aggregate" in output
    assert "below 10 are suppressed" in output


def test_explain_refuses_a_purpose_the_client_lacks(empty_url: str) -> None:
    _setup(empty_url)
    code, output = run(
        "explain", "--client", "la-analyst", "--purpose", "neet_tracking", url=empty_url
    )
    assert code == 1
    assert "may not declare purpose" in output


def test_reload_of_an_invalid_folder_exits_non_zero(empty_url: str) -> None:
    code, output = run("reload", str(FIXTURES / "invalid"), url=empty_url)
    assert code == 1
    assert "nothing was loaded" in output
