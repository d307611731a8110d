"""``hub demo-tokens``: three demo principals and a bearer token for each.

A newcomer sees the agreements at work by pasting each token into GraphiQL's headers: a host
college sees only the learners it teaches, the local authority's NEET tracking team sees its
residents' activities, and a commissioning analyst gets suppressed counts and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.clients import ClientRecord, create_client, list_clients
from hub.auth.issuing import issue_for_client
from hub.cli.runtime import run_with_engine, settings_from_env
from hub.errors import BadRequestError
from hub.store.models import Partner

console = Console()


@dataclass(frozen=True)
class DemoPrincipal:
    """A demo client: which partner it acts for, in which role, for which purpose."""

    name: str
    partner_type: str
    role: str
    purpose: str
    try_query: str


PRINCIPALS = (
    DemoPrincipal(
        "demo: host college attendance officer",
        "fe_college",
        "caseworker",
        "attendance_reporting",
        "{ learners(first: 5) { totalCount edges { node { uln givenName familyName "
        "participations { sessionsPossible sessionsAttended provision { title } } } } } }",
    ),
    DemoPrincipal(
        "demo: local authority NEET tracking",
        "local_authority",
        "caseworker",
        "neet_tracking",
        "{ learners(first: 5, filter: {minAge: 16}) { totalCount edges { node { uln "
        "activities { category activityCode reviewDate } } } } }",
    ),
    DemoPrincipal(
        "demo: commissioning analyst",
        "local_authority",
        "analyst",
        "commissioning",
        "{ learnerCounts(groupBy: [LA_OF_RESIDENCE, ACTIVITY_CATEGORY]) "
        "{ laOfResidence activityCategory count totalOver } }",
    ),
)


async def _partner_id(engine: AsyncEngine, partner_type: str) -> int:
    statement = select(Partner.id).where(Partner.partner_type == partner_type).order_by(Partner.id)
    async with engine.connect() as connection:
        found = (await connection.execute(statement)).scalars().first()
    if found is None:
        raise BadRequestError(f"no {partner_type} partner: load the demo first (hub demo)")
    return int(found)


async def demo_clients(engine: AsyncEngine) -> list[tuple[DemoPrincipal, ClientRecord]]:
    """The three demo principals' clients, registered on first use (needs the demo partners)."""
    return [(principal, await _client(engine, principal)) for principal in PRINCIPALS]


async def _client(engine: AsyncEngine, principal: DemoPrincipal) -> ClientRecord:
    for record in await list_clients(engine):
        if record.name == principal.name and not record.is_revoked:
            return record
    partner_id = await _partner_id(engine, principal.partner_type)
    created = await create_client(
        engine,
        name=principal.name,
        partner_id=partner_id,
        role=principal.role,
        purposes=(principal.purpose,),
    )
    return created.record


def demo_tokens(
    ttl: Annotated[
        int, typer.Option(help="Token lifetime in seconds (demo tokens outlive the default).")
    ] = 8 * 3600,
) -> None:
    """Register the three demo clients (once) and print a bearer token for each."""
    settings = settings_from_env()

    async def work(engine: AsyncEngine) -> list[tuple[DemoPrincipal, ClientRecord, str]]:
        issued = []
        for principal, record in await demo_clients(engine):
            token = await issue_for_client(engine, settings, record, ttl_seconds=ttl)
            issued.append((principal, record, token.access_token))
        return issued

    table = Table(title="Demo principals (paste a token as an Authorization: Bearer header)")
    table.add_column("principal")
    table.add_column("partner")
    table.add_column("purpose")
    table.add_column("try")
    for principal, record, _token in (issued := run_with_engine(settings, work)):
        table.add_row(
            principal.name, str(record.partner_id), principal.purpose, principal.try_query
        )
    console.print(table)
    for principal, _record, token in issued:
        console.print(
            f"\n[bold]{principal.name}[/bold]\nAuthorization: Bearer {token}", soft_wrap=True
        )
