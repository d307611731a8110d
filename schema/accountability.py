"""Subject access (``disclosures``) and learners' objections (``recordObjection``...)."""

import datetime as dt
from typing import Optional

import strawberry
from strawberry.types import Info

from hub.errors import BadRequestError
from policies.disclosures import DisclosureRecord
from policies.objections import ObjectionRecord
from schema.operations import MatchDecision, MatchReview, resolve_match


@strawberry.type(description="One audited disclosure of a learner's data.")
class Disclosure:
    event_id: strawberry.ID
    occurred_at: dt.datetime
    partner_id: Optional[strawberry.ID]
    partner_name: Optional[str]
    client_id: Optional[str]
    user_id: Optional[str]
    purpose: Optional[str]
    agreements: list[str]
    entity_types: list[str]
    field_categories: list[str]
    request_id: Optional[str]
    is_sealed: bool

    @classmethod
    def of(cls, record: DisclosureRecord) -> "Disclosure":
        """The GraphQL form of a stored disclosure."""
        return cls(
            event_id=strawberry.ID(str(record.event_id)),
            occurred_at=record.occurred_at,
            partner_id=None if record.partner_id is None else strawberry.ID(str(record.partner_id)),
            partner_name=record.partner_name,
            client_id=record.client_id,
            user_id=record.user_id,
            purpose=record.purpose,
            agreements=list(record.agreements),
            entity_types=list(record.entity_types),
            field_categories=list(record.field_categories),
            request_id=record.request_id,
            is_sealed=record.is_sealed,
        )


@strawberry.type(description="A learner's objection to a kind of sharing, honoured by every read.")
class Objection:
    id: strawberry.ID
    learner_id: strawberry.ID
    scope: str
    recorded_by_partner_id: Optional[strawberry.ID]
    recorded_at: dt.datetime
    withdrawn_at: Optional[dt.datetime]

    @classmethod
    def of(cls, record: ObjectionRecord) -> "Objection":
        """The GraphQL form of a stored objection."""
        partner = record.recorded_by_partner_id
        return cls(
            id=strawberry.ID(str(record.id)),
            learner_id=strawberry.ID(str(record.learner_id)),
            scope=record.scope,
            recorded_by_partner_id=None if partner is None else strawberry.ID(str(partner)),
            recorded_at=record.recorded_at,
            withdrawn_at=record.withdrawn_at,
        )


def learner_id_of(value: strawberry.ID) -> int:
    """A learner id argument as the store's integer."""
    try:
        return int(value)
    except ValueError as error:
        raise BadRequestError(f"not a learner id: {value!r}") from error


async def disclosures(info: Info, learner_id: strawberry.ID) -> list[Disclosure]:
    """Subject access, for the DPO role only."""
    records = await info.context.writes.disclosures(learner_id_of(learner_id))
    return [Disclosure.of(record) for record in records]


@strawberry.type
class Mutation:
    """The writes that are not file submissions."""

    @strawberry.mutation(description="Record a learner's objection to a kind of sharing.")
    async def record_objection(
        self, info: Info, learner_id: strawberry.ID, scope: str
    ) -> Objection:
        record = await info.context.writes.record_objection(learner_id_of(learner_id), scope)
        return Objection.of(record)

    @strawberry.mutation(
        description="Decide a match review: ACCEPT merges the record's provisional learner "
        "into the chosen candidate (reversibly), REJECT keeps them apart for good."
    )
    async def resolve_match(
        self,
        info: Info,
        review_id: strawberry.ID,
        decision: MatchDecision,
        learner_id: Optional[strawberry.ID] = None,
    ) -> MatchReview:
        return await resolve_match(info, review_id, decision, learner_id)

    @strawberry.mutation(description="Withdraw a learner's objection.")
    async def withdraw_objection(self, info: Info, objection_id: strawberry.ID) -> Objection:
        record = await info.context.writes.withdraw_objection(learner_id_of(objection_id))
        return Objection.of(record)
