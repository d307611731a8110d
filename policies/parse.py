"""Strict reader for agreement files: every problem is reported, with its file and line.

The YAML is composed into nodes (never constructed into Python objects first), so each problem
carries the line of the node at fault, and duplicate keys, which PyYAML would silently collapse,
are caught. Unknown keys, entities, fields, categories, purposes and relationships are errors:
a typo must never change who sees what. ``read_directory`` also checks the set (one version of
an agreement in force per day) and refuses it whole if anything is wrong.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import yaml

from hub.store.models.partners import MEMBERSHIP_ROLES, PARTNER_TYPES
from policies.access import Granularity
from policies.agreement import (
    DEFAULT_MIN_CELL_SIZE,
    Agreement,
    LawfulBasis,
    PartySelector,
    Validity,
)
from policies.grants import GrantReader
from policies.granularity import MIN_CELL_SIZE_FLOOR
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


def parse_text(text: str, source: str) -> tuple[Agreement | None, list[AgreementIssue]]:
    """Read one agreement; the agreement is None whenever any issue was found."""
    reader = NodeReader(source)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or "unreadable"
        return None, [
            AgreementIssue(source, line, "AGREEMENT_SYNTAX", f"not valid YAML: {problem}")
        ]
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        return None, [AgreementIssue(source, line, "AGREEMENT_SYNTAX", "not a YAML mapping")]
    agreement = _agreement(reader, root, text, source)
    issues = sorted(reader.issues, key=lambda issue: issue.line)
    return (agreement if not issues else None), issues


def _agreement(
    reader: NodeReader, root: yaml.MappingNode, text: str, source: str
) -> Agreement | None:
    keys = reader.mapping(root, _TOP, "agreement")
    ident = reader.text(keys.get("id"), "id")
    if ident is not None and not _ID.fullmatch(ident):
        reader.bad(keys["id"], "AGREEMENT_BAD_VALUE", f"id {ident!r}: use a-z, 0-9, '-', '_', '.'")
    version = reader.integer(keys.get("version"), "version", minimum=1)
    title = reader.text(keys.get("title"), "title")
    parties = _parties(reader, keys.get("parties"))
    roles = reader.words(keys.get("roles"), "roles", AGREEMENT_ROLES, "AGREEMENT_BAD_VALUE")
    wanted = reader.words(
        keys.get("purposes"), "purposes", frozenset(purposes()), "AGREEMENT_UNKNOWN_PURPOSE"
    )
    basis = _lawful_basis(reader, keys.get("lawful_basis"))
    level = reader.choice(keys.get("granularity"), "granularity", [g.value for g in Granularity])
    granularity = Granularity(level) if level is not None else None
    min_cell = _min_cell_size(reader, keys.get("min_cell_size"), granularity)
    validity = _validity(reader, keys.get("validity"))
    retention = reader.integer(keys.get("retention_months"), "retention_months", minimum=1)
    grants = GrantReader(reader).grants(keys.get("grants"), granularity, basis)
    if (
        reader.issues
        or ident is None
        or version is None
        or title is None
        or roles is None
        or wanted is None
        or basis is None
        or granularity is None
        or validity is None
        or retention is None
    ):
        return None
    return Agreement(
        id=ident,
        version=version,
        title=title,
        parties=parties,
        roles=roles,
        purposes=wanted,
        lawful_basis=basis,
        granularity=granularity,
        validity=validity,
        retention_months=retention,
        grants=grants,
        min_cell_size=min_cell,
        source=source,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        validity_line=keys["validity"].start_mark.line + 1,
    )


def _parties(reader: NodeReader, node: yaml.Node | None) -> tuple[PartySelector, ...]:
    found: list[PartySelector] = []
    for item in reader.sequence(node, "parties") or ():
        keys = reader.mapping(item, _PARTY, "a party")
        if not keys:
            if isinstance(item, yaml.MappingNode):
                reader.bad(item, "AGREEMENT_BAD_VALUE", "a party needs at least one attribute")
            continue
        values = {key: reader.text(value, key) for key, value in keys.items()}
        kind = values.get("partner_type")
        if kind is not None and kind not in PARTNER_TYPES:
            reader.bad(
                keys["partner_type"], "AGREEMENT_BAD_VALUE", f"unknown partner_type {kind!r}"
            )
        role = values.get("membership_role")
        if role is not None and role not in MEMBERSHIP_ROLES:
            reader.bad(keys["membership_role"], "AGREEMENT_BAD_VALUE", f"unknown role {role!r}")
        found.append(PartySelector(**values))
    return tuple(found)


def _lawful_basis(reader: NodeReader, node: yaml.Node | None) -> LawfulBasis | None:
    keys = reader.mapping(node, _BASIS, "lawful_basis")
    article_6 = reader.choice(keys.get("article_6"), "article_6", sorted(ARTICLE_6_BASES))
    article_9 = reader.choice(keys.get("article_9"), "article_9", sorted(ARTICLE_9_CONDITIONS))
    gateway = reader.text(keys.get("gateway"), "gateway")
    if article_6 is None or gateway is None:
        return None
    if "article_9" in keys and article_9 is None:
        return None
    return LawfulBasis(article_6=article_6, gateway=gateway, article_9=article_9)


def _min_cell_size(
    reader: NodeReader, node: yaml.Node | None, granularity: Granularity | None
) -> int:
    if node is None:
        return DEFAULT_MIN_CELL_SIZE
    if granularity is not Granularity.AGGREGATE:
        reader.bad(node, "AGREEMENT_GRANULARITY", "min_cell_size only applies to aggregate")
        return DEFAULT_MIN_CELL_SIZE
    size = reader.integer(node, "min_cell_size", minimum=1)
    if size is not None and size < MIN_CELL_SIZE_FLOOR:
        reader.bad(node, "AGREEMENT_GRANULARITY", f"min_cell_size below {MIN_CELL_SIZE_FLOOR}")
    return size or DEFAULT_MIN_CELL_SIZE


def _validity(reader: NodeReader, node: yaml.Node | None) -> Validity | None:
    keys = reader.mapping(node, _VALIDITY, "validity")
    start = reader.date(keys.get("start"), "validity.start")
    end = reader.date(keys.get("end"), "validity.end")
    review = reader.date(keys.get("review"), "validity.review")
    if start is None or end is None or review is None:
        return None
    if end < start:
        reader.bad(node, "AGREEMENT_BAD_VALUE", "validity.end is before validity.start")
        return None
    if not start <= review <= end:
        reader.bad(node, "AGREEMENT_BAD_VALUE", "validity.review must fall inside the window")
        return None
    return Validity(start=start, end=end, review=review)


def check_set(agreements: Sequence[Agreement]) -> list[AgreementIssue]:
    """Problems between files: a version number used twice, or versions in force together."""
    issues: list[AgreementIssue] = []
    ordered = sorted(agreements, key=lambda a: (a.id, a.version, a.source))
    for index, later in enumerate(ordered):
        for earlier in ordered[:index]:
            if earlier.id != later.id:
                continue
            if earlier.version == later.version:
                reason = f"{later.ref} is also defined in {earlier.source}"
            elif earlier.validity.overlaps(later.validity):
                reason = (
                    f"{later.ref} is in force on the same days as {earlier.ref} ({earlier.source})"
                )
            else:
                continue
            issues.append(
                AgreementIssue(
                    later.source, later.validity_line, "AGREEMENT_OVERLAPPING_VALIDITY", reason
                )
            )
    return issues


def agreement_files(directory: Path) -> list[Path]:
    """The agreement files of a folder (``*.yaml`` and ``*.yml``), in name order."""
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def read_texts(texts: Iterable[tuple[str, str]]) -> list[Agreement]:
    """Read ``(source, text)`` pairs as one set; refuse the whole set on any problem.

    Raises:
        AgreementInvalidError: every problem in every file (a subclass when all share a code).
    """
    agreements: list[Agreement] = []
    issues: list[AgreementIssue] = []
    for source, text in texts:
        agreement, found = parse_text(text, source)
        issues.extend(found)
        if agreement is not None:
            agreements.append(agreement)
    issues.extend(check_set(agreements))
    if issues:
        raise agreement_error(issues)
    return agreements


def read_folder(directory: Path) -> tuple[list[Agreement], dict[str, str]]:
    """Every agreement of ``directory``, checked as one set, with its text by ref.

    Raises:
        AgreementInvalidError: every problem found; a missing or empty folder is one problem.
    """
    if not directory.is_dir():
        raise agreement_error(
            [AgreementIssue(str(directory), 1, "AGREEMENT_SYNTAX", "not a folder")]
        )
    texts = {str(path): path.read_text(encoding="utf-8") for path in agreement_files(directory)}
    if not texts:
        raise agreement_error(
            [AgreementIssue(str(directory), 1, "AGREEMENT_SYNTAX", "no agreement files")]
        )
    agreements = read_texts(texts.items())
    return agreements, {a.ref: texts[a.source] for a in agreements}


def read_directory(directory: Path) -> list[Agreement]:
    """Read and check every agreement file of ``directory`` as one set.

    Raises:
        AgreementInvalidError: every problem found; a missing or empty folder is one problem.
    """
    return read_folder(directory)[0]
