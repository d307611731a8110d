"""``hub clients create|list|revoke`` and ``hub keys rotate|list``: clients and signing keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.clients import ClientRecord, NewClient, create_client, list_clients, revoke_client
from hub.auth.keys import published_keys, rotate_signing_key
from hub.auth.keystore import StoredKey, key_store_for
from hub.cli.runtime import console, run_with_engine, settings_from_env
from hub.store.models.access import ROLES
from policies.vocabulary import purposes as purpose_vocabulary

clients_app = typer.Typer(
    name="clients",
    help="OAuth machine clients (client credentials grant): create, list, revoke.",
    no_args_is_help=True,
)
keys_app = typer.Typer(
    name="keys",
    help="The hub's token-signing keys: rotate them, list the published ones.",
    no_args_is_help=True,
)



@clients_app.command("create")
def create_command(
    name: Annotated[str, typer.Option("--name", help="Who the client is, e.g. 'Northgate MIS'.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    partner_id: Annotated[
        int | None,
        typer.Option("--partner-id", help="The partner it acts for (required unless admin)."),
    ] = None,
    purpose: Annotated[
        list[str] | None,
        typer.Option(
            "--purpose",
            help="A purpose it may declare, one of the agreements' purposes: "
            f"{', '.join(purpose_vocabulary())}; repeat for several.",
        ),
    ] = None,
) -> None:
    """Register a client and print its id and secret (the secret is shown only this once).

    A purpose outside the agreements' vocabulary is refused, naming the known ones.
    """
    settings = settings_from_env()
    purposes = tuple(purpose or ())

    async def work(engine: AsyncEngine) -> NewClient:
        return await create_client(
            engine, name=name, partner_id=partner_id, role=role, purposes=purposes
        )

    new = run_with_engine(settings, work)
    typer.echo(f"client_id: {new.record.client_id}")
    typer.echo(f"client_secret: {new.secret}")
    console.print("[yellow]store the secret now: it cannot be shown again[/yellow]")


@clients_app.command("list")
def list_command() -> None:
    """List every client with its role, partner, purposes and status (never secrets)."""
    settings = settings_from_env()
    clients: list[ClientRecord] = run_with_engine(settings, list_clients)
    table = Table("client id", "name", "role", "partner", "purposes", "created", "status")
    for client in clients:
        status = f"revoked {client.revoked_at:%Y-%m-%d %H:%M}" if client.revoked_at else "active"
        table.add_row(
            client.client_id,
            client.name,
            client.role,
            "" if client.partner_id is None else str(client.partner_id),
            " ".join(client.purposes),
            f"{client.created_at:%Y-%m-%d %H:%M}",
            status,
        )
    typer.echo(_render(table) if clients else "no clients")


@clients_app.command("revoke")
def revoke_command(
    client_id: Annotated[
        str, typer.Argument(metavar="CLIENT_ID", help="The client id to revoke.")
    ],
) -> None:
    """Revoke a client: its secret and every token it holds stop working at once."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> ClientRecord:
        return await revoke_client(engine, client_id)

    record = run_with_engine(settings, work)
    typer.echo(f"revoked {record.client_id} at {record.revoked_at:%Y-%m-%d %H:%M:%S} UTC")


@keys_app.command("rotate")
def rotate_command() -> None:
    """Make a new signing key current; the previous one stays published until its tokens expire."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> StoredKey:
        store = key_store_for(settings, engine)
        return await rotate_signing_key(store, token_ttl_seconds=settings.token_ttl_seconds)

    key = run_with_engine(settings, work)
    typer.echo(f"new current key {key.kid}")


@keys_app.command("list")
def keys_list_command() -> None:
    """List the published keys, newest (current) first, with when each stops being published."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> list[StoredKey]:
        return await published_keys(key_store_for(settings, engine))

    keys = run_with_engine(settings, work)
    table = Table("kid", "alg", "created", "retires")
    for key in keys:
        retires = "" if key.retired_at is None else f"{key.retired_at:%Y-%m-%d %H:%M:%S}"
        table.add_row(key.kid, key.algorithm, f"{key.created_at:%Y-%m-%d %H:%M:%S}", retires)
    typer.echo(_render(table) if keys else "no keys yet (one is made on first use)")


def _render(table: Table) -> str:
    from rich.console import Console

    capture = Console(width=200, record=True)
    with capture.capture() as captured:
        capture.print(table)
    return captured.get()
