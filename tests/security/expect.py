"""What a principal's answer may hold, from the plain-Python oracle, and the checks against it.

``Oracle`` wraps ``tests.support.oracle`` with caching and the read API's semantics (ordering,
pages, filters, lookups, counts). ``check_lists``, ``check_entities`` and ``check_counts`` walk a
response with the generated selection tree (``tests.security.queries``) and return one line per
problem: a row or learner outside the visible set, a value in a column the row does not show, a
withheld field without its ``FORBIDDEN_FIELD`` error, a count that differs or reveals a hidden one.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from hub.principal import Principal
from policies.access import Granularity
from policies.agreement import DEFAULT_MIN_CELL_SIZE, Agreement
from policies.catalogue import CATALOGUE, Encoding
from policies.categories import table_name
from tests.security.queries import Field, Query, Root
from tests.support import oracle

Rows = dict[str, list[dict[str, Any]]]
FORBIDDEN = "FORBIDDEN_FIELD"
# Root filter argument -> the column it reads (None: structural, never refused).
FILTER_COLUMNS = {
    "laOfResidence": "la_of_residence",
    "minAge": "date_of_birth",
    "maxAge": "date_of_birth",
    "level": "level",
    "diplomaLine": "diploma_line",
    "academicYear": "academic_year",
    "partnerType": "partner_type",
    "laCode": "la_code",
}


@dataclass(frozen=True)
class Who:
    """A partner principal: which partner, role and declared purpose."""

    partner: int
    role: str
    purpose: str

    @property
    def principal(self) -> Principal:
        """The principal the hub builds for this caller."""
        return Principal(
            subject=f"{self.partner}-{self.role}",
            role=self.role,
            partner_id=self.partner,
            purposes=(self.purpose,),
            purpose=self.purpose,
        )


@dataclass
class Oracle:
    """The oracle over one dataset and agreement set, on one day, with caches."""

    data: Rows
    agreements: list[Agreement]
    today: dt.date
    _visible: dict[tuple[Who, str, bool], dict[Any, frozenset[str]]] = field(default_factory=dict)

    def visible(self, who: Who, entity: str, aggregate: bool = False) -> dict[Any, frozenset[str]]:
        """Row id -> columns shown (cached)."""
        key = (who, entity, aggregate)
        if key not in self._visible:
            self._visible[key] = oracle.visible(
                self.data, who.principal, self.agreements, self.today, entity, aggregate=aggregate
            )
        return self._visible[key]

    def row(self, entity: str, row_id: Any) -> dict[str, Any]:
        """The stored row of ``entity`` with this id."""
        return next(r for r in self.data[table_name(entity)] if r["id"] == row_id)

    def learner_key(self, who: Who, learner_id: int) -> str:
        """The ``id`` a visible learner comes back with: its id, or 'p-' and its pseudonym."""
        if "id" in self.visible(who, "learner")[learner_id]:
            return str(learner_id)
        found = oracle.pseudonym_for(
            self.data,
            who.principal,
            self.agreements,
            self.today,
            "learner",
            self.row("learner", learner_id),
        )
        return f"p-{found}"

    def in_force(self, who: Who) -> list[Agreement]:
        """Agreements in force for the caller (party membership not yet checked)."""
        return oracle.in_force(who.principal, self.agreements, self.today)

    def granularity(self, who: Who) -> Granularity:
        """The finest granularity in force (aggregate when none): what the hub reports."""
        order = [Granularity.IDENTIFIED, Granularity.PSEUDONYMISED, Granularity.AGGREGATE]
        found = [a.granularity for a in self.in_force(who) if a.grants]
        return min(found, key=order.index, default=Granularity.AGGREGATE)

    def min_cell_size(self, who: Who) -> int:
        """The suppression threshold of the caller's counts."""
        sizes = [
            a.min_cell_size for a in self.in_force(who) if a.granularity is Granularity.AGGREGATE
        ]
        return max(sizes, default=DEFAULT_MIN_CELL_SIZE)


def _errors(body: dict[str, Any]) -> tuple[set[str], list[dict[str, Any]]]:
    forbidden, other = set(), []
    for error in body.get("errors") or []:
        if (error.get("extensions") or {}).get("code") == FORBIDDEN and error.get("path"):
            forbidden.add(".".join(str(p) for p in error["path"]))
        else:
            other.append(error)
    return forbidden, other


def _json_value(value: Any, encoding: Encoding) -> Any:
    if value is None:
        return None
    if encoding is Encoding.DATE:
        return value.isoformat()
    if encoding is Encoding.BOOL:
        return bool(value)
    if encoding is Encoding.INT:
        return int(value)
    if encoding is Encoding.MONEY:
        return f"{value // 100}.{value % 100:02d}"
    return str(value)


def decode_cursor(cursor: str) -> str:
    """A cursor's plain text (cursors are opaque to clients, so whatever they hold is shown)."""
    return base64.urlsafe_b64decode(cursor.encode()).decode(errors="replace")


@dataclass
class Walk:
    """Checks one response for one principal."""

    oracle: Oracle
    who: Who
    forbidden: set[str]
    problems: list[str] = field(default_factory=list)

    def identify(self, typename: str, obj: dict[str, Any], where: str) -> Any | None:
        """The stored id of the row a JSON object is, or None (problem noted)."""
        raw = obj.get("id")
        if typename != "Learner":
            return int(raw) if raw is not None else None
        visible = self.oracle.visible(self.who, "learner")
        for learner_id in visible:
            if self.oracle.learner_key(self.who, learner_id) == raw:
                return learner_id
        self.problems.append(f"{where}: learner {raw!r} is not one this principal may see")
        return None

    def cursor(self, typename: str, cursor: str, where: str) -> None:
        """A cursor must not carry what the row's own fields withhold (a learner's real id)."""
        if typename != "Learner":
            return
        text = decode_cursor(cursor)
        if text.startswith("position:"):
            # A positional cursor counts rows; it names no learner (the API refuses id cursors
            # from this principal, see test_isolation).
            return
        for learner_id, cols in self.oracle.visible(self.who, "learner").items():
            if "id" not in cols and text.endswith(f":{learner_id}"):
                self.problems.append(
                    f"{where}: cursor {cursor!r} ({text!r}) carries the real id of a learner "
                    "whose id is withheld"
                )

    def node(self, typename: str, obj: dict[str, Any], fields: list[Field], path: str) -> None:
        """Check one object (row visible, every value allowed) and recurse into relations."""
        spec = CATALOGUE[typename]
        row_id = self.identify(typename, obj, path)
        if row_id is None:
            return
        visible = self.oracle.visible(self.who, spec.entity)
        if row_id not in visible:
            self.problems.append(f"{path}: {spec.entity} {row_id} is outside the visible set")
            return
        shown = visible[row_id]
        row = self.oracle.row(spec.entity, row_id)
        for f in fields:
            value = obj.get(f.key)
            where = f"{path}.{f.key}"
            if f.name == "__typename":
                continue
            if f.sub is None:
                self.scalar(spec.entity, typename, f, value, row, shown, where)
            else:
                self.relation(spec.entity, typename, f, value, row, where)

    def scalar(
        self,
        entity: str,
        typename: str,
        f: Field,
        value: Any,
        row: dict[str, Any],
        shown: frozenset[str],
        where: str,
    ) -> None:
        scalar = CATALOGUE[typename].scalars[f.name]
        if scalar.encoding is Encoding.PSEUDONYM:
            expected = oracle.pseudonym_for(
                self.oracle.data,
                self.who.principal,
                self.oracle.agreements,
                self.oracle.today,
                entity,
                row,
            )
            if value != expected:
                self.problems.append(f"{where}: pseudonym {value!r}, expected {expected!r}")
            return
        if typename == "Learner" and f.name == "id":
            expected_id = self.oracle.learner_key(self.who, row["id"])
            if value != expected_id:
                self.problems.append(f"{where}: learner id {value!r}, expected {expected_id!r}")
            return
        if scalar.column not in shown:
            if value is not None:
                self.problems.append(f"{where}: {entity}.{scalar.column} disclosed: {value!r}")
            if self._dotted(where) not in self.forbidden:
                self.problems.append(f"{where}: withheld without a FORBIDDEN_FIELD error")
            return
        expected = _json_value(row[scalar.column], scalar.encoding)
        if value != expected:
            self.problems.append(f"{where}: {value!r} but the store has {expected!r}")

    @staticmethod
    def _dotted(where: str) -> str:
        return ".".join(p for p in where.split(".") if not p.startswith("["))

    def relation(
        self, entity: str, typename: str, f: Field, value: Any, row: dict[str, Any], where: str
    ) -> None:
        relation = CATALOGUE[typename].relations[f.name]
        target = CATALOGUE[relation.target]
        visible = self.oracle.visible(self.who, target.entity)
        candidates = sorted(
            r["id"]
            for r in self.oracle.data[table_name(target.entity)]
            if r[relation.remote] == row[relation.local] and r["id"] in visible
        )
        assert f.sub is not None
        if not relation.many:
            if value is None:
                if candidates:
                    self.problems.append(f"{where}: null, but {candidates} is visible")
                return
            self.node(relation.target, value, f.sub, where)
            if self.identify(relation.target, value, where) not in candidates:
                self.problems.append(f"{where}: not the row {row[relation.local]} points at")
            return
        limit = f.args.get("first")
        expected = candidates if limit is None else candidates[:limit]
        items = value or []
        got = [self.identify(relation.target, item, where) for item in items]
        if got != expected:
            self.problems.append(f"{where}: rows {got}, expected {expected}")
        for index, item in enumerate(items):
            self.node(relation.target, item, f.sub, f"{where}.[{index}]")


def _learner_matches(o: Oracle, who: Who, row: dict[str, Any], filters: dict[str, Any]) -> bool:
    partner = filters.get("partnerId")
    if partner is not None:
        records = o.visible(who, "learner_record")
        participations = o.visible(who, "participation")
        if not any(
            r["learner_id"] == row["id"] and r["partner_id"] == int(partner) and r["id"] in records
            for r in o.data["learner_records"]
        ) and not any(
            p["learner_id"] == row["id"]
            and p["delivering_partner_id"] == int(partner)
            and p["id"] in participations
            for p in o.data["participations"]
        ):
            return False
    if "laOfResidence" in filters and row["la_of_residence"] != filters["laOfResidence"]:
        return False
    reference = academic_reference(o.today)
    born = row["date_of_birth"]
    if "minAge" in filters and not (born and born <= _years_before(reference, filters["minAge"])):
        return False
    return "maxAge" not in filters or bool(
        born and born > _years_before(reference, filters["maxAge"] + 1)
    )


def academic_reference(today: dt.date) -> dt.date:
    """The 31 August ages are counted at."""
    return dt.date(today.year if today.month >= 9 else today.year - 1, 8, 31)


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(
        year=day.year - years, day=28 if (day.month, day.day) == (2, 29) else day.day
    )


def _matches(o: Oracle, who: Who, root: Root, row: dict[str, Any]) -> bool:
    filters = root.filters
    if root.name == "learners":
        return _learner_matches(o, who, row, filters)
    if root.name == "partners" and "partnershipId" in filters:
        memberships = o.visible(who, "membership")
        if not any(
            m["partner_id"] == row["id"]
            and m["partnership_id"] == int(filters["partnershipId"])
            and m["id"] in memberships
            for m in o.data["memberships"]
        ):
            return False
    if "deliveringPartnerId" in filters and row["delivering_partner_id"] != int(
        filters["deliveringPartnerId"]
    ):
        return False
    return all(row[FILTER_COLUMNS[k]] == v for k, v in filters.items() if k in FILTER_COLUMNS)


_ROOT_TYPES = {
    "learners": "Learner",
    "partners": "Partner",
    "partnerships": "Partnership",
    "provision": "Provision",
    "fundingStreams": "FundingStream",
}


def check_lists(
    o: Oracle, who: Who, query: Query, body: dict[str, Any], *, cursors: bool = True
) -> list[str]:
    """Every problem in a response to a query of root connections (``cursors``: check them)."""
    forbidden, other = _errors(body)
    walk = Walk(o, who, forbidden)
    data = body.get("data") or {}
    for root in query.roots:
        read_columns = {FILTER_COLUMNS[k] for k in root.filters if k in FILTER_COLUMNS}
        if data.get(root.key) is None:
            if root.after is not None and _refused_cursor(other, root.key):
                # A principal whose learner ids are withheld gets positional cursors and may
                # not send an id cursor back (it would probe real ids): a refusal is right.
                other = [e for e in other if e.get("path") != [root.key]]
                continue
            if not (read_columns and root.key in forbidden):
                walk.problems.append(f"{root.key}: no answer: {body.get('errors')}")
            continue
        _check_root(walk, root, data[root.key], read_columns, cursors=cursors)
    if other:
        walk.problems.append(f"unexpected errors: {other}")
    return walk.problems


def _refused_cursor(errors: list[dict[str, Any]], key: str) -> bool:
    return any(
        e.get("path") == [key]
        and (e.get("extensions") or {}).get("code") == "BAD_REQUEST"
        and "cursor" in str(e.get("message"))
        for e in errors
    )


def _check_root(
    walk: Walk, root: Root, connection: dict[str, Any], read_columns: set[str], *, cursors: bool
) -> None:
    o, who = walk.oracle, walk.who
    typename = _ROOT_TYPES[root.name]
    entity = CATALOGUE[typename].entity
    visible = o.visible(who, entity)
    for column in read_columns:
        hidden = [i for i, cols in visible.items() if column not in cols]
        if hidden:
            walk.problems.append(
                f"{root.key}: filter on {column} accepted, but it is withheld on rows {hidden}"
            )
    matching = sorted(i for i in visible if _matches(o, who, root, o.row(entity, i)))
    after = [i for i in matching if root.after is None or i > root.after]
    if "totalCount" in connection and connection["totalCount"] != len(matching):
        walk.problems.append(
            f"{root.key}.totalCount: {connection['totalCount']}, visible {len(matching)}"
        )
    more = len(after) > root.first
    if "pageInfo" in connection and connection["pageInfo"]["hasNextPage"] != more:
        walk.problems.append(f"{root.key}.pageInfo.hasNextPage is wrong")
    edges_field = next(f for f in root.envelope if f.name == "edges")
    for index, edge in enumerate(connection["edges"]):
        for f in edges_field.sub or []:
            where = f"{root.key}.edges.[{index}].{f.key}"
            if f.name != "cursor":
                walk.node(typename, edge[f.key], f.sub or [], where)
            elif cursors:
                walk.cursor(typename, edge[f.key], where)
    got = [walk.identify(typename, e["node"], root.key) for e in connection["edges"]]
    if got != after[: root.first]:
        walk.problems.append(f"{root.key}: page {got}, expected {after[: root.first]}")


def check_entities(o: Oracle, who: Who, query: Query, body: dict[str, Any]) -> list[str]:
    """Every problem in an ``_entities`` answer: a row found only when visible and keyed."""
    forbidden, other = _errors(body)
    walk = Walk(o, who, forbidden)
    found = (body.get("data") or {}).get("_entities")
    if found is None or other:
        return [f"_entities: no answer: {body.get('errors')}"]
    for index, ((typename, key, value), obj) in enumerate(zip(query.entities, found, strict=True)):
        spec = CATALOGUE[typename]
        column = spec.scalars[key].column
        visible = o.visible(who, spec.entity)
        hits = [
            i
            for i, cols in visible.items()
            if column in cols and str(o.row(spec.entity, i)[column]) == value
        ]
        where = f"_entities.[{index}]"
        if obj is None:
            if hits:
                walk.problems.append(f"{where}: {typename} {key}={value} is visible but null")
            continue
        walk.node(typename, obj, query.entity_selections[typename], where)
        if not hits:
            walk.problems.append(f"{where}: {typename} {key}={value} found, must be null")
    return walk.problems


__all__ = ["FORBIDDEN", "Oracle", "Who", "academic_reference", "check_entities", "check_lists"]
