"""Typed table models, one module per aggregate; importing this registers them all."""

from hub.store.models.access import (
    AgreementVersion,
    DisclosureEvent,
    DisclosureLearner,
    OAuthClient,
    Objection,
    SigningKey,
)
from hub.store.models.destinations import Activity
from hub.store.models.funding import FundingAllocation, FundingFlow, FundingStream
from hub.store.models.identity import IdentityLink, MatchReview, MergeEvent
from hub.store.models.ingest import IngestBatch, IngestIssue
from hub.store.models.learners import Learner, LearnerRecord
from hub.store.models.participation import (
    Application,
    AttendanceWeek,
    Offer,
    Participation,
)
from hub.store.models.partners import Membership, Partner, Partnership, Site
from hub.store.models.provision import Provision

__all__ = [
    "Activity",
    "AgreementVersion",
    "Application",
    "AttendanceWeek",
    "DisclosureEvent",
    "DisclosureLearner",
    "FundingAllocation",
    "FundingFlow",
    "FundingStream",
    "IdentityLink",
    "IngestBatch",
    "IngestIssue",
    "Learner",
    "LearnerRecord",
    "MatchReview",
    "Membership",
    "MergeEvent",
    "OAuthClient",
    "Objection",
    "Offer",
    "Participation",
    "Partner",
    "Partnership",
    "Provision",
    "SigningKey",
    "Site",
]
