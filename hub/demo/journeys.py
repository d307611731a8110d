"""What a drawn learner does in 2025/26: courses, attendance, fees, applications, activities.

Shares follow the domain notes: about 10% of key stage 4 learners take an off-site course at a
host (attending 85-95% of sessions, the home school paying £550-£600 a year); every 16-19
learner is on one to three courses; about 5% of 16-19s are NEET and 4% not known; most Year 11
learners get a September Guarantee offer.
"""

from __future__ import annotations

import datetime as dt
import random

from hub.demo import codes
from hub.demo.block import Block
from hub.demo.partnership import (
    COLLEGE_FEE_PENCE,
    WBL_FEE_PENCE,
    YEAR,
    PartnerSpec,
    ProvisionSpec,
    Row,
    Structure,
)
from hub.demo.people import Person, learner_record

AS_OF = dt.date(2026, 3, 27)
TERM_START = dt.date(2025, 9, 8)
_HOLIDAY_WEEKS = {dt.date(2025, 10, 27), dt.date(2025, 12, 22), dt.date(2025, 12, 29),
                  dt.date(2026, 2, 16)}
TEACHING_WEEKS = tuple(
    week for n in range(30)
    if (week := TERM_START + dt.timedelta(weeks=n)) <= AS_OF and week not in _HOLIDAY_WEEKS
)
SESSIONS_PER_WEEK = 2  # one collaborative day: a morning and an afternoon session
NEET_SHARE = 0.05
NOT_KNOWN_SHARE = 0.04
LEFT_FOR_WORK_SHARE = 0.03
OFFSITE_SHARES = {"pru": 0.25, "special_school": 0.08}
STANDARD_OFFSITE_SHARE = 0.10
FEE_IDS = "funding_flows"
KS4VOC_STREAM = 2


def add_journeys(block: Block, rng: random.Random, s: Structure, person: Person) -> None:
    """Add every row about ``person`` beyond the learner itself."""
    block.add("learner_records", learner_record(person, person.home, block.new_id(
        "learner_records"), on_roll=True))
    if person.school_age:
        offsite_share = OFFSITE_SHARES.get(person.home.partner_type, STANDARD_OFFSITE_SHARE)
        if rng.random() < offsite_share:
            _offsite(block, rng, s, person)
        if person.age == 15:
            _applications(block, rng, s, person)
    else:
        _post16(block, rng, s, person)


def _hosts(s: Structure, home: PartnerSpec) -> list[PartnerSpec]:
    return [p for p in s.post16 if p.consortium == home.consortium] or s.post16


def _offsite(block: Block, rng: random.Random, s: Structure, person: Person) -> None:
    hosts = _hosts(s, person.home)
    host = rng.choices(hosts, weights=[3.0 if h.partner_type == "fe_college" else 1.0
                                       for h in hosts])[0]
    course = rng.choice(s.offsite[host.id])
    record = block.add("learner_records", learner_record(
        person, host, block.new_id("learner_records"), on_roll=False))
    rate = rng.uniform(0.5, 0.8) if rng.random() < 0.05 else rng.uniform(0.84, 0.99)
    weeks = [(week, sum(rng.random() < rate for _ in range(SESSIONS_PER_WEEK)))
             for week in TEACHING_WEEKS]
    end_year = 2026 if person.age == 15 else 2027
    participation = block.add("participations", {
        "learner_id": person.id, "provision_id": course.id,
        "home_partner_id": person.home.id, "delivering_partner_id": host.id,
        "start_date": TERM_START + dt.timedelta(days=1),
        "planned_end_date": dt.date(end_year, 7, 17), "actual_end_date": None,
        "completion_status": "1", "outcome": None,
        "sessions_possible": SESSIONS_PER_WEEK * len(weeks),
        "sessions_attended": sum(attended for _, attended in weeks),
        "withdrawal_reason": None, "code_list": "ILR",
        "source_ref": f"{record['local_ref']}/1", "batch_id": 1,
    })
    for week, attended in weeks:
        block.add("attendance_weeks", {
            "participation_id": participation["id"], "week_start": week,
            "sessions_possible": SESSIONS_PER_WEEK, "sessions_attended": attended,
            "batch_id": 1,
        })
    low, high = COLLEGE_FEE_PENCE if host.partner_type == "fe_college" else WBL_FEE_PENCE
    block.add(FEE_IDS, {
        "stream_id": KS4VOC_STREAM, "payer_partner_id": person.home.id,
        "payee_partner_id": host.id, "learner_id": person.id, "provision_id": course.id,
        "academic_year": YEAR, "amount_pence": rng.randint(low // 100, high // 100) * 100,
        "basis": "per_learner_fee", "batch_id": 1,
    })


def _post16(block: Block, rng: random.Random, s: Structure, person: Person) -> None:
    home = person.home
    college = home.partner_type == "fe_college"
    count = rng.choices((1, 2, 3), weights=(35, 40, 25) if college else (85, 15, 0))[0]
    courses = rng.sample(s.main[home.id], count)
    second_year = person.age >= 17 and rng.random() < 0.5
    if college:
        start = dt.date(2024, 9, 9) if second_year else TERM_START
    else:
        start = TERM_START + dt.timedelta(days=rng.randrange(120))
    planned_end = dt.date(2026, 6, 26) if college else start + dt.timedelta(days=540)
    fate = rng.random()
    left = fate < NEET_SHARE + NOT_KNOWN_SHARE + LEFT_FOR_WORK_SHARE
    latest_end = AS_OF - dt.timedelta(days=7)
    left_on = min(max(start, dt.date(2025, 10, 1)) + dt.timedelta(days=rng.randrange(120)),
                  latest_end)
    local_ref = block.rows["learner_records"][-1]["local_ref"]
    for seq, course in enumerate(courses, start=1):
        status, outcome, ended, reason = "1", None, None, None
        if left:
            status, ended, reason = "3", left_on, rng.choice(("44", "97", "98"))
            outcome = "3"
        elif rng.random() < 0.04:
            ended = min(start + dt.timedelta(days=rng.randint(20, 90)), latest_end)
            status, reason = "3", "40"
            outcome = "3"
        elif course.course.title.endswith("resit") and rng.random() < 0.6:
            status, ended = "2", dt.date(2025, 11, 14)
            outcome = "1" if rng.random() < 0.55 else "3"
        block.add("participations", {
            "learner_id": person.id, "provision_id": course.id,
            "home_partner_id": home.id, "delivering_partner_id": home.id,
            "start_date": start, "planned_end_date": planned_end, "actual_end_date": ended,
            "completion_status": status, "outcome": outcome,
            "sessions_possible": None, "sessions_attended": None,
            "withdrawal_reason": reason, "code_list": "ILR",
            "source_ref": f"{local_ref}/{seq}", "batch_id": 1,
        })
    _activities(block, rng, s, person, courses=courses, start=start, fate=fate,
                left_on=left_on if left else None)


def _activities(block: Block, rng: random.Random, s: Structure, person: Person, *,
                courses: list[ProvisionSpec], start: dt.date, fate: float,
                left_on: dt.date | None) -> None:
    recorder = s.by_key("careers").id if rng.random() < 0.85 else s.by_key("la").id
    title = courses[0].course.title
    if person.home.partner_type == "fe_college":
        learning = codes.EDUCATION_FE
    elif title.startswith("Apprenticeship"):
        learning = codes.APPRENTICESHIP
    else:
        learning = codes.OTHER_TRAINING
    if left_on is None:
        _activity(block, person, learning, start=start, review=dt.date(2026, 9, 30),
                  recorder=recorder)
        return
    _activity(block, person, learning, start=start, review=left_on, recorder=recorder)
    since = min(left_on + dt.timedelta(days=rng.randint(3, 30)), AS_OF)
    if fate < NEET_SHARE:
        code = rng.choices(codes.NEET_CODES, weights=codes.NEET_WEIGHTS)[0]
        review = since + dt.timedelta(days=90)
    elif fate < NEET_SHARE + NOT_KNOWN_SHARE:
        code, review = rng.choice(codes.NOT_KNOWN_CODES), since + dt.timedelta(days=30)
    else:
        code = rng.choices(codes.LEFT_LEARNING_CODES, weights=codes.LEFT_LEARNING_WEIGHTS)[0]
        review = since + dt.timedelta(days=182)
    _activity(block, person, code, start=since, review=review, recorder=recorder)


def _activity(block: Block, person: Person, code: codes.ActivityCode, *, start: dt.date,
              review: dt.date, recorder: int) -> None:
    block.add("activities", {
        "learner_id": person.id, "activity_code": code.code, "category": code.category,
        "start_date": start, "review_date": review, "recorded_by_partner_id": recorder,
        "code_list": "NCCIS", "batch_id": 1,
    })


def _applications(block: Block, rng: random.Random, s: Structure, person: Person) -> None:
    hosts = _hosts(s, person.home)
    applied: list[Row] = []
    if rng.random() < 0.9:
        for _ in range(rng.choices((1, 2, 3), weights=(30, 45, 25))[0]):
            host = rng.choice(hosts) if rng.random() < 0.7 else rng.choice(s.post16)
            course = rng.choice(s.next_year[host.id])
            applied_on = dt.date(2025, 11, 1) + dt.timedelta(days=rng.randrange(90))
            draw = rng.random()
            status = "offered" if draw < 0.7 else "rejected" if draw < 0.78 else "submitted"
            applied.append({
                "learner_id": person.id, "provision_id": course.id, "status": status,
                "applied_on": applied_on, "decided_on": None, "batch_id": 1,
            })
    if applied and all(a["status"] != "offered" for a in applied) and rng.random() < 0.75:
        applied[0]["status"] = "offered"
    for app in applied:
        block.add("applications", app)
        if app["status"] == "submitted":
            continue
        decided = min(app["applied_on"] + dt.timedelta(days=rng.randint(14, 45)), AS_OF)
        app["decided_on"] = decided
        if app["status"] == "offered":
            draw = rng.random()
            offer_status = "made" if draw < 0.6 else "accepted" if draw < 0.95 else "declined"
            app["status"] = {"made": "offered"}.get(offer_status, offer_status)
            _offer(block, person, provision_id=app["provision_id"], application_id=app["id"],
                   status=offer_status, offered_on=decided)
    if not applied and rng.random() < 0.5:
        host = rng.choice(hosts)
        course = rng.choice(s.next_year[host.id])
        _offer(block, person, provision_id=course.id, application_id=None, status="made",
               offered_on=dt.date(2026, 3, 2))


def _offer(block: Block, person: Person, *, provision_id: int, application_id: int | None,
           status: str, offered_on: dt.date) -> None:
    block.add("offers", {
        "learner_id": person.id, "provision_id": provision_id,
        "application_id": application_id, "status": status, "offered_on": offered_on,
        "is_september_guarantee": True, "batch_id": 1,
    })
