"""Bearer token -> Principal: picks the verifier by issuer, then applies revocation.

Hub tokens are checked against the hub's own published keys (held in a ``KeyRing``) and then
against the client's row, one lookup on a unique index per request (a single autocommit
statement, no transaction around it), so a revoked client is refused from its very next request:
there is no revocation delay, and no cache that could introduce one. Tokens from the external OIDC
issuer (users) have no revocation list here; their issuer keeps them short-lived.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.claims import principal_from_claims
from hub.auth.clients import find_client
from hub.auth.keys import KeyRing
from hub.auth.keystore import KeyStore, key_store_for
from hub.auth.oidc import OidcVerifier
from hub.auth.tokens import HUB_ALGORITHMS, HUB_TOKEN_TYPE, unverified_issuer, verify_token
from hub.config import Settings
from hub.errors import AuthenticationError
from hub.principal import Principal


class Authenticator:
    """Verifies bearer tokens for one application; holds the key caches, nothing per request.

    Args:
        settings: issuer, audience, key directory and OIDC settings.
        key_cache_seconds: how long the hub's published keys are kept in memory before
            reloading (an unknown ``kid`` is always looked up at once).
        oidc_min_refetch_seconds: the least time between two JWKS fetches caused by unknown
            key ids of the external issuer.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        key_cache_seconds: float = 60.0,
        oidc_min_refetch_seconds: float = 30.0,
    ) -> None:
        self._settings = settings
        self._key_cache_seconds = key_cache_seconds
        self._ring_engine: AsyncEngine | None = None
        self._ring: KeyRing | None = None
        self.oidc: OidcVerifier | None = None
        if settings.oidc_issuer:
            self.oidc = OidcVerifier(
                issuer=settings.oidc_issuer,
                audience=settings.oidc_audience or settings.token_audience,
                jwks_url=settings.oidc_jwks_url,
                min_refetch_seconds=oidc_min_refetch_seconds,
            )

    async def authenticate(self, engine: AsyncEngine, token: str) -> Principal:
        """The principal ``token`` proves, with no purpose chosen yet.

        Raises:
            AuthenticationError: the token is invalid, or its client is revoked or unknown.
            UnavailableError: the external issuer's keys could not be fetched.
        """
        issuer = unverified_issuer(token)
        if self.oidc is not None and issuer == self.oidc.issuer:
            claims = await self.oidc.verify(token)
            return principal_from_claims(claims, is_client=False)
        ring = self._key_ring(engine)
        claims = await verify_token(
            token,
            keys=ring.verification_key,
            algorithms=HUB_ALGORITHMS,
            issuer=self._settings.token_issuer,
            audience=self._settings.token_audience,
            token_type=HUB_TOKEN_TYPE,
        )
        principal = principal_from_claims(claims, is_client=True)
        client = await find_client(engine, principal.client_id or "")
        if client is None or client.is_revoked:
            raise AuthenticationError("the client this token was issued to is revoked or unknown")
        return principal

    def _key_ring(self, engine: AsyncEngine) -> KeyRing:
        # The app has one engine per lifespan; a new engine (a restarted lifespan) gets new keys.
        if self._ring is None or self._ring_engine is not engine:
            store: KeyStore = key_store_for(self._settings, engine)
            self._ring = KeyRing(store, max_age_seconds=self._key_cache_seconds)
            self._ring_engine = engine
        return self._ring
