"""The fixed shape of the demo partnership: partners, partnerships, sites, provision, funding.

This part does not depend on the learners drawn, only on how many there will be (places offered
and allocations scale with the expected cohort), so it is built once, before any learner block.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from hub.demo import codes
from hub.demo.names import HOME_LA_NAME, NEIGHBOUR_LA_NAME

Row = dict[str, Any]
HOME_LA = "931"
NEIGHBOUR_LA = "932"
YEAR = "2025/26"
NEXT_YEAR = "2026/27"
MEMBERSHIP_FROM = dt.date(2024, 9, 1)
# Share of learners by academic age (age on 31 August 2025): Years 10 and 11, then 16-19.
AGE_WEIGHTS = {14: 0.19, 15: 0.19, 16: 0.19, 17: 0.18, 18: 0.15, 19: 0.10}
SCHOOL_AGE_SHARE = AGE_WEIGHTS[14] + AGE_WEIGHTS[15]
OFFSITE_SHARE = 0.10
COLLEGE_FEE_PENCE = (55_000, 60_000)
WBL_FEE_PENCE = (60_000, 65_000)


@dataclass(slots=True)
class PartnerSpec:
    """One partner and what the learner generator needs to know about it."""

    id: int
    name: str
    partner_type: str
    la_code: str
    consortium: int | None = None  # partnership id of its consortium
    urn: str | None = None
    ukprn: str | None = None
    laestab: str | None = None
    postcode: str | None = None
    weight: float = 0.0  # share of its phase's learners on roll here
    main_site_id: int | None = None
    offsite_site_id: int | None = None

    def row(self) -> Row:
        """The ``partners`` row."""
        return {
            "id": self.id, "name": self.name, "partner_type": self.partner_type,
            "urn": self.urn, "ukprn": self.ukprn, "la_code": self.la_code,
            "laestab": self.laestab, "postcode": self.postcode,
        }


@dataclass(slots=True)
class ProvisionSpec:
    """One course offered, as the learner generator picks from it."""

    id: int
    partner_id: int
    course: codes.Course
    mode: str
    academic_year: str
    learn_aim_ref: str


@dataclass(slots=True)
class Structure:
    """The partnership's fixed rows plus indexes the learner generator draws from."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    partners: dict[str, PartnerSpec] = field(default_factory=dict)
    schools: list[PartnerSpec] = field(default_factory=list)
    post16: list[PartnerSpec] = field(default_factory=list)  # colleges then WBL providers
    school: dict[int, list[ProvisionSpec]] = field(default_factory=dict)
    main: dict[int, list[ProvisionSpec]] = field(default_factory=dict)
    offsite: dict[int, list[ProvisionSpec]] = field(default_factory=dict)
    next_year: dict[int, list[ProvisionSpec]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> None:
        """Append a row to ``table``."""
        self.rows.setdefault(table, []).append(row)

    def by_key(self, key: str) -> PartnerSpec:
        """A partner by its short key (e.g. ``"la"``, ``"college1"``)."""
        return self.partners[key]


# (key, name, type, LA, consortium 2|3, estab, weight); URNs are outside GIAS's real range.
_SCHOOLS = (
    ("ambleton", "Ambleton Community School", "school", HOME_LA, 2, "4001", 1.2),
    ("brackenford", "Brackenford Academy", "academy", HOME_LA, 2, "4002", 1.0),
    ("cotterby", "Cotterby High School", "school", HOME_LA, 2, "4003", 0.9),
    ("hollinsby", "Hollinsby Academy", "academy", HOME_LA, 2, "4004", 1.0),
    ("fallowmead", "Fallowmead Special School", "special_school", HOME_LA, 2, "7001", 0.08),
    ("dunmere", "Dunmere Academy", "academy", HOME_LA, 3, "4005", 1.1),
    ("eastwick", "Eastwick Parva School", "school", HOME_LA, 3, "4006", 0.8),
    ("greyhaven_lc", "Greyhaven Learning Centre", "pru", HOME_LA, 3, "1101", 0.05),
    ("westmarch", "Westmarch Academy", "academy", NEIGHBOUR_LA, 3, "4101", 1.0),
    ("marrowby", "Marrowby School", "school", NEIGHBOUR_LA, 3, "4102", 0.7),
)
# (key, name, type, LA, consortium, UKPRN, weight among 16-19 learners)
_POST16 = (
    ("college1", f"{HOME_LA_NAME} College", "fe_college", HOME_LA, 2, "10009901", 0.42),
    ("college2", f"{NEIGHBOUR_LA_NAME} and Greyhaven College", "fe_college", NEIGHBOUR_LA, 3,
     "10009902", 0.36),
    ("wbl1", "Kestrel Training Ltd", "wbl_provider", HOME_LA, 2, "10009911", 0.09),
    ("wbl2", "Hollinsby Skills Academy Ltd", "wbl_provider", HOME_LA, 2, "10009912", 0.07),
    ("wbl3", "Fallowmead Land-based Training", "wbl_provider", NEIGHBOUR_LA, 3, "10009913",
     0.06),
)


def build_structure(learners: int, seed: int) -> Structure:
    """The partnership for ``learners`` learners (funding is added by ``hub.demo.funding``)."""
    rng = random.Random(f"structure:{seed}")
    s = Structure()
    _partners(s)
    _partnerships(s)
    _sites(s)
    _provision(s, learners, rng)
    return s


def _partners(s: Structure) -> None:
    # LAs and careers companies are registered learning providers too, so they have UKPRNs.
    fixed = (
        ("la", f"{HOME_LA_NAME} County Council", "local_authority", HOME_LA, "10009921"),
        ("la2", f"{NEIGHBOUR_LA_NAME} Borough Council", "local_authority", NEIGHBOUR_LA,
         "10009922"),
        ("careers", f"{HOME_LA_NAME} Careers and Participation Service", "careers_service",
         HOME_LA, "10009931"),
    )
    next_id = 1
    for key, name, ptype, la, ukprn in fixed:
        s.partners[key] = PartnerSpec(next_id, name, ptype, la, ukprn=ukprn,
                                      postcode=f"ZZ1 {next_id}AA")
        next_id += 1
    for n, (key, name, ptype, la, cons, estab, weight) in enumerate(_SCHOOLS):
        spec = PartnerSpec(
            next_id, name, ptype, la, consortium=cons, urn=f"9{1000 + n:05d}",
            laestab=f"{la}{estab}", postcode=_partner_postcode(la, n), weight=weight,
        )
        s.partners[key] = spec
        s.schools.append(spec)
        next_id += 1
    for n, (key, name, ptype, la, cons, ukprn, weight) in enumerate(_POST16):
        spec = PartnerSpec(
            next_id, name, ptype, la, consortium=cons, ukprn=ukprn,
            postcode=_partner_postcode(la, 20 + n), weight=weight,
        )
        s.partners[key] = spec
        s.post16.append(spec)
        next_id += 1
    for spec in s.partners.values():
        s.add("partners", spec.row())


def _partner_postcode(la: str, n: int) -> str:
    district = 2 if la == HOME_LA else 8
    return f"ZZ{district} {n % 10}{'ABDEFGHJLN'[n // 10 % 10]}B"


def _partnerships(s: Structure) -> None:
    s.add("partnerships", {"id": 1, "name": f"{HOME_LA_NAME} 14-19 Partnership",
                           "kind": "la_partnership", "structure_model": "county",
                           "la_code": HOME_LA, "parent_id": None})
    s.add("partnerships", {"id": 2, "name": f"North {HOME_LA_NAME} Consortium",
                           "kind": "consortium", "structure_model": "county",
                           "la_code": HOME_LA, "parent_id": 1})
    s.add("partnerships", {"id": 3, "name": f"{NEIGHBOUR_LA_NAME} Cross-Border Consortium",
                           "kind": "consortium", "structure_model": "cross_border",
                           "la_code": HOME_LA, "parent_id": 1})
    members: list[tuple[int, str, str]] = [
        (1, "la", "commissioner"), (1, "careers", "careers_service"),
        (2, "la", "broker"), (2, "careers", "careers_service"),
        (3, "la", "commissioner"), (3, "la2", "commissioner"), (3, "careers", "careers_service"),
    ]
    for spec in [*s.schools, *s.post16]:
        key = next(k for k, v in s.partners.items() if v is spec)
        members.append((1, key, "provider"))
        members.append((spec.consortium or 1, key, "provider"))
    for n, (pship, key, role) in enumerate(members, start=1):
        s.add("memberships", {"id": n, "partnership_id": pship,
                              "partner_id": s.partners[key].id, "role": role,
                              "valid_from": MEMBERSHIP_FROM, "valid_to": None})


def _sites(s: Structure) -> None:
    next_id = 1
    for spec in s.post16:
        town = spec.name.split()[0]
        names = [f"{town} main campus"]
        if spec.partner_type == "fe_college":
            names.append(f"{town} Vocational Skills Centre")
        for n, name in enumerate(names):
            s.add("sites", {"id": next_id, "partner_id": spec.id, "name": name,
                            "postcode": _partner_postcode(spec.la_code, 40 + next_id)})
            if n == 0:
                spec.main_site_id = next_id
            spec.offsite_site_id = next_id
            next_id += 1


def _provision(s: Structure, learners: int, rng: random.Random) -> None:
    aim_refs: dict[str, str] = {}
    next_id = 1

    def offer(spec: PartnerSpec, course: codes.Course, *, mode: str, year: str, demand: float,
              block: str | None, site: int | None, bucket: dict[int, list[ProvisionSpec]],
              ) -> None:
        nonlocal next_id
        aim = aim_refs.setdefault(course.title, f"DM{len(aim_refs) + 1:06d}")
        places = max(6, round(demand * rng.uniform(0.8, 1.4)))
        s.add("provision", {
            "id": next_id, "delivering_partner_id": spec.id, "site_id": site,
            "title": course.title, "learn_aim_ref": aim, "qualification": course.qualification,
            "level": course.level, "sector_subject_area": course.ssa,
            "diploma_line": course.diploma_line, "mode": mode, "academic_year": year,
            "places_offered": places,
            "minimum_group": min(places, 6 if mode == "off_site_day" else 10),
            "timetable_block": block, "code_list": "demo", "batch_id": 1,
        })
        bucket.setdefault(spec.id, []).append(
            ProvisionSpec(next_id, spec.id, course, mode, year, aim))
        next_id += 1

    school_total = sum(p.weight for p in s.schools)
    for spec in s.schools:
        roll = learners * SCHOOL_AGE_SHARE * spec.weight / school_total
        special = spec.partner_type in ("special_school", "pru")
        for course in codes.SPECIAL_COURSES if special else codes.SCHOOL_COURSES:
            offer(spec, course, mode="full_time", year=YEAR, demand=roll,
                  block="Core timetable", site=None, bucket=s.school)
    post16_total = sum(p.weight for p in s.post16)
    offsite_demand = learners * SCHOOL_AGE_SHARE * OFFSITE_SHARE / len(s.post16)
    for spec in s.post16:
        college = spec.partner_type == "fe_college"
        courses = codes.COLLEGE_COURSES if college else codes.WBL_COURSES
        cohort = learners * (1 - SCHOOL_AGE_SHARE) * spec.weight / post16_total
        per_course = cohort * (2.0 if college else 1.1) / len(courses)
        mode = "full_time" if college else "work_based"
        for n, course in enumerate(courses):
            block = f"Option block {'ABCD'[n % 4]}" if college else "Employer-based"
            offer(spec, course, mode=mode, year=YEAR, demand=per_course, block=block,
                  site=spec.main_site_id, bucket=s.main)
            offer(spec, course, mode=mode, year=NEXT_YEAR, demand=per_course * 0.55,
                  block=block, site=spec.main_site_id, bucket=s.next_year)
        offsite = codes.OFFSITE_COURSES if college else codes.WBL_OFFSITE_COURSES
        for n, course in enumerate(offsite):
            block = ("Collaborative day: Tuesday (Y10)", "Collaborative day: Thursday (Y11)")[n % 2]
            offer(spec, course, mode="off_site_day", year=YEAR,
                  demand=offsite_demand / len(offsite) * 1.5, block=block,
                  site=spec.offsite_site_id, bucket=s.offsite)
