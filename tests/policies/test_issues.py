"""Every agreement error code is unique and documented."""

from __future__ import annotations

from pathlib import Path

from policies.issues import AgreementInvalidError, AgreementIssue, agreement_error

DOCS = Path(__file__).parents[2] / "docs" / "errors"


def test_every_agreement_code_has_a_doc_page() -> None:
    classes: list[type[AgreementInvalidError]] = [
        AgreementInvalidError,
        *AgreementInvalidError.__subclasses__(),
    ]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes))
    missing = [code for code in codes if not (DOCS / f"{code}.md").is_file()]
    assert missing == []


def test_issue_codes_pick_the_specific_error_class() -> None:
    one = agreement_error([AgreementIssue("a.yaml", 3, "AGREEMENT_UNKNOWN_PURPOSE", "x")])
    assert one.code == "AGREEMENT_UNKNOWN_PURPOSE"
    assert "a.yaml:3: AGREEMENT_UNKNOWN_PURPOSE: x" in str(one)
