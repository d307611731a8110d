"""The closed vocabularies an agreement is checked against: purposes, roles, lawful bases.

Purposes ship as package data (``policies/data/purposes.yaml``) so that adding one is a reviewed
change to a data file; the legal vocabularies are fixed by UK GDPR and live here.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final

import yaml

from hub.store.models.access import ROLES

AGREEMENT_ROLES: Final = frozenset(role for role in ROLES if role != "admin")
"""Roles an agreement may grant to; ``admin`` administers the hub and is never a sharing party."""

ARTICLE_6_BASES: Final = frozenset(
    {
        "consent",
        "contract",
        "legal_obligation",
        "vital_interests",
        "public_task",
        "legitimate_interests",
    }
)
ARTICLE_9_CONDITIONS: Final = frozenset(
    {
        "explicit_consent",
        "employment_social_security",
        "vital_interests",
        "not_for_profit_body",
        "made_public",
        "legal_claims",
        "substantial_public_interest",
        "health_social_care",
        "public_health",
        "archiving_research_statistics",
    }
)

OBJECTION_SCOPES: Final = MappingProxyType(
    {
        "sharing_beyond_home": "Only the partners with the learner on roll see the learner.",
        "careers_beyond_basic": "Careers-service principals see only identity and contact.",
        "special_category": "Special category columns are shown only to partners with the "
        "learner on roll.",
    }
)
"""Objection scopes a learner may record (objections.scope), and what each one removes."""


@cache
def purposes() -> MappingProxyType[str, str]:
    """Every purpose an agreement may name, with its one-line description."""
    text = files("policies").joinpath("data/purposes.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    return MappingProxyType({str(key): str(value) for key, value in loaded.items()})
