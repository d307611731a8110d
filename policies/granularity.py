"""Granularity helpers: keyed per-agreement pseudonyms and the small-number threshold.

A pseudonym is ``md5(<agreement key> || ':' || <learner id>)`` as 32 lower-case hex digits,
computed by the database. PostgreSQL has ``md5(text)`` built in; on SQLite the engine registers
the same function on every connection (``hub.store.engine``), so both backends give the same
value for the same key and id. The key is 32 random bytes generated once per agreement id and
kept in ``agreement_versions.pseudonym_key``: the same learner keeps one pseudonym across versions
of one agreement, and different agreements give unlinkable pseudonyms.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, literal

from policies.agreement import DEFAULT_MIN_CELL_SIZE

MIN_CELL_SIZE_FLOOR = 3
"""No agreement may set a smaller threshold than this (a count of 1 or 2 identifies)."""

__all__ = [
    "DEFAULT_MIN_CELL_SIZE",
    "MIN_CELL_SIZE_FLOOR",
    "new_pseudonym_key",
    "pseudonym",
    "pseudonym_in_python",
]


def new_pseudonym_key() -> str:
    """A fresh secret key for one agreement id (64 hex characters)."""
    return secrets.token_hex(32)


def pseudonym(key: str, learner_id: ColumnElement[Any]) -> ColumnElement[str]:
    """The pseudonym of ``learner_id`` under ``key``, computed in SQL on either backend."""
    text = literal(f"{key}:", String).concat(cast(learner_id, String))
    return func.md5(text, type_=String)


def pseudonym_in_python(key: str, learner_id: int) -> str:
    """The same pseudonym computed in Python (tests and the oracle compare against it)."""
    return hashlib.md5(f"{key}:{learner_id}".encode(), usedforsecurity=False).hexdigest()
