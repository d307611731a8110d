"""``POST /ingest/{format}``: durable upload, 202 with the batch, background load, resume."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from starlette.applications import Starlette

from hub.app import build_app
from hub.config import load_settings
from hub.store import batches
from hub.store.engine import create_engine_for
from hub.store.models import LearnerRecord
from tests.support.ingest import add_partner, count
from tests.support.tokens import bearer, issue_token

SAMPLE = Path(__file__).parents[2] / "fixtures/ilr/valid/ILR-99999999-2526-20250108-094401.xml"


@asynccontextmanager
async def _running(url: str, data_dir: Path) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    app = build_app(load_settings({}, database_url=url, data_dir=data_dir, env="test"))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            yield app, http


async def _partner(url: str, ukprn: str = "99999999") -> int:
    engine = create_engine_for(url)
    try:
        return await add_partner(engine, ukprn=ukprn)
    finally:
        await engine.dispose()


async def _token(url: str, partner: int) -> dict[str, str]:
    token = await issue_token(url, role="mis_integration", partner_id=partner)
    return bearer(token)


async def test_upload_is_stored_answered_202_and_loaded_in_the_background(
    empty_url: str, tmp_path: Path
) -> None:
    partner = await _partner(empty_url)
    headers = await _token(empty_url, partner)
    body = SAMPLE.read_bytes()
    async with _running(empty_url, tmp_path) as (app, http):
        response = await http.post(
            f"/ingest/ilr?partner={partner}&name=sample.xml", content=body, headers=headers
        )
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "received"
        batch_id = response.json()["batch"]
        assert (tmp_path / "uploads" / hashlib.sha256(body).hexdigest()).read_bytes() == body
        await app.state.ingest_worker.wait_idle()
        again = await http.post(f"/ingest/ilr?partner={partner}", content=body, headers=headers)
    assert again.status_code == 200
    assert again.json() == {"batch": batch_id, "status": "loaded", "already_loaded": True}
    engine = create_engine_for(empty_url)
    try:
        async with engine.connect() as conn:
            batch = await batches.get_batch(conn, batch_id)
        assert batch is not None
        assert (batch["status"], batch["file_name"], batch["records_loaded"]) == (
            "loaded",
            "sample.xml",
            12,
        )
        assert await count(engine, LearnerRecord) == 12
    finally:
        await engine.dispose()


async def test_upload_needs_a_token_and_the_partners_own(empty_url: str, tmp_path: Path) -> None:
    partner = await _partner(empty_url)
    other = await _partner(empty_url, ukprn="10000002")
    async with _running(empty_url, tmp_path) as (_app, http):
        anonymous = await http.post(f"/ingest/ilr?partner={partner}", content=b"<x/>")
        assert anonymous.status_code == 401
        foreign = await http.post(
            f"/ingest/ilr?partner={partner}",
            content=b"<x/>",
            headers=await _token(empty_url, other),
        )
        assert foreign.status_code == 403
        assert foreign.json()["code"] == "SUBMISSION_FORBIDDEN"
        unknown = await http.post(
            f"/ingest/xls?partner={other}", content=b"<x/>", headers=await _token(empty_url, other)
        )
        assert unknown.status_code == 400
        assert unknown.json()["code"] == "INGEST_UNKNOWN_FORMAT"
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


async def test_start_resumes_an_upload_a_crash_left_processing(
    empty_url: str, tmp_path: Path
) -> None:
    partner = await _partner(empty_url)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    sha = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    stored = uploads / sha
    shutil.copyfile(SAMPLE, stored)
    engine = create_engine_for(empty_url)
    try:
        opened = await batches.open_batch(
            engine,
            partner_id=partner,
            connector="ilr",
            file_name="sample.xml",
            file_sha256=sha,
            stored_path=str(stored),
        )
        await batches.mark_processing(engine, opened.batch_id, None)
        async with _running(empty_url, tmp_path) as (app, _http):
            await app.state.ingest_worker.wait_idle()
        async with engine.connect() as conn:
            batch = await batches.get_batch(conn, opened.batch_id)
        assert batch is not None
        assert batch["status"] == "loaded"
        assert await count(engine, LearnerRecord) == 12
    finally:
        await engine.dispose()
