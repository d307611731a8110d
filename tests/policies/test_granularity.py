"""Pseudonyms are computed in SQL, identically on both backends, and only where ids are withheld."""

from __future__ import annotations

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.base import Base
from policies.compiler import scope_for
from policies.granularity import pseudonym, pseudonym_in_python
from tests.policies.test_compiler import PRINCIPALS, load_agreements
from tests.support import oracle
from tests.support.policy_dataset import TODAY, insert_dataset


async def test_sql_pseudonym_equals_the_python_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        got = (await connection.execute(select(pseudonym("k3y", literal(42))))).scalar_one()
    assert got == pseudonym_in_python("k3y", 42)
    assert len(got) == 32


async def test_pseudonymised_scope_shows_pseudonyms_not_ids(engine: AsyncEngine) -> None:
    data = await insert_dataset(engine)
    agreements = load_agreements()
    who = PRINCIPALS["college analyst, planning"]
    scope = scope_for(who, agreements, TODAY)
    learners = Base.metadata.tables["learners"].alias("l")
    id_cell = scope.cell("learner", "id", learners)
    assert str(id_cell) == "false"
    statement = select(learners.c.id, scope.pseudonym("learner", learners)).where(
        scope.rows("learner", learners)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    assert rows
    by_id = {row["id"]: row for row in data["learners"]}
    for learner_id, shown in rows:
        expected = oracle.pseudonym_for(data, who, agreements, TODAY, "learner", by_id[learner_id])
        assert shown == expected is not None


async def test_pseudonyms_differ_between_agreements(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        one = (await connection.execute(select(pseudonym("a", literal(1))))).scalar_one()
        two = (await connection.execute(select(pseudonym("b", literal(1))))).scalar_one()
    assert one != two


def test_identified_scope_has_no_pseudonym() -> None:
    scope = scope_for(PRINCIPALS["home school, attendance"], load_agreements(), TODAY)
    learners = Base.metadata.tables["learners"]
    assert str(scope.pseudonym("learner", learners)) == "NULL"
    assert scope.cell("learner", "id", learners) is None
