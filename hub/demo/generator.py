"""The deterministic synthetic partnership: a fixed structure plus learners in blocks.

``DemoModel(learners, seed)`` is cheap to make; rows are produced on demand. Learners come in
blocks of ``BLOCK_SIZE``, each drawn from its own ``random.Random`` seeded by (seed, block), so
a million learners stream without being held in memory, and the same learners and seed always
give the same rows (ids included: every id is fixed in the model, not by the database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from hub.demo.block import Block, IdCounters
from hub.demo.funding import add_funding
from hub.demo.journeys import add_journeys
from hub.demo.partnership import Row, Structure, build_structure
from hub.demo.people import draw_person

BLOCK_SIZE = 1000
DEFAULT_LEARNERS = 5000
DEFAULT_SEED = 1419
# Insertion order: every table after the tables its foreign keys point to.
TABLE_ORDER = (
    "partners",
    "sites",
    "partnerships",
    "memberships",
    "funding_streams",
    "provision",
    "funding_allocations",
    "learners",
    "learner_records",
    "participations",
    "attendance_weeks",
    "applications",
    "offers",
    "activities",
    "funding_flows",
)


@dataclass(slots=True)
class DemoModel:
    """A synthetic partnership of ``learners`` learners drawn from ``seed``."""

    learners: int = DEFAULT_LEARNERS
    seed: int = DEFAULT_SEED
    _structure: Structure | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.learners < 0:
            raise ValueError("learners must not be negative")

    @property
    def structure(self) -> Structure:
        """Partners, partnerships, sites, provision and funding (built once)."""
        if self._structure is None:
            structure = build_structure(self.learners, self.seed)
            add_funding(structure, self.learners)
            self._structure = structure
        return self._structure

    def structure_rows(self) -> dict[str, list[Row]]:
        """The fixed rows, by table."""
        return self.structure.rows

    def blocks(self) -> Iterator[Block]:
        """Learner blocks in order; each call starts again from the first learner."""
        structure = self.structure
        counters = IdCounters()
        counters.next["funding_flows"] = len(structure.rows.get("funding_flows", [])) + 1
        for block_no, start in enumerate(range(0, self.learners, BLOCK_SIZE)):
            rng = random.Random(f"demo:{self.seed}:{block_no}")
            block = Block(counters)
            for index in range(start, min(start + BLOCK_SIZE, self.learners)):
                person = draw_person(rng, structure, index, self.seed)
                block.add("learners", person.row)
                add_journeys(block, rng, structure, person)
            yield block

    def iter_rows(self) -> Iterator[tuple[str, Row]]:
        """Every row, structure first, as (table, row)."""
        for table in TABLE_ORDER:
            for row in self.structure_rows().get(table, []):
                yield table, row
        for block in self.blocks():
            for table in TABLE_ORDER:
                for row in block.rows.get(table, []):
                    yield table, row

    def digest(self) -> str:
        """A SHA-256 over every row in order: equal digests mean identical data."""
        digest = hashlib.sha256()
        for table, row in self.iter_rows():
            values = ",".join(f"{key}={_text(row[key])}" for key in sorted(row))
            digest.update(f"{table}:{values}\n".encode())
        return digest.hexdigest()


def _text(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)
