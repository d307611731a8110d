"""Synthetic ILR files of any size, built from learners of ESFA's own 2025-26 sample.

The sample's header is kept and a few of its learners (ones that pass every rule) are repeated
with new LearnRefNumbers, valid ULNs and invented names, so the file stays XSD-valid and each
learner is a distinct synthetic person. Written as a stream: memory does not grow with size.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from tests.support.ingest import valid_uln

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures/ilr/valid/ILR-99999999-2526-20250108-094401.xml"
)
TEMPLATES = ("18Learner", "Other1619", "OtherAdult", "NonFunded", "StandLearn")
_DOB = re.compile(r"<DateOfBirth>([\d-]+)</DateOfBirth>")
_LEARNER = re.compile(r"\t<Learner>.*?</Learner>\n", re.DOTALL)
_GIVEN = ("Ada", "Alan", "Grace", "Tim", "Mary", "Ravi", "Chen", "Olu", "Nia", "Sam", "Zara")
_FAMILY = ("Turing", "Hopper", "Lovelace", "Okafor", "Patel", "Nguyen", "Jones", "Evans", "Khan")


def _templates(text: str) -> list[str]:
    blocks = {
        found.group(1): block
        for block in _LEARNER.findall(text)
        if (found := re.search(r"<LearnRefNumber>(\w+)</LearnRefNumber>", block))
    }
    return [re.sub(r"\s*<!--.*?-->", "", blocks[name], flags=re.DOTALL) for name in TEMPLATES]


def _same_cohort(iso: str, rng: random.Random) -> str:
    """A random birthday in the same school year (1 September to 31 August) as ``iso``."""
    born = dt.date.fromisoformat(iso)
    first = dt.date(born.year if born.month >= 9 else born.year - 1, 9, 1)
    return (first + dt.timedelta(days=rng.randrange(365))).isoformat()


def _postcode(rng: random.Random) -> str:
    """A synthetic postcode of a valid shape (not checked against real ones)."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{rng.choice('BLMNS')}{rng.randrange(1, 99)} "
        f"{rng.randrange(10)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _letters(number: int) -> str:
    """A letters-only tag for a number (GivenNames may not contain digits)."""
    out = ""
    while True:
        number, digit = divmod(number, 26)
        out += chr(ord("a") + digit)
        if number == 0:
            return out.capitalize()


def write_ilr_file(path: Path, learners: int, seed: int = 1, ukprn: str = "99999999") -> Path:
    """Write an ILR 2025-26 file with ``learners`` synthetic learners for ``ukprn``."""
    text = SAMPLE.read_text(encoding="utf-8")
    head = text[: text.index("\t<Learner>")].replace("99999999", ukprn)
    templates = _templates(text)
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for number in range(learners):
            block = templates[number % len(templates)]
            block = re.sub(
                r"<LearnRefNumber>\w+</LearnRefNumber>",
                f"<LearnRefNumber>S{seed}N{number}</LearnRefNumber>",
                block,
            )
            block = re.sub(
                r"<ULN>\d+</ULN>", f"<ULN>{valid_uln(seed * 1_000_000 + number)}</ULN>", block
            )
            block = re.sub(
                r"<FamilyName>[^<]*</FamilyName>",
                f"<FamilyName>{rng.choice(_FAMILY)}</FamilyName>",
                block,
            )
            block = re.sub(
                r"<GivenNames>[^<]*</GivenNames>",
                f"<GivenNames>{rng.choice(_GIVEN)} {_letters(number)}</GivenNames>",
                block,
            )
            block = _DOB.sub(
                lambda m: f"<DateOfBirth>{_same_cohort(m.group(1), rng)}</DateOfBirth>", block
            )
            postcode = _postcode(rng)
            block = re.sub(r"<(Postcode|PostcodePrior)>[^<]*</", rf"<\1>{postcode}</", block)
            out.write(block)
        out.write("</Message>\n")
    return path
