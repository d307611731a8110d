"""``hub partners add|list``: register the institutions that may submit files."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.cli.ingest import out
from hub.cli.runtime import run_with_engine, settings_from_env
from hub.errors import BadRequestError
from hub.store.models.partners import PARTNER_TYPES, Partner

partners_app = typer.Typer(
    name="partners",
    help="Partners (schools, colleges, providers, LAs): add, list.",
    no_args_is_help=True,
)


class PartnerExistsError(BadRequestError):
    """A partner with that UKPRN or URN is already registered: use the existing one."""

    code = "PARTNER_EXISTS"


@partners_app.command("add")
def add_command(
    name: Annotated[str, typer.Option("--name", help="The institution's name.")],
    partner_type: Annotated[str, typer.Option("--type", help=", ".join(PARTNER_TYPES))],
    ukprn: Annotated[str | None, typer.Option("--ukprn", help="UKPRN (8 digits).")] = None,
    urn: Annotated[str | None, typer.Option("--urn", help="URN (6 digits).")] = None,
    la: Annotated[str | None, typer.Option("--la", help="LA code (3 digits).")] = None,
    laestab: Annotated[str | None, typer.Option("--laestab", help="LAESTAB (7 digits).")] = None,
) -> None:
    """Register a partner and print its id (what ``hub ingest --partner`` takes)."""
    problems = _problems(partner_type, ukprn=ukprn, urn=urn, la=la, laestab=laestab)
    if problems:
        out.print("[red]error[/red] " + "; ".join(problems))
        raise typer.Exit(1)

    async def work(engine: AsyncEngine) -> int:
        try:
            async with engine.begin() as conn:
                new_id = await conn.scalar(
                    insert(Partner)
                    .values(
                        name=name,
                        partner_type=partner_type,
                        ukprn=ukprn,
                        urn=urn,
                        la_code=la,
                        laestab=laestab,
                    )
                    .returning(Partner.id)
                )
        except IntegrityError as error:
            raise PartnerExistsError("a partner with that UKPRN or URN exists") from error
        return int(new_id or 0)

    partner_id = run_with_engine(settings_from_env(), work)
    typer.echo(f"partner_id: {partner_id}")


@partners_app.command("list")
def list_command() -> None:
    """List registered partners."""

    async def work(engine: AsyncEngine) -> list[tuple[object, ...]]:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(
                    Partner.id,
                    Partner.name,
                    Partner.partner_type,
                    Partner.ukprn,
                    Partner.urn,
                    Partner.la_code,
                    Partner.laestab,
                ).order_by(Partner.id)
            )
            return [tuple(row) for row in rows]

    table = Table(title="partners")
    for column in ("id", "name", "type", "UKPRN", "URN", "LA", "LAESTAB"):
        table.add_column(column)
    for row in run_with_engine(settings_from_env(), work):
        table.add_row(*("" if value is None else str(value) for value in row))
    out.print(table)


def _problems(
    partner_type: str, *, ukprn: str | None, urn: str | None, la: str | None, laestab: str | None
) -> list[str]:
    problems = []
    if partner_type not in PARTNER_TYPES:
        problems.append(f"--type must be one of {', '.join(PARTNER_TYPES)}")
    for label, value, size in (
        ("--ukprn", ukprn, 8),
        ("--urn", urn, 6),
        ("--la", la, 3),
        ("--laestab", laestab, 7),
    ):
        if value is not None and not (value.isdigit() and len(value) == size):
            problems.append(f"{label} must be {size} digits")
    return problems
