"""Demo CTF files: one per school, every on-roll pupil, read cleanly by the CTF connector."""

from __future__ import annotations

from pathlib import Path

from connectors.ctf.connector import CtfConnector
from connectors.records import LearnerIn
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from tests.hub.demo.exports.conftest import read_all


def test_each_school_ctf_carries_its_pupils_onto_its_roll(
    exports: dict[str, list[Path]], model: DemoModel,
) -> None:
    index = DemoIndex.build(model)
    schools = {p["laestab"]: p for p in index.partners.values() if p["laestab"]}
    assert len(exports["ctf"]) == sum(1 for s in schools.values() if index.on_roll(s["id"]))
    for path in exports["ctf"]:
        school = schools[path.stem.split("_")[2]]
        assert path.name == f"{school['la_code']}LLLL_CTF_{school['laestab']}_001.xml"
        parsed, errors = read_all(CtfConnector(), path)
        assert errors == {}, path.name
        pupils = [r for p in parsed for r in p.records if isinstance(r, LearnerIn)]
        assert all(pupil.is_on_roll for pupil in pupils)
        expected = {index.learners[r["learner_id"]]["upn"] for r in index.on_roll(school["id"])}
        assert {pupil.upn for pupil in pupils} == expected
        by_upn = {row["upn"]: row for row in index.learners.values() if row["upn"]}
        for pupil in pupils:
            learner = by_upn[pupil.upn]
            assert (pupil.uln, pupil.date_of_birth, pupil.sen_provision, pupil.fsm) == (
                learner["uln"], learner["date_of_birth"], learner["sen_provision"],
                learner["fsm"])
