"""``hub audit seal`` and ``hub audit verify``: the operator's hands on the disclosure chain."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from sqlalchemy.exc import InterfaceError, OperationalError

from hub.cli.runtime import console, reported_errors, settings_from_env
from hub.errors import UnavailableError
from hub.store.audit_chain import ChainHead, VerifyReport, seal, verify
from hub.store.engine import create_engine_for

app = typer.Typer(
    name="audit",
    help="The disclosure audit: seal events into its hash chain and verify the chain.",
    no_args_is_help=True,
)


@app.command("seal")
def seal_command() -> None:
    """Link every committed, unsealed disclosure event into the hash chain."""
    settings = settings_from_env()
    with reported_errors():
        sealed = asyncio.run(_seal(settings.database_url))
    typer.echo(f"sealed {sealed} disclosure events")


@app.command("verify")
def verify_command(
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="A chain head printed by an earlier verify, as SEQ:HASH; detects events "
            "removed from the end of the chain since then.",
        ),
    ] = None,
) -> None:
    """Seal pending events, then recompute the whole chain; exit 1 where it is broken."""
    settings = settings_from_env()
    try:
        expected = ChainHead.parse(anchor) if anchor is not None else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--anchor") from error
    with reported_errors():
        sealed, report = asyncio.run(_seal_and_verify(settings.database_url, expected))
    typer.echo(f"sealed {sealed} pending events; checked {report.checked} sealed events")
    broken = report.broken
    if broken is not None:
        where = f"event id {broken.event_id}" if broken.event_id is not None else "the end"
        console.print(
            f"[red]audit chain broken at {where}[/red]: {broken.describe()}", soft_wrap=True
        )
        raise typer.Exit(1)
    typer.echo(f"chain intact; head {report.head or 'empty'}")


async def _seal(database_url: str) -> int:
    engine = create_engine_for(database_url)
    try:
        return await seal(engine)
    except (OperationalError, InterfaceError, OSError) as error:
        raise UnavailableError("the database did not answer while sealing") from error
    finally:
        await engine.dispose()


async def _seal_and_verify(database_url: str, anchor: ChainHead | None) -> tuple[int, VerifyReport]:
    engine = create_engine_for(database_url)
    try:
        sealed = await seal(engine)
        return sealed, await verify(engine, anchor=anchor)
    except (OperationalError, InterfaceError, OSError) as error:
        raise UnavailableError("the database did not answer while verifying") from error
    finally:
        await engine.dispose()
