"""``hub ingest FORMAT FILE --partner ID``: load one partner's file, with progress and a report.

Exit status: 0 when the file loaded (or was already loaded), 2 when the file was rejected as a
whole, 1 for any other error (unregistered partner, unknown format, database unavailable).
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.cli.runtime import console, run_with_engine, settings_from_env
from hub.principal import SYSTEM

if TYPE_CHECKING:
    from connectors.pipeline import IngestSummary

FORMATS_HELP = "ilr, ctf, census, nccis, attendance, csv, providers, provision, allocations, flows"
SHOWN_ISSUES = 20
out = Console()


def ingest(
    format_name: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMATS_HELP)],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    partner: Annotated[int, typer.Option("--partner", help="The submitting partner's id.")],
    show_all: Annotated[bool, typer.Option("--all", help="Print every finding.")] = False,
) -> None:
    """Load FILE for a registered partner: validate, match learners, load atomically."""
    from connectors.pipeline import ingest_file
    from hub.store.batches import list_issues

    principal = SYSTEM.__class__(subject=f"cli:{getpass.getuser()}", role=SYSTEM.role)

    async def work(engine: AsyncEngine) -> tuple[IngestSummary, list[dict[str, object]]]:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,} records"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"reading {file.name}", total=None)

            def progress(stage: str, records: int) -> None:
                bar.update(task, description=f"{stage} {file.name}", completed=records)
                if not console.is_terminal:  # logs and pipes get one line per chunk instead
                    console.print(f"{stage} {file.name}: {records} records", highlight=False)

            summary = await ingest_file(
                engine,
                format_name,
                file,
                partner_id=partner,
                principal=principal,
                progress=progress,
            )
        async with engine.connect() as conn:
            limit = None if show_all else SHOWN_ISSUES
            issues = await list_issues(conn, summary.batch_id, limit=limit)
        return summary, issues

    summary, issues = run_with_engine(settings_from_env(), work)
    _print_summary(summary, issues, show_all=show_all)
    if summary.is_rejected:
        raise typer.Exit(2)


def _print_summary(
    summary: IngestSummary, issues: list[dict[str, object]], *, show_all: bool
) -> None:
    if summary.already_loaded:
        out.print(f"already loaded as batch {summary.batch_id}: nothing changed")
    table = Table(title=f"batch {summary.batch_id}: {summary.status}")
    table.add_column("records read", justify="right")
    table.add_column("loaded", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("matched", justify="right")
    table.add_column("new learners", justify="right")
    table.add_column("queued for review", justify="right")
    table.add_row(
        *(
            str(n)
            for n in (
                summary.records_read,
                summary.records_loaded,
                summary.records_rejected,
                summary.learners_matched,
                summary.learners_created,
                summary.reviews_queued,
            )
        )
    )
    out.print(table)
    if summary.error:
        out.print(f"[red]{summary.error}[/red]")
    if not issues:
        return
    findings = Table(title="findings" if show_all else f"findings (first {SHOWN_ISSUES}; --all)")
    for column in ("#", "ref", "severity", "rule", "field", "message"):
        findings.add_column(column)
    for issue in issues:
        findings.add_row(
            *(
                "" if issue[key] is None else str(issue[key])
                for key in ("record_number", "source_ref", "severity", "rule", "field", "message")
            )
        )
    out.print(findings)
