"""Demo ILR files: valid against ESFA's 2025-26 XSD and read cleanly by the ILR connector."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from connectors.ilr.parser import IlrConnector
from connectors.records import LearnerIn, ParticipationIn
from hub.demo.exports.index import DemoIndex
from hub.demo.generator import DemoModel
from tests.hub.demo.exports.conftest import read_all

XSD = Path(__file__).parents[4] / "connectors" / "data" / "ilr" / "ILR-2025-26.xsd"


def test_one_ilr_file_per_college_and_provider(exports: dict[str, list[Path]]) -> None:
    names = sorted(path.name for path in exports["ilr"])
    assert [name[:12] for name in names] == [
        "ILR-10009901", "ILR-10009902", "ILR-10009911", "ILR-10009912", "ILR-10009913"]
    assert all(name.endswith("-2526-20260331-170000-01.xml") for name in names)


def test_every_ilr_file_is_valid_against_the_2025_26_xsd(exports: dict[str, list[Path]]) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for path in exports["ilr"]:
        document = etree.parse(str(path))
        assert schema.validate(document), (path.name, str(schema.error_log)[:500])


def test_the_ilr_connector_reads_every_learner_without_errors(
    exports: dict[str, list[Path]], model: DemoModel,
) -> None:
    index = DemoIndex.build(model)
    for path in exports["ilr"]:
        ukprn = path.name.split("-")[1]
        partner = next(p for p in index.partners.values() if p["ukprn"] == ukprn)
        parsed, errors = read_all(IlrConnector(), path)
        assert errors == {}, path.name
        learners = [r for p in parsed for r in p.records if isinstance(r, LearnerIn)]
        expected = {index.learners[r["learner_id"]]["uln"] for r in index.on_roll(partner["id"])}
        assert {learner.uln for learner in learners} == expected
        deliveries = [r for p in parsed for r in p.records if isinstance(r, ParticipationIn)]
        assert len(deliveries) == sum(
            1 for r in index.on_roll(partner["id"])
            for p in index.participations_by_learner[r["learner_id"]]
            if p["delivering_partner_id"] == partner["id"])
