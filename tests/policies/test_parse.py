"""The strict agreement reader: one hostile file per defect, all problems reported with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.access import Granularity
from policies.issues import AgreementInvalidError, AgreementUnknownFieldError
from policies.parse import parse_text, read_directory, read_texts

FIXTURES = Path(__file__).parents[1] / "fixtures" / "agreements"
INVALID = FIXTURES / "invalid"

EXPECTED = {
    "unknown_field.yaml": ("AGREEMENT_UNKNOWN_FIELD", 17),
    "unknown_category.yaml": ("AGREEMENT_UNKNOWN_FIELD", 17),
    "unknown_purpose.yaml": ("AGREEMENT_UNKNOWN_PURPOSE", 8),
    "unknown_entity.yaml": ("AGREEMENT_UNKNOWN_ENTITY", 19),
    "unknown_scope.yaml": ("AGREEMENT_UNKNOWN_SCOPE", 18),
    "unknown_key.yaml": ("AGREEMENT_UNKNOWN_KEY", 19),
    "duplicate_key.yaml": ("AGREEMENT_UNKNOWN_KEY", 19),
    "missing_key.yaml": ("AGREEMENT_MISSING_KEY", 2),
    "special_category_without_article_9.yaml": ("AGREEMENT_LAWFUL_BASIS", 17),
    "pseudonymised_grants_identity.yaml": ("AGREEMENT_GRANULARITY", 17),
    "bad_date.yaml": ("AGREEMENT_BAD_VALUE", 13),
    "not_yaml.yaml": ("AGREEMENT_SYNTAX", 3),
}


def test_every_invalid_fixture_is_listed() -> None:
    listed = set(EXPECTED) | {"three_defects.yaml"}
    assert {path.name for path in INVALID.glob("*.yaml")} == listed


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_file_is_refused_with_its_code_and_line(name: str) -> None:
    code, line = EXPECTED[name]
    text = (INVALID / name).read_text(encoding="utf-8")
    with pytest.raises(AgreementInvalidError) as caught:
        read_texts([(name, text)])
    assert caught.value.code == code
    assert [(i.code, i.line, i.file) for i in caught.value.issues] == [(code, line, name)]
    assert f"docs/errors/{code}.md" in str(caught.value)


def test_unknown_field_fails_with_agreement_unknown_field() -> None:
    with pytest.raises(AgreementUnknownFieldError) as caught:
        read_texts([("unknown_field.yaml", (INVALID / "unknown_field.yaml").read_text())])
    assert caught.value.code == "AGREEMENT_UNKNOWN_FIELD"
    assert "shoe_size" in str(caught.value)


def test_all_problems_of_a_file_are_reported_together() -> None:
    agreement, issues = parse_text((INVALID / "three_defects.yaml").read_text(), "three.yaml")
    assert agreement is None
    assert [(i.line, i.code) for i in issues] == [
        (7, "AGREEMENT_UNKNOWN_PURPOSE"),
        (16, "AGREEMENT_UNKNOWN_FIELD"),
        (18, "AGREEMENT_UNKNOWN_KEY"),
    ]


def test_mixed_problems_raise_the_general_error() -> None:
    with pytest.raises(AgreementInvalidError) as caught:
        read_texts([("three.yaml", (INVALID / "three_defects.yaml").read_text())])
    assert type(caught.value) is AgreementInvalidError
    assert caught.value.code == "AGREEMENT_INVALID"


def test_overlapping_versions_of_one_agreement_refuse_the_set() -> None:
    with pytest.raises(AgreementInvalidError) as caught:
        read_directory(FIXTURES / "overlapping")
    assert caught.value.code == "AGREEMENT_OVERLAPPING_VALIDITY"
    assert caught.value.issues[0].file.endswith("v2.yaml")


def test_one_bad_file_refuses_the_whole_set() -> None:
    good = (FIXTURES / "valid" / "neet.yaml").read_text()
    bad = (INVALID / "unknown_purpose.yaml").read_text()
    with pytest.raises(AgreementInvalidError):
        read_texts([("neet.yaml", good), ("bad.yaml", bad)])


def test_same_version_twice_is_refused() -> None:
    good = (FIXTURES / "valid" / "neet.yaml").read_text()
    with pytest.raises(AgreementInvalidError) as caught:
        read_texts([("a.yaml", good), ("b.yaml", good)])
    assert caught.value.code == "AGREEMENT_OVERLAPPING_VALIDITY"


def test_valid_fixtures_read_into_typed_agreements() -> None:
    agreements = {a.ref: a for a in read_directory(FIXTURES / "valid")}
    neet = agreements["test-neet@1"]
    assert neet.lawful_basis.article_9 == "substantial_public_interest"
    assert "ethnicity" in neet.grant_for("learner").columns  # type: ignore[union-attr]
    assert agreements["test-commissioning@1"].granularity is Granularity.AGGREGATE
    assert agreements["test-commissioning@1"].min_cell_size == 10
    transition = agreements["test-transition@1"].grant_for("learner")
    assert transition is not None
    assert transition.scope[0].born_to is not None
    assert len(neet.sha256) == 64


def test_a_missing_folder_is_refused() -> None:
    with pytest.raises(AgreementInvalidError):
        read_directory(FIXTURES / "no-such-folder")
