"""The normalised records every connector yields and the store loader accepts.

Connectors translate their format's codes into these shapes (keeping source codes where the
store keeps them); nothing here knows about files or SQL. Dates are ``datetime.date``; money is
integer pence; codes are strings from the code list named in ``code_list``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from connectors.report import ValidationIssue


@dataclass(slots=True)
class LearnerIn:
    """A partner's record of one learner, with the identifiers used to link it."""

    local_ref: str
    uln: str | None = None
    upn: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: dt.date | None = None
    sex: str | None = None
    ethnicity_source_code: str | None = None
    ethnicity_source_list: str | None = None
    postcode: str | None = None
    la_of_residence: str | None = None
    sen_provision: str | None = None
    lldd: bool | None = None
    fsm: bool | None = None
    looked_after: bool | None = None
    care_leaver: bool | None = None
    is_on_roll: bool = False


@dataclass(slots=True)
class ParticipationIn:
    """A learner on a course (an ILR LearningDelivery, a CTF/census off-site placement...)."""

    learner_ref: str
    source_ref: str
    provision_title: str
    learn_aim_ref: str | None = None
    level: str | None = None
    sector_subject_area: str | None = None
    diploma_line: str | None = None
    academic_year: str | None = None
    delivering_partner_ref: str | None = None
    home_partner_ref: str | None = None
    start_date: dt.date | None = None
    planned_end_date: dt.date | None = None
    actual_end_date: dt.date | None = None
    completion_status: str | None = None
    outcome: str | None = None
    withdrawal_reason: str | None = None
    sessions_possible: int | None = None
    sessions_attended: int | None = None
    code_list: str | None = None


@dataclass(slots=True)
class ActivityIn:
    """A destination or NEET activity record (NCCIS-style, or ILR destination and progression)."""

    learner_ref: str
    activity_code: str
    category: str
    start_date: dt.date | None = None
    review_date: dt.date | None = None
    code_list: str | None = None


@dataclass(slots=True)
class AttendanceIn:
    """Sessions possible and attended in one week, for one learner on one course."""

    learner_ref: str
    week_start: dt.date
    sessions_possible: int
    sessions_attended: int
    course_ref: str | None = None


@dataclass(slots=True)
class PartnerIn:
    """An establishment from a reference file (GIAS-style) or a registration."""

    name: str
    partner_type: str
    urn: str | None = None
    ukprn: str | None = None
    la_code: str | None = None
    laestab: str | None = None
    postcode: str | None = None


@dataclass(slots=True)
class ProvisionIn:
    """A course offered (from a provision reference file)."""

    delivering_partner_ref: str
    title: str
    academic_year: str
    learn_aim_ref: str | None = None
    qualification: str | None = None
    level: str | None = None
    sector_subject_area: str | None = None
    diploma_line: str | None = None
    mode: str | None = None
    venue: str | None = None
    places_offered: int | None = None
    minimum_group: int | None = None
    timetable_block: str | None = None


@dataclass(slots=True)
class FundingAllocationIn:
    """A stream's allocation to a partner for a year, in pence."""

    stream_code: str
    partner_ref: str
    academic_year: str
    amount_pence: int


@dataclass(slots=True)
class FundingFlowIn:
    """Money from payer to payee, in pence, optionally for one learner or course."""

    payer_ref: str
    payee_ref: str
    academic_year: str
    amount_pence: int
    basis: str
    stream_code: str | None = None
    learner_ref: str | None = None
    provision_ref: str | None = None


Record = (
    LearnerIn
    | ParticipationIn
    | ActivityIn
    | AttendanceIn
    | PartnerIn
    | ProvisionIn
    | FundingAllocationIn
    | FundingFlowIn
)


@dataclass(slots=True)
class ParsedRecord:
    """One source record (e.g. one ILR Learner with its deliveries) and its findings.

    ``records`` is every normalised record derived from the source record; they load or are
    rejected together. ``source_ref`` names it in reports (LearnRefNumber, UPN, row number).
    """

    source_ref: str
    record_number: int
    records: list[Record] = field(default_factory=list)
    issues: list[ValidationIssue] = field(default_factory=list)

    @property
    def is_rejected(self) -> bool:
        """Whether any finding is an error, which rejects the whole source record."""
        return any(issue.is_error for issue in self.issues)
