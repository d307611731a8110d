"""The agreements in force, as every worker sees them.

The agreement files are the source of truth: start-up validates the configured folder and
records it in the store (an invalid set is refused whole and the set already in force stays).
Workers then read the set in force from the store, at most every few seconds, so a
``hub policy reload`` reaches every worker without a redeploy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import Settings
from hub.principal import Principal
from hub.store.models import AgreementVersion
from policies.access import ALLOW_ALL, ReadScope
from policies.agreement import Agreement
from policies.compiler import scope_for
from policies.issues import AgreementInvalidError
from policies.loading import active_agreements, reload

log = logging.getLogger(__name__)
REFRESH_SECONDS = 5.0
MAX_CACHED_SCOPES = 1024


def agreements_folder(settings: Settings) -> Path:
    """The configured agreements folder, or the demo agreements shipped with the hub."""
    if settings.agreements_dir is not None:
        return settings.agreements_dir
    return Path(str(files("hub.demo").joinpath("agreements")))


async def load_folder_at_startup(engine: AsyncEngine, folder: Path) -> None:
    """Validate and record the folder; on problems keep the set already in force."""
    try:
        report = await reload(engine, folder)
    except AgreementInvalidError as error:
        log.error("agreements in %s refused, the previous set stays in force: %s", folder, error)
        return
    except IntegrityError:
        # Another worker recorded the same versions at the same moment.
        log.info("agreements in %s were recorded by another worker", folder)
        return
    log.info("agreements loaded from %s: %s", folder, report)


class AgreementsInForce:
    """The set in force, refreshed from the store at most every ``REFRESH_SECONDS``.

    Requests share one refresh (a lock), the texts are re-parsed only when the stored set of
    versions changed, and a compiled scope is reused for the same partner, role, purpose and
    day until the set changes: none of that work belongs on every request.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._agreements: list[Agreement] = []
        self._fingerprint: tuple[tuple[str, int, str], ...] | None = None
        self._scopes: dict[tuple[int | None, str, str | None, dt.date], ReadScope] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def current(self) -> list[Agreement]:
        """The agreements in force now."""
        if time.monotonic() - self._read_at <= REFRESH_SECONDS:
            return self._agreements
        async with self._lock:
            if time.monotonic() - self._read_at > REFRESH_SECONDS:
                await self._refresh()
        return self._agreements

    async def _refresh(self) -> None:
        versions = AgreementVersion.__table__
        statement = (
            select(versions.c.agreement_id, versions.c.version, versions.c.sha256)
            .where(versions.c.is_active.is_(True))
            .order_by(versions.c.agreement_id, versions.c.version)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
            fingerprint = tuple((str(r[0]), int(r[1]), str(r[2])) for r in rows)
            if fingerprint != self._fingerprint:
                self._agreements = await active_agreements(connection)
                self._fingerprint = fingerprint
                self._scopes.clear()
        self._read_at = time.monotonic()

    async def scope_for(self, principal: Principal, today: dt.date) -> ReadScope:
        """The read scope of ``principal``: its agreements compiled to SQL (admins: all)."""
        if principal.is_admin:
            return ALLOW_ALL
        agreements = await self.current()
        key = (principal.partner_id, principal.role, principal.purpose, today)
        scope = self._scopes.get(key)
        if scope is None:
            if len(self._scopes) > MAX_CACHED_SCOPES:
                self._scopes.clear()
            scope = self._scopes[key] = scope_for(principal, agreements, today)
        return scope
