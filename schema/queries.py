"""The root Query: thin resolvers that hand the selection to the compiled read path."""

from typing import Optional, cast

import strawberry
from strawberry.types import Info

from policies.counts import Dimension
from schema.accountability import Disclosure, disclosures
from schema.counts import CountCell, CountDimension, CountFilter, to_cell
from schema.inputs import LearnerFilter, PartnerFilter, ProvisionFilter, arguments_of
from schema.objects import FundingStream, Learner, Partner, Partnership, Provision
from schema.operations import (
    IngestBatch,
    MatchReview,
    ingest_batch,
    ingest_batches,
    match_reviews,
)
from schema.pagination import Connection, read_connection


@strawberry.type
class Query:
    """Read-only root fields; each compiles its whole selection to one SQL statement."""

    @strawberry.field(description="Learners visible to you, by id order.")
    async def learners(
        self,
        info: Info,
        first: Optional[int] = None,
        after: Optional[str] = None,
        filter: Optional[LearnerFilter] = None,  # noqa: A002  (GraphQL argument name)
    ) -> Optional[Connection[Learner]]:
        result = await read_connection(
            info._raw_info, "Learner", first, after, arguments_of(filter)
        )
        return cast(Connection[Learner], result)

    @strawberry.field(description="Partners: schools, colleges, providers, LAs and others.")
    async def partners(
        self,
        info: Info,
        first: Optional[int] = None,
        after: Optional[str] = None,
        filter: Optional[PartnerFilter] = None,  # noqa: A002
    ) -> Optional[Connection[Partner]]:
        result = await read_connection(
            info._raw_info, "Partner", first, after, arguments_of(filter)
        )
        return cast(Connection[Partner], result)

    @strawberry.field(description="Partnerships and consortia.")
    async def partnerships(
        self, info: Info, first: Optional[int] = None, after: Optional[str] = None
    ) -> Optional[Connection[Partnership]]:
        result = await read_connection(info._raw_info, "Partnership", first, after, None)
        return cast(Connection[Partnership], result)

    @strawberry.field(description="Courses offered.")
    async def provision(
        self,
        info: Info,
        first: Optional[int] = None,
        after: Optional[str] = None,
        filter: Optional[ProvisionFilter] = None,  # noqa: A002
    ) -> Optional[Connection[Provision]]:
        result = await read_connection(
            info._raw_info, "Provision", first, after, arguments_of(filter)
        )
        return cast(Connection[Provision], result)

    @strawberry.field(description="Funding streams with their allocations and flows.")
    async def funding_streams(
        self, info: Info, first: Optional[int] = None, after: Optional[str] = None
    ) -> Optional[Connection[FundingStream]]:
        result = await read_connection(info._raw_info, "FundingStream", first, after, None)
        return cast(Connection[FundingStream], result)

    @strawberry.field(description="One of your ingest batches, with its per-record report.")
    async def ingest_batch(self, info: Info, id: strawberry.ID) -> Optional[IngestBatch]:  # noqa: A002
        return await ingest_batch(info, id)

    @strawberry.field(description="Your latest ingest batches (every partner's, for admins).")
    async def ingest_batches(self, info: Info) -> list[IngestBatch]:
        return await ingest_batches(info)

    @strawberry.field(description="Possible matches about your records waiting for a decision.")
    async def match_reviews(
        self, info: Info, status: Optional[str] = "open"
    ) -> list[MatchReview]:
        return await match_reviews(info, status)

    @strawberry.field(
        description="Subject access: which partners saw this learner's data, when, and under "
        "which agreement (dpo role only)."
    )
    async def disclosures(self, info: Info, learner_id: strawberry.ID) -> list[Disclosure]:
        return await disclosures(info, learner_id)

    @strawberry.field(
        description="Learners counted by the dimensions in groupBy (e.g. NEET by LA and age)."
    )
    async def learner_counts(
        self,
        info: Info,
        group_by: list[CountDimension],
        filter: Optional[CountFilter] = None,  # noqa: A002
    ) -> list[CountCell]:
        dimensions = [Dimension(d.value) for d in group_by]
        rows = await info.context.reads.counts(dimensions, arguments_of(filter))
        return [to_cell(row) for row in rows]
