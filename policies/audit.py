"""Appends a disclosure audit event in the same transaction as the read that disclosed.

This runs on every read, so it is exactly one INSERT: no SELECT, no lock, no hash. The event is
a plain row; the sealer (``hub.store.audit_chain``) links committed rows into the hash chain
later, off the request path, so concurrent reads never wait on each other to extend a chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.principal import Principal
from hub.store.models import DisclosureEvent

_INSERT = insert(DisclosureEvent)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What one response disclosed, and under which agreements (``"<id>@<version>"``).

    ``learner_ids`` names every learner whose data the response carried; ``aggregate_count`` is
    the number of learners an aggregate answer was computed over (None when not an aggregate).
    """

    entity_types: tuple[str, ...]
    field_categories: tuple[str, ...]
    learner_ids: tuple[int, ...]
    aggregate_count: int | None
    agreements: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        """Whether nothing about any learner was disclosed (then no event is appended)."""
        return not self.learner_ids and self.aggregate_count is None


async def record_disclosure(
    connection: AsyncConnection,
    principal: Principal,
    disclosure: Disclosure,
    *,
    request_id: str | None,
    trace_id: str | None,
) -> None:
    """Append one disclosure event in the caller's transaction (never commits).

    The caller commits it together with the read, so a disclosure is recorded if and only if the
    read's transaction commits. Learner ids are stored sorted and without repeats.
    """
    if disclosure.is_empty:
        return
    await connection.execute(
        _INSERT,
        {
            "occurred_at": dt.datetime.now(dt.UTC),
            "client_id": principal.client_id,
            "user_id": principal.user_id,
            "partner_id": principal.partner_id,
            "purpose": principal.purpose,
            "agreements": sorted(set(disclosure.agreements)),
            "entity_types": sorted(set(disclosure.entity_types)),
            "field_categories": sorted(set(disclosure.field_categories)),
            "learner_ids": sorted(set(disclosure.learner_ids)),
            "aggregate_count": disclosure.aggregate_count,
            "request_id": request_id,
            "trace_id": trace_id,
        },
    )
