"""Per-learner XSD validation inside a wrapper built from the file's own header."""

from __future__ import annotations

from lxml import etree

from connectors.ilr.scan import scan
from connectors.ilr.structure import SCHEMA_RULE, StructureValidator
from tests.connectors.ilr.support import INVALID, ONE_LEARNER_1819

NS = "{ESFA/ILR/2018-19}"


def _learners(path_name: str) -> tuple[StructureValidator, list[etree._Element]]:
    path = INVALID / path_name
    found = scan(path)
    validator = StructureValidator(found.header.year, found.root, found.header_elements)
    tree = etree.parse(str(path))
    return validator, tree.getroot().findall(f"{NS}Learner")


def test_errors_carry_the_learner_ref_element_and_source_line() -> None:
    validator, (learner,) = _learners("ILR-1819-bad-ULN-email-workplacement.xml")
    issues, header = validator.validate(learner, "16Learner", 1)
    assert header == []
    assert [(i.rule, i.field, i.line) for i in issues] == [
        (SCHEMA_RULE, "ULN", 27),
        (SCHEMA_RULE, "Email", 36),
        (SCHEMA_RULE, "LearningDeliveryWorkPlacement", 46),
    ]
    assert {i.source_ref for i in issues} == {"16Learner"}


def test_validation_detaches_the_learner_and_reuses_the_wrapper() -> None:
    validator, learners = _learners("ILR-1819-FD-Field_Occurance.xml")
    counts = []
    for number, learner in enumerate(learners, start=1):
        issues, header = validator.validate(learner, f"L{number}", number)
        assert header == []
        assert learner.getparent() is None
        counts.append(len(issues))
    assert sum(counts) == 13  # plus one error on the file's D&P record: 14
    assert sum(1 for count in counts if count) == 10  # O228DPOutcom is valid; its D&P is not


def test_a_valid_learner_has_no_issues() -> None:
    found = scan(ONE_LEARNER_1819)
    validator = StructureValidator(found.header.year, found.root, found.header_elements)
    learner = etree.parse(str(ONE_LEARNER_1819)).getroot().find(f"{NS}Learner")
    assert learner is not None
    assert validator.validate(learner, "16Learner", 1) == ([], [])
