"""``hub policy check | reload | explain``: validate, load and explain data-sharing agreements.

``check`` needs no database. ``reload`` makes a folder the set in force (all or nothing).
``explain`` answers "who can see what, and why" for one OAuth client and purpose: for each
entity, the agreements that grant it, the columns, and the row scope as the SQL predicate the
read compiler will apply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.cli.runtime import reported_errors, settings_from_env
from hub.errors import BadRequestError
from hub.principal import Principal
from hub.store.engine import create_engine_for
from hub.store.models import OAuthClient
from policies.access import Granularity
from policies.categories import entities, table_name
from policies.compiler import AgreementScope, scope_for
from policies.issues import AgreementInvalidError
from policies.loading import LoadReport, active_agreements, reload
from policies.parse import read_directory

policy_app = typer.Typer(
    name="policy",
    help="Data-sharing agreements: check a folder, load it, explain a client's access.",
    no_args_is_help=True,
)

FolderArgument = Annotated[
    Path | None,
    typer.Argument(help="Folder of agreement files (default: HUB_AGREEMENTS_DIR, else the demo)."),
]


def _folder(directory: Path | None) -> Path:
    if directory is not None:
        return directory
    configured = settings_from_env().agreements_dir
    if configured is not None:
        return configured
    return Path(str(files("hub.demo").joinpath("agreements")))


@contextmanager
def _listed_issues() -> Iterator[None]:
    """Print every agreement problem on its own unwrapped line, then exit 1."""
    try:
        yield
    except AgreementInvalidError as error:
        typer.echo(
            f"error {error.code}: {len(error.issues)} problem(s); nothing was loaded", err=True
        )
        for issue in error.issues:
            typer.echo(f"  {issue}", err=True)
        typer.echo(f"see {error.doc_path} and docs/agreements.md", err=True)
        raise typer.Exit(1) from error


@policy_app.command("check")
def check(directory: FolderArgument = None) -> None:
    """Validate every agreement file of a folder; exit 1 listing every problem."""
    folder = _folder(directory)
    with _listed_issues():
        agreements = read_directory(folder)
    for agreement in sorted(agreements, key=lambda a: a.ref):
        window = f"{agreement.validity.start} to {agreement.validity.end}"
        typer.echo(f"ok {agreement.ref} ({agreement.granularity}, {window}): {agreement.title}")
    typer.echo(f"{len(agreements)} agreement(s) in {folder} are valid")


@policy_app.command("reload")
def reload_command(directory: FolderArgument = None) -> None:
    """Make a folder the set of agreements in force; an invalid folder changes nothing."""
    settings = settings_from_env()
    folder = _folder(directory)
    with reported_errors(), _listed_issues():
        report = asyncio.run(_reload(settings.database_url, folder))
    for label, refs in (("added", report.added), ("unchanged", report.unchanged)):
        typer.echo(f"{label}: {', '.join(refs) or '-'}")
    typer.echo(f"retired: {', '.join(report.retired) or '-'}")


async def _reload(url: str, folder: Path) -> LoadReport:
    engine = create_engine_for(url)
    try:
        return await reload(engine, folder)
    finally:
        await engine.dispose()


@policy_app.command("explain")
def explain(
    client: Annotated[str, typer.Option("--client", help="The OAuth client id.")],
    purpose: Annotated[str, typer.Option("--purpose", help="The declared purpose.")],
    on: Annotated[
        str | None, typer.Option("--date", help="The day to explain (YYYY-MM-DD; default today).")
    ] = None,
) -> None:
    """Print what a client may read for a purpose: entities, fields, row scope, granularity."""
    settings = settings_from_env()
    try:
        today = dt.date.fromisoformat(on) if on else dt.datetime.now(dt.UTC).date()
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--date") from error
    with reported_errors():
        text = asyncio.run(_explain(settings.database_url, client, purpose, today))
    typer.echo(text)


async def _explain(url: str, client_id: str, purpose: str, today: dt.date) -> str:
    engine = create_engine_for(url)
    try:
        principal = await _principal(engine, client_id, purpose)
        async with engine.connect() as connection:
            agreements = await active_agreements(connection)
        scope = scope_for(principal, agreements, today)
        return describe(scope, principal, today, engine.dialect)
    finally:
        await engine.dispose()


async def _principal(engine: AsyncEngine, client_id: str, purpose: str) -> Principal:
    clients = OAuthClient.__table__
    async with engine.connect() as connection:
        row = (
            (await connection.execute(select(clients).where(clients.c.client_id == client_id)))
            .mappings()
            .first()
        )
    if row is None or row["revoked_at"] is not None:
        raise BadRequestError(f"no active OAuth client {client_id!r}")
    purposes = tuple(row["purposes"] or ())
    if purpose not in purposes:
        raise BadRequestError(f"client {client_id!r} may not declare purpose {purpose!r}")
    return Principal(
        subject=client_id,
        role=row["role"],
        partner_id=row["partner_id"],
        client_id=client_id,
        purposes=purposes,
        purpose=purpose,
    )


def describe(scope: AgreementScope, principal: Principal, today: dt.date, dialect: Any) -> str:
    """The explanation text for one scope (also used by tests)."""
    lines = [
        f"client {principal.client_id} (partner {principal.partner_id}, role {principal.role}), "
        f"purpose {principal.purpose}, on {today}",
        f"agreements in force: {', '.join(scope.agreement_refs) or 'none'}",
        f"granularity: {scope.granularity if scope.agreement_refs else 'none'}",
    ]
    counting = scope.for_aggregates()
    for entity in entities():
        clauses = counting.clauses(entity)
        if not clauses:
            continue
        table = _table(entity)
        lines.append(f"\n{entity}:")
        for clause in clauses:
            relationships = ", ".join(r.name for r in clause.relationships)
            lines.append(
                f"  {clause.agreement_ref} ({clause.granularity}) rows where {relationships}"
            )
            lines.append(f"    fields: {', '.join(sorted(clause.columns)) or '(ids only)'}")
        aggregate = scope.granularity is Granularity.AGGREGATE
        statement = select(table.c.id).where((counting if aggregate else scope).rows(entity, table))
        sql = statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        lines.append(f"  {'counted' if aggregate else 'visible'} rows: {sql}")
    if scope.granularity is Granularity.AGGREGATE and scope.agreement_refs:
        lines.append(f"\naggregate only: counts below {scope.min_cell_size} are suppressed")
    if len(lines) == 3:
        lines.append("no entity is visible: everything is denied")
    return "\n".join(lines)


def _table(entity: str) -> Any:
    return OAuthClient.metadata.tables[table_name(entity)]
