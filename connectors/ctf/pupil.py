"""One CTF ``Pupil`` element -> LearnerIn with its findings.

A bad UPN, name, date of birth or sex rejects the pupil (they cannot be identified); a bad ULN,
ethnicity, postcode or SEN code is dropped with a warning so the pupil still loads.
"""

from __future__ import annotations

import datetime as dt

from lxml import etree

from connectors.ctf.elements import children, descendants, first_text, text
from connectors.ctf.header import CtfHeader
from connectors.normalise import lookup_ethnicity, normalise_sex, parse_bool, parse_postcode
from connectors.records import LearnerIn, ParsedRecord
from connectors.report import Severity, ValidationIssue
from hub.identifiers import is_valid_uln, is_valid_upn

HISTORIC_SEN = {"S": "E", "A": "K", "P": "K"}  # statement -> EHC plan; action (plus) -> support


class _Findings:
    """Collects issues for one pupil with its reference filled in."""

    def __init__(self, parsed: ParsedRecord) -> None:
        self.parsed = parsed

    def add(self, rule: str, message: str, field: str, severity: Severity = Severity.ERROR
            ) -> None:
        self.parsed.issues.append(ValidationIssue(
            rule=rule, message=message, severity=severity, source_ref=self.parsed.source_ref,
            record_number=self.parsed.record_number, field=field,
        ))


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def pupil_record(pupil: etree._Element, header: CtfHeader, number: int) -> ParsedRecord:
    """The pupil as a ``ParsedRecord`` (rejected when an identifying item is unusable)."""
    upn = (text(pupil, "UPN") or "").upper()
    parsed = ParsedRecord(source_ref=upn or f"pupil {number}", record_number=number)
    found = _Findings(parsed)
    if not upn:
        found.add("CTF_UPN_MISSING", "the pupil has no UPN", "UPN")
    elif not is_valid_upn(upn):
        found.add("CTF_UPN_CHECK", f"UPN {upn!r} fails the shape or check-letter test", "UPN")
    surname, forename = text(pupil, "Surname"), text(pupil, "Forename")
    for field, value in (("Surname", surname), ("Forename", forename)):
        if value is None:
            found.add("CTF_REQUIRED", f"{field} is missing", field)
    dob = _date(text(pupil, "DOB"))
    if dob is None:
        found.add("CTF_BAD_DOB", f"DOB {text(pupil, 'DOB')!r} is missing or not YYYY-MM-DD",
                  "DOB")
    sex = _sex(pupil, found)
    learner = LearnerIn(
        local_ref=upn,
        upn=upn or None,
        uln=_uln(pupil, found),
        given_name=forename,
        family_name=surname,
        date_of_birth=dob,
        sex=sex,
        postcode=_postcode(pupil, found),
        sen_provision=_sen(pupil, found),
        fsm=_fsm(pupil, header.as_of),
        looked_after=_looked_after(pupil, found),
        is_on_roll=header.to_school,
    )
    ethnicity = text(pupil, "BasicDetails/Ethnicity")
    if ethnicity is not None:
        try:
            learner.ethnicity_source_code = lookup_ethnicity(ethnicity, "CBDS").source_code
            learner.ethnicity_source_list = "CBDS"
        except ValueError as error:
            found.add("CTF_BAD_ETHNICITY", f"{error}; dropped", "Ethnicity", Severity.WARNING)
    if not parsed.is_rejected:
        parsed.records = [learner]
    return parsed


def _sex(pupil: etree._Element, found: _Findings) -> str | None:
    item = first_text(pupil, "Sex", "Gender")
    if item is None:
        found.add("CTF_REQUIRED", "Sex (or Gender) is missing", "Sex")
        return None
    try:
        return normalise_sex(item[1])
    except ValueError as error:
        found.add("CTF_BAD_SEX", str(error), item[0])
        return None


def _uln(pupil: etree._Element, found: _Findings) -> str | None:
    uln = text(pupil, "UniqueLearnerNumber")
    if uln is not None and not is_valid_uln(uln):
        found.add("CTF_ULN_CHECK", f"ULN {uln!r} fails the check-digit test; dropped",
                  "UniqueLearnerNumber", Severity.WARNING)
        return None
    return uln


def _postcode(pupil: etree._Element, found: _Findings) -> str | None:
    for value in descendants(next(children(pupil, "Address"), None), ("PostCode", "Postcode")):
        try:
            return parse_postcode(value)
        except ValueError as error:
            found.add("CTF_BAD_POSTCODE", f"{error}; dropped", "PostCode", Severity.WARNING)
            return None
    return None


def _sen(pupil: etree._Element, found: _Findings) -> str | None:
    """The SENprovision of the latest SEN entry; historic codes mapped to current ones."""
    latest: tuple[dt.date, str] | None = None
    for sen in children(next(children(pupil, "SENhistory"), pupil), "SEN"):
        provision = text(sen, "SENprovision")
        start = _date(text(sen, "StartDate")) or dt.date.min
        if provision and (latest is None or start >= latest[0]):
            latest = (start, provision.upper())
    if latest is None:
        return None
    code = latest[1]
    if code in HISTORIC_SEN:
        found.add("CTF_SEN_HISTORIC", f"historic SENprovision {code} recorded as "
                  f"{HISTORIC_SEN[code]}", "SENprovision", Severity.WARNING)
        return HISTORIC_SEN[code]
    if code not in ("N", "K", "E"):
        found.add("CTF_BAD_SEN", f"SENprovision {code!r} is not N, K or E; dropped",
                  "SENprovision", Severity.WARNING)
        return None
    return code


def _fsm(pupil: etree._Element, as_of: dt.date | None) -> bool | None:
    """Eligible on the file's date: an FSM instance started and not ended; None without history."""
    history = next(children(pupil, "FSMhistory"), None)
    if history is None:
        return None
    today = as_of or dt.date.max
    for instance in children(history, "FSMinstance"):
        start, end = _date(text(instance, "FSMstartDate")), _date(text(instance, "FSMendDate"))
        if (start is None or start <= today) and (end is None or end >= today):
            return True
    return False


def _looked_after(pupil: etree._Element, found: _Findings) -> bool | None:
    in_care = text(pupil, "LookedAfter/InCare")
    if in_care is None:
        return None
    try:
        return parse_bool(in_care)
    except ValueError as error:
        found.add("CTF_BAD_LOOKED_AFTER", f"{error}; dropped", "InCare", Severity.WARNING)
        return None
