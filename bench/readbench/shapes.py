"""The three query shapes, as the hub and PostGraphile spell them, and their sanity checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.readbench.database import ADMIN_PURPOSE, PARTNER_ID, PURPOSE


@dataclass(frozen=True, slots=True)
class Shape:
    """One query shape: both servers' documents, who reads, and how to check an answer."""

    key: str
    title: str
    hub_query: str
    graphile_query: str
    admin: bool  # read as the hub administrator (ALLOW_ALL) rather than the partner
    rows: Callable[[dict[str, Any]], int]  # rows in a server's ``data``, for the check

    def graphile_headers(self) -> dict[str, str]:
        """pgSettings for PostGraphile: the partner and the purpose (or the admin marker)."""
        if self.admin:
            return {"x-hub-partner": "", "x-hub-purpose": ADMIN_PURPOSE}
        return {"x-hub-partner": str(PARTNER_ID), "x-hub-purpose": PURPOSE}


def _hub_page(data: dict[str, Any]) -> int:
    return len(data["learners"]["edges"])


def _graphile_page(data: dict[str, Any]) -> int:
    return len(data["allLearners"]["nodes"])


def shapes(total_count: bool = False) -> list[Shape]:
    """Shapes 1-3; ``total_count`` adds totalCount to the page shapes (the scale runs)."""
    total = "totalCount " if total_count else ""
    return [
        Shape(
            "shape1", "page of 50 learners: ULN and names",
            "{ learners(first: 50) { " + total + "edges { node { uln givenName familyName } } } }",
            "{ allLearners(first: 50, orderBy: PRIMARY_KEY_ASC) { " + total
            + "nodes { uln givenName familyName } } }",
            False, lambda d: _hub_page(d) if "learners" in d else _graphile_page(d),
        ),
        Shape(
            "shape2", "page of 50 learners: participations, provision, delivering partner",
            "{ learners(first: 50) { " + total + "edges { node { uln givenName familyName "
            "participations { provision { title deliveringPartner { name } } } } } } }",
            "{ allLearners(first: 50, orderBy: PRIMARY_KEY_ASC) { " + total
            + "nodes { uln givenName familyName participationsByLearnerId { nodes { "
            "provisionByProvisionId { title partnerByDeliveringPartnerId { name } } } } } } }",
            False, lambda d: _hub_page(d) if "learners" in d else _graphile_page(d),
        ),
        Shape(
            "shape3", "aggregate: NEET count by LA and age",
            '{ learnerCounts(groupBy: [LA_OF_RESIDENCE, AGE, ACTIVITY_CATEGORY], '
            'filter: {activityCategory: "neet"}) { laOfResidence age count } }',
            "{ benchNeetCounts { nodes { laOfResidence age count } } }",
            True, lambda d: len(d["learnerCounts"]) if "learnerCounts" in d
            else len(d["benchNeetCounts"]["nodes"]),
        ),
    ]
