"""The ``hub`` command: serve, migrate, demo, and the operator commands each module adds."""

from __future__ import annotations

import typer

from hub.cli import (
    audit,
    clients,
    db,
    demo,
    demo_tokens,
    ingest,
    matches,
    partners,
    policy,
    serve,
    token,
)

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
app.command("demo-tokens")(demo_tokens.demo_tokens)
app.add_typer(audit.app, name="audit")
app.add_typer(policy.policy_app, name="policy")
app.add_typer(clients.clients_app, name="clients")
app.add_typer(clients.keys_app, name="keys")
app.command("token")(token.token)
app.command("ingest")(ingest.ingest)
app.add_typer(partners.partners_app, name="partners")
app.add_typer(matches.matches_app, name="matches")


def main() -> None:
    """Entry point of the ``hub`` console script."""
    app()
