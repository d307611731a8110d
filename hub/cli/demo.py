"""``hub demo``: generate the deterministic synthetic partnership and load it.

By default the generator writes every partner's export files and they go in through the
connectors, file by file, as partners' files do (``hub.demo.route``). ``--bulk`` writes the
rows straight into the store instead (``hub.demo.bulk``): the path for benchmark-sized data.
The database is migrated to head first. ``--if-empty`` makes the command safe to run on every
``make demo``: it does nothing when learners already exist. Without it a non-empty database is
refused unless ``--replace`` is given.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.cli.runtime import console, reported_errors, settings_from_env
from hub.demo.generator import DEFAULT_LEARNERS, DEFAULT_SEED, DemoModel

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

out = Console()

EXAMPLE_QUERIES = """\
# NEET, not known and the rest of 16-19s, by LA of residence and age
{ learnerCounts(groupBy: [LA_OF_RESIDENCE, AGE, ACTIVITY_CATEGORY], filter: {minAge: 16})
  { laOfResidence age activityCategory count } }

# Key stage 4 learners in one school, with off-site courses and attendance
{ learners(first: 5, filter: {maxAge: 15}) { totalCount edges { node {
    uln upn givenName familyName participations { provision { title diplomaLine }
    homePartner { name } deliveringPartner { name } sessionsPossible sessionsAttended } } } } }

# Money: allocations and flows between partners by funding stream
{ fundingStreams(first: 3) { edges { node { code name
    flows(first: 5) { basis amount payer { name } payee { name } } } } } }"""


def demo(
    *,
    learners: Annotated[int, typer.Option(min=0, help="How many learners to generate.")] = (
        DEFAULT_LEARNERS),
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = DEFAULT_SEED,
    if_empty: Annotated[bool, typer.Option(
        "--if-empty", help="Do nothing if the database already has learners.")] = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Delete earlier demo data first (refused if other data exists).")
    ] = False,
    database_url: Annotated[str | None, typer.Option(
        help="Database to load (default: HUB_DATABASE_URL).")] = None,
    bulk: Annotated[bool, typer.Option(
        "--bulk/--no-bulk", help="Write rows straight into the store (for benchmark-sized "
        "data) instead of ingesting the partners' files through the connectors.")] = False,
    export_dir: Annotated[Path | None, typer.Option(
        help="Write the partners' export files (ILR, CTF, CSV) into this folder and keep "
        "them (the connectors route otherwise uses a temporary folder).")] = None,
) -> None:
    """Generate a synthetic 14-19 partnership (fictional people and places) and load it."""
    overrides: dict[str, object] = {"database_url": database_url} if database_url else {}
    settings = settings_from_env(**overrides)
    model = DemoModel(learners=learners, seed=seed)
    with reported_errors():
        from hub.store.migrate import upgrade

        upgrade(settings.database_url)
        loaded = asyncio.run(_load(settings.database_url, model, if_empty=if_empty,
                                   replace=replace, bulk=bulk, export_dir=export_dir))
        if bulk and loaded and export_dir is not None:
            _export(model, export_dir)
    if loaded:
        out.print(Panel(EXAMPLE_QUERIES, title="Try these in GraphiQL (hub serve, /graphql)"))


async def _load(url: str, model: DemoModel, *, if_empty: bool, replace: bool, bulk: bool,
                export_dir: Path | None) -> bool:
    from hub.store.engine import create_engine_for

    engine = create_engine_for(url)
    try:
        if not await _make_room(engine, if_empty=if_empty, replace=replace):
            return False
        if bulk:
            await _load_bulk(engine, model)
        else:
            await _load_connectors(engine, model, export_dir)
    finally:
        await engine.dispose()
    return True


async def _make_room(engine: AsyncEngine, *, if_empty: bool, replace: bool) -> bool:
    """Whether to load: refuse, skip or clear a database that already holds learners."""
    from hub.demo.bulk import DemoDataPresentError, count_learners, delete_demo_data

    existing = await count_learners(engine)
    if existing and if_empty:
        out.print(f"database already holds {existing:,} learners: demo data not loaded")
        return False
    if existing and not replace:
        raise DemoDataPresentError(
            f"the database already holds {existing:,} learners; pass --replace to delete "
            "the demo data and load it again, or --if-empty to keep it")
    if existing:
        await delete_demo_data(engine)
        out.print(f"deleted the earlier demo data ({existing:,} learners)")
    return True


async def _load_connectors(engine: AsyncEngine, model: DemoModel, export_dir: Path | None,
                           ) -> None:
    from hub.cli.demo_display import RichListener, direct_table, summary_table
    from hub.demo.bulk import count_learners
    from hub.demo.route import load_through_connectors

    with RichListener(console) as listener:
        result = await load_through_connectors(engine, model, export_dir=export_dir,
                                               listener=listener)
    title = (f"Demo partnership through the connectors: {model.learners:,} learners, "
             f"seed {model.seed}")
    out.print(summary_table(result, title, out.width))
    out.print(direct_table(result))
    learners = await count_learners(engine)
    where = f" (files kept in {export_dir})" if export_dir is not None else ""
    out.print(f"loaded {len(result.files)} partner files in {result.seconds:.1f} s: "
              f"{learners:,} learners{where}")
    if result.failed:
        names = ", ".join(f.submission.path.name for f in result.failed)
        console.print(f"[red]error[/red] not every record loaded: {names} (see the table)")
        raise typer.Exit(1)


async def _load_bulk(engine: AsyncEngine, model: DemoModel) -> None:
    from hub.demo.bulk import load_demo

    with Progress(TextColumn("loading learners"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("load", total=model.learners)
        result = await load_demo(engine, model,
                                 on_block=lambda done: progress.update(task, completed=done))
    table = Table(title=f"Demo partnership (bulk): {model.learners:,} learners, "
                        f"seed {model.seed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.rows.items():
        table.add_row(name, f"{rows:,}")
    rate = result.total_rows / result.seconds if result.seconds else 0.0
    table.add_row("[bold]total[/bold]", f"[bold]{result.total_rows:,}[/bold]")
    out.print(table)
    out.print(f"loaded in {result.seconds:.1f} s ({rate:,.0f} rows/s), batch {result.batch_id}")


def _export(model: DemoModel, export_dir: Path) -> None:
    from hub.demo.exports import write_demo_exports

    written = write_demo_exports(model, export_dir)
    for kind, paths in written.items():
        out.print(f"wrote {len(paths)} {kind} file(s) to {export_dir}")
