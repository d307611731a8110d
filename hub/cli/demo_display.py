"""``hub demo``'s display of the connectors route: a progress bar per file, then a summary.

The summary has one row per submitted file (as ``hub ingest`` prints for one file) and a list
of the rows the demo wrote directly because no connector carries them.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from hub.demo.route import FileResult, Listener, RouteResult, Submission


class RichListener(Listener):
    """Two bars: files done of all, and the current file's records."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._files: TaskID | None = None
        self._file: TaskID | None = None

    def __enter__(self) -> RichListener:
        self.bars.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.bars.stop()

    def step(self, description: str) -> None:
        """Show a step that is not a file in the files bar."""
        if self._files is None:
            self._files = self.bars.add_task(description, total=None, detail="")
        else:
            self.bars.update(self._files, description=description)

    def planned(self, submissions: list[Submission]) -> None:
        """Size the files bar."""
        self.step("partner files")
        assert self._files is not None  # noqa: S101 (set by step)
        self.bars.update(self._files, total=len(submissions), completed=0)

    def started(self, submission: Submission, partner_name: str) -> None:
        """A new bar for this file's records."""
        if self._files is not None:
            self.bars.update(self._files, description="partner files")
        label = f"{submission.format} {submission.path.name}"
        self._file = self.bars.add_task(label, total=None, detail=f"for {partner_name}")

    def progress(self, stage: str, records: int) -> None:
        """Records read so far in the current file."""
        if self._file is not None:
            self.bars.update(self._file, completed=records, detail=f"{stage}, records")

    def finished(self, result: FileResult) -> None:
        """Drop the file's bar and advance the files bar."""
        if self._file is not None:
            self.bars.remove_task(self._file)
            self._file = None
        if self._files is not None:
            self.bars.advance(self._files)


def summary_table(result: RouteResult, title: str, width: int) -> Table:
    """One row per file, with totals, ``width`` wide at most (long names are cut to fit).

    Below ``WIDE`` columns the partner, status, rejected and seconds columns are left out and a
    file that did not load wholly is shown in red.
    """
    wide = width >= WIDE
    caption = _CAPTION if wide else _CAPTION.replace("rej.: rejected; ", "")
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, caption=caption,
                  expand=True, width=min(width, MAX_WIDTH))
    table.add_column("file", no_wrap=True, overflow="ellipsis", ratio=3)
    if wide:
        table.add_column("for partner", no_wrap=True, overflow="ellipsis", ratio=2)
        table.add_column("status", no_wrap=True, width=8)
    shown = _WIDE_COLUMNS if wide else _NARROW_COLUMNS
    for column, size in shown:
        table.add_column(column, justify="right", no_wrap=True, width=size)
    totals: dict[str, int] = {}
    for done in result.files:
        s = done.summary
        counts = {"records": s.records_read, "rej.": s.records_rejected,
                  "new": s.learners_created, "linked": s.learners_matched,
                  "review": s.reviews_queued, "findings": s.issue_count}
        for key, value in counts.items():
            totals[key] = totals.get(key, 0) + value
        whole = s.status == "loaded" and not s.records_rejected
        name = done.submission.path.name if whole else f"[red]{done.submission.path.name}[/red]"
        status = [done.partner_name, s.status if whole else f"[red]{s.status}[/red]"]
        table.add_row(name, *(status if wide else []),
                      *(f"{done.seconds:.1f}" if key == "s" else f"{counts[key]:,}"
                        for key, _ in shown))
    total_row = [f"[bold]{totals.get(key, 0):,}[/bold]" if key != "s" else f"{result.seconds:.1f}"
                 for key, _ in shown]
    table.add_row(f"[bold]{len(result.files)} files[/bold]", *(["", ""] if wide else []),
                  *total_row)
    return table


WIDE = 110
_WIDE_COLUMNS = (("records", 7), ("rej.", 4), ("new", 5), ("linked", 6), ("review", 6),
                 ("findings", 8), ("s", 4))
_NARROW_COLUMNS = tuple(c for c in _WIDE_COLUMNS if c[0] not in ("rej.", "s"))
MAX_WIDTH = 130
_CAPTION = ("records read; rej.: rejected; new: learners first seen; linked: matched to a known "
            "learner; review: weak matches queued; findings: warnings and errors reported")


def direct_table(result: RouteResult) -> Table:
    """Rows written without a connector: the partnership's set-up and Year 11 applications."""
    table = Table(title="Written directly (no partner file carries these)", box=box.SIMPLE_HEAD)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.direct_rows.items():
        table.add_row(name, f"{rows:,}")
    return table
