"""The connectors route: every partner file loads, and the store holds the generated partnership."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from hub.demo.route import RouteResult, load_through_connectors, plan
from hub.store.engine import create_engine_for
from tests.support.databases import fresh_database

LEARNERS = 300
SEED = 7


@pytest.fixture(scope="module")
def model() -> DemoModel:
    return DemoModel(LEARNERS, seed=SEED)


@pytest.fixture(scope="module")
def index(model: DemoModel) -> DemoIndex:
    return DemoIndex.build(model)


@pytest.fixture(scope="module")
def loaded(backend: str, model: DemoModel, tmp_path_factory: pytest.TempPathFactory,
           ) -> Iterator[tuple[str, RouteResult]]:
    """A database loaded through the connectors, with the route's result."""
    with fresh_database(backend, tmp_path_factory.mktemp("route")) as url:
        async def load() -> RouteResult:
            engine = create_engine_for(url)
            try:
                return await load_through_connectors(engine, model)
            finally:
                await engine.dispose()

        yield url, asyncio.run(load())


def _rows(url: str, sql: str) -> list[Any]:
    async def run() -> list[Any]:
        engine = create_engine_for(url)
        try:
            async with engine.connect() as conn:
                return list(await conn.execute(text(sql)))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _count(url: str, table: str) -> int:
    return int(_rows(url, f"SELECT count(*) FROM {table}")[0][0])  # noqa: S608


def test_every_file_loads_whole_with_no_review(loaded: tuple[str, RouteResult]) -> None:
    _url, result = loaded
    assert result.failed == []
    assert {f.submission.format for f in result.files} == {
        "providers", "provision", "allocations", "nccis", "ilr", "census", "attendance", "flows"}
    assert all(f.summary.status == "loaded" for f in result.files)
    assert sum(f.summary.reviews_queued for f in result.files) == 0
    errors = [i for f in result.files for i in f.summary.issues if i.is_error]
    assert errors == []


def test_each_file_is_submitted_by_the_partner_it_names(loaded: tuple[str, RouteResult],
                                                        index: DemoIndex) -> None:
    _url, result = loaded
    submitters = {f.submission.path.name: f.partner_name for f in result.files}
    la = index.partners[1]["name"]
    college = next(p for p in index.partners_of_type("fe_college"))
    school = index.partners_of_type("school")[0]
    assert submitters["providers.csv"] == la
    assert submitters[f"ILR-{college['ukprn']}-2526-20260331-170000-01.xml"] == college["name"]
    assert submitters[f"census-{school['laestab']}-2026-spring.csv"] == school["name"]
    assert submitters[f"flows-{school['laestab']}.csv"] == school["name"]


def test_the_store_holds_every_generated_row(loaded: tuple[str, RouteResult],
                                             index: DemoIndex) -> None:
    url, _result = loaded
    for table in ("partners", "sites", "partnerships", "memberships", "funding_streams",
                  "provision", "funding_allocations", "learners", "participations",
                  "attendance_weeks", "activities", "funding_flows", "applications", "offers"):
        assert _count(url, table) == len(index.tables[table]), table
    assert _count(url, "match_reviews") == 0


def test_learners_keep_identifiers_names_and_residence(loaded: tuple[str, RouteResult],
                                                      index: DemoIndex) -> None:
    url, _result = loaded
    stored = {row.uln: row for row in _rows(
        url, "SELECT uln, upn, given_name, family_name, date_of_birth, la_of_residence "
             "FROM learners")}
    for learner in index.learners.values():
        row = stored[learner["uln"]]
        assert (row.upn, row.given_name, row.family_name) == (
            learner["upn"], learner["given_name"], learner["family_name"])
        assert str(row.date_of_birth)[:10] == learner["date_of_birth"].isoformat()
        if learner["upn"] is None:  # 16-19: the LA's NCCIS return names where they live
            assert row.la_of_residence == learner["la_of_residence"]


def test_off_site_courses_carry_attendance_totals_and_both_partners(
    loaded: tuple[str, RouteResult], index: DemoIndex,
) -> None:
    url, _result = loaded
    expected = Counter(
        (index.learners[p["learner_id"]]["uln"], index.provision[p["provision_id"]]["title"],
         p["sessions_possible"], p["sessions_attended"])
        for p in index.tables["participations"]
        if p["home_partner_id"] != p["delivering_partner_id"])
    stored = Counter(tuple(row) for row in _rows(
        url, "SELECT l.uln, v.title, p.sessions_possible, p.sessions_attended "
             "FROM participations p JOIN learners l ON l.id = p.learner_id "
             "JOIN provision v ON v.id = p.provision_id "
             "WHERE p.home_partner_id IS NOT NULL "
             "AND p.home_partner_id <> p.delivering_partner_id"))
    assert expected
    assert stored == expected


def test_per_learner_fees_name_their_learner_and_course(loaded: tuple[str, RouteResult],
                                                        index: DemoIndex) -> None:
    url, _result = loaded
    fees = [f for f in index.tables["funding_flows"] if f["basis"] == "per_learner_fee"]
    stored = _rows(url, "SELECT count(*), count(learner_id), count(provision_id) "
                        "FROM funding_flows WHERE basis = 'per_learner_fee'")[0]
    assert tuple(stored) == (len(fees), len(fees), len(fees))


def test_plan_loads_in_dependency_order_and_leaves_out_ctf(tmp_path: Path) -> None:
    from hub.demo.exports import write_demo_exports

    written = write_demo_exports(DemoModel(60, seed=SEED), tmp_path)
    submissions = plan(written, "10009921")
    formats = [s.format for s in submissions]
    assert formats[:3] == ["providers", "provision", "allocations"]
    last = {f: max(i for i, g in enumerate(formats) if g == f) for f in set(formats)}
    first = {f: formats.index(f) for f in set(formats)}
    assert last["nccis"] < first["ilr"]
    assert last["ilr"] < first["census"]
    assert last["census"] < first["attendance"]
    assert last["attendance"] < first["flows"]
    assert "ctf" not in formats
    assert written["ctf"]
    assert {s.submitter for s in submissions if s.format == "nccis"} == {"la:931", "la:932"}

