"""How partners' files find each other's rows: courses by title, one academic-year form, sites
from venues, flows naming learner and course, attendance totals on the course.

Each test ingests small real CSV files through the pipeline, as partners submit them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.attendance.spec import ATTENDANCE
from connectors.census.spec import CENSUS
from connectors.csvspec import CsvSpec
from connectors.pipeline import ingest_file
from connectors.reference.spec import FLOWS, PROVISION
from hub.demo.exports.csvs import write_csv
from tests.support.ingest import add_partner, valid_uln, valid_upn

HOST = "10000009"
SCHOOL = "9304001"
COURSE = {"provider_ref": HOST, "academic_year": "2025-26", "title": "KS4 Construction Skills",
          "learn_aim_ref": "DM000029", "mode": "off_site_day", "venue": "Skills Centre"}
MONDAYS = (dt.date(2025, 9, 8), dt.date(2025, 9, 15))


def _csv(folder: Path, name: str, spec: CsvSpec, rows: list[dict[str, object]]) -> Path:
    return write_csv(folder / name, spec, rows)


def _pupil(n: int) -> dict[str, object]:
    return {"laestab": SCHOOL, "census_term": "2026-spring", "census_date": dt.date(2026, 1, 15),
            "upn": valid_upn(n), "uln": valid_uln(n), "legal_surname": f"Testperson{n}",
            "legal_forename": "Sam", "dob": dt.date(2010, 3, n), "sex": "M",
            "offsite_provider": HOST, "offsite_course": COURSE["title"],
            "nc_year_actual": "10", "enrol_status": "C", "offsite_start_date": dt.date(2025, 9, 9)}


def _week(n: int, week: dt.date, attended: int) -> dict[str, object]:
    return {"host_ref": HOST, "learner_ref": f"H{n:04d}", "uln": valid_uln(n),
            "upn": valid_upn(n), "given_name": "Sam", "family_name": f"Testperson{n}",
            "dob": dt.date(2010, 3, n), "course_ref": COURSE["learn_aim_ref"],
            "week_start": week, "sessions_possible": 2, "sessions_attended": attended}


async def _rows(engine: AsyncEngine, sql: str) -> list[Any]:
    async with engine.connect() as conn:
        return list(await conn.execute(text(sql)))


async def _setup(engine: AsyncEngine, tmp_path: Path) -> dict[str, int]:
    """A host college, a school and an LA; the LA registers the host's course at a venue; the
    school's census places two pupils on it by title."""
    ids = {
        "la": await add_partner(engine, "LA", ukprn="10000007", la_code="930",
                                partner_type="local_authority"),
        "host": await add_partner(engine, "Host College", ukprn=HOST),
        "school": await add_partner(engine, "School", ukprn=None, urn="930001",
                                    laestab=SCHOOL, la_code="930", partner_type="school"),
    }
    provision = _csv(tmp_path, "provision.csv", PROVISION, [COURSE])
    assert (await ingest_file(engine, "provision", provision, partner_id=ids["la"])).status == (
        "loaded")
    census = _csv(tmp_path, "census.csv", CENSUS, [_pupil(1), _pupil(2)])
    loaded = await ingest_file(engine, "census", census, partner_id=ids["school"])
    assert (loaded.status, loaded.records_rejected) == ("loaded", 0), loaded.issues
    return ids


async def test_a_census_course_named_by_title_joins_the_registered_course(
    engine: AsyncEngine, tmp_path: Path,
) -> None:
    await _setup(engine, tmp_path)
    courses = await _rows(engine, "SELECT id, title, learn_aim_ref, academic_year FROM provision")
    assert [(c.title, c.learn_aim_ref, c.academic_year) for c in courses] == [
        ("KS4 Construction Skills", "DM000029", "2025/26")]  # one course, the hub's year form
    used = await _rows(engine, "SELECT DISTINCT provision_id FROM participations")
    assert [u.provision_id for u in used] == [courses[0].id]


async def test_a_venue_becomes_one_site_of_the_delivering_partner(
    engine: AsyncEngine, tmp_path: Path,
) -> None:
    ids = await _setup(engine, tmp_path)
    again = _csv(tmp_path, "provision-2.csv", PROVISION,
                 [{**COURSE, "title": "KS4 Motor Vehicle", "learn_aim_ref": "DM000030",
                   "venue": "skills centre "}])
    await ingest_file(engine, "provision", again, partner_id=ids["la"])
    sites = await _rows(engine, "SELECT id, partner_id, name FROM sites")
    assert [(s.partner_id, s.name) for s in sites] == [(ids["host"], "Skills Centre")]
    linked = await _rows(engine, "SELECT DISTINCT site_id FROM provision")
    assert [row.site_id for row in linked] == [sites[0].id]


async def test_attendance_weeks_add_up_on_the_course_and_a_resent_week_replaces(
    engine: AsyncEngine, tmp_path: Path,
) -> None:
    ids = await _setup(engine, tmp_path)
    weeks = [_week(n, week, 2 if n == 1 else 1) for n in (1, 2) for week in MONDAYS]
    first = _csv(tmp_path, "attendance.csv", ATTENDANCE, weeks)
    assert (await ingest_file(engine, "attendance", first, partner_id=ids["host"])).status == (
        "loaded")
    totals = await _rows(engine, "SELECT p.sessions_possible, p.sessions_attended "
                                 "FROM participations p ORDER BY p.id")
    assert [tuple(t) for t in totals] == [(4, 4), (4, 2)]
    correction = _csv(tmp_path, "attendance-fix.csv", ATTENDANCE, [_week(2, MONDAYS[0], 0)])
    await ingest_file(engine, "attendance", correction, partner_id=ids["host"])
    totals = await _rows(engine, "SELECT p.sessions_possible, p.sessions_attended "
                                 "FROM participations p ORDER BY p.id")
    assert [tuple(t) for t in totals] == [(4, 4), (4, 1)]


async def test_a_flow_names_the_payers_learner_and_the_payees_course(
    engine: AsyncEngine, tmp_path: Path,
) -> None:
    ids = await _setup(engine, tmp_path)
    flows = _csv(tmp_path, "flows.csv", FLOWS, [{
        "payer_ref": SCHOOL, "payee_ref": HOST, "academic_year": "2025-26", "amount": "575.00",
        "basis": "per_learner_fee", "learner_ref": valid_upn(1),
        "provision_ref": COURSE["title"]}])
    assert (await ingest_file(engine, "flows", flows, partner_id=ids["school"])).status == (
        "loaded")
    (flow,) = await _rows(engine, "SELECT f.academic_year, l.upn, v.title FROM funding_flows f "
                                  "JOIN learners l ON l.id = f.learner_id "
                                  "JOIN provision v ON v.id = f.provision_id")
    assert tuple(flow) == ("2025/26", valid_upn(1), COURSE["title"])
