"""Compiled scopes, run as SQL on each backend, agree with the plain-Python oracle.

Every principal below reads every entity; the rows returned and the cells shown must be
exactly what ``tests.support.oracle`` computes from the same agreements and data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import case, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.principal import Principal
from hub.store.base import Base
from policies.access import Granularity
from policies.agreement import Agreement
from policies.categories import entities, table_name
from policies.compiler import AgreementScope, scope_for
from policies.parse import read_directory
from tests.support import oracle
from tests.support.policy_dataset import CAREERS, D_COLLEGE, LA, TODAY, A, B, C, insert_dataset

FIXTURES = Path(__file__).parents[1] / "fixtures" / "agreements" / "valid"


def load_agreements() -> list[Agreement]:
    """The fixture agreements, with a pseudonym key for each (as loading would give)."""
    return [dataclasses.replace(a, pseudonym_key=f"key-{a.id}") for a in read_directory(FIXTURES)]


def principal(partner: int | None, role: str, purpose: str | None) -> Principal:
    return Principal(subject=f"{partner}-{role}", role=role, partner_id=partner, purpose=purpose)


PRINCIPALS = {
    "home school, attendance": principal(A, "caseworker", "attendance_reporting"),
    "other school, attendance": principal(B, "caseworker", "attendance_reporting"),
    "host college, attendance": principal(C, "caseworker", "attendance_reporting"),
    "lapsed college, attendance": principal(D_COLLEGE, "caseworker", "attendance_reporting"),
    "college mis, attendance": principal(C, "mis_integration", "attendance_reporting"),
    "LA, neet": principal(LA, "caseworker", "neet_tracking"),
    "careers, neet": principal(CAREERS, "caseworker", "neet_tracking"),
    "college, neet": principal(C, "caseworker", "neet_tracking"),
    "school, neet (not a party)": principal(A, "caseworker", "neet_tracking"),
    "LA analyst, commissioning": principal(LA, "analyst", "commissioning"),
    "college analyst, planning": principal(C, "analyst", "provision_planning"),
    "college, transition": principal(C, "caseworker", "transition_handover"),
    "school mis, funding": principal(A, "mis_integration", "funding_reconciliation"),
    "college analyst, funding": principal(C, "analyst", "funding_reconciliation"),
    "wrong role": principal(A, "dpo", "attendance_reporting"),
    "no purpose": principal(A, "caseworker", None),
    "no partner": principal(None, "caseworker", "attendance_reporting"),
    "admin": principal(A, "admin", "attendance_reporting"),
}


async def observed(
    engine: AsyncEngine, scope: AgreementScope, entity: str
) -> dict[Any, frozenset[str]]:
    """Row id -> columns whose cell condition holds, by running the scope's SQL."""
    table = Base.metadata.tables[table_name(entity)].alias("subject")
    columns = [c.name for c in table.columns]
    shown = []
    for name in columns:
        condition = scope.cell(entity, name, table)
        shown.append(literal(1) if condition is None else case((condition, 1), else_=0))
    statement = select(table.c.id, *shown).where(scope.rows(entity, table))
    async with engine.connect() as connection:
        result = (await connection.execute(statement)).all()
    return {
        row[0]: frozenset(name for name, flag in zip(columns, row[1:], strict=True) if flag)
        for row in result
    }


@pytest.mark.parametrize("aggregate", [False, True], ids=["rows", "aggregates"])
async def test_every_principal_sees_exactly_what_the_oracle_allows(
    engine: AsyncEngine, aggregate: bool
) -> None:
    data = await insert_dataset(engine)
    agreements = load_agreements()
    mismatches = []
    for label, who in PRINCIPALS.items():
        scope = scope_for(who, agreements, TODAY)
        if aggregate:
            scope = scope.for_aggregates()
        for entity in entities():
            expected = oracle.visible(data, who, agreements, TODAY, entity, aggregate=aggregate)
            got = await observed(engine, scope, entity)
            if got != expected:
                mismatches.append((label, entity, expected, got))
    assert mismatches == []


async def test_oracle_itself_grants_something_to_each_kind_of_principal(
    engine: AsyncEngine,
) -> None:
    """Guards the comparison above against a vacuous pass (everything denied on both sides)."""
    data = await insert_dataset(engine)
    agreements = load_agreements()

    def ids(label: str, entity: str, aggregate: bool = False) -> set[Any]:
        return set(
            oracle.visible(data, PRINCIPALS[label], agreements, TODAY, entity, aggregate=aggregate)
        )

    assert ids("home school, attendance", "learner") == {1, 4, 5, 6, 8, 9}
    assert ids("host college, attendance", "learner") == {1, 3, 7}  # 3: its own roll
    assert ids("lapsed college, attendance", "learner") == set()
    assert ids("LA, neet", "learner") >= {1, 2, 4, 6, 8, 9}
    assert ids("careers, neet", "activity") == {1, 2, 4}
    assert ids("LA analyst, commissioning", "learner") == set()
    assert ids("LA analyst, commissioning", "learner", aggregate=True) != set()
    assert ids("college, transition", "learner") == {8}
    assert ids("school mis, funding", "funding_flow") == {1}
    assert ids("wrong role", "learner") == ids("admin", "learner") == set()


async def test_cells_differ_by_row_when_agreements_grant_different_fields(
    engine: AsyncEngine,
) -> None:
    """Home school A sees SEN flags of its own learners only; a second agreement grants them."""
    await insert_dataset(engine)
    agreements = load_agreements()
    got = await observed(
        engine, scope_for(PRINCIPALS["home school, attendance"], agreements, TODAY), "learner"
    )
    assert "sen_provision" in got[1]
    host = await observed(
        engine, scope_for(PRINCIPALS["host college, attendance"], agreements, TODAY), "learner"
    )
    assert "sen_provision" not in host[1]
    assert "given_name" in host[1]


async def test_objections_are_honoured(engine: AsyncEngine) -> None:
    await insert_dataset(engine)
    agreements = load_agreements()
    host = await observed(
        engine, scope_for(PRINCIPALS["host college, attendance"], agreements, TODAY), "learner"
    )
    assert 5 not in host  # objects to sharing beyond home; taught at C
    home = await observed(
        engine, scope_for(PRINCIPALS["home school, attendance"], agreements, TODAY), "learner"
    )
    assert 5 in home
    careers = await observed(
        engine, scope_for(PRINCIPALS["careers, neet"], agreements, TODAY), "learner"
    )
    assert "given_name" in careers[6]
    assert "sex" not in careers[6]
    assert "sex" in careers[1]  # learner 1: special_category
    assert "ethnicity" not in careers[1]
    la = await observed(engine, scope_for(PRINCIPALS["LA, neet"], agreements, TODAY), "learner")
    assert "sex" in la[6]


async def test_uncorroborated_enrolment_unlocks_nothing(engine: AsyncEngine) -> None:
    await insert_dataset(engine)
    agreements = load_agreements()
    host = scope_for(PRINCIPALS["host college, attendance"], agreements, TODAY)
    got = await observed(engine, host, "learner")
    assert 2 not in got  # C says home A, but A has no roll record for learner 2
    assert 9 not in got  # C says it teaches learner 9 on provision D delivers


def test_agreement_outside_its_validity_grants_nothing() -> None:
    agreements = load_agreements()
    who = PRINCIPALS["home school, attendance"]
    refs_now = scope_for(who, agreements, TODAY).agreement_refs
    refs_later = scope_for(who, agreements, dt.date(2026, 10, 1)).agreement_refs
    never = scope_for(who, agreements, dt.date(2030, 1, 1))
    assert "test-attendance@1" in refs_now
    assert "test-expired@1" not in refs_now
    assert refs_later == ("test-attendance@2",)
    assert never.agreement_refs == ()
    assert str(never.rows("learner", Base.metadata.tables["learners"])) == "false"


def test_granularity_is_the_finest_in_force() -> None:
    agreements = load_agreements()
    assert (
        scope_for(PRINCIPALS["LA analyst, commissioning"], agreements, TODAY).granularity
        is Granularity.AGGREGATE
    )
    planning = scope_for(PRINCIPALS["college analyst, planning"], agreements, TODAY)
    assert planning.granularity is Granularity.PSEUDONYMISED
    assert scope_for(PRINCIPALS["LA analyst, commissioning"], agreements, TODAY).min_cell_size == 10


def test_unknown_entity_or_column_is_denied() -> None:
    scope = scope_for(PRINCIPALS["home school, attendance"], load_agreements(), TODAY)
    learners = Base.metadata.tables["learners"]
    assert str(scope.rows("application", learners)) == "false"
    assert str(scope.cell("learner", "shoe_size", learners)) == "false"
    assert str(scope.cell("learner", "care_leaver", learners)) == "false"


@pytest.mark.parametrize("entity", ["learner", "learner_record", "participation", "provision"])
async def test_predicates_correlate_to_the_unaliased_store_table(
    engine: AsyncEngine, entity: str
) -> None:
    """The predicates' own subqueries use fresh aliases, so the outer table may be the base one."""
    data = await insert_dataset(engine)
    agreements = load_agreements()
    who = PRINCIPALS["host college, attendance"]
    table = Base.metadata.tables[table_name(entity)]
    statement = select(table.c.id).where(scope_for(who, agreements, TODAY).rows(entity, table))
    async with engine.connect() as connection:
        got = {row[0] for row in await connection.execute(statement)}
    assert got == set(oracle.visible(data, who, agreements, TODAY, entity))


async def test_predicates_of_joined_entities_combine(engine: AsyncEngine) -> None:
    """A nested read (participations with their learner) applies both entities' predicates."""
    data = await insert_dataset(engine)
    agreements = load_agreements()
    who = PRINCIPALS["host college, attendance"]
    scope = scope_for(who, agreements, TODAY)
    learner = Base.metadata.tables["learners"].alias("learner")
    participation = Base.metadata.tables["participations"].alias("participation")
    statement = (
        select(participation.c.id, learner.c.id)
        .join_from(participation, learner, learner.c.id == participation.c.learner_id)
        .where(scope.rows("participation", participation), scope.rows("learner", learner))
    )
    async with engine.connect() as connection:
        got = {tuple(row) for row in await connection.execute(statement)}
    learners = oracle.visible(data, who, agreements, TODAY, "learner")
    participations = oracle.visible(data, who, agreements, TODAY, "participation")
    expected = {
        (row["id"], row["learner_id"])
        for row in data["participations"]
        if row["id"] in participations and row["learner_id"] in learners
    }
    assert got == expected
    assert expected
