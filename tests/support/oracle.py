"""A plain-Python evaluation of agreements: what a principal may see, row by row, cell by cell.

It is written independently of ``policies.sql`` (no SQL, no shared helpers beyond the category
catalogue and the agreement model) so that comparing the two finds mistakes in either. Tests
insert a ``Dataset`` into a real database, compile a scope, run the SELECT, and compare with
``visible``. The dataset is a dict of table name -> list of row dicts, as inserted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hub.principal import Principal
from policies.access import Granularity
from policies.agreement import Agreement, Grant, PartySelector, Relationship
from policies.categories import (
    BASIC_CATEGORIES,
    IDENTIFYING_CATEGORIES,
    LEARNER_ENTITIES,
    LEARNER_ID_COLUMNS,
    SPECIAL_CATEGORY,
    category_of,
    structural_columns,
    table_name,
)
from policies.granularity import pseudonym_in_python

Row = dict[str, Any]
Dataset = Mapping[str, Sequence[Row]]


def _by_id(data: Dataset, table: str, row_id: Any) -> Row | None:
    return next((row for row in data.get(table, ()) if row["id"] == row_id), None)


def _current(membership: Row, today: dt.date) -> bool:
    start, end = membership.get("valid_from"), membership.get("valid_to")
    return (start is None or start <= today) and (end is None or end >= today)


def _partnerships_of(data: Dataset, partner_id: Any, today: dt.date) -> set[int]:
    return {
        m["partnership_id"]
        for m in data.get("memberships", ())
        if m["partner_id"] == partner_id and _current(m, today)
    }


def _named(data: Dataset, partnership_ids: set[int], name: str | None) -> set[int]:
    if name is None:
        return partnership_ids
    return {
        p for p in partnership_ids if (_by_id(data, "partnerships", p) or {}).get("name") == name
    }


def _shares(data: Dataset, me: int, other: Any, today: dt.date, name: str | None) -> bool:
    mine = _named(data, _partnerships_of(data, me, today), name)
    return bool(mine & _partnerships_of(data, other, today))


def _selects(data: Dataset, selector: PartySelector, partner: Row, today: dt.date) -> bool:
    for attribute in ("ukprn", "urn", "la_code", "partner_type"):
        wanted = getattr(selector, attribute)
        if wanted is not None and partner.get(attribute) != wanted:
            return False
    if selector.partnership is None and selector.membership_role is None:
        return any(
            getattr(selector, a) is not None for a in ("ukprn", "urn", "la_code", "partner_type")
        )
    for membership in data.get("memberships", ()):
        if membership["partner_id"] != partner["id"] or not _current(membership, today):
            continue
        if selector.membership_role is not None and membership["role"] != selector.membership_role:
            continue
        if selector.partnership is not None:
            partnership = _by_id(data, "partnerships", membership["partnership_id"]) or {}
            if partnership.get("name") != selector.partnership:
                continue
        return True
    return False


def party_ids(data: Dataset, parties: Iterable[PartySelector], today: dt.date) -> set[int]:
    """Ids of the partners any selector names."""
    return {
        partner["id"]
        for partner in data.get("partners", ())
        if any(_selects(data, s, partner, today) for s in parties)
    }


def _on_roll(data: Dataset, partner_id: Any, learner_id: Any) -> bool:
    return any(
        r["learner_id"] == learner_id and r["partner_id"] == partner_id and r["is_on_roll"]
        for r in data.get("learner_records", ())
    )


def _objected(data: Dataset, learner_id: Any, scope: str) -> bool:
    return any(
        o["learner_id"] == learner_id and o["scope"] == scope and o.get("withdrawn_at") is None
        for o in data.get("objections", ())
    )


def _delivers(data: Dataset, me: int, learner_id: Any) -> bool:
    for p in data.get("participations", ()):
        provision = _by_id(data, "provision", p["provision_id"]) or {}
        if (
            p["learner_id"] == learner_id
            and p["delivering_partner_id"] == me
            and provision.get("delivering_partner_id") == me
            and p.get("home_partner_id") not in (None, me)
            and _on_roll(data, p["home_partner_id"], learner_id)
        ):
            return True
    return False


def _resident(data: Dataset, me: int, learner: Row) -> bool:
    la = (_by_id(data, "partners", me) or {}).get("la_code")
    return la is not None and learner.get("la_of_residence") == la


def _in_partnership(
    data: Dataset, me: int, learner_id: Any, today: dt.date, partnership: str | None
) -> bool:
    return any(
        r["learner_id"] == learner_id
        and r["is_on_roll"]
        and _shares(data, me, r["partner_id"], today, partnership)
        for r in data.get("learner_records", ())
    )


def _in_cohort(data: Dataset, me: int, learner: Row, relationship: Relationship) -> bool:
    born = learner.get("date_of_birth")
    start, end = relationship.born_from, relationship.born_to
    if born is None or start is None or end is None or not start <= born <= end:
        return False
    return any(
        o["learner_id"] == learner["id"]
        and o["status"] == "accepted"
        and (_by_id(data, "provision", o["provision_id"]) or {}).get("delivering_partner_id") == me
        for o in data.get("offers", ())
    )


def _learner_related(
    data: Dataset, relationship: Relationship, me: int, learner_id: Any, today: dt.date
) -> bool:
    name = relationship.name
    learner = _by_id(data, "learners", learner_id) or {"id": learner_id}
    if name == "on_my_roll":
        return _on_roll(data, me, learner_id)
    if _objected(data, learner_id, "sharing_beyond_home"):
        return False
    checks = {
        "on_provision_i_deliver": lambda: _delivers(data, me, learner_id),
        "resident_in_my_la": lambda: _resident(data, me, learner),
        "in_my_partnership": lambda: _in_partnership(
            data, me, learner_id, today, relationship.partnership
        ),
        "transition_cohort": lambda: _in_cohort(data, me, learner, relationship),
    }
    check = checks.get(name)
    return check() if check is not None else False


def _partner_related(
    data: Dataset,
    relationship: Relationship,
    me: int,
    owner: Any,
    today: dt.date,
    parties: set[int],
) -> bool:
    name = relationship.name
    if name == "mine":
        return bool(owner == me)
    if name == "in_my_partnership":
        return owner is not None and _shares(data, me, owner, today, relationship.partnership)
    if name == "parties":
        return owner in parties
    return name == "all"


def learner_of(data: Dataset, entity: str, row: Row) -> Any:
    """The learner a row of a learner entity is about."""
    if entity == "learner":
        return row["id"]
    if entity == "attendance_week":
        return (_by_id(data, "participations", row["participation_id"]) or {}).get("learner_id")
    return row.get("learner_id")


def _learner_row(
    data: Dataset, grant: Grant, me: int, entity: str, row: Row, today: dt.date, parties: set[int]
) -> bool:
    if entity == "attendance_week":
        participation = _by_id(data, "participations", row["participation_id"])
        return participation is not None and _learner_row(
            data, grant, me, "participation", participation, today, parties
        )
    learner_id = learner_of(data, entity, row)
    if not any(_learner_related(data, r, me, learner_id, today) for r in grant.scope):
        return False
    if entity == "learner_record":
        return row["partner_id"] in parties
    if entity == "activity":
        return row.get("recorded_by_partner_id") in parties
    if entity == "participation":
        return row.get("home_partner_id") in parties or row["delivering_partner_id"] in parties
    return True


_OWNERS = {
    "partner": ("id",),
    "site": ("partner_id",),
    "membership": ("partner_id",),
    "funding_allocation": ("partner_id",),
    "provision": ("delivering_partner_id",),
    "funding_flow": ("payer_partner_id", "payee_partner_id"),
}


def _partner_row(
    data: Dataset, grant: Grant, me: int, entity: str, row: Row, today: dt.date, parties: set[int]
) -> bool:
    def related(owner: Any) -> bool:
        return any(_partner_related(data, r, me, owner, today, parties) for r in grant.scope)

    if entity in _OWNERS:
        return any(related(row[column]) for column in _OWNERS[entity])
    everything = any(r.name == "all" for r in grant.scope)
    if entity == "partnership":
        return everything or any(
            m["partnership_id"] == row["id"] and _current(m, today) and related(m["partner_id"])
            for m in data.get("memberships", ())
        )
    if entity == "funding_stream":
        return everything or any(
            a["stream_id"] == row["id"] and related(a["partner_id"])
            for a in data.get("funding_allocations", ())
        )
    return False


def in_force(
    principal: Principal, agreements: Iterable[Agreement], today: dt.date
) -> list[Agreement]:
    """Agreements whose date, purpose and role match (party membership is checked per row)."""
    if principal.partner_id is None or principal.purpose is None or principal.role == "admin":
        return []
    return [
        a
        for a in agreements
        if a.validity.start <= today <= a.validity.end
        and principal.purpose in a.purposes
        and principal.role in a.roles
    ]


def covering(
    data: Dataset,
    principal: Principal,
    agreements: Iterable[Agreement],
    today: dt.date,
    entity: str,
    row: Row,
    *,
    aggregate: bool = False,
) -> list[Agreement]:
    """The agreements (in force, principal a party) whose grant on ``entity`` covers ``row``."""
    me = principal.partner_id
    found = []
    for agreement in in_force(principal, agreements, today):
        if agreement.granularity is Granularity.AGGREGATE and not aggregate:
            continue
        grant = agreement.grant_for(entity)
        parties = party_ids(data, agreement.parties, today)
        if grant is None or me is None or me not in parties:
            continue
        check = _learner_row if entity in LEARNER_ENTITIES else _partner_row
        if check(data, grant, me, entity, row, today, parties):
            found.append(agreement)
    return found


def _objection_allows(data: Dataset, me: int, entity: str, category: str, row: Row) -> bool:
    if entity not in LEARNER_ENTITIES or category in BASIC_CATEGORIES:
        return True
    learner_id = learner_of(data, entity, row)
    is_careers = (_by_id(data, "partners", me) or {}).get("partner_type") == "careers_service"
    if is_careers and _objected(data, learner_id, "careers_beyond_basic"):
        return False
    if category == SPECIAL_CATEGORY and _objected(data, learner_id, "special_category"):
        return _on_roll(data, me, learner_id)
    return True


def visible(
    data: Dataset,
    principal: Principal,
    agreements: Sequence[Agreement],
    today: dt.date,
    entity: str,
    *,
    aggregate: bool = False,
) -> dict[Any, frozenset[str]]:
    """Row id -> the columns shown, for every row of ``entity`` the principal may see."""
    answer: dict[Any, frozenset[str]] = {}
    me = principal.partner_id
    for row in data.get(table_name(entity), ()):
        found = covering(data, principal, agreements, today, entity, row, aggregate=aggregate)
        if not found or me is None:
            continue
        shown = set()
        for column in row:
            if column in structural_columns(entity):
                if LEARNER_ID_COLUMNS.get(entity) != column or (
                    not aggregate and any(a.granularity is Granularity.IDENTIFIED for a in found)
                ):
                    shown.add(column)
                continue
            category = category_of(entity, column)
            if category is None or (aggregate and category in IDENTIFYING_CATEGORIES):
                continue
            granted = any(column in (a.grant_for(entity) or _EMPTY).columns for a in found)
            if granted and _objection_allows(data, me, entity, category, row):
                shown.add(column)
        answer[row["id"]] = frozenset(shown)
    return answer


def pseudonym_for(
    data: Dataset,
    principal: Principal,
    agreements: Sequence[Agreement],
    today: dt.date,
    entity: str,
    row: Row,
) -> str | None:
    """The pseudonym the scope shows for ``row``: only where no identified agreement covers it."""
    found = covering(data, principal, agreements, today, entity, row)
    if any(a.granularity is Granularity.IDENTIFIED for a in found):
        return None
    for agreement in agreements:
        if agreement in found and agreement.pseudonym_key:
            return pseudonym_in_python(agreement.pseudonym_key, row[LEARNER_ID_COLUMNS[entity]])
    return None


_EMPTY = Grant(entity="", columns=frozenset(), categories=(), scope=())
