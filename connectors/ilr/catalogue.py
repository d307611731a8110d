"""ESFA's 2025-26 rule catalogue (name, severity, message), read from the copied CSV.

Issues carry ESFA's rule name and ESFA's own error message, so a provider can look the rule up
in ESFA's guidance. Severity is ESFA's, except where the hub deliberately differs
(``HUB_SEVERITY``): each exception says why.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from connectors.codelists import DATA_DIR
from connectors.report import Severity

RULES_FILE = DATA_DIR / "ilr" / "ILR-2025-26-validation-rules.csv"

HUB_SEVERITY: dict[str, tuple[Severity, str]] = {
    "R_59": (
        Severity.WARNING,
        "a ULN shared by two learners is linked to one person by the loader; rejecting both "
        "would lose two real enrolments (ESFA's own 2025-26 sample has one)",
    ),
}
LOOKUP_SEVERITY_REASON = (
    "the hub's code lists are 2020-21 plus known later additions, so a code it does not know "
    "may be a newer valid ESFA code: reported, never rejected"
)


@dataclass(frozen=True, slots=True)
class RuleDef:
    """One ESFA rule as the catalogue states it."""

    name: str
    severity: Severity
    message: str
    status: str


@cache
def catalogue() -> dict[str, RuleDef]:
    """Every rule in the CSV by name (deleted ones included, flagged by ``status``)."""
    rules: dict[str, RuleDef] = {}
    with RULES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"].strip()
            severity = Severity.WARNING if row["Severity"] == "Warning" else Severity.ERROR
            message = " ".join(row["ErrorMessage"].split())
            rules[name] = RuleDef(name, severity, message, row["Status"].strip())
    return rules


def rule_def(name: str, *, lookup: bool = False) -> RuleDef:
    """The catalogue entry for ``name`` with the hub's severity applied.

    ``lookup`` marks a "must be a valid lookup" rule, reported as a warning (see above).
    Raises KeyError for a name not in the catalogue, so a typo fails at import time.
    """
    found = catalogue()[name]
    if lookup:
        return RuleDef(found.name, Severity.WARNING, found.message, found.status)
    if name in HUB_SEVERITY:
        return RuleDef(found.name, HUB_SEVERITY[name][0], found.message, found.status)
    return found
