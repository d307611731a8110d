"""Small-number suppression of grouped counts, primary and secondary, done in SQL.

``suppress`` wraps a grouped-count SELECT (one or two dimension columns and a count column) and
returns the published table: every cell plus its margins (row totals, column totals and the
grand total), each entry either its count or NULL.

What is guaranteed, for a minimum cell size k (default 5):

1. Primary: every entry (cell or margin) with 0 < count < k is NULL. A cell absent from the
   input is a known zero and is never invented.
2. Secondary: in every line of the published table (each row with its row total, each column
   with its column total, the row of column totals with the grand total, the column of row
   totals with the grand total; for one dimension, all cells with the grand total) the number
   of NULL entries is 0 or at least 2. A line relation "total = sum of its cells" therefore
   never has exactly one unknown, so no NULL entry can be recovered by subtraction along rows
   and columns, however many subtractions are chained.
3. Fail closed: secondary suppression runs a fixed number of rounds (each suppresses the
   smallest published entry of every line with exactly one NULL). If a line still has exactly
   one NULL after them, every entry of the table is NULL.

Not guaranteed: bounds from solving several line equations together (an attacker can still
learn that a hidden cell lies in an interval), and differences between this table and another
answer computed over different rows or groupings. Callers must publish margins from this
output, never from a separate query. Ties between equal counts are broken by dimension value,
so the secondary cell chosen can differ between SQLite and PostgreSQL collations; both satisfy
the guarantees above.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    CTE,
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from hub.errors import BadRequestError
from policies.agreement import DEFAULT_MIN_CELL_SIZE

SUPPRESSED = "suppressed"
ROUNDS = 4


def total_flag(dimension: str) -> str:
    """The output column that is 1 where ``dimension`` is a margin (a total over it)."""
    return f"{dimension}_is_total"


def suppress(
    counts: Select[Any],
    dimensions: Sequence[str],
    count: str,
    min_cell_size: int = DEFAULT_MIN_CELL_SIZE,
    *,
    rounds: int = ROUNDS,
) -> Select[Any]:
    """Wrap ``counts`` so that small numbers, and the entries that would reveal them, are NULL.

    Args:
        counts: a SELECT with one row per combination of ``dimensions`` and a ``count`` column.
        dimensions: one or two dimension column names of ``counts``.
        count: the name of the count column.
        min_cell_size: the smallest count that may be published.
        rounds: secondary-suppression rounds before failing closed.

    Returns:
        A SELECT of the dimensions, ``<dimension>_is_total`` flags, the count (NULL when
        suppressed) and ``suppressed`` (1 or 0), one row per cell and per margin.

    Raises:
        BadRequestError: for anything but one or two dimensions, or a size below 1.
    """
    if len(dimensions) not in (1, 2) or min_cell_size < 1:
        raise BadRequestError("suppression needs one or two dimensions and a positive size")
    base = counts.subquery("counted")
    entries = _entries(base, dimensions, count).cte("entries")
    state = select(
        *entries.c,
        case((and_(entries.c.n > 0, entries.c.n < min_cell_size), 1), else_=0).label("s"),
    ).cte("primary")
    lines = _lines(len(dimensions))
    for number in range(rounds):
        for index, line in enumerate(lines):
            state = _secondary(state, line, f"round{number}_{index}")
    return _publish(state, lines, dimensions, count)


def _entries(base: Any, dimensions: Sequence[str], count: str) -> Any:
    """Cells and every margin of the extended table, as (d0, d1, t0, t1, n) rows."""
    n = cast(base.c[count], BigInteger)
    total = cast(func.sum(base.c[count]), BigInteger)
    d0 = base.c[dimensions[0]]
    none0 = cast(null(), d0.type)
    if len(dimensions) == 1:
        d1: ColumnElement[Any] = literal(0)
        none1: ColumnElement[Any] = literal(0)
    else:
        d1 = base.c[dimensions[1]]
        none1 = cast(null(), d1.type)
    zero, one = literal(0), literal(1)

    def row(a: Any, b: Any, t0: Any, t1: Any, value: Any) -> list[Any]:
        return [a.label("d0"), b.label("d1"), t0.label("t0"), t1.label("t1"), value.label("n")]

    parts = [
        select(*row(d0, d1, zero, zero, n)),
        select(*row(none0, none1, one, one, total)).having(func.count() > 0),
    ]
    if len(dimensions) == 2:
        parts += [
            select(*row(d0, none1, zero, one, total)).group_by(d0),
            select(*row(none0, d1, one, zero, total)).group_by(d1),
        ]
    return union_all(*parts)


def _lines(dimension_count: int) -> list[tuple[str, ...]]:
    """The partitions that form a line: rows and columns, or the single 1-D line."""
    if dimension_count == 1:
        return [()]
    return [("t0", "d0"), ("t1", "d1")]


def _secondary(state: CTE, line: tuple[str, ...], name: str) -> CTE:
    """One half-round: in each line with exactly one NULL, also hide its smallest entry."""
    partition = [state.c[column] for column in line]
    ordered = select(
        *state.c,
        func.sum(state.c.s).over(partition_by=partition or None).label("hidden"),
        func.row_number()
        .over(
            partition_by=partition or None,
            order_by=[
                state.c.s,
                state.c.n,
                state.c.t0,
                state.c.t1,
                state.c.d0.nulls_first(),
                state.c.d1.nulls_first(),
            ],
        )
        .label("rank"),
    ).cte(f"{name}_ranked")
    extra = and_(ordered.c.hidden == 1, ordered.c["rank"] == 1, ordered.c.s == 0)
    columns = [ordered.c[c] for c in ("d0", "d1", "t0", "t1", "n")]
    return select(*columns, case((extra, 1), else_=ordered.c.s).label("s")).cte(name)


def _publish(
    state: CTE, lines: list[tuple[str, ...]], dimensions: Sequence[str], count: str
) -> Select[Any]:
    """Final check (fail closed) and the published columns."""
    broken_lines = [
        func.sum(state.c.s).over(partition_by=[state.c[c] for c in line] or None) == 1
        for line in lines
    ]
    checked = select(*state.c, case((or_(*broken_lines), 1), else_=0).label("broken_line")).cte(
        "checked"
    )
    final = select(*checked.c, func.max(checked.c.broken_line).over().label("broken")).cte("final")
    hidden = or_(final.c.s == 1, final.c.broken == 1)
    published = [final.c.d0.label(dimensions[0])]
    flags = [final.c.t0.label(total_flag(dimensions[0]))]
    if len(dimensions) == 2:
        published.append(final.c.d1.label(dimensions[1]))
        flags.append(final.c.t1.label(total_flag(dimensions[1])))
    return select(
        *published,
        *flags,
        case((hidden, null()), else_=final.c.n).label(count),
        case((hidden, 1), else_=0).label(SUPPRESSED),
    )
