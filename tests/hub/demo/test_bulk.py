"""Loading the demo into the store: counts, foreign keys, provenance, sequences, replacing."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.demo.bulk import DemoDataPresentError, count_learners, delete_demo_data, load_demo
from hub.demo.generator import TABLE_ORDER, DemoModel
from hub.demo.ids import make_uln
from hub.store.base import Base
from hub.store.models import IngestBatch, Learner, Partner

LEARNERS = 300


async def _dangling_foreign_keys(engine: AsyncEngine) -> list[str]:
    problems = []
    async with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for fk in table.foreign_keys:
                ref = fk.column.table.alias("ref")
                column = fk.parent
                target = ref.c[fk.column.name]
                query = (select(func.count()).select_from(table.outerjoin(ref, column == target))
                         .where(column.is_not(None), target.is_(None)))
                if (await conn.execute(query)).scalar_one():
                    problems.append(f"{table.name}.{column.name}")
    return problems


async def test_load_writes_every_generated_row(engine: AsyncEngine) -> None:
    model = DemoModel(LEARNERS, seed=11)
    expected = Counter(table for table, _ in model.iter_rows())
    result = await load_demo(engine, model)
    assert Counter(result.rows) == expected
    async with engine.connect() as conn:
        for table in TABLE_ORDER:
            stored = (await conn.execute(
                select(func.count()).select_from(Base.metadata.tables[table]))).scalar_one()
            assert stored == expected[table], table
    assert await count_learners(engine) == LEARNERS


async def test_every_foreign_key_resolves_and_rows_point_to_the_demo_batch(
    engine: AsyncEngine,
) -> None:
    result = await load_demo(engine, DemoModel(LEARNERS, seed=11))
    assert await _dangling_foreign_keys(engine) == []
    async with engine.connect() as conn:
        batch = (await conn.execute(select(IngestBatch.__table__))).one()
        assert (batch.id, batch.connector, batch.status) == (result.batch_id, "demo", "loaded")
        assert batch.learners_created == LEARNERS
        for table in TABLE_ORDER:
            columns = Base.metadata.tables[table].c
            if "batch_id" in columns:
                others = (await conn.execute(select(func.count()).where(
                    columns.batch_id.is_distinct_from(result.batch_id)))).scalar_one()
                assert others == 0, table


async def test_ids_shift_past_existing_rows_and_later_inserts_do_not_collide(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        await conn.execute(Partner.__table__.insert().values(
            name="Existing partner", partner_type="school"))
    await load_demo(engine, DemoModel(LEARNERS, seed=11))
    assert await _dangling_foreign_keys(engine) == []
    async with engine.begin() as conn:
        names = (await conn.execute(select(Partner.name).order_by(Partner.id))).scalars().all()
        assert names[0] == "Existing partner"
        assert len(names) == 19
        await conn.execute(Partner.__table__.insert().values(name="Later", partner_type="school"))
        assert (await conn.execute(select(func.max(Partner.id)))).scalar_one() == 20


async def test_replace_deletes_demo_data_but_not_other_connectors_data(
    engine: AsyncEngine,
) -> None:
    await load_demo(engine, DemoModel(50, seed=1))
    await delete_demo_data(engine)
    assert await count_learners(engine) == 0
    await load_demo(engine, DemoModel(50, seed=1))
    async with engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO ingest_batches (connector, file_name, file_sha256, received_at, status,"
            " records_read, records_loaded, records_rejected, learners_matched,"
            " learners_created, reviews_queued)"
            " VALUES ('ilr', 'x.xml', 'abc', CURRENT_TIMESTAMP, 'loaded', 0, 0, 0, 0, 0, 0)"))
    with pytest.raises(DemoDataPresentError):
        await delete_demo_data(engine)
    assert await count_learners(engine) == 50


async def test_a_failed_load_leaves_nothing_behind(engine: AsyncEngine) -> None:
    taken = make_uln(4321, 11)  # the ULN the demo gives its learner 4,322 with seed 11
    async with engine.begin() as conn:
        await conn.execute(Learner.__table__.insert().values(uln=taken, given_name="Existing"))
    with pytest.raises(DemoDataPresentError, match="uln"):
        await load_demo(engine, DemoModel(6000, seed=11))
    async with engine.connect() as conn:
        for table in (*TABLE_ORDER, "ingest_batches"):
            stored = (await conn.execute(
                select(func.count()).select_from(Base.metadata.tables[table]))).scalar_one()
            assert stored == (1 if table == "learners" else 0), table
