"""``hub matches list|accept|reject``: work the identity review queue."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.cli.ingest import out
from hub.cli.runtime import run_with_engine, settings_from_env

matches_app = typer.Typer(
    name="matches", help="Possible learner matches waiting for a decision.", no_args_is_help=True
)


@matches_app.command("list")
def list_command(
    status: Annotated[str, typer.Option("--status", help="open, accepted or rejected.")] = "open",
) -> None:
    """List reviews with their candidates and the reason they were not merged."""
    from hub.store.reviews import list_reviews

    async def work(engine: AsyncEngine) -> list[dict[str, Any]]:
        async with engine.connect() as conn:
            return await list_reviews(conn, status)

    table = Table(title=f"{status} match reviews")
    for column in ("id", "partner", "source", "local ref", "learner", "candidates", "reason"):
        table.add_column(column)
    for review in run_with_engine(settings_from_env(), work):
        table.add_row(
            str(review["id"]),
            str(review["partner_id"]),
            review["source"],
            review["local_ref"],
            str(review["provisional_learner_id"]),
            " ".join(str(c) for c in review["candidate_learner_ids"]),
            review["reason"],
        )
    out.print(table)


@matches_app.command("accept")
def accept_command(
    review_id: Annotated[int, typer.Argument(metavar="ID")],
    learner: Annotated[
        int | None, typer.Option("--learner", help="The candidate (needed when several).")
    ] = None,
) -> None:
    """Merge the record's provisional learner into the candidate (reversible)."""
    _decide(review_id, "accept", learner)


@matches_app.command("reject")
def reject_command(review_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Confirm the record is a different person from every candidate."""
    _decide(review_id, "reject", None)


def _decide(review_id: int, decision: str, learner: int | None) -> None:
    from hub.store.reviews import resolve_review

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        async with engine.begin() as conn:
            return await resolve_review(
                conn, review_id, decision, learner, decided_by=f"cli:{getpass.getuser()}"
            )

    decided = run_with_engine(settings_from_env(), work)
    out.print(
        f"review {review_id} {decided['status']}: record {decided['local_ref']} is learner "
        f"{decided['pinned_learner_id']}"
    )
