"""Suppression hides small counts, and secondary suppression stops recovery from the totals."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import Integer, String, func, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import BadRequestError
from hub.store.base import Base
from policies.suppression import SUPPRESSED, suppress, total_flag

Key = tuple[Any, Any]


def counts_select(cells: dict[Key, int]) -> Any:
    parts = [
        select(
            literal(a, String).label("a"),
            literal(b, String).label("b"),
            literal(n, Integer).label("n"),
        )
        for (a, b), n in sorted(cells.items())
    ]
    source = union_all(*parts).subquery("source")
    return select(source.c.a, source.c.b, source.c.n)


async def published(engine: AsyncEngine, statement: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row._mapping) for row in (await connection.execute(statement)).all()]


def entry_key(row: dict[str, Any]) -> Key:
    return (None if row[total_flag("a")] else row["a"], None if row[total_flag("b")] else row["b"])


def recover(table: dict[Key, int | None]) -> dict[Key, int]:
    """An attacker: solve every line 'total = sum of its cells' with one unknown, repeatedly."""
    known = {k: v for k, v in table.items() if v is not None}
    rows = [a for a, b in table if a is not None and b is None]
    cols = [b for a, b in table if b is not None and a is None]
    lines = [((a, None), [(a, b) for b in cols if (a, b) in table]) for a in [*rows, None]]
    lines += [((None, b), [(a, b) for a in rows if (a, b) in table]) for b in [*cols, None]]
    changed = True
    while changed:
        changed = False
        for total, parts in lines:
            unknown = [k for k in [total, *parts] if k not in known]
            if len(unknown) != 1:
                continue
            if unknown[0] == total:
                known[total] = sum(known[k] for k in parts)
            else:
                known[unknown[0]] = known[total] - sum(known[k] for k in parts if k in known)
            changed = True
    return known


def test_the_attacker_recovers_a_cell_hidden_alone() -> None:
    """Guards the checks below: primary suppression alone is beaten by subtraction."""
    real = truth({("F", "x"): 3, ("F", "y"): 9, ("M", "x"): 8, ("M", "y"): 7})
    alone = {key: (None if key == ("F", "x") else value) for key, value in real.items()}
    assert recover(alone)[("F", "x")] == 3


def truth(cells: dict[Key, int]) -> dict[Key, int]:
    full: dict[Key, int] = defaultdict(int)
    for (a, b), n in cells.items():
        full[(a, b)] += n
        full[(a, None)] += n
        full[(None, b)] += n
        full[(None, None)] += n
    return dict(full)


async def check_table(
    engine: AsyncEngine, cells: dict[Key, int], k: int = 5
) -> dict[Key, int | None]:
    rows = await published(engine, suppress(counts_select(cells), ["a", "b"], "n", k))
    table = {entry_key(row): row["n"] for row in rows}
    real = truth(cells)
    assert set(table) == set(real)
    for key, value in table.items():
        assert value is None or value == real[key]
        assert value is None or value >= k
        if 0 < real[key] < k:
            assert value is None
    recovered = recover(table)
    assert set(recovered) == {key for key, value in table.items() if value is not None}
    assert all(row[SUPPRESSED] == (row["n"] is None) for row in rows)
    return table


async def test_small_cell_is_hidden_and_cannot_be_recovered_from_totals(
    engine: AsyncEngine,
) -> None:
    cells = {
        ("F", "931"): 12,
        ("F", "932"): 3,
        ("F", "933"): 9,
        ("M", "931"): 10,
        ("M", "932"): 8,
        ("M", "933"): 7,
    }
    table = await check_table(engine, cells)
    assert table[("F", "932")] is None
    hidden = [key for key, value in table.items() if value is None]
    assert len(hidden) >= 4  # the small cell, one more in its row, and their column partners
    assert table[("F", None)] == 24
    assert table[(None, None)] == 49


async def test_table_without_small_cells_is_published_whole(engine: AsyncEngine) -> None:
    table = await check_table(engine, {("F", "x"): 5, ("M", "x"): 6, ("F", "y"): 7})
    assert None not in table.values()


@pytest.mark.parametrize("seed", range(6))
async def test_random_tables_keep_the_guarantees(engine: AsyncEngine, seed: int) -> None:
    rng = random.Random(seed)
    width, height = rng.randint(1, 4), rng.randint(1, 5)
    cells = {
        (f"r{i}", f"c{j}"): rng.choice([1, 2, 3, 4, 5, 6, 9, 14, 30])
        for i in range(height)
        for j in range(width)
        if rng.random() > 0.2
    }
    if cells:
        await check_table(engine, cells)


async def test_one_dimension_hides_a_second_cell_with_the_small_one(engine: AsyncEngine) -> None:
    learners = Base.metadata.tables["learners"]
    async with engine.begin() as connection:
        await connection.execute(
            insert(learners),
            [
                {"id": i, "la_of_residence": la}
                for i, la in enumerate(["931"] * 20 + ["932"] * 2 + ["933"] * 7, 1)
            ],
        )
    counts = select(learners.c.la_of_residence, func.count().label("n")).group_by(
        learners.c.la_of_residence
    )
    rows = await published(engine, suppress(counts, ["la_of_residence"], "n"))
    table = {
        (None if r[total_flag("la_of_residence")] else r["la_of_residence"]): r["n"] for r in rows
    }
    assert table == {"931": 20, "932": None, "933": None, None: 29}


def test_more_than_two_dimensions_are_refused() -> None:
    with pytest.raises(BadRequestError):
        suppress(select(literal(1).label("n")), ["a", "b", "c"], "n")
