"""The GraphQL object types: learners, partners, partnerships, provision, participation,
activities and funding.

Values of these types are never built in Python on the read path: root fields return JSON the
database built for exactly the selection (see ``policies.reads``), so the fields below only
declare the schema. Every field an agreement could withhold is nullable, so a withheld value is
null without breaking its parent. Nested list fields take ``first`` (bounded by the server).
"""

from typing import Optional

import strawberry
from strawberry import federation

from schema.scalars import Date, Money


def _compiled() -> None:
    raise RuntimeError("compiled fields are resolved by the database, never one by one")


@federation.type(keys=["id", "uln"])
class Learner:
    """A young person, joined across the institutions that hold records of them."""

    id: strawberry.ID = strawberry.field(
        description="The hub's id; for a pseudonymised principal, the pseudonym prefixed 'p-'."
    )
    pseudonym: Optional[str] = strawberry.field(
        description="A stable per-agreement pseudonym, shown where only pseudonymised "
        "agreements cover the learner (the id and identifiers are then withheld)."
    )
    uln: Optional[str] = strawberry.field(description="Unique Learner Number (10 digits).")
    upn: Optional[str] = strawberry.field(description="Unique Pupil Number (13 characters).")
    given_name: Optional[str]
    family_name: Optional[str]
    date_of_birth: Optional[Date]
    sex: Optional[str]
    ethnicity: Optional[str] = strawberry.field(description="Normalised ethnicity category.")
    ethnicity_source_code: Optional[str]
    ethnicity_source_list: Optional[str]
    postcode: Optional[str]
    la_of_residence: Optional[str]
    sen_provision: Optional[str] = strawberry.field(description="SEN provision: N, K or E.")
    lldd: Optional[bool]
    fsm: Optional[bool]
    looked_after: Optional[bool]
    care_leaver: Optional[bool]

    @strawberry.field(description="Courses this learner is on, at any partner.")
    def participations(self, first: Optional[int] = None) -> Optional[list["Participation"]]:
        _compiled()
        return None

    @strawberry.field(description="Destination and NEET activity records, oldest first.")
    def activities(self, first: Optional[int] = None) -> Optional[list["Activity"]]:
        _compiled()
        return None

    @strawberry.field(description="Each partner's own record of this learner.")
    def records(self, first: Optional[int] = None) -> Optional[list["LearnerRecord"]]:
        _compiled()
        return None


@strawberry.type
class LearnerRecord:
    """A partner's own record of a learner, with its local reference and as-of date."""

    id: strawberry.ID
    local_ref: Optional[str]
    source: Optional[str]
    is_on_roll: Optional[bool]
    as_of: Optional[Date]
    partner: Optional["Partner"]


@federation.type(keys=["id", "ukprn", "urn"])
class Partner:
    """A school, college, provider, local authority, careers service or employer."""

    id: strawberry.ID
    name: Optional[str]
    partner_type: Optional[str]
    urn: Optional[str]
    ukprn: Optional[str]
    la_code: Optional[str]
    laestab: Optional[str]
    postcode: Optional[str]

    @strawberry.field
    def sites(self, first: Optional[int] = None) -> Optional[list["Site"]]:
        _compiled()
        return None

    @strawberry.field
    def memberships(self, first: Optional[int] = None) -> Optional[list["Membership"]]:
        _compiled()
        return None

    @strawberry.field(description="Courses this partner delivers.")
    def provision(self, first: Optional[int] = None) -> Optional[list["Provision"]]:
        _compiled()
        return None

    @strawberry.field
    def allocations(self, first: Optional[int] = None) -> Optional[list["FundingAllocation"]]:
        _compiled()
        return None


@strawberry.type
class Site:
    """A site or venue owned by a partner."""

    id: strawberry.ID
    name: Optional[str]
    postcode: Optional[str]
    partner: Optional[Partner]


@strawberry.type
class Partnership:
    """An LA partnership, consortium, sub-region or locality."""

    id: strawberry.ID
    name: Optional[str]
    kind: Optional[str]
    structure_model: Optional[str]
    la_code: Optional[str]
    parent: Optional["Partnership"]

    @strawberry.field
    def memberships(self, first: Optional[int] = None) -> Optional[list["Membership"]]:
        _compiled()
        return None


@strawberry.type
class Membership:
    """A partner's dated, typed membership of a partnership."""

    id: strawberry.ID
    role: Optional[str]
    valid_from: Optional[Date]
    valid_to: Optional[Date]
    partner: Optional[Partner]
    partnership: Optional[Partnership]


@federation.type(keys=["id"])
class Provision:
    """A course offered in one academic year by a delivering partner."""

    id: strawberry.ID
    title: Optional[str]
    learn_aim_ref: Optional[str]
    qualification: Optional[str]
    level: Optional[str]
    sector_subject_area: Optional[str]
    diploma_line: Optional[str]
    mode: Optional[str]
    academic_year: Optional[str]
    places_offered: Optional[int]
    minimum_group: Optional[int]
    timetable_block: Optional[str]
    delivering_partner: Optional[Partner]
    site: Optional[Site]

    @strawberry.field
    def participations(self, first: Optional[int] = None) -> Optional[list["Participation"]]:
        _compiled()
        return None


@strawberry.type
class Participation:
    """A learner on a course; the home partner (on roll) and the deliverer may differ."""

    id: strawberry.ID
    start_date: Optional[Date]
    planned_end_date: Optional[Date]
    actual_end_date: Optional[Date]
    completion_status: Optional[str]
    outcome: Optional[str]
    sessions_possible: Optional[int]
    sessions_attended: Optional[int]
    withdrawal_reason: Optional[str]
    code_list: Optional[str]
    learner: Optional[Learner]
    provision: Optional[Provision]
    home_partner: Optional[Partner]
    delivering_partner: Optional[Partner]

    @strawberry.field
    def attendance_weeks(self, first: Optional[int] = None) -> Optional[list["AttendanceWeek"]]:
        _compiled()
        return None


@strawberry.type
class AttendanceWeek:
    """Sessions possible and attended in one week, reported by the delivering partner."""

    id: strawberry.ID
    week_start: Optional[Date]
    sessions_possible: Optional[int]
    sessions_attended: Optional[int]


@strawberry.type
class Activity:
    """A destination or NEET activity: its code, category and currency dates."""

    id: strawberry.ID
    activity_code: Optional[str]
    category: Optional[str]
    start_date: Optional[Date]
    review_date: Optional[Date]
    code_list: Optional[str]
    recorded_by: Optional[Partner]


@strawberry.type
class FundingStream:
    """A stream of money from a funder."""

    id: strawberry.ID
    code: Optional[str]
    name: Optional[str]
    funder: Optional[str]

    @strawberry.field
    def allocations(self, first: Optional[int] = None) -> Optional[list["FundingAllocation"]]:
        _compiled()
        return None

    @strawberry.field
    def flows(self, first: Optional[int] = None) -> Optional[list["FundingFlow"]]:
        _compiled()
        return None


@strawberry.type
class FundingAllocation:
    """A stream's allocation to a partner for a year."""

    id: strawberry.ID
    academic_year: Optional[str]
    amount: Optional[Money]
    stream: Optional[FundingStream]
    partner: Optional[Partner]


@strawberry.type
class FundingFlow:
    """Money from a payer partner to a payee partner (fees, top-slices, pooled funds)."""

    id: strawberry.ID
    academic_year: Optional[str]
    amount: Optional[Money]
    basis: Optional[str]
    stream: Optional[FundingStream]
    payer: Optional[Partner]
    payee: Optional[Partner]
    learner: Optional[Learner]
    provision: Optional[Provision]
