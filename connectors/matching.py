"""Identity resolution: which learner each incoming record is about.

A record links to an existing learner automatically only on strong evidence, in this order:

1. a link confirmed by hand (``IdentityLink`` for partner + source + local ref);
2. an exact, valid ULN (never the temporary ``9999999999``);
3. an exact, valid, permanent UPN (unless the record's ULN contradicts the learner's);
4. an exact match of normalised family name, given name, date of birth and postcode with exactly
   one candidate and no conflicting ULN or UPN.

Anything weaker (two of name, date of birth and postcode; a given-name variant; two exact
candidates; an exact match whose ULN differs) is never merged: the record gets a new
*provisional* learner, so nothing is lost, and a ``MatchReview`` names the candidates. Lookups
are batched per chunk (one query each for links, ULNs, UPNs and name keys), never per record,
and each record's identifiers and name keys are normalised once. A record with a valid ULN that
no learner has can only link by name to a learner without a ULN (any other shares its name key
under a conflicting ULN, which rules 4 and the review queue ignore unless the match is exact),
so on PostgreSQL its name-key lookup fetches only those: however many learners share a birthday
and a name, the candidates fetched per chunk stay few.
(Over 400 lines: the rules, their in-memory index and their batched queries belong together.)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    and_,
    bindparam,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from connectors.records import LearnerIn
from connectors.report import Severity, ValidationIssue
from hub.identifiers import is_matchable_uln, is_matchable_upn, normalise_postcode
from hub.store.batches import table_of
from hub.store.models.identity import IdentityLink
from hub.store.models.learners import Learner

_learners = table_of(Learner)
_links = table_of(IdentityLink)
_NOT_LETTERS = re.compile(r"[^a-z]")

Allocate = Callable[[int], Awaitable[list[int]]]


def normalise_name(name: str | None) -> str | None:
    """Lower-case letters only, accents folded: ``"O'Brien-Smith "`` -> ``"obriensmith"``."""
    if not name:
        return None
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return _NOT_LETTERS.sub("", folded) or None


def is_given_name_variant(first: str, second: str) -> bool:
    """Whether two normalised given names look like one name (``jon``/``jonathan``, ``mary``)."""
    if first == second:
        return False
    shorter, longer = sorted((first, second), key=len)
    return len(shorter) >= 3 and longer.startswith(shorter)


@dataclass(slots=True)
class _Known:
    """A learner as matching sees it: identifiers, normalised name parts and their index keys."""

    id: int
    uln: str | None
    upn: str | None
    family: str | None
    given: str | None
    date_of_birth: dt.date | None
    postcode: str | None
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (match_* column, key) it has


@dataclass(slots=True)
class Incoming:
    """One record of the chunk, normalised once: its usable identifiers and name keys."""

    record: LearnerIn
    uln: str | None  # a matchable ULN, else None
    upn: str | None  # a matchable UPN, else None
    me: _Known  # id 0: the record as a candidate would be seen
    keys: dict[str, str | None]  # the Learner.match_* columns (see ``match_keys``)
    postcode: str | None  # normalised (ZZ99 kept: it is stored, just never compared)

    @classmethod
    def of(cls, record: LearnerIn) -> Incoming:
        """Normalise ``record`` for matching."""
        uln = record.uln if is_matchable_uln(record.uln) else None
        upn = record.upn if is_matchable_upn(record.upn) else None
        family = normalise_name(record.family_name)
        given = normalise_name(record.given_name)
        postcode = normalise_postcode(record.postcode)
        place = None if postcode is None or postcode.startswith("ZZ99") else postcode
        keys = _keys(family, given, record.date_of_birth, place)
        pairs = [(name, value) for name, value in keys.items() if value is not None]
        me = _Known(0, uln, upn, family, given, record.date_of_birth, place, pairs)
        return cls(record, uln, upn, me, keys, postcode)


@dataclass(slots=True)
class Resolution:
    """The learner one record links to, and how the link was made."""

    learner_id: int
    how: str  # confirmed | uln | upn | name | new | provisional
    review_reason: str | None = None
    candidates: tuple[int, ...] = ()
    postcode: str | None = None  # the record's postcode, normalised once here for the loader

    @property
    def is_new(self) -> bool:
        """Whether the learner is created by this record (new or provisional)."""
        return self.how in ("new", "provisional")


@dataclass(slots=True)
class NewLearner:
    """A learner a chunk creates, with what its row stores besides the record's own fields."""

    id: int
    record: LearnerIn
    uln: str | None  # to store (None when another learner already holds it)
    upn: str | None
    keys: dict[str, str | None]  # the match_* columns
    postcode: str | None  # normalised


@dataclass(slots=True)
class ChunkResolution:
    """What a chunk resolved to: one resolution per record, and the learners to create."""

    resolutions: list[Resolution]
    new_learners: list[NewLearner] = field(default_factory=list)
    warnings: list[tuple[int, ValidationIssue]] = field(default_factory=list)  # (index, issue)
    fills: dict[int, dict[str, str]] = field(default_factory=dict)  # learner id -> identifiers

    async def apply_fills(self, conn: AsyncConnection) -> None:
        """Give matched learners the identifiers they lacked (written with the chunk)."""
        for learner_id, values in self.fills.items():
            await conn.execute(update(_learners).where(_learners.c.id == learner_id).values(values))


class IdentityResolver:
    """Resolves the learners of one batch, chunk by chunk, inside the batch's transaction."""

    def __init__(self, partner_id: int, source: str, allocate: Allocate) -> None:
        self.partner_id = partner_id
        self.source = source
        self._allocate = allocate
        self._uln_refs: dict[str, str] = {}
        self._has_links: bool | None = None

    @staticmethod
    def prepare(learners: Sequence[LearnerIn]) -> list[Incoming]:
        """Normalise a chunk's records for ``resolve`` (no database: the caller may do this
        while the database is still busy with the previous chunk)."""
        return [Incoming.of(record) for record in learners]

    async def resolve(self, conn: AsyncConnection, incoming: Sequence[Incoming]) -> ChunkResolution:
        """Resolve one prepared chunk without writing: the caller inserts new learners and fills."""
        if not incoming:
            return ChunkResolution(resolutions=[])
        learners = [one.record for one in incoming]
        ulns = sorted({i.uln for i in incoming if i.uln})
        upns = sorted({i.upn for i in incoming if i.upn})
        pins = await self._pins(conn, [r.local_ref for r in learners])
        by_uln: dict[str, _Known] = {}
        by_upn: dict[str, _Known] = {}
        if ulns:
            found = await _fetch(conn, _one_of(conn, _learners.c.uln, ulns), names=False)
            by_uln = {k.uln: k for k in found if k.uln}
        if upns:
            found = await _fetch(conn, _one_of(conn, _learners.c.upn, upns), names=False)
            by_upn = {k.upn: k for k in found if k.upn}
        state = _ChunkState(by_uln, by_upn)
        # Only records no identifier resolves need name-key candidates (none, on a reload).
        unresolved = [
            i
            for i in incoming
            if i.record.local_ref not in pins
            and i.record.uln not in by_uln
            and i.record.upn not in by_upn
        ]
        for known in await _name_candidates(conn, unresolved):
            state.index(known)
        out = ChunkResolution(resolutions=[])
        for index, one in enumerate(incoming):
            if one.uln is not None:
                first = self._uln_refs.setdefault(one.uln, one.record.local_ref)
                if first != one.record.local_ref:
                    out.warnings.append((index, _duplicate_uln(one.record, first)))
            resolution = self._decide(one, pins, state, out)
            resolution.postcode = one.postcode
            out.resolutions.append(resolution)
        await self._assign_ids(out)
        out.fills = state.fills
        return out

    def _decide(
        self, one: Incoming, pins: dict[str, int], state: _ChunkState, out: ChunkResolution
    ) -> Resolution:
        """Apply the rules of the module docstring, in order, to one record."""
        record, uln, upn = one.record, one.uln, one.upn
        pinned = pins.get(record.local_ref)
        if pinned is not None:
            return Resolution(pinned, "confirmed")
        if uln is not None and uln in state.by_uln:
            known = state.by_uln[uln]
            state.fill(known, None, upn)
            return Resolution(known.id, "uln")
        if upn is not None and upn in state.by_upn:
            known = state.by_upn[upn]
            if uln is None or known.uln is None or known.uln == uln:
                state.fill(known, uln, None)
                return Resolution(known.id, "upn")
            new = _NewLearner(one, uln, None)
            return new.create(state, out, "UPN matches a learner whose ULN differs", (known.id,))
        exact, weak, reason = _compare(one.me, uln, upn, state)
        if len(exact) == 1 and reason is None:
            state.fill(exact[0], uln, upn)
            return Resolution(exact[0].id, "name")
        candidates = tuple(dict.fromkeys(k.id for k in [*exact, *weak])) if exact or weak else ()
        if candidates and reason is None:
            reason = "partial match on " + _partial_reason(one.me, [*exact, *weak])
        return _NewLearner(one, uln, upn).create(state, out, reason, candidates)

    async def _assign_ids(self, out: ChunkResolution) -> None:
        ids = await self._allocate(len(out.new_learners))
        real = {-(n + 1): learner_id for n, learner_id in enumerate(ids)}
        for new in out.new_learners:
            new.id = real[new.id]
        for resolution in out.resolutions:
            if resolution.learner_id < 0:
                resolution.learner_id = real[resolution.learner_id]
            resolution.candidates = tuple(real.get(c, c) for c in resolution.candidates)

    async def _pins(self, conn: AsyncConnection, refs: list[str]) -> dict[str, int]:
        if self._has_links is None:  # most partners have none: then skip the lookup per chunk
            self._has_links = (
                await conn.scalar(
                    select(_links.c.id)
                    .where(_links.c.partner_id == self.partner_id, _links.c.source == self.source)
                    .limit(1)
                )
            ) is not None
        if not self._has_links:
            return {}
        rows = await conn.execute(
            select(_links.c.local_ref, _links.c.learner_id).where(
                _links.c.partner_id == self.partner_id,
                _links.c.source == self.source,
                _one_of(conn, _links.c.local_ref, refs),
                _links.c.learner_id.is_not(None),
            )
        )
        return {row.local_ref: int(row.learner_id) for row in rows}


@dataclass(slots=True)
class _NewLearner:
    """A learner a record creates: new, or provisional while a review is open."""

    one: Incoming
    uln: str | None
    upn: str | None

    def create(
        self,
        state: _ChunkState,
        out: ChunkResolution,
        reason: str | None,
        candidates: tuple[int, ...],
    ) -> Resolution:
        """Add the learner to the chunk under a placeholder id (made real by ``_assign_ids``)."""
        placeholder = -(len(out.new_learners) + 1)
        upn = self.upn if self.upn not in state.by_upn else None
        one = self.one
        out.new_learners.append(
            NewLearner(placeholder, one.record, self.uln, upn, one.keys, one.postcode)
        )
        me = self.one.me
        state.add(
            _Known(
                placeholder,
                self.uln,
                upn,
                me.family,
                me.given,
                me.date_of_birth,
                me.postcode,
                me.pairs,
            )
        )
        how = "provisional" if reason else "new"
        return Resolution(placeholder, how, reason, candidates)


class _ChunkState:
    """Known learners for one chunk, including the ones the chunk itself creates.

    Name-key candidates are indexed by every pair the rules compare (name + date of birth, name
    + postcode, date of birth + postcode, family name + either), so finding a record's
    candidates is a few dictionary lookups however many learners share a birthday.
    """

    def __init__(self, by_uln: dict[str, _Known], by_upn: dict[str, _Known]) -> None:
        self.by_uln = by_uln
        self.by_upn = by_upn
        self.by_pair: dict[tuple[object, ...], list[_Known]] = defaultdict(list)
        self.fills: dict[int, dict[str, str]] = {}

    def add(self, known: _Known) -> None:
        """A learner the chunk creates: findable by identifier and by name key."""
        if known.uln:
            self.by_uln[known.uln] = known
        if known.upn:
            self.by_upn[known.upn] = known
        self.index(known)

    def index(self, known: _Known) -> None:
        """Make a learner findable by the name-key pairs it has."""
        for key in known.pairs:
            self.by_pair[key].append(known)

    def candidates(self, mine: _Known) -> list[_Known]:
        """Learners sharing at least one compared pair with ``mine``."""
        seen: dict[int, _Known] = {}
        for key in mine.pairs:
            found = self.by_pair.get(key)
            if found:
                seen.update((k.id, k) for k in found)
        return list(seen.values())

    def fill(self, known: _Known, uln: str | None, upn: str | None) -> None:
        """Give an existing learner an identifier it lacks (never overwrite one)."""
        if known.id < 0:
            return
        if uln and known.uln is None and uln not in self.by_uln:
            known.uln = uln
            self.by_uln[uln] = known
            self.fills.setdefault(known.id, {})["uln"] = uln
        if upn and known.upn is None and upn not in self.by_upn:
            known.upn = upn
            self.by_upn[upn] = known
            self.fills.setdefault(known.id, {})["upn"] = upn


def match_keys(
    family_name: str | None,
    given_name: str | None,
    date_of_birth: dt.date | None,
    postcode: str | None,
) -> dict[str, str | None]:
    """The ``Learner.match_*`` columns for a learner (whoever inserts learners must set them).

    Each holds one pair the rules compare, from normalised parts: name + date of birth, name +
    postcode, date of birth + postcode. "Name" is the family name and the first three letters of
    the given name, which every exact name and every given-name variant (a prefix of three
    letters or more) shares. None when a part is missing (or the postcode is ESFA's unknown).
    """
    return _keys(
        normalise_name(family_name),
        normalise_name(given_name),
        date_of_birth,
        _matchable_postcode(postcode),
    )


def _keys(
    family: str | None, given: str | None, born: dt.date | None, place: str | None
) -> dict[str, str | None]:
    name = f"{family}|{given[:3]}" if family and given else None
    day = born.isoformat() if born else None
    return {
        "match_name_dob": f"{name}|{day}" if name and day else None,
        "match_name_postcode": f"{name}|{place}" if name and place else None,
        "match_dob_postcode": f"{day}|{place}" if day and place else None,
    }


def _known(
    learner_id: int,
    uln: str | None,
    upn: str | None,
    family_name: str | None,
    given_name: str | None,
    date_of_birth: dt.date | None,
    postcode: str | None,
) -> _Known:
    """A stored learner as matching sees it (names normalised, index keys computed)."""
    family = normalise_name(family_name)
    given = normalise_name(given_name)
    place = _matchable_postcode(postcode)
    keys = _keys(family, given, date_of_birth, place)
    pairs = [(name, value) for name, value in keys.items() if value is not None]
    return _Known(learner_id, uln, upn, family, given, date_of_birth, place, pairs)


def _matchable_postcode(postcode: str | None) -> str | None:
    """A normalised postcode, or None for ESFA's "unknown" ZZ99 postcodes (never evidence)."""
    normalised = normalise_postcode(postcode)
    return None if normalised is None or normalised.startswith("ZZ99") else normalised


def _compare(
    mine: _Known, uln: str | None, upn: str | None, state: _ChunkState
) -> tuple[list[_Known], list[_Known], str | None]:
    """Exact and weak name-key candidates, and why an exact match cannot be used (if so)."""
    seen = state.candidates(mine)
    exact: list[_Known] = []
    weak: list[_Known] = []
    conflict = False
    for known in seen:
        uln_conflict = bool(uln and known.uln and known.uln != uln)
        upn_conflict = bool(upn and known.upn and known.upn != upn)
        name_same = (
            mine.family is not None
            and mine.given is not None
            and (mine.family, mine.given) == (known.family, known.given)
        )
        variant = (
            mine.family is not None
            and mine.family == known.family
            and mine.given is not None
            and known.given is not None
            and is_given_name_variant(mine.given, known.given)
        )
        dob_same = mine.date_of_birth is not None and mine.date_of_birth == known.date_of_birth
        postcode_same = mine.postcode is not None and mine.postcode == known.postcode
        if name_same and mine.given is not None and dob_same and postcode_same:
            exact.append(known)
            conflict = conflict or uln_conflict or upn_conflict
        elif not uln_conflict and (
            (dob_same and postcode_same) or ((name_same or variant) and (dob_same or postcode_same))
        ):
            weak.append(known)
    reason = None
    if conflict:
        reason = "exact name, date of birth and postcode, but a different ULN or UPN"
    elif len(exact) > 1:
        reason = f"{len(exact)} learners share this name, date of birth and postcode"
    elif exact and weak:
        reason = None  # one exact candidate wins over weaker ones
        weak.clear()
    return exact, weak, reason


def _partial_reason(mine: _Known, candidates: list[_Known]) -> str:
    best = candidates[0]
    parts = []
    if (mine.family, mine.given) == (best.family, best.given):
        parts.append("name")
    elif mine.family == best.family:
        parts.append("family name (given name variant)")
    if mine.date_of_birth == best.date_of_birth:
        parts.append("date of birth")
    if mine.postcode and mine.postcode == best.postcode:
        parts.append("postcode")
    return ", ".join(parts) or "name key"


def _duplicate_uln(record: LearnerIn, first_ref: str) -> ValidationIssue:
    return ValidationIssue(
        rule="HUB_DUPLICATE_ULN",
        message=f"ULN also used by local ref {first_ref}; both records link to one learner",
        severity=Severity.WARNING,
        source_ref=record.local_ref,
        field="ULN",
    )


async def _fetch(conn: AsyncConnection, condition: object, *, names: bool) -> list[_Known]:
    """Learners meeting ``condition``; ``names`` normalises their name keys (for the index).

    A learner merged into another answers as the one it was merged into, so an identifier it
    kept still links new records to the person, never to the hidden merged-away row.
    """
    c = _learners.c
    person = func.coalesce(c.merged_into_id, c.id).label("id")
    rows = await conn.execute(
        select(person, c.uln, c.upn, c.family_name, c.given_name, c.date_of_birth, c.postcode)
        .where(condition)  # type: ignore[arg-type]
        .order_by(c.id)
    )
    if not names:  # found by an identifier: only its identifiers are ever compared
        return [_Known(int(row.id), row.uln, row.upn, None, None, None, None) for row in rows]
    return [_known(int(row.id), *row[1:]) for row in rows]


# The learners sharing a name key with each record, one statement per chunk; a record with a
# matchable ULN (``strict``) only needs learners without a ULN, or an exact name-key match (see
# the module docstring). The three branches each walk one match_* index.
_CANDIDATES = text(
    """
    WITH k AS (
        SELECT * FROM unnest(
            CAST(:name_dob AS varchar[]), CAST(:name_postcode AS varchar[]),
            CAST(:dob_postcode AS varchar[]), CAST(:strict AS boolean[])
        ) AS k(name_dob, name_postcode, dob_postcode, strict)
    )
    SELECT l.id, l.uln, l.upn, l.family_name, l.given_name, l.date_of_birth, l.postcode
    FROM learners AS l
    WHERE l.merged_into_id IS NULL AND l.id IN (
        SELECT m.id FROM k JOIN learners AS m ON m.match_name_dob = k.name_dob
        WHERE NOT k.strict OR m.uln IS NULL OR m.match_name_postcode = k.name_postcode
        UNION ALL
        SELECT m.id FROM k JOIN learners AS m ON m.match_name_postcode = k.name_postcode
        WHERE NOT k.strict OR m.uln IS NULL
        UNION ALL
        SELECT m.id FROM k JOIN learners AS m ON m.match_dob_postcode = k.dob_postcode
        WHERE NOT k.strict OR m.uln IS NULL
    )
    ORDER BY l.id
    """
).bindparams(
    bindparam("name_dob", type_=ARRAY(String)),
    bindparam("name_postcode", type_=ARRAY(String)),
    bindparam("dob_postcode", type_=ARRAY(String)),
    bindparam("strict", type_=ARRAY(Boolean)),
)


async def _name_candidates(conn: AsyncConnection, records: Sequence[Incoming]) -> list[_Known]:
    """Learners sharing a compared pair (see ``match_keys``) with any record of the chunk."""
    keyed = [r for r in records if r.me.pairs]
    if not keyed:
        return []
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(
            _CANDIDATES,
            {
                "name_dob": [r.keys["match_name_dob"] for r in keyed],
                "name_postcode": [r.keys["match_name_postcode"] for r in keyed],
                "dob_postcode": [r.keys["match_dob_postcode"] for r in keyed],
                "strict": [r.uln is not None for r in keyed],
            },
        )
        return [_known(int(row.id), *row[1:]) for row in rows]
    wanted: dict[str, set[str]] = defaultdict(set)
    for record in keyed:
        for column, value in record.me.pairs:
            wanted[column].add(value)
    return await _fetch(
        conn,
        and_(
            _learners.c.merged_into_id.is_(None),
            or_(*(_one_of(conn, _learners.c[name], values) for name, values in wanted.items())),
        ),
        names=True,
    )


def _one_of(conn: AsyncConnection, column: ColumnElement[str], values: Iterable[str]) -> Any:
    """``column IN values``; on PostgreSQL one array parameter, not thousands of parameters."""
    listed = sorted(values)
    if conn.dialect.name == "postgresql":
        # IN (SELECT unnest(array)): the planner joins the keys through the index; a bare
        # "= ANY(array parameter)" is scanned element by element for every row instead.
        return column.in_(select(func.unnest(bindparam(None, listed, type_=ARRAY(String)))))
    return column.in_(listed)
