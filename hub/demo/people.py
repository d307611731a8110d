"""Drawing one synthetic learner: who they are and where they are on roll.

Everything is drawn from the block's ``random.Random`` in a fixed order, so a learner depends
only on the seed and their index's block.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from connectors.matching import match_keys
from connectors.normalise import canonical_ethnicity
from hub.demo import codes, ids
from hub.demo.names import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M
from hub.demo.partnership import AGE_WEIGHTS, HOME_LA, NEIGHBOUR_LA, PartnerSpec, Row, Structure

AGES = tuple(AGE_WEIGHTS)
AGE_SHARES = tuple(AGE_WEIGHTS.values())
CENSUS_DATE = dt.date(2026, 1, 15)
ILR_DATE = dt.date(2026, 3, 31)
SEN_MAINSTREAM = (("N", 83.0), ("K", 13.0), ("E", 4.0))
SEN_SPECIAL = (("E", 90.0), ("K", 10.0))
SEN_PRU = (("N", 35.0), ("K", 50.0), ("E", 15.0))


@dataclass(slots=True)
class Person:
    """A drawn learner: the ``learners`` row plus facts the journeys need."""

    row: Row
    age: int
    home: PartnerSpec
    ethnicity: codes.Ethnicity

    @property
    def id(self) -> int:
        """The learner's id."""
        return int(self.row["id"])

    @property
    def school_age(self) -> bool:
        """Whether the learner is in key stage 4 (on a school roll)."""
        return self.age <= 15


def _pick(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def draw_person(rng: random.Random, s: Structure, index: int, seed: int) -> Person:
    """The learner with 0-based ``index``: id ``index + 1``."""
    age = rng.choices(AGES, weights=AGE_SHARES)[0]
    school_age = age <= 15
    pool = s.schools if school_age else s.post16
    home = rng.choices(pool, weights=[p.weight for p in pool])[0]
    sex = "F" if rng.random() < 0.5 else "M"
    given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
    family = rng.choice(FAMILY_NAMES)
    born = dt.date(2024 - age, 9, 1) + dt.timedelta(days=rng.randrange(365))
    stays_local = rng.random() < (0.85 if home.la_code == NEIGHBOUR_LA else 0.94)
    other_la = HOME_LA if home.la_code == NEIGHBOUR_LA else NEIGHBOUR_LA
    resident_la = home.la_code if stays_local else other_la
    district = rng.randint(1, 6) if resident_la == HOME_LA else rng.randint(7, 9)
    postcode = ids.make_postcode(district, rng.randrange(4000))
    ethnicity = rng.choices(codes.ETHNICITIES, weights=codes.ETHNICITY_WEIGHTS)[0]
    if home.partner_type == "special_school":
        sen = _pick(rng, SEN_SPECIAL)
    elif home.partner_type == "pru":
        sen = _pick(rng, SEN_PRU)
    else:
        sen = _pick(rng, SEN_MAINSTREAM)
    lldd = sen == "E" or (sen == "K" and rng.random() < 0.6) or rng.random() < 0.03
    vulnerable = home.partner_type in ("special_school", "pru")
    fsm = rng.random() < (0.40 if vulnerable else 0.20)
    looked_after = age <= 17 and rng.random() < (0.05 if vulnerable else 0.008)
    care_leaver = age >= 16 and not looked_after and rng.random() < 0.012
    source_list = "CBDS" if school_age else "ILR"
    source_code = ethnicity.cbds if school_age else ethnicity.ilr
    row: Row = {
        "id": index + 1,
        "uln": ids.make_uln(index, seed),
        "upn": ids.make_upn(index, home.la_code, 2025 - age + 4) if school_age else None,
        "given_name": f"Demo-{given}",
        "family_name": family,
        "date_of_birth": born,
        "sex": sex,
        "ethnicity": canonical_ethnicity(source_code, source_list),
        "ethnicity_source_code": source_code,
        "ethnicity_source_list": source_list,
        "postcode": postcode,
        "la_of_residence": resident_la,
        "sen_provision": sen,
        "lldd": lldd,
        "fsm": fsm,
        "looked_after": looked_after,
        "care_leaver": care_leaver,
        "batch_id": 1,
        "merged_into_id": None,
        **match_keys(family, f"Demo-{given}", born, postcode),
    }
    return Person(row, age, home, ethnicity)


def learner_record(person: Person, partner: PartnerSpec, record_id: int, *, on_roll: bool,
                   ) -> Row:
    """A partner's own record of ``person``: a census row at a school, an ILR learner elsewhere."""
    p = person.row
    at_school = partner.urn is not None
    if at_school:
        local_ref = ids.admission_number(person.id - 1)
    else:
        local_ref = ids.learn_ref_number(partner.ukprn or "00000000", person.id - 1)
    return {
        "id": record_id,
        "learner_id": person.id,
        "partner_id": partner.id,
        "local_ref": local_ref,
        "source": "census" if at_school else "ilr",
        "is_on_roll": on_roll,
        "as_of": CENSUS_DATE if at_school else ILR_DATE,
        "batch_id": 1,
        "uln": p["uln"],
        "upn": p["upn"] if at_school else None,
        "given_name": p["given_name"],
        "family_name": p["family_name"],
        "date_of_birth": p["date_of_birth"],
        "postcode": p["postcode"],
        "sex": p["sex"],
        "ethnicity_source_code": person.ethnicity.cbds if at_school else person.ethnicity.ilr,
    }
