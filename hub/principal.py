"""The authenticated caller of a request, fixed for the request's whole life."""

from __future__ import annotations

from dataclasses import dataclass, field

ADMIN_ROLE = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking, for which partner, in which role, and for which declared purpose."""

    subject: str
    role: str
    partner_id: int | None = None
    client_id: str | None = None
    user_id: str | None = None
    purposes: tuple[str, ...] = ()
    purpose: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        """Whether this principal administers the hub (not a data-sharing party)."""
        return self.role == ADMIN_ROLE


SYSTEM = Principal(subject="system", role=ADMIN_ROLE)
