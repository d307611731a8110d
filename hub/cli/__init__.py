"""The ``hub`` command: serve, migrate, demo, and the operator commands each module adds."""

from __future__ import annotations

import typer

from hub.cli import audit, db, demo, serve

app = typer.Typer(
    name="hub",
    help="The 14-19 Partnership Data Hub.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.command("serve")(serve.serve)
app.command("migrate")(db.migrate)
app.command("demo")(demo.demo)
app.add_typer(audit.app, name="audit")


def main() -> None:
    """Entry point of the ``hub`` console script."""
    app()
