"""The NCCIS activity and characteristic code table, loaded from data (never hard-coded).

FORMATS.md section 3: only activity 440 and the characteristic codes are verified; every other
activity code is marked ``provisional`` in the table until someone checks it against the current
NCCIS management information requirement. An LA may supply its own table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from connectors.normalise import DATA_DIR
from hub.errors import ConfigError

DEFAULT_TABLE = DATA_DIR / "nccis_activity_codes.csv"
CATEGORIES = ("education", "employment", "training", "neet", "not_known", "other")
LEARNER_FLAGS = ("looked_after", "care_leaver")
_COLUMNS = ("kind", "code", "description", "category", "provisional", "learner_flag")


class NccisCodeTableError(ConfigError):
    """The NCCIS code table is malformed: fix the table (a configuration file), then reload."""

    code = "NCCIS_CODE_TABLE_INVALID"


@dataclass(frozen=True, slots=True)
class ActivityCode:
    """An activity code, its category and whether it is still unverified."""

    code: str
    description: str
    category: str
    provisional: bool


@dataclass(frozen=True, slots=True)
class CharacteristicCode:
    """An individual characteristic and the learner flag it sets, if any."""

    code: str
    description: str
    learner_flag: str | None


@dataclass(frozen=True, slots=True)
class NccisCodes:
    """Activity and characteristic codes by code."""

    activities: dict[str, ActivityCode]
    characteristics: dict[str, CharacteristicCode]


def _flag(value: str, line: int, path: Path) -> bool:
    if value not in ("yes", "no"):
        raise NccisCodeTableError(f"{path.name} line {line}: provisional must be yes or no")
    return value == "yes"


def load_codes(path: Path = DEFAULT_TABLE) -> NccisCodes:
    """Read and check a code table; raises ``NccisCodeTableError`` naming the bad line."""
    activities: dict[str, ActivityCode] = {}
    characteristics: dict[str, CharacteristicCode] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise NccisCodeTableError(f"{path.name}: header must be {','.join(_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            code = row["code"].strip()
            if not code:
                raise NccisCodeTableError(f"{path.name} line {line}: code is blank")
            if row["kind"] == "activity":
                if row["category"] not in CATEGORIES:
                    raise NccisCodeTableError(
                        f"{path.name} line {line}: category {row['category']!r} is not one of "
                        + ", ".join(CATEGORIES)
                    )
                activities[code] = ActivityCode(
                    code, row["description"], row["category"], _flag(row["provisional"], line, path)
                )
            elif row["kind"] == "characteristic":
                flag = row["learner_flag"] or None
                if flag is not None and flag not in LEARNER_FLAGS:
                    raise NccisCodeTableError(
                        f"{path.name} line {line}: learner_flag {flag!r} is not one of "
                        + ", ".join(LEARNER_FLAGS)
                    )
                characteristics[code] = CharacteristicCode(code, row["description"], flag)
            else:
                raise NccisCodeTableError(
                    f"{path.name} line {line}: kind must be activity or characteristic"
                )
    return NccisCodes(activities, characteristics)


@cache
def default_codes() -> NccisCodes:
    """The table shipped in ``connectors/data`` (read once)."""
    return load_codes()
