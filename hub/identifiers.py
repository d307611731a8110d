"""Learner and organisation identifiers and their check algorithms (pure, no IO).

The algorithms are DfE's: the ULN check digit (LRS WSLP02) and the UPN check letter (DfE UPN
guide, Annex A). ``9999999999`` is ESFA's temporary ULN: structurally accepted, never a match key.
"""

from __future__ import annotations

import re

TEMPORARY_ULN = "9999999999"
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]")
_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$")


def uln_check_digit(first_nine: str) -> int | None:
    """The check digit for the first nine digits of a ULN, or None when no digit can be valid."""
    remainder = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    return None if remainder == 0 else 10 - remainder


def is_valid_uln(uln: str) -> bool:
    """Whether ``uln`` has a valid ULN check digit (the temporary ULN counts as valid)."""
    if uln == TEMPORARY_ULN:
        return True
    if len(uln) != 10 or not uln.isdigit() or uln[0] == "0":
        return False
    return uln_check_digit(uln[:9]) == int(uln[9])


def is_matchable_uln(uln: str | None) -> bool:
    """Whether ``uln`` may link records to a person: valid and not the temporary ULN."""
    return uln is not None and uln != TEMPORARY_ULN and is_valid_uln(uln)


def upn_check_letter(body: str) -> str:
    """The check letter for characters 2 to 13 of a UPN."""
    total = 0
    for position, char in enumerate(body, start=2):
        total += position * (int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char))
    return UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(upn: str) -> bool:
    """Whether ``upn`` has the UPN shape and a correct check letter."""
    return _UPN_SHAPE.fullmatch(upn) is not None and upn_check_letter(upn[1:]) == upn[0]


def is_temporary_upn(upn: str) -> bool:
    """Whether ``upn`` is a temporary UPN (its last character is a letter)."""
    return bool(upn) and upn[-1].isalpha()


def is_matchable_upn(upn: str | None) -> bool:
    """Whether ``upn`` may link records to a person: valid and permanent."""
    return upn is not None and is_valid_upn(upn) and not is_temporary_upn(upn)


def normalise_postcode(postcode: str | None) -> str | None:
    """A UK postcode upper-cased with one space before the inward code, or None if not one."""
    if not postcode:
        return None
    match = _POSTCODE.match(postcode.strip().upper().replace("  ", " "))
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"
