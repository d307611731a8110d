"""Ingest reports and the identity review queue, as each principal may see them.

A batch's report and a review belong to the partner that submitted the record: only that
partner (and the hub's admins) may read or decide them. Anyone else is answered as if the batch
or review did not exist.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import NotVisibleError
from hub.principal import Principal
from hub.store.batches import get_batch, list_batches, list_issues
from hub.store.reviews import list_reviews, resolve_review

ISSUES_SHOWN = 1000


class Operations:
    """One request's view of ingest batches and match reviews."""

    def __init__(self, engine: AsyncEngine, principal: Principal) -> None:
        self.engine = engine
        self.principal = principal

    def _owns(self, partner_id: int | None) -> bool:
        return self.principal.is_admin or (
            partner_id is not None and partner_id == self.principal.partner_id
        )

    async def batch(self, batch_id: int) -> dict[str, Any] | None:
        """A batch with its findings, or None when it is missing or not the caller's."""
        async with self.engine.connect() as connection:
            found = await get_batch(connection, batch_id)
            if found is None or not self._owns(found["partner_id"]):
                return None
            found["issues"] = await list_issues(connection, batch_id, limit=ISSUES_SHOWN)
        return found

    async def batches(self) -> list[dict[str, Any]]:
        """The caller's latest batches (every partner's, for admins)."""
        if not self.principal.is_admin and self.principal.partner_id is None:
            return []
        partner = None if self.principal.is_admin else self.principal.partner_id
        async with self.engine.connect() as connection:
            found = await list_batches(connection, partner)
            for batch in found:
                batch["issues"] = await list_issues(connection, batch["id"], limit=ISSUES_SHOWN)
        return found

    async def reviews(self, status: str | None) -> list[dict[str, Any]]:
        """Open (or all) match reviews about the caller's records."""
        async with self.engine.connect() as connection:
            found = await list_reviews(connection, status)
        return [review for review in found if self._owns(review["partner_id"])]

    async def resolve(
        self, review_id: int, decision: str, learner_id: int | None
    ) -> dict[str, Any]:
        """Accept (merge into a candidate) or reject (keep apart) a review the caller owns."""
        async with self.engine.begin() as connection:
            owned = [r for r in await list_reviews(connection, None) if r["id"] == review_id]
            if not owned or not self._owns(owned[0]["partner_id"]):
                raise NotVisibleError(f"no open match review {review_id}")
            return await resolve_review(
                connection, review_id, decision, learner_id, decided_by=self.principal.subject
            )
