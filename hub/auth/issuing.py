"""Issue a registered client its access token: one place that knows which claims it carries.

The token endpoint, ``hub token``, ``hub demo-tokens``, tests and benchmarks all issue through
here, so a token is the same whichever door it came from.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.clients import ClientRecord
from hub.auth.keys import current_signing_key
from hub.auth.keystore import key_store_for
from hub.auth.tokens import IssuedToken, sign_token
from hub.config import Settings


async def issue_for_client(
    engine: AsyncEngine,
    settings: Settings,
    client: ClientRecord,
    *,
    purposes: Sequence[str] | None = None,
    ttl_seconds: int | None = None,
) -> IssuedToken:
    """A token for ``client`` signed with the current key (all its purposes unless narrowed)."""
    key = await current_signing_key(key_store_for(settings, engine))
    return sign_token(
        key,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        client_id=client.client_id,
        role=client.role,
        partner_id=client.partner_id,
        purposes=tuple(purposes) if purposes is not None else client.purposes,
        ttl_seconds=ttl_seconds if ttl_seconds is not None else settings.token_ttl_seconds,
    )
