"""The read catalogue: which table, column and join serves each GraphQL type and field.

This is the one map between the API's names and the store's. The read compiler walks it; the
authorization scope is asked about every entity and column it names, so a field missing here
cannot be read at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Table

from hub.store.models import (
    Activity,
    AttendanceWeek,
    FundingAllocation,
    FundingFlow,
    FundingStream,
    Learner,
    LearnerRecord,
    Membership,
    Participation,
    Partner,
    Partnership,
    Provision,
    Site,
)


class Encoding(StrEnum):
    """How a column's value is written into the response JSON."""

    ID = "id"
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    MONEY = "money"
    PSEUDONYM = "pseudonym"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A GraphQL scalar field served by one column."""

    column: str
    encoding: Encoding = Encoding.TEXT


@dataclass(frozen=True, slots=True)
class Relation:
    """A GraphQL object or list field served by a join from this entity to ``target``.

    ``local`` is this entity's column and ``remote`` the target's; a list relation selects every
    target row whose ``remote`` equals this row's ``local``.
    """

    target: str
    local: str
    remote: str
    many: bool = False


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """A GraphQL object type and the store entity behind it."""

    typename: str
    entity: str
    table: Table
    scalars: dict[str, Scalar]
    relations: dict[str, Relation] = field(default_factory=dict)


def _t(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


_ID = Scalar("id", Encoding.ID)

CATALOGUE: dict[str, EntitySpec] = {
    spec.typename: spec
    for spec in (
        EntitySpec(
            "Learner",
            "learner",
            _t(Learner),
            {
                "id": _ID,
                "pseudonym": Scalar("id", Encoding.PSEUDONYM),
                "uln": Scalar("uln"),
                "upn": Scalar("upn"),
                "givenName": Scalar("given_name"),
                "familyName": Scalar("family_name"),
                "dateOfBirth": Scalar("date_of_birth", Encoding.DATE),
                "sex": Scalar("sex"),
                "ethnicity": Scalar("ethnicity"),
                "ethnicitySourceCode": Scalar("ethnicity_source_code"),
                "ethnicitySourceList": Scalar("ethnicity_source_list"),
                "postcode": Scalar("postcode"),
                "laOfResidence": Scalar("la_of_residence"),
                "senProvision": Scalar("sen_provision"),
                "lldd": Scalar("lldd", Encoding.BOOL),
                "fsm": Scalar("fsm", Encoding.BOOL),
                "lookedAfter": Scalar("looked_after", Encoding.BOOL),
                "careLeaver": Scalar("care_leaver", Encoding.BOOL),
            },
            {
                "participations": Relation("Participation", "id", "learner_id", many=True),
                "activities": Relation("Activity", "id", "learner_id", many=True),
                "records": Relation("LearnerRecord", "id", "learner_id", many=True),
            },
        ),
        EntitySpec(
            "LearnerRecord",
            "learner_record",
            _t(LearnerRecord),
            {
                "id": _ID,
                "localRef": Scalar("local_ref"),
                "source": Scalar("source"),
                "isOnRoll": Scalar("is_on_roll", Encoding.BOOL),
                "asOf": Scalar("as_of", Encoding.DATE),
            },
            {"partner": Relation("Partner", "partner_id", "id")},
        ),
        EntitySpec(
            "Participation",
            "participation",
            _t(Participation),
            {
                "id": _ID,
                "startDate": Scalar("start_date", Encoding.DATE),
                "plannedEndDate": Scalar("planned_end_date", Encoding.DATE),
                "actualEndDate": Scalar("actual_end_date", Encoding.DATE),
                "completionStatus": Scalar("completion_status"),
                "outcome": Scalar("outcome"),
                "sessionsPossible": Scalar("sessions_possible", Encoding.INT),
                "sessionsAttended": Scalar("sessions_attended", Encoding.INT),
                "withdrawalReason": Scalar("withdrawal_reason"),
                "codeList": Scalar("code_list"),
            },
            {
                "learner": Relation("Learner", "learner_id", "id"),
                "provision": Relation("Provision", "provision_id", "id"),
                "homePartner": Relation("Partner", "home_partner_id", "id"),
                "deliveringPartner": Relation("Partner", "delivering_partner_id", "id"),
                "attendanceWeeks": Relation("AttendanceWeek", "id", "participation_id", many=True),
            },
        ),
        EntitySpec(
            "AttendanceWeek",
            "attendance_week",
            _t(AttendanceWeek),
            {
                "id": _ID,
                "weekStart": Scalar("week_start", Encoding.DATE),
                "sessionsPossible": Scalar("sessions_possible", Encoding.INT),
                "sessionsAttended": Scalar("sessions_attended", Encoding.INT),
            },
        ),
        EntitySpec(
            "Provision",
            "provision",
            _t(Provision),
            {
                "id": _ID,
                "title": Scalar("title"),
                "learnAimRef": Scalar("learn_aim_ref"),
                "qualification": Scalar("qualification"),
                "level": Scalar("level"),
                "sectorSubjectArea": Scalar("sector_subject_area"),
                "diplomaLine": Scalar("diploma_line"),
                "mode": Scalar("mode"),
                "academicYear": Scalar("academic_year"),
                "placesOffered": Scalar("places_offered", Encoding.INT),
                "minimumGroup": Scalar("minimum_group", Encoding.INT),
                "timetableBlock": Scalar("timetable_block"),
            },
            {
                "deliveringPartner": Relation("Partner", "delivering_partner_id", "id"),
                "site": Relation("Site", "site_id", "id"),
                "participations": Relation("Participation", "id", "provision_id", many=True),
            },
        ),
        EntitySpec(
            "Partner",
            "partner",
            _t(Partner),
            {
                "id": _ID,
                "name": Scalar("name"),
                "partnerType": Scalar("partner_type"),
                "urn": Scalar("urn"),
                "ukprn": Scalar("ukprn"),
                "laCode": Scalar("la_code"),
                "laestab": Scalar("laestab"),
                "postcode": Scalar("postcode"),
            },
            {
                "sites": Relation("Site", "id", "partner_id", many=True),
                "memberships": Relation("Membership", "id", "partner_id", many=True),
                "provision": Relation("Provision", "id", "delivering_partner_id", many=True),
                "allocations": Relation("FundingAllocation", "id", "partner_id", many=True),
            },
        ),
        EntitySpec(
            "Site",
            "site",
            _t(Site),
            {"id": _ID, "name": Scalar("name"), "postcode": Scalar("postcode")},
            {"partner": Relation("Partner", "partner_id", "id")},
        ),
        EntitySpec(
            "Partnership",
            "partnership",
            _t(Partnership),
            {
                "id": _ID,
                "name": Scalar("name"),
                "kind": Scalar("kind"),
                "structureModel": Scalar("structure_model"),
                "laCode": Scalar("la_code"),
            },
            {
                "parent": Relation("Partnership", "parent_id", "id"),
                "memberships": Relation("Membership", "id", "partnership_id", many=True),
            },
        ),
        EntitySpec(
            "Membership",
            "membership",
            _t(Membership),
            {
                "id": _ID,
                "role": Scalar("role"),
                "validFrom": Scalar("valid_from", Encoding.DATE),
                "validTo": Scalar("valid_to", Encoding.DATE),
            },
            {
                "partner": Relation("Partner", "partner_id", "id"),
                "partnership": Relation("Partnership", "partnership_id", "id"),
            },
        ),
        EntitySpec(
            "Activity",
            "activity",
            _t(Activity),
            {
                "id": _ID,
                "activityCode": Scalar("activity_code"),
                "category": Scalar("category"),
                "startDate": Scalar("start_date", Encoding.DATE),
                "reviewDate": Scalar("review_date", Encoding.DATE),
                "codeList": Scalar("code_list"),
            },
            {"recordedBy": Relation("Partner", "recorded_by_partner_id", "id")},
        ),
        EntitySpec(
            "FundingStream",
            "funding_stream",
            _t(FundingStream),
            {
                "id": _ID,
                "code": Scalar("code"),
                "name": Scalar("name"),
                "funder": Scalar("funder"),
            },
            {
                "allocations": Relation("FundingAllocation", "id", "stream_id", many=True),
                "flows": Relation("FundingFlow", "id", "stream_id", many=True),
            },
        ),
        EntitySpec(
            "FundingAllocation",
            "funding_allocation",
            _t(FundingAllocation),
            {
                "id": _ID,
                "academicYear": Scalar("academic_year"),
                "amount": Scalar("amount_pence", Encoding.MONEY),
            },
            {
                "stream": Relation("FundingStream", "stream_id", "id"),
                "partner": Relation("Partner", "partner_id", "id"),
            },
        ),
        EntitySpec(
            "FundingFlow",
            "funding_flow",
            _t(FundingFlow),
            {
                "id": _ID,
                "academicYear": Scalar("academic_year"),
                "amount": Scalar("amount_pence", Encoding.MONEY),
                "basis": Scalar("basis"),
            },
            {
                "stream": Relation("FundingStream", "stream_id", "id"),
                "payer": Relation("Partner", "payer_partner_id", "id"),
                "payee": Relation("Partner", "payee_partner_id", "id"),
                "learner": Relation("Learner", "learner_id", "id"),
                "provision": Relation("Provision", "provision_id", "id"),
            },
        ),
    )
}
