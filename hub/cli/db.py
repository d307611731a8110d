"""``hub migrate``: bring the database schema to the latest (or a named) revision."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.runtime import console, settings_from_env
from hub.store.migrate import downgrade, upgrade


def migrate(
    revision: Annotated[
        str, typer.Argument(help="Target revision ('head' for the latest).")
    ] = "head",
    down: Annotated[bool, typer.Option("--down", help="Downgrade to REVISION instead.")] = False,
) -> None:
    """Apply Alembic migrations to the configured database (HUB_DATABASE_URL)."""
    settings = settings_from_env()
    if down:
        downgrade(settings.database_url, revision)
    else:
        upgrade(settings.database_url, revision)
    console.print(f"database at revision [bold]{revision}[/bold]")
