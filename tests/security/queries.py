"""Random GraphQL queries over the hub's schema, with the selection kept for checking answers.

A query is generated as a tree of ``Field`` (response key, schema field, arguments, nested
selection) and rendered to text with aliases, repeated fields, inline and named fragments, so
the checker can walk the response with the tree whatever shape the text took. Every object
selection includes ``id``: it is how the checker knows which row a JSON object is.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from policies.catalogue import CATALOGUE
from schema.pagination import encode_cursor

MAX_DEPTH = 3
ROOTS = {
    "learners": "Learner",
    "partners": "Partner",
    "partnerships": "Partnership",
    "provision": "Provision",
    "fundingStreams": "FundingStream",
}
# Filters that read a column (and may be refused) and their candidate values.
FILTERS: dict[str, dict[str, tuple[Any, ...]]] = {
    "learners": {
        "partnerId": ("1", "2", "3", "4", "5", "6", "7", "99"),
        "laOfResidence": ("931", "932"),
        "minAge": (14, 15, 16, 17),
        "maxAge": (15, 16, 17, 18),
    },
    "provision": {
        "level": ("1", "2", "3"),
        "diplomaLine": ("engineering", "society_health"),
        "academicYear": ("2025/26", "2026/27"),
        "deliveringPartnerId": ("1", "3", "4"),
    },
    "partners": {
        "partnerType": ("school", "fe_college"),
        "laCode": ("931", "932"),
        "partnershipId": ("1", "2"),
    },
}
DIMENSIONS = (
    "LA_OF_RESIDENCE",
    "AGE",
    "SEX",
    "ACTIVITY_CATEGORY",
    "HOME_PARTNER",
    "DELIVERING_PARTNER",
    "LEVEL",
    "DIPLOMA_LINE",
    "ACADEMIC_YEAR",
)


@dataclass
class Field:
    """One selected field: its response key, schema name, arguments and sub-selection."""

    key: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    sub: list[Field] | None = None
    typename: str | None = None


@dataclass
class Root:
    """A root connection field and what was asked of it."""

    key: str
    name: str
    first: int
    after: int | None
    filters: dict[str, Any]
    envelope: list[Field]


@dataclass
class Query:
    """A generated operation: its text, variables, and the trees to check the answer with."""

    text: str
    variables: dict[str, Any]
    roots: list[Root] = field(default_factory=list)
    entities: list[tuple[str, str, Any]] = field(default_factory=list)
    entity_selections: dict[str, list[Field]] = field(default_factory=dict)
    counts: tuple[list[str], dict[str, Any]] | None = None


class Generator:
    """Draws one query from a seeded ``random.Random`` (hypothesis supplies the seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.aliases = 0
        self.fragments: list[str] = []

    def _key(self, name: str) -> str:
        if self.aliases < 12 and self.r.random() < 0.2:
            self.aliases += 1
            return f"k{self.aliases}_{name}"
        return name

    def selection(self, typename: str, depth: int) -> list[Field]:
        """Random fields of ``typename``: ``id``, scalars (some twice), relations."""
        spec = CATALOGUE[typename]
        fields = [Field("id", "id")]
        scalars = [s for s in spec.scalars if s != "id"]
        for name in self.r.sample(scalars, self.r.randint(0, len(scalars))):
            fields.append(Field(self._key(name), name))
            if self.aliases < 12 and self.r.random() < 0.1:  # the same field again, aliased
                self.aliases += 1
                fields.append(Field(f"again{self.aliases}_{name}", name))
        if self.r.random() < 0.3:
            fields.append(Field("__typename", "__typename"))
        if depth < MAX_DEPTH:
            relations = list(spec.relations.items())
            for name, relation in self.r.sample(
                relations, self.r.randint(0, min(2, len(relations)))
            ):
                args = (
                    {"first": self.r.randint(1, 4)}
                    if relation.many and self.r.random() < 0.4
                    else {}
                )
                sub = self.selection(relation.target, depth + 1)
                fields.append(Field(self._key(name), name, args, sub, relation.target))
        return fields

    def render(self, fields: list[Field], typename: str) -> str:
        """The fields as text, some grouped in inline or named fragments."""
        texts = [self._field_text(f) for f in fields]
        out: list[str] = []
        index = 0
        while index < len(texts):
            size = self.r.randint(1, 3)
            chunk = " ".join(texts[index : index + size])
            index += size
            roll = self.r.random()
            if roll < 0.15:
                out.append(f"... on {typename} {{ {chunk} }}")
            elif roll < 0.25:
                name = f"F{len(self.fragments)}"
                self.fragments.append(f"fragment {name} on {typename} {{ {chunk} }}")
                out.append(f"...{name}")
            else:
                out.append(chunk)
        return " ".join(out)

    def _field_text(self, f: Field) -> str:
        head = f.name if f.key == f.name else f"{f.key}: {f.name}"
        if f.args:
            head += "(" + ", ".join(f"{k}: {_literal(v)}" for k, v in f.args.items()) + ")"
        if f.sub is None or f.typename is None:
            return head
        return f"{head} {{ {self.render(f.sub, f.typename)} }}"

    def connection(self, index: int) -> tuple[Root, str]:
        """A root connection field with a random envelope, page, cursor and filter."""
        name = self.r.choice(list(ROOTS))
        typename = ROOTS[name]
        key = name if index == 0 else f"root{index}"
        first = self.r.randint(0, 12)
        after = self.r.randint(0, 45) if self.r.random() < 0.3 else None
        filters: dict[str, Any] = {}
        if name in FILTERS and self.r.random() < 0.4:
            for argument, values in FILTERS[name].items():
                if self.r.random() < 0.4:
                    filters[argument] = self.r.choice(values)
        envelope: list[Field] = []
        if self.r.random() < 0.7:
            envelope.append(Field("totalCount", "totalCount"))
        if self.r.random() < 0.4:
            envelope.append(
                Field("pageInfo", "pageInfo", sub=[Field("hasNextPage", "hasNextPage")])
            )
        nodes = [Field("node", "node", sub=self.selection(typename, 1), typename=typename)]
        if self.r.random() < 0.15:
            nodes.append(Field("twin", "node", sub=self.selection(typename, 1), typename=typename))
        envelope.append(Field("edges", "edges", sub=[Field("cursor", "cursor"), *nodes]))
        args = [f"first: {first}"]
        if after is not None:
            args.append(f"after: {_literal(encode_cursor(after))}")
        if filters:
            args.append(
                "filter: {" + ", ".join(f"{k}: {_literal(v)}" for k, v in filters.items()) + "}"
            )
        parts = []
        for f in envelope:
            if f.name == "edges":
                inner = " ".join(self._edge_item(n, typename) for n in f.sub or [])
                parts.append(f"edges {{ {inner} }}")
            elif f.name == "pageInfo":
                parts.append("pageInfo { hasNextPage }")
            else:
                parts.append(f.name)
        head = name if key == name else f"{key}: {name}"
        text = f"{head}({', '.join(args)}) {{ {' '.join(parts)} }}"
        return Root(key, name, first, after, filters, envelope), text

    def _edge_item(self, f: Field, typename: str) -> str:
        if f.name == "cursor":
            return "cursor"
        head = "node" if f.key == "node" else f"{f.key}: node"
        return f"{head} {{ {self.render(f.sub or [], typename)} }}"

    def list_query(self) -> Query:
        """One or two root connections (one only when a filter could be refused)."""
        roots, texts = [], []
        for index in range(self.r.randint(1, 2)):
            kept = len(self.fragments)
            root, text = self.connection(index)
            if root.filters and index:  # a refused filter nulls the whole answer: ask alone
                del self.fragments[kept:]
                break
            roots.append(root)
            texts.append(text)
            if root.filters:
                break
        body = "query Q { " + " ".join(texts) + " } " + " ".join(self.fragments)
        return Query(body, {}, roots=roots)

    def entities_query(self) -> Query:
        """``_entities`` with random representations of every entity key."""
        reps: list[tuple[str, str, Any]] = []
        for _ in range(self.r.randint(1, 5)):
            kind = self.r.choice(["Learner", "Learner", "Partner", "Provision"])
            if kind == "Learner":
                ident = self.r.randint(1, 42)
                reps.append(
                    ("Learner", "id", str(ident))
                    if self.r.random() < 0.5
                    else ("Learner", "uln", str(1000000000 + ident))
                )
            elif kind == "Partner":
                reps.append(
                    self.r.choice(
                        [
                            ("Partner", "id", str(self.r.randint(1, 8))),
                            (
                                "Partner",
                                "ukprn",
                                self.r.choice(["10000003", "10000004", "10000099"]),
                            ),
                            ("Partner", "urn", self.r.choice(["100001", "100002", "100007"])),
                        ]
                    )
                )
            else:
                reps.append(("Provision", "id", str(self.r.randint(1, 5))))
        selections = {t: self.selection(t, 1) for t in ("Learner", "Partner", "Provision")}
        body = " ".join(f"... on {t} {{ {self.render(s, t)} }}" for t, s in selections.items())
        text = (
            "query E($reps: [_Any!]!) { _entities(representations: $reps) { "
            + body
            + " } } "
            + " ".join(self.fragments)
        )
        variables = {"reps": [{"__typename": t, k: v} for t, k, v in reps]}
        return Query(text, variables, entities=reps, entity_selections=selections)

    def counts_query(self) -> Query:
        """``learnerCounts`` by one or two dimensions, sometimes with a filter."""
        dims = self.r.sample(DIMENSIONS, self.r.randint(1, 2))
        filters: dict[str, Any] = {}
        if self.r.random() < 0.3:
            filters[self.r.choice(["laOfResidence", "minAge", "maxAge"])] = self.r.choice(
                ["931", "932"]
            )
            if "laOfResidence" not in filters:
                filters = {next(iter(filters)): self.r.randint(15, 17)}
        if "ACTIVITY_CATEGORY" in dims and self.r.random() < 0.2:
            filters["activityCategory"] = self.r.choice(["education", "neet"])
        wanted = (
            "laOfResidence age sex activityCategory homePartnerId deliveringPartnerId "
            "level diplomaLine academicYear count totalOver"
        )
        argument = f"groupBy: [{', '.join(dims)}]"
        if filters:
            argument += (
                ", filter: {" + ", ".join(f"{k}: {_literal(v)}" for k, v in filters.items()) + "}"
            )
        text = f"{{ learnerCounts({argument}) {{ {wanted} }} }}"
        return Query(text, {}, counts=(list(dims), filters))


def _literal(value: Any) -> str:
    return json.dumps(value)
