"""Formula-injection-safe CSV writing for every CSV the hub writes (reports, exports).

A spreadsheet runs a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or
carriage return) as a formula, so a learner named ``=HYPERLINK(...)`` could exfiltrate data
from whoever opens the export. Such cells get a leading ``'``, which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import IO

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
CellValue = str | int | float | bool | dt.date | None


def safe_cell(value: CellValue) -> str:
    """The text to write for ``value``: quoted with ``'`` when a spreadsheet would run it.

    Numbers are written as numbers (a negative number stays ``-5``): only text is prefixed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value.startswith(DANGEROUS_FIRST):
        return "'" + value
    return value


def write_csv(
    handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[CellValue]]
) -> int:
    """Write ``header`` and ``rows`` with every cell made safe; returns the rows written.

    Open ``handle`` with ``newline=""`` (the csv module's rule) and UTF-8.
    """
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    return count
