"""Year 11 applications and offers on the connectors route: written directly, no connector yet.

No MIS export in issue #4 carries applications to post-16 places (a common application process
would), so after the partners' files are in, the demo writes the generator's applications and
offers under one batch of its own (connector ``demo``), pointing at the learners and courses the
connectors created: learners found by ULN, courses by deliverer, aim reference and year.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.demo.bulk import CONNECTOR, SUBMITTER
from hub.demo.exports.index import DemoIndex
from hub.demo.setup import PartnerRefs, partner_ref
from hub.store.batches import LOADED, table_of, utcnow
from hub.store.models.ingest import IngestBatch
from hub.store.models.learners import Learner
from hub.store.models.participation import Application, Offer
from hub.store.models.provision import Provision


async def write_applications(engine: AsyncEngine, index: DemoIndex) -> dict[str, int]:
    """Insert every application and offer of ``index``; returns rows written per table."""
    apps, offers = index.tables.get("applications", []), index.tables.get("offers", [])
    async with engine.begin() as conn:
        batch_id = await _open_batch(conn, index)
        learners = await _learners_by_uln(conn)
        courses = await _courses(conn)
        refs = await PartnerRefs.load(conn)

        def learner(row: dict[str, Any]) -> int:
            return learners[index.learners[row["learner_id"]]["uln"]]

        def course(row: dict[str, Any]) -> int:
            generated = index.provision[row["provision_id"]]
            deliverer = refs.of(partner_ref(index.partners[generated["delivering_partner_id"]]))
            return courses[(deliverer, generated["learn_aim_ref"], generated["academic_year"])]

        app_ids = await _ids(conn, table_of(Application), len(apps))
        new_app = dict(zip((a["id"] for a in apps), app_ids, strict=True))
        app_rows = [{**a, "id": new_app[a["id"]], "learner_id": learner(a),
                     "provision_id": course(a), "batch_id": batch_id} for a in apps]
        offer_rows = [{**o, "id": new_id, "learner_id": learner(o), "provision_id": course(o),
                       "application_id": new_app.get(o["application_id"]), "batch_id": batch_id}
                      for o, new_id in zip(offers, await _ids(conn, table_of(Offer), len(offers)),
                                           strict=True)]
        for table, rows in ((table_of(Application), app_rows), (table_of(Offer), offer_rows)):
            if rows:
                await conn.execute(insert(table), rows)
        total = len(app_rows) + len(offer_rows)
        batches = table_of(IngestBatch)
        await conn.execute(update(batches).where(batches.c.id == batch_id).values(
            status=LOADED, completed_at=utcnow(), records_read=total, records_loaded=total))
    return {"applications": len(app_rows), "offers": len(offer_rows)}


async def _open_batch(conn: AsyncConnection, index: DemoIndex) -> int:
    label = f"demo applications:learners={index.model.learners}:seed={index.model.seed}"
    batches = table_of(IngestBatch)
    new_id = await conn.scalar(insert(batches).values(
        partner_id=None, connector=CONNECTOR, file_name="Year 11 applications and offers",
        file_sha256=hashlib.sha256(label.encode()).hexdigest(), stored_path=None,
        snapshot_key=None, received_at=utcnow(), status="processing", submitted_by=SUBMITTER,
        records_read=0, records_loaded=0, records_rejected=0, learners_matched=0,
        learners_created=0, reviews_queued=0).returning(batches.c.id))
    return int(new_id or 0)


async def _learners_by_uln(conn: AsyncConnection) -> dict[str, int]:
    c = table_of(Learner).c
    rows = await conn.execute(select(c.uln, c.id).where(c.uln.is_not(None)))
    return {str(row.uln): int(row.id) for row in rows}


async def _courses(conn: AsyncConnection) -> dict[tuple[int, str, str], int]:
    c = table_of(Provision).c
    rows = await conn.execute(select(c.id, c.delivering_partner_id, c.learn_aim_ref,
                                     c.academic_year).where(c.learn_aim_ref.is_not(None)))
    return {(int(r.delivering_partner_id), str(r.learn_aim_ref), str(r.academic_year)): int(r.id)
            for r in rows}


async def _ids(conn: AsyncConnection, table: Table, count: int) -> list[int]:
    """``count`` new ids: from the sequence on PostgreSQL; past the highest on SQLite, where
    this transaction already holds the write lock (it inserted the batch row)."""
    if not count:
        return []
    if conn.dialect.name == "postgresql":
        rows = await conn.execute(text(
            f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "  # noqa: S608
            "FROM generate_series(1, :n)"), {"n": count})
        return [int(row[0]) for row in rows]
    highest = int(await conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0)
    return list(range(highest + 1, highest + 1 + count))
