"""A block of generated rows, with ids handed out from counters shared across blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.demo.partnership import Row


@dataclass(slots=True)
class IdCounters:
    """The next id per table; carried from one block to the next so ids never repeat."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        """Hand out the next id for ``table``."""
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


@dataclass(slots=True)
class Block:
    """Rows for one block of learners, keyed by table name, in insertion order."""

    ids: IdCounters
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> Row:
        """Give ``row`` the next id for ``table`` (unless it has one) and append it."""
        if "id" not in row:
            row["id"] = self.ids.take(table)
        self.rows.setdefault(table, []).append(row)
        return row

    def new_id(self, table: str) -> int:
        """Reserve an id for a row built later."""
        return self.ids.take(table)

    def count(self) -> int:
        """How many rows the block holds, all tables together."""
        return sum(len(rows) for rows in self.rows.values())
