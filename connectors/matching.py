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
are batched per chunk (one query each for links, ULNs, UPNs and name keys), never per record.
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

from sqlalchemy import ColumnElement, String, bindparam, func, or_, select, update
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
    """A learner as matching sees it: identifiers and normalised name key."""

    id: int
    uln: str | None
    upn: str | None
    family: str | None
    given: str | None
    date_of_birth: dt.date | None
    postcode: str | None


@dataclass(slots=True)
class Resolution:
    """The learner one record links to, and how the link was made."""

    learner_id: int
    how: str  # confirmed | uln | upn | name | new | provisional
    review_reason: str | None = None
    candidates: tuple[int, ...] = ()

    @property
    def is_new(self) -> bool:
        """Whether the learner is created by this record (new or provisional)."""
        return self.how in ("new", "provisional")


@dataclass(slots=True)
class ChunkResolution:
    """What a chunk resolved to: one resolution per record, and the learners to create."""

    resolutions: list[Resolution]
    new_learners: list[tuple[int, LearnerIn, str | None, str | None]] = field(
        default_factory=list
    )  # (id, record, uln to store, upn to store)
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

    async def resolve(
        self, conn: AsyncConnection, learners: Sequence[LearnerIn]
    ) -> ChunkResolution:
        """Resolve one chunk without writing: the caller inserts new learners and fills."""
        if not learners:
            return ChunkResolution(resolutions=[])
        ulns = sorted({r.uln for r in learners if r.uln and is_matchable_uln(r.uln)})
        upns = sorted({r.upn for r in learners if r.upn and is_matchable_upn(r.upn)})
        pins = await self._pins(conn, [r.local_ref for r in learners])
        by_uln: dict[str, _Known] = {}
        by_upn: dict[str, _Known] = {}
        if ulns:
            found = await _fetch(conn, _one_of(conn, _learners.c.uln, ulns))
            by_uln = {k.uln: k for k in found if k.uln}
        if upns:
            found = await _fetch(conn, _one_of(conn, _learners.c.upn, upns))
            by_upn = {k.upn: k for k in found if k.upn}
        state = _ChunkState(by_uln, by_upn)
        # Only records no identifier resolves need name-key candidates (none, on a reload).
        unresolved = [
            r
            for r in learners
            if r.local_ref not in pins and r.uln not in by_uln and r.upn not in by_upn
        ]
        for known in await _name_candidates(conn, unresolved):
            state.index(known)
        out = ChunkResolution(resolutions=[])
        for index, record in enumerate(learners):
            uln = record.uln if is_matchable_uln(record.uln) else None
            if uln is not None:
                first = self._uln_refs.setdefault(uln, record.local_ref)
                if first != record.local_ref:
                    out.warnings.append((index, _duplicate_uln(record, first)))
            out.resolutions.append(self._decide(record, uln, pins, state, out))
        await self._assign_ids(out)
        out.fills = state.fills
        return out

    def _decide(
        self,
        record: LearnerIn,
        uln: str | None,
        pins: dict[str, int],
        state: _ChunkState,
        out: ChunkResolution,
    ) -> Resolution:
        """Apply the rules of the module docstring, in order, to one record."""
        upn = record.upn if is_matchable_upn(record.upn) else None
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
            new = _NewLearner(record, uln, None)
            return new.create(state, out, "UPN matches a learner whose ULN differs", (known.id,))
        exact, weak, reason = _compare(record, uln, upn, state)
        if len(exact) == 1 and reason is None:
            state.fill(exact[0], uln, upn)
            return Resolution(exact[0].id, "name")
        candidates = tuple(dict.fromkeys(k.id for k in [*exact, *weak]))
        if candidates and reason is None:
            reason = "partial match on " + _partial_reason(record, [*exact, *weak])
        return _NewLearner(record, uln, upn).create(state, out, reason, candidates)

    async def _assign_ids(self, out: ChunkResolution) -> None:
        ids = await self._allocate(len(out.new_learners))
        real = {-(n + 1): learner_id for n, learner_id in enumerate(ids)}
        out.new_learners = [(real[p], r, uln, upn) for p, r, uln, upn in out.new_learners]
        for resolution in out.resolutions:
            if resolution.learner_id < 0:
                resolution.learner_id = real[resolution.learner_id]
            resolution.candidates = tuple(real.get(c, c) for c in resolution.candidates)

    async def _pins(self, conn: AsyncConnection, refs: list[str]) -> dict[str, int]:
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

    record: LearnerIn
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
        out.new_learners.append((placeholder, self.record, self.uln, upn))
        state.add(_known(placeholder, self.record, self.uln, upn))
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
        for key in _pairs(known):
            self.by_pair[key].append(known)

    def candidates(self, mine: _Known) -> list[_Known]:
        """Learners sharing at least one compared pair with ``mine``."""
        seen: dict[int, _Known] = {}
        for key in _pairs(mine):
            seen.update((k.id, k) for k in self.by_pair.get(key, ()))
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


def _pairs(known: _Known) -> list[tuple[str, str]]:
    """The index keys of a learner: each compared pair whose parts are both known."""
    keys = _keys(known.family, known.given, known.date_of_birth, known.postcode)
    return [(name, value) for name, value in keys.items() if value is not None]


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


def _known(learner_id: int, record: LearnerIn, uln: str | None, upn: str | None) -> _Known:
    return _Known(
        learner_id,
        uln,
        upn,
        normalise_name(record.family_name),
        normalise_name(record.given_name),
        record.date_of_birth,
        _matchable_postcode(record.postcode),
    )


def _matchable_postcode(postcode: str | None) -> str | None:
    """A normalised postcode, or None for ESFA's "unknown" ZZ99 postcodes (never evidence)."""
    normalised = normalise_postcode(postcode)
    return None if normalised is None or normalised.startswith("ZZ99") else normalised


def _compare(
    record: LearnerIn, uln: str | None, upn: str | None, state: _ChunkState
) -> tuple[list[_Known], list[_Known], str | None]:
    """Exact and weak name-key candidates, and why an exact match cannot be used (if so)."""
    mine = _known(0, record, uln, upn)
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


def _partial_reason(record: LearnerIn, candidates: list[_Known]) -> str:
    mine = _known(0, record, None, None)
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


async def _fetch(conn: AsyncConnection, condition: object) -> list[_Known]:
    c = _learners.c
    rows = await conn.execute(
        select(c.id, c.uln, c.upn, c.family_name, c.given_name, c.date_of_birth, c.postcode).where(
            condition  # type: ignore[arg-type]
        )
    )
    return [
        _Known(
            int(row.id),
            row.uln,
            row.upn,
            normalise_name(row.family_name),
            normalise_name(row.given_name),
            row.date_of_birth,
            _matchable_postcode(row.postcode),
        )
        for row in rows
    ]


async def _name_candidates(conn: AsyncConnection, learners: Sequence[LearnerIn]) -> list[_Known]:
    """Learners sharing a compared pair (see ``match_keys``) with any record of the chunk."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for record in learners:
        for column, value in match_keys(
            record.family_name, record.given_name, record.date_of_birth, record.postcode
        ).items():
            if value is not None:
                wanted[column].add(value)
    if not wanted:
        return []
    return await _fetch(
        conn, or_(*(_one_of(conn, _learners.c[name], values) for name, values in wanted.items()))
    )


def _one_of(conn: AsyncConnection, column: ColumnElement[str], values: Iterable[str]) -> Any:
    """``column IN values``; on PostgreSQL one array parameter, not thousands of parameters."""
    listed = sorted(values)
    if conn.dialect.name == "postgresql":
        # IN (SELECT unnest(array)): the planner joins the keys through the index; a bare
        # "= ANY(array parameter)" is scanned element by element for every row instead.
        return column.in_(select(func.unnest(bindparam(None, listed, type_=ARRAY(String)))))
    return column.in_(listed)
