"""Only the learner's institutions on roll or home local authority record or withdraw objections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.errors import BadRequestError, ForbiddenError
from hub.principal import Principal
from hub.store.models import Learner, LearnerRecord, Partner
from policies.objections import record_objection, withdraw_objection


@dataclass(frozen=True)
class World:
    """A synthetic learner living in LA 100, on roll at one school, off roll at another."""

    learner: int
    on_roll: int
    off_roll: int
    home_la: int
    other_la: int
    school_in_home_la: int


async def _partner(engine: AsyncEngine, name: str, partner_type: str, la_code: str) -> int:
    async with engine.begin() as connection:
        partner_id = await connection.scalar(
            insert(Partner)
            .values(name=name, partner_type=partner_type, la_code=la_code)
            .returning(Partner.id)
        )
    assert partner_id is not None
    return partner_id


@pytest.fixture
async def world(engine: AsyncEngine) -> World:
    on_roll = await _partner(engine, "On Roll School", "school", "100")
    off_roll = await _partner(engine, "Former School", "school", "100")
    home_la = await _partner(engine, "Home LA", "local_authority", "100")
    other_la = await _partner(engine, "Other LA", "local_authority", "200")
    school_in_home_la = await _partner(engine, "Neighbour School", "school", "100")
    async with engine.begin() as connection:
        learner = await connection.scalar(
            insert(Learner).values(la_of_residence="100").returning(Learner.id)
        )
        assert learner is not None
        for partner_id, is_on_roll in ((on_roll, True), (off_roll, False)):
            await connection.execute(
                insert(LearnerRecord).values(
                    learner_id=learner,
                    partner_id=partner_id,
                    local_ref=f"L{partner_id}",
                    source="synthetic",
                    is_on_roll=is_on_roll,
                    as_of=dt.date(2026, 1, 5),
                )
            )
    return World(learner, on_roll, off_roll, home_la, other_la, school_in_home_la)


def _as(partner_id: int | None) -> Principal:
    return Principal(subject=f"user-{partner_id}", role="caseworker", partner_id=partner_id)


async def test_a_partner_holding_the_learner_on_roll_records_an_objection(
    engine: AsyncEngine, world: World
) -> None:
    async with engine.begin() as connection:
        objection = await record_objection(
            connection, _as(world.on_roll), world.learner, "research"
        )

    assert (objection.learner_id, objection.scope) == (world.learner, "research")
    assert objection.recorded_by_partner_id == world.on_roll
    assert objection.recorded_at.tzinfo is not None
    assert objection.is_active


async def test_the_learners_home_local_authority_records_an_objection(
    engine: AsyncEngine, world: World
) -> None:
    async with engine.begin() as connection:
        objection = await record_objection(connection, _as(world.home_la), world.learner, "all")

    assert objection.recorded_by_partner_id == world.home_la


@pytest.mark.parametrize(
    "who", ["off_roll", "other_la", "school_in_home_la", "no_partner", "unknown_learner"]
)
async def test_anyone_else_is_forbidden_to_record_an_objection(
    engine: AsyncEngine, world: World, who: str
) -> None:
    partner_id = None if who == "no_partner" else getattr(world, who, world.on_roll)
    learner_id = world.learner + 1000 if who == "unknown_learner" else world.learner

    async with engine.begin() as connection:
        with pytest.raises(ForbiddenError):
            await record_objection(connection, _as(partner_id), learner_id, "research")


async def test_recording_an_active_objection_again_returns_the_same_one(
    engine: AsyncEngine, world: World
) -> None:
    async with engine.begin() as connection:
        first = await record_objection(connection, _as(world.on_roll), world.learner, "research")
        again = await record_objection(connection, _as(world.home_la), world.learner, "research")
        other = await record_objection(connection, _as(world.on_roll), world.learner, "tracking")

    assert again == first
    assert other.id != first.id


async def test_a_malformed_scope_is_a_bad_request(engine: AsyncEngine, world: World) -> None:
    async with engine.begin() as connection:
        for scope in ("", "Research", "x" * 41, "drop table"):
            with pytest.raises(BadRequestError):
                await record_objection(connection, _as(world.on_roll), world.learner, scope)


async def test_withdrawing_stops_the_objection_and_a_new_one_can_be_recorded(
    engine: AsyncEngine, world: World
) -> None:
    async with engine.begin() as connection:
        recorded = await record_objection(connection, _as(world.on_roll), world.learner, "research")
        withdrawn = await withdraw_objection(connection, _as(world.home_la), recorded.id)
        twice = await withdraw_objection(connection, _as(world.on_roll), recorded.id)
        renewed = await record_objection(connection, _as(world.on_roll), world.learner, "research")

    assert withdrawn.withdrawn_at is not None
    assert not withdrawn.is_active
    assert twice == withdrawn
    assert renewed.id != recorded.id
    assert renewed.is_active


async def test_withdrawing_is_forbidden_to_others_and_for_unknown_objections(
    engine: AsyncEngine, world: World
) -> None:
    async with engine.begin() as connection:
        recorded = await record_objection(connection, _as(world.on_roll), world.learner, "research")
        with pytest.raises(ForbiddenError):
            await withdraw_objection(connection, _as(world.other_la), recorded.id)
        with pytest.raises(ForbiddenError):
            await withdraw_objection(connection, _as(world.on_roll), recorded.id + 1000)
