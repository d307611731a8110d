"""Value normalisation shared by every connector: dates, sex, flags, ethnicity, postcodes, money.

Each parser raises ``ValueError`` with a message fit for a validation report, so connectors turn
a bad value into a record issue without guessing. Source codes are kept by the caller; these
functions only say what the code means in the hub's canonical terms.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hub.identifiers import normalise_postcode

DATA_DIR = Path(__file__).parent / "data"
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEX_WORDS = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "U": "U", "UNKNOWN": "U"}
_TRUE = frozenset({"Y", "YES", "TRUE", "T", "1"})
_FALSE = frozenset({"N", "NO", "FALSE", "F", "0"})
_MONEY = re.compile(r"^£?(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<pence>\d{1,2}))?$")


def parse_date(text: str) -> dt.date:
    """An ISO ``YYYY-MM-DD`` or UK ``DD/MM/YYYY`` date; anything else is refused, not guessed."""
    value = text.strip()
    try:
        if _ISO_DATE.match(value):
            return dt.date.fromisoformat(value)
        uk = _UK_DATE.match(value)
        if uk:
            return dt.date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")


def normalise_sex(text: str) -> str:
    """``M``, ``F`` or ``U`` from a CBDS/ILR code or the word (CTF ``Sex`` or ``Gender``)."""
    code = _SEX_WORDS.get(text.strip().upper())
    if code is None:
        raise ValueError(f"{text!r} is not a sex code (M, F or U)")
    return code


def parse_bool(text: str) -> bool:
    """A yes/no flag written as Y/N, yes/no, true/false or 1/0 (any case)."""
    value = text.strip().upper()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{text!r} is not a yes/no value (Y/N, true/false, 1/0)")


def parse_pence(text: str) -> int:
    """Integer pence from pounds written ``1234.56``, ``1,234.5`` or ``£1234``; exact, no float.

    Negative amounts and fractions of a penny are refused: a refund is a flow the other way.
    """
    value = text.strip()
    match = _MONEY.match(value)
    if match is None:
        if value.startswith("-") or value.startswith("£-"):
            raise ValueError(f"{text!r} is negative; amounts must be zero or more")
        raise ValueError(f"{text!r} is not an amount in pounds (e.g. 1234.56)")
    pounds = int(match.group("pounds").replace(",", ""))
    pence_text = match.group("pence") or "0"
    pence = int(pence_text) * (10 if len(pence_text) == 1 else 1)
    return pounds * 100 + pence


def parse_postcode(text: str) -> str:
    """A UK postcode in canonical form (``AB1 2CD``); raises when it is not a postcode."""
    postcode = normalise_postcode(text)
    if postcode is None:
        raise ValueError(f"{text!r} is not a UK postcode")
    return postcode


@dataclass(frozen=True, slots=True)
class EthnicityCode:
    """One source ethnicity code and the canonical category it maps to."""

    source_list: str
    source_code: str
    description: str
    canonical: str


@cache
def ethnicity_table() -> dict[tuple[str, str], EthnicityCode]:
    """Every known ethnicity code by (source list, code), from ``connectors/data/ethnicity.csv``."""
    with (DATA_DIR / "ethnicity.csv").open(encoding="utf-8", newline="") as handle:
        rows = [EthnicityCode(**row) for row in csv.DictReader(handle)]
    return {(row.source_list, row.source_code): row for row in rows}


def ethnicity_list_for(code: str) -> str:
    """The code list a code belongs to by its shape: 4 letters is CBDS, 2 digits is ILR."""
    value = code.strip().upper()
    if len(value) == 2 and value.isdigit():
        return "ILR"
    return "CBDS"


def lookup_ethnicity(code: str, source_list: str | None = None) -> EthnicityCode:
    """The table entry for a school (CBDS) or college (ILR) ethnicity code; raises if unknown."""
    value = code.strip().upper()
    listed = source_list or ethnicity_list_for(value)
    found = ethnicity_table().get((listed, value))
    if found is None:
        raise ValueError(f"{code!r} is not a known {listed} ethnicity code")
    return found


def canonical_ethnicity(code: str | None, source_list: str | None = None) -> str | None:
    """The canonical category for a source code, or None when the code is missing or unknown."""
    if not code:
        return None
    try:
        return lookup_ethnicity(code, source_list).canonical
    except ValueError:
        return None


def academic_year_for(day: dt.date) -> str:
    """The academic year (``2024-25``) a day falls in; years start on 1 August."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"
