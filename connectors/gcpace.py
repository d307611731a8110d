"""Pacing Python's cyclic garbage collector while a batch loads.

A chunk allocates hundreds of thousands of small objects (records, rows, tuples) that live
until the chunk is written, so with the default thresholds the collector runs hundreds of young
collections per chunk and, as survivors pile up, full collections that walk the whole heap
(the web app's modules, SQLAlchemy's caches...) again and again: measured, a third of the
loader's CPU time. Nearly all of it is freed by reference counting, not by the collector.

``paced_collector()`` freezes the objects that exist when loading starts (they are not the
load's garbage) and raises the thresholds, then restores both when the last concurrent load
ends. Cyclic garbage is still collected, just in larger, rarer batches.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# A young collection per LOAD_THRESHOLD net allocations, not 700: a chunk's records then
# survive a handful of young collections instead of hundreds.
LOAD_THRESHOLDS = (50_000, 20, 100)

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None
_froze = False  # whether we froze (the process may have frozen its own heap already)


@contextmanager
def paced_collector() -> Iterator[None]:
    """Collect less often while the block runs (see the module docstring); nests safely."""
    global _active, _saved, _froze  # noqa: PLW0603 - one process-wide setting, counted
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            _froze = gc.get_freeze_count() == 0
            if _froze:
                gc.freeze()
            gc.set_threshold(*LOAD_THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                if _froze:
                    gc.unfreeze()
                _saved, _froze = None, False


def pace_this_process() -> None:
    """For a process that only loads (the reader child): freeze what it inherited, pace the rest."""
    gc.freeze()
    gc.set_threshold(*LOAD_THRESHOLDS)
