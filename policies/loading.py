"""Loading a folder of agreements into the store as the set in force, version by version.

The whole folder is validated first (``policies.parse``); any problem refuses the set and the
set already in force stays in force, because nothing is written until every check has passed
and the writes share one transaction. Each version is recorded once with its text and sha256:
the same text loaded again is not a new version, and a changed text under an already loaded
version number is refused (audit rows name versions, so a version's text never changes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.store.models import AgreementVersion
from policies.agreement import Agreement
from policies.granularity import new_pseudonym_key
from policies.issues import AgreementIssue, agreement_error
from policies.parse import parse_text, read_folder

_versions = AgreementVersion.__table__
_versions_table = cast(Table, _versions)


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a reload changed, by agreement ref."""

    added: tuple[str, ...]
    unchanged: tuple[str, ...]
    retired: tuple[str, ...]


async def store_set(
    connection: AsyncConnection, agreements: Sequence[Agreement], texts: dict[str, str]
) -> LoadReport:
    """Make ``agreements`` the set in force, in the caller's transaction.

    Raises:
        AgreementVersionChangedError: a loaded version's text differs (nothing is written).
    """
    rows = (await connection.execute(select(_versions))).mappings().all()
    by_ref = {f"{r['agreement_id']}@{r['version']}": r for r in rows}
    keys = {r["agreement_id"]: r["pseudonym_key"] for r in rows}
    issues = [
        AgreementIssue(
            a.source,
            1,
            "AGREEMENT_VERSION_CHANGED",
            f"{a.ref} is already loaded with different text: give the change a new version",
        )
        for a in agreements
        if a.ref in by_ref and by_ref[a.ref]["sha256"] != a.sha256
    ]
    if issues:
        raise agreement_error(issues)
    now = dt.datetime.now(dt.UTC)
    was_active = {ref for ref, r in by_ref.items() if r["is_active"]}
    await connection.execute(update(_versions_table).values(is_active=False))
    added: list[str] = []
    for agreement in agreements:
        if agreement.ref in by_ref:
            await connection.execute(
                update(_versions_table)
                .where(_versions.c.id == by_ref[agreement.ref]["id"])
                .values(is_active=True)
            )
            continue
        key = keys.setdefault(agreement.id, new_pseudonym_key())
        await connection.execute(
            insert(_versions_table).values(
                agreement_id=agreement.id,
                version=agreement.version,
                sha256=agreement.sha256,
                text=texts[agreement.ref],
                pseudonym_key=key,
                loaded_at=now,
                is_active=True,
            )
        )
        added.append(agreement.ref)
    refs = {a.ref for a in agreements}
    return LoadReport(
        added=tuple(sorted(added)),
        unchanged=tuple(sorted(refs - set(added))),
        retired=tuple(sorted(was_active - refs)),
    )


async def reload(engine: AsyncEngine, directory: Path) -> LoadReport:
    """Validate ``directory`` and make it the set in force, all or nothing.

    Raises:
        AgreementInvalidError: the folder has problems; the set in force is unchanged.
    """
    agreements, texts = read_folder(directory)
    async with engine.begin() as connection:
        return await store_set(connection, agreements, texts)


async def active_agreements(connection: AsyncConnection) -> list[Agreement]:
    """The set in force, read back from the store with each agreement's pseudonym key.

    Raises:
        AgreementInvalidError: a stored text no longer reads (e.g. a purpose was withdrawn).
    """
    statement = (
        select(_versions)
        .where(_versions.c.is_active.is_(True))
        .order_by(_versions.c.agreement_id, _versions.c.version)
    )
    rows = (await connection.execute(statement)).mappings().all()
    found: list[Agreement] = []
    issues: list[AgreementIssue] = []
    for row in rows:
        source = f"store:{row['agreement_id']}@{row['version']}"
        agreement, problems = parse_text(row["text"], source)
        issues.extend(problems)
        if agreement is not None:
            found.append(replace(agreement, pseudonym_key=row["pseudonym_key"]))
    if issues:
        raise agreement_error(issues)
    return found
