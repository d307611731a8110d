"""Strict reader for agreement files: every problem is reported, with its file and line.

The YAML is composed into nodes (never constructed into Python objects first), so each problem
carries the line of the node at fault, and duplicate keys, which PyYAML would silently collapse,
are caught. Unknown keys, entities, fields, categories, purposes and relationships are errors:
a typo must never change who sees what. ``read_directory`` also checks the set (one version of
an agreement in force per day) and refuses it whole if anything is wrong.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from hub.store.models.partners import MEMBERSHIP_ROLES, PARTNER_TYPES
from policies.access import Granularity
from policies.agreement import DEFAULT_MIN_CELL_SIZE, Agreement, PartySelector
from policies.grants import GrantReader
from policies.issues import AgreementIssue, agreement_error
from policies.nodes import NodeReader
from policies.vocabulary import AGREEMENT_ROLES, ARTICLE_6_BASES, ARTICLE_9_CONDITIONS, purposes

_TOP = {
    "id": True,
    "version": True,
    "title": True,
    "parties": True,
    "roles": True,
    "purposes": True,
    "lawful_basis": True,
    "granularity": True,
    "min_cell_size": False,
    "validity": True,
    "retention_months": True,
    "grants": True,
}
_PARTY = {
    "ukprn": False,
    "urn": False,
    "la_code": False,
    "partner_type": False,
    "partnership": False,
    "membership_role": False,
}
_BASIS = {"article_6": True, "article_9": False, "gateway": True}
_VALIDITY = {"start": True, "end": True, "review": True}
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,79}")
MIN_CELL_SIZE_FLOOR = 3


def parse_text(text: str, source: str) -> tuple[Agreement | None, list[AgreementIssue]]:
    """Read one agreement; the agreement is None whenever any issue was found."""
    reader = NodeReader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [AgreementIssue(source, line, "AGREEMENT_SYNTAX", f"not valid YAML: {error}")]
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        return None, [AgreementIssue(source, line, "AGREEMENT_SYNTAX", "not a YAML mapping")]
    agreement = _agreement(reader, root, text, source)
    return (agreement if not reader.issues else None), reader.issues


def _agreement(
    reader: NodeReader, root: yaml.MappingNode, text: str, source: str
) -> Agreement | None:
    keys = reader.mapping(root, _TOP, "agreement")
    ident = reader.text(keys.get("id"), "id")
    if ident is not None and not _ID.fullmatch(ident):
        reader.bad(keys["id"], "AGREEMENT_BAD_VALUE", f"id {ident!r} must be lower-case letters, digits, '-', '_' or '.'")
    version = reader.integer(keys.get("version"), "version", minimum=1)
    title = reader.text(keys.get("title"), "title")
    parties = _parties(reader, keys.get("parties"))
    roles = reader.words(keys.get("roles"), "roles", AGREEMENT_ROLES, "AGREEMENT_BAD_VALUE")
    wanted = reader.words(
        keys.get("purposes"), "purposes", frozenset(purposes()), "AGREEMENT_UNKNOWN_PURPOSE"
    )
    basis = _lawful_basis(reader, keys.get("lawful_basis"))
    granularity = reader.choice(keys.get("granularity"), "granularity", [g.value for g in Granularity])
    min_cell = _min_cell_size(reader, keys.get("min_cell_size"))
    validity = _validity(reader, keys.get("validity"))
    retention = reader.integer(keys.get("retention_months"), "retention_months", minimum=1)
    level = Granularity(granularity) if granularity is not None else None
    grants = GrantReader(reader).grants(keys.get("grants"), level, basis)
    if reader.issues or None in (ident, version, title, roles, wanted, basis, level, validity):
        return None
    assert ident is not None and version is not None and title is not None  # noqa: S101 (narrowing)
    assert roles is not None and wanted is not None and basis is not None  # noqa: S101
    assert level is not None and validity is not None and retention is not None  # noqa: S101
    return Agreement(
        id=ident,
        version=version,
        title=title,
        parties=parties,
        roles=roles,
        purposes=wanted,
        lawful_basis=basis,
        granularity=level,
        validity=validity,
        retention_months=retention,
        grants=grants,
        min_cell_size=min_cell,
        source=source,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )
