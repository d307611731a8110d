"""CSV exports in exactly the connectors' layouts: columns come from each format's ``CsvSpec``.

NCCIS: one file per LA of residence (its young people's activities). Attendance: one per host
with off-site learners. Census: one per school (spring census). Reference data: one providers,
provision and allocations file for the partnership, and one flows file per payer (a flow's
``learner_ref`` is the payer's own reference for the learner, a school's UPN).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from connectors.attendance.spec import ATTENDANCE
from connectors.census.spec import CENSUS
from connectors.csvspec import CsvSpec
from connectors.nccis.spec import NCCIS
from connectors.reference.spec import ALLOCATIONS, FLOWS, PROVIDERS, PROVISION
from hub.demo.exports.ctf import nc_year
from hub.demo.exports.index import DemoIndex, academic_year_dashed, pounds
from hub.demo.partnership import Row

RETURN_MONTH = "2026-03"
CENSUS_TERM = "2026-spring"
CENSUS_DATE = dt.date(2026, 1, 15)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(path: Path, spec: CsvSpec, rows: Iterable[dict[str, object]]) -> Path:
    """Write ``rows`` with exactly ``spec``'s columns, in its order (UTF-8, CRLF as csv does)."""
    names = [column.name for column in spec.columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            unknown = set(row) - set(names)
            if unknown:
                raise ValueError(f"{spec.name}: columns not in the spec: {sorted(unknown)}")
            writer.writerow([_cell(row.get(name)) for name in names])
    return path


def write_nccis_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """One NCCIS activity file per LA, for the young people resident there."""
    by_la: dict[str, list[dict[str, object]]] = {}
    for learner_id, activities in index.activities_by_learner.items():
        learner = index.learners[learner_id]
        la = learner["la_of_residence"]
        flags = [code for code, flag in (("110", "looked_after"), ("160", "care_leaver"))
                 if learner[flag]]
        for activity in activities:
            by_la.setdefault(la, []).append({
                "la_code": la, "return_month": RETURN_MONTH,
                "young_person_id": f"{la}{learner_id:010d}", "uln": learner["uln"],
                "upn": learner["upn"], "given_name": learner["given_name"],
                "family_name": learner["family_name"], "dob": learner["date_of_birth"],
                "sex": learner["sex"], "postcode": learner["postcode"],
                "ethnicity": learner["ethnicity_source_code"], "cohort_status": "P",
                "send": learner["lldd"], "activity_code": activity["activity_code"],
                "activity_start_date": activity["start_date"],
                "review_date": activity["review_date"],
                "characteristics": ";".join(flags) or None,
            })
    return [write_csv(out_dir / f"nccis-{la}-{RETURN_MONTH}.csv", NCCIS, rows)
            for la, rows in sorted(by_la.items())]


def write_attendance_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """One attendance file per host, for the off-site learners it teaches."""
    by_host: dict[int, list[dict[str, object]]] = {}
    for learner_id, participations in index.participations_by_learner.items():
        learner = index.learners[learner_id]
        for participation in participations:
            host = participation["delivering_partner_id"]
            if host == participation["home_partner_id"]:
                continue
            course = index.provision[participation["provision_id"]]
            record = index.record_at[(learner_id, host)]
            for week in index.attendance_by_participation[participation["id"]]:
                by_host.setdefault(host, []).append({
                    "host_ref": index.partner_ref(host),
                    "home_ref": index.partners[participation["home_partner_id"]]["laestab"],
                    "learner_ref": record["local_ref"], "uln": learner["uln"],
                    "upn": learner["upn"], "given_name": learner["given_name"],
                    "family_name": learner["family_name"], "dob": learner["date_of_birth"],
                    "course_ref": course["learn_aim_ref"], "course_title": course["title"],
                    "week_start": week["week_start"],
                    "sessions_possible": week["sessions_possible"],
                    "sessions_attended": week["sessions_attended"],
                })
    return [write_csv(out_dir / f"attendance-{index.partner_ref(host)}-{RETURN_MONTH}.csv",
                      ATTENDANCE, rows) for host, rows in sorted(by_host.items())]


def write_census_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """One spring census pupil file per school, off-site placements included."""
    written = []
    for school in index.partners_of_type("school", "academy", "special_school", "pru"):
        rows = [_census_row(index, school, index.learners[r["learner_id"]])
                for r in index.on_roll(school["id"])]
        if rows:
            path = out_dir / f"census-{school['laestab']}-{CENSUS_TERM}.csv"
            written.append(write_csv(path, CENSUS, rows))
    return written


def _census_row(index: DemoIndex, school: Row, learner: Row) -> dict[str, object]:
    offsite = next((p for p in index.participations_by_learner[learner["id"]]
                    if p["delivering_partner_id"] != school["id"]), None)
    return {
        "laestab": school["laestab"], "census_term": CENSUS_TERM, "census_date": CENSUS_DATE,
        "upn": learner["upn"], "uln": learner["uln"], "legal_surname": learner["family_name"],
        "legal_forename": learner["given_name"], "dob": learner["date_of_birth"],
        "sex": learner["sex"], "ethnicity": learner["ethnicity_source_code"],
        "postcode": learner["postcode"], "fsm_eligible": learner["fsm"],
        "sen_provision": learner["sen_provision"],
        "nc_year_actual": nc_year(learner["date_of_birth"]), "enrol_status": "C",
        "offsite_provider": index.partner_ref(offsite["delivering_partner_id"])
        if offsite else None,
        "offsite_course": index.provision[offsite["provision_id"]]["title"] if offsite else None,
        "offsite_start_date": offsite["start_date"] if offsite else None,
    }


def write_reference_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """Providers, provision and allocations for the partnership; flows, one file per payer."""
    providers = [{
        "urn": p["urn"], "ukprn": p["ukprn"], "la_code": p["la_code"],
        "establishment_number": p["laestab"][3:] if p["laestab"] else None,
        "name": p["name"], "partner_type": p["partner_type"], "postcode": p["postcode"],
    } for p in index.partners.values()]
    provision = [{
        "provider_ref": index.partner_ref(c["delivering_partner_id"]),
        "academic_year": academic_year_dashed(c["academic_year"]), "title": c["title"],
        "learn_aim_ref": c["learn_aim_ref"], "qualification": c["qualification"],
        "level": c["level"], "sector_subject_area": c["sector_subject_area"],
        "diploma_line": c["diploma_line"], "mode": c["mode"],
        "venue": index.sites[c["site_id"]]["name"] if c["site_id"] else None,
        "places_offered": c["places_offered"], "minimum_group": c["minimum_group"],
        "timetable_block": c["timetable_block"],
    } for c in index.provision.values()]
    streams = {s["id"]: s["code"] for s in index.tables["funding_streams"]}
    allocations = [{
        "stream_code": streams[a["stream_id"]], "partner_ref": index.partner_ref(a["partner_id"]),
        "academic_year": academic_year_dashed(a["academic_year"]),
        "amount": pounds(a["amount_pence"]),
    } for a in index.tables["funding_allocations"]]
    by_payer: dict[str, list[dict[str, object]]] = {}
    for flow in index.tables["funding_flows"]:
        row = _flow_row(index, flow, streams)
        by_payer.setdefault(str(row["payer_ref"]), []).append(row)
    return [
        write_csv(out_dir / "providers.csv", PROVIDERS, providers),
        write_csv(out_dir / "provision.csv", PROVISION, provision),
        write_csv(out_dir / "allocations.csv", ALLOCATIONS, allocations),
        *(write_csv(out_dir / f"flows-{payer}.csv", FLOWS, rows)
          for payer, rows in sorted(by_payer.items())),
    ]


def _flow_row(index: DemoIndex, flow: Row, streams: dict[int, str]) -> dict[str, object]:
    learner = index.learners.get(flow["learner_id"]) if flow["learner_id"] else None
    course = index.provision.get(flow["provision_id"]) if flow["provision_id"] else None
    return {
        "payer_ref": index.partner_ref(flow["payer_partner_id"]),
        "payee_ref": index.partner_ref(flow["payee_partner_id"]),
        "academic_year": academic_year_dashed(flow["academic_year"]),
        "amount": pounds(flow["amount_pence"]), "basis": flow["basis"],
        "stream_code": streams.get(flow["stream_id"]) if flow["stream_id"] else None,
        "learner_ref": (learner["upn"] or learner["uln"]) if learner else None,
        "provision_ref": course["title"] if course else None,
    }
