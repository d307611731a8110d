"""Problems found in agreement files, and the error that refuses a set of them.

Every problem is collected (file, line, code, reason) before anything is refused, so an author
fixes a whole file in one pass. When every problem shares one code, the error raised is the
subclass with that code (``AGREEMENT_UNKNOWN_FIELD`` for a file whose only problems are unknown
fields); otherwise it is ``AgreementInvalidError`` itself, and each issue keeps its own code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hub.errors import FileRejectedError


@dataclass(frozen=True, slots=True)
class AgreementIssue:
    """One problem in one agreement file."""

    file: str
    line: int
    code: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.reason}"


class AgreementInvalidError(FileRejectedError):
    """The agreement set is refused whole; the set already in force stays in force."""

    code = "AGREEMENT_INVALID"

    def __init__(self, issues: Sequence[AgreementIssue]) -> None:
        self.issues = tuple(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"{len(self.issues)} problem(s) in agreement files:\n{lines}\n")


class AgreementSyntaxError(AgreementInvalidError):
    """The file is not YAML, or not one mapping at the top level."""

    code = "AGREEMENT_SYNTAX"


class AgreementUnknownKeyError(AgreementInvalidError):
    """A key the agreement format does not define (a typo would otherwise change access)."""

    code = "AGREEMENT_UNKNOWN_KEY"


class AgreementMissingKeyError(AgreementInvalidError):
    """A required key is absent."""

    code = "AGREEMENT_MISSING_KEY"


class AgreementBadValueError(AgreementInvalidError):
    """A value has the wrong type or is outside its vocabulary (dates, roles, granularity...)."""

    code = "AGREEMENT_BAD_VALUE"


class AgreementUnknownEntityError(AgreementInvalidError):
    """A grant names an entity the store does not have."""

    code = "AGREEMENT_UNKNOWN_ENTITY"


class AgreementUnknownFieldError(AgreementInvalidError):
    """A grant names a field (column) or data category the entity does not have."""

    code = "AGREEMENT_UNKNOWN_FIELD"


class AgreementUnknownPurposeError(AgreementInvalidError):
    """A purpose outside the fixed purpose vocabulary."""

    code = "AGREEMENT_UNKNOWN_PURPOSE"


class AgreementUnknownScopeError(AgreementInvalidError):
    """A learner or partner relationship that does not exist, or does not apply to the entity."""

    code = "AGREEMENT_UNKNOWN_SCOPE"


class AgreementLawfulBasisError(AgreementInvalidError):
    """The lawful basis is missing a part the grants need (e.g. Article 9 for special category)."""

    code = "AGREEMENT_LAWFUL_BASIS"


class AgreementGranularityError(AgreementInvalidError):
    """A pseudonymised or aggregate agreement grants identifying data, or sizes are invalid."""

    code = "AGREEMENT_GRANULARITY"


class AgreementOverlapError(AgreementInvalidError):
    """Two versions of one agreement id are in force on the same day, or share a version number."""

    code = "AGREEMENT_OVERLAPPING_VALIDITY"


class AgreementVersionChangedError(AgreementInvalidError):
    """A loaded version's text changed without a new version number."""

    code = "AGREEMENT_VERSION_CHANGED"


_BY_CODE = {cls.code: cls for cls in AgreementInvalidError.__subclasses__()}


def agreement_error(issues: Sequence[AgreementIssue]) -> AgreementInvalidError:
    """The error to raise for ``issues``: the specific class when they share one code."""
    codes = {issue.code for issue in issues}
    if len(codes) == 1:
        return _BY_CODE.get(codes.pop(), AgreementInvalidError)(issues)
    return AgreementInvalidError(issues)
