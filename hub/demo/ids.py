"""Unique, check-character-valid synthetic identifiers, derived from a learner's index.

Each identifier is a bijection of the index (an affine map modulo the space size), so values are
unique without remembering the ones already issued, and the same index always gives the same
value. Postcodes use the invented "ZZ" area with districts 1 to 9.
"""

from __future__ import annotations

from hub.identifiers import uln_check_digit, upn_check_letter

_ULN_SPACE = 80_000_000  # eight-digit prefixes 10000000..89999999: never the temporary ULN
_ULN_STEP = 48_271  # coprime with the space, so index -> prefix is one-to-one
_UPN_SERIALS = 1000
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters allowed in an inward code (no C I K M O V)


def make_uln(index: int, seed: int) -> str:
    """A valid ULN for learner ``index``: unique per index for a given seed."""
    prefix = 10_000_000 + (index * _ULN_STEP + seed * 7_919) % _ULN_SPACE
    body = str(prefix)
    start = (index + seed) % 10
    for offset in range(10):
        ninth = (start + offset) % 10
        check = uln_check_digit(f"{body}{ninth}")
        if check is not None:  # at most one ninth digit makes the remainder zero
            return f"{body}{ninth}{check}"
    raise AssertionError("unreachable: nine of ten ninth digits give a check digit")


def make_upn(serial_index: int, la_code: str, allocation_year: int) -> str:
    """A valid permanent UPN: LA code, a (primary) establishment number, year and serial.

    ``serial_index`` must be unique among school learners; it fixes both the establishment
    number (one per thousand pupils) and the three-digit serial, so UPNs never collide.
    """
    estab = 2000 + serial_index // _UPN_SERIALS
    if estab > 9999:
        raise ValueError("too many school learners for the synthetic UPN space")
    body = f"{la_code}{estab:04d}{allocation_year % 100:02d}{serial_index % _UPN_SERIALS:03d}"
    return upn_check_letter(body) + body


def make_postcode(district: int, number: int) -> str:
    """A well-formed postcode in the fictional ZZ area (never ``ZZ99 9ZZ``, ILR's 'unknown')."""
    letters = INWARD_LETTERS
    first = letters[number % len(letters)]
    second = letters[(number // len(letters)) % len(letters)]
    sector = (number // (len(letters) ** 2)) % 10
    return f"ZZ{district} {sector}{first}{second}"


def learn_ref_number(partner_ukprn: str, index: int) -> str:
    """An ILR LearnRefNumber ([A-Za-z0-9 ]{1,12}) unique within its provider."""
    return f"DL{partner_ukprn[-3:]}{index:07d}"


def admission_number(index: int) -> str:
    """A school admission number (the census local reference)."""
    return f"A{index:07d}"
