"""Pacing the garbage collector during a load: raised and restored, nested loads included."""

from __future__ import annotations

import gc

from connectors.gcpace import LOAD_THRESHOLDS, paced_collector


def test_thresholds_are_raised_while_loading_and_restored_after_the_last_load() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    with paced_collector():
        assert gc.get_threshold() == LOAD_THRESHOLDS
        assert gc.get_freeze_count() > frozen
        with paced_collector():  # a second load at the same time
            assert gc.get_threshold() == LOAD_THRESHOLDS
        assert gc.get_threshold() == LOAD_THRESHOLDS  # the first is still loading
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen


def test_a_failed_load_restores_them_too() -> None:
    before = gc.get_threshold()
    try:
        with paced_collector():
            raise RuntimeError("load failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before


def test_a_heap_the_process_froze_itself_stays_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paced_collector():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()
