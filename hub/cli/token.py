"""``hub token``: a bearer token for a registered client, for development and scripts.

It signs with the stored current key directly (no secret needed: whoever can run the CLI against
the database can read the keys anyway), so the token is exactly what ``/oauth/token`` would issue.
"""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.clients import find_client
from hub.auth.issuing import issue_for_client
from hub.auth.tokens import IssuedToken
from hub.cli.runtime import run_with_engine, settings_from_env
from hub.errors import AuthenticationError, OAuthClientNotFoundError, PurposeForbiddenError


def token(
    client: Annotated[str, typer.Option("--client", help="The client id to issue for.")],
    purpose: Annotated[
        list[str] | None,
        typer.Option(
            "--purpose",
            help="Narrow the token to this purpose (repeatable); default: all the client's.",
        ),
    ] = None,
) -> None:
    """Print a bearer token for CLIENT (only the token, so TOKEN=$(hub token ...) works)."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> IssuedToken:
        record = await find_client(engine, client)
        if record is None:
            raise OAuthClientNotFoundError(f"no client has id {client!r}")
        if record.is_revoked:
            raise AuthenticationError(f"client {client} is revoked")
        purposes = tuple(dict.fromkeys(purpose)) if purpose else record.purposes
        refused = [name for name in purposes if name not in record.purposes]
        if refused:
            raise PurposeForbiddenError(
                f"client {client} may not use purpose(s) {', '.join(refused)}"
            )
        return await issue_for_client(engine, settings, record, purposes=purposes)

    issued = run_with_engine(settings, work)
    typer.echo(issued.access_token)
