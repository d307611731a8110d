"""``hub audit verify`` seals first, says the chain is intact, and exits 1 naming the break."""

from __future__ import annotations

import asyncio

from sqlalchemy import update
from typer.testing import CliRunner

from hub.cli.audit import app
from hub.principal import Principal
from hub.store.engine import create_engine_for
from hub.store.models import DisclosureEvent
from policies.audit import Disclosure, record_disclosure

PRINCIPAL = Principal(subject="client", role="caseworker", client_id="client")


async def _append(url: str, count: int) -> None:
    engine = create_engine_for(url)
    try:
        for number in range(count):
            disclosure = Disclosure(("Learner",), ("identity",), (number + 1,), None, ())
            async with engine.begin() as connection:
                await record_disclosure(
                    connection, PRINCIPAL, disclosure, request_id=None, trace_id=None
                )
    finally:
        await engine.dispose()


async def _tamper(url: str, sealed_seq: int) -> int:
    engine = create_engine_for(url)
    events = DisclosureEvent.__table__
    try:
        async with engine.begin() as connection:
            result = await connection.execute(
                update(DisclosureEvent)
                .where(events.c.sealed_seq == sealed_seq)
                .values(purpose="rewritten")
                .returning(events.c.id)
            )
            return int(result.scalar_one())
    finally:
        await engine.dispose()


def test_verify_seals_pending_events_and_reports_an_intact_chain(empty_url: str) -> None:
    asyncio.run(_append(empty_url, 3))

    result = CliRunner().invoke(app, ["verify"], env={"HUB_DATABASE_URL": empty_url})

    assert result.exit_code == 0, result.output
    assert "sealed 3 pending events; checked 3 sealed events" in result.stdout
    assert "chain intact; head 3:" in result.stdout


def test_verify_exits_non_zero_naming_the_event_where_the_chain_broke(empty_url: str) -> None:
    asyncio.run(_append(empty_url, 3))
    runner = CliRunner()
    assert runner.invoke(app, ["seal"], env={"HUB_DATABASE_URL": empty_url}).exit_code == 0
    changed = asyncio.run(_tamper(empty_url, 2))

    result = runner.invoke(app, ["verify"], env={"HUB_DATABASE_URL": empty_url})

    assert result.exit_code == 1
    assert f"audit chain broken at event id {changed}" in result.stderr


def test_verify_against_an_anchor_beyond_the_chain_fails(empty_url: str) -> None:
    asyncio.run(_append(empty_url, 1))

    result = CliRunner().invoke(
        app, ["verify", "--anchor", f"5:{'0' * 64}"], env={"HUB_DATABASE_URL": empty_url}
    )

    assert result.exit_code == 1
    assert "disagrees with the anchor" in result.stderr


def test_a_malformed_anchor_is_a_usage_error(empty_url: str) -> None:
    result = CliRunner().invoke(
        app, ["verify", "--anchor", "head"], env={"HUB_DATABASE_URL": empty_url}
    )

    assert result.exit_code == 2
