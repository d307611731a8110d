"""``POST /ingest/{format}?partner=ID``: a partner's MIS pushes a file; the hub loads it later.

The upload is written to ``<data_dir>/uploads/<sha256>`` and fsynced, and its batch is recorded
"received", BEFORE the 202 answer names the batch: once a client has its batch id, the file
survives any crash. Loading runs in a background task (one at a time: the machine is small).
When the app starts, batches left "received" or "processing" with a stored file are loaded
again; the loader's claim on the batch row means a batch is never applied twice.

The body is the raw file (``curl --data-binary @file``). ``?name=`` names it in reports.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from connectors.errors import PartnerNotRegisteredError, UnknownFormatError
from connectors.pipeline import authorise_submission, find_partner, load_batch
from connectors.registry import create_connector
from hub.errors import AuthenticationError, BadRequestError, ForbiddenError, HubError
from hub.principal import Principal
from hub.store import batches

MAX_UPLOAD_BYTES = 1 << 30
PRINCIPAL_SCOPE_KEY = "hub.principal"
log = logging.getLogger(__name__)


class UploadTooLargeError(BadRequestError):
    """The upload is larger than the hub accepts in one file: split it or use the CLI."""

    code = "UPLOAD_TOO_LARGE"


class IngestWorker:
    """Loads stored uploads in background tasks, one batch at a time."""

    def __init__(self, engine: AsyncEngine, uploads_dir: Path) -> None:
        self.engine = engine
        self.uploads_dir = uploads_dir
        self._tasks: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Lock()

    def schedule(self, batch_id: int, format_name: str, path: Path, partner_id: int) -> None:
        """Load the batch in the background (the caller has already answered the client)."""
        task = asyncio.create_task(self._load(batch_id, format_name, path, partner_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def resume(self) -> int:
        """Schedule every unfinished batch that has a stored upload; returns how many."""
        async with self.engine.connect() as conn:
            unfinished = await batches.unfinished_batches(conn)
        resumed = 0
        for batch in unfinished:
            if batch["stored_path"] is None or batch["partner_id"] is None:
                continue  # a CLI run: its operator reruns it, the file is theirs
            self.schedule(
                int(batch["id"]),
                str(batch["connector"]),
                Path(batch["stored_path"]),
                int(batch["partner_id"]),
            )
            resumed += 1
        return resumed

    async def wait_idle(self) -> None:
        """Wait for every scheduled load to finish (tests and orderly shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop loading: a cancelled load rolls back and is resumed at the next start."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _load(self, batch_id: int, format_name: str, path: Path, partner_id: int) -> None:
        async with self._one_at_a_time:
            try:
                if not path.exists():
                    raise BadRequestError(f"the stored upload {path.name} is missing")
                partner = await find_partner(self.engine, partner_id)
                await load_batch(
                    self.engine, create_connector(format_name), path, batch_id, partner
                )
            except HubError as error:
                await batches.finish_unloaded(
                    self.engine, batch_id, batches.FAILED, error=f"{error.code}: {error.message}"
                )
            except (SQLAlchemyError, OSError) as error:  # load_batch has marked it failed
                log.warning("ingest batch %s failed: %s", batch_id, type(error).__name__)


@asynccontextmanager
async def running_ingest_worker(engine: AsyncEngine, data_dir: Path) -> AsyncIterator[IngestWorker]:
    """The app's worker for its lifespan: resumes unfinished uploads, stops cleanly."""
    worker = IngestWorker(engine, data_dir / "uploads")
    try:
        await worker.resume()
    except SQLAlchemyError as error:  # an unmigrated or unreachable database: /readyz says so
        log.warning("could not resume unfinished uploads: %s", type(error).__name__)
    try:
        yield worker
    finally:
        await worker.close()


def upload_routes() -> list[BaseRoute]:
    """The upload route (the app must set ``state.ingest_worker``)."""
    return [Route("/ingest/{format_name}", upload, methods=["POST"])]


async def upload(request: Request) -> JSONResponse:
    """Store the body durably, record its batch, answer 202, and load it in the background."""
    try:
        return await _accept(request)
    except AuthenticationError as error:
        return _error(error, 401)
    except ForbiddenError as error:
        return _error(error, 403)
    except PartnerNotRegisteredError as error:
        return _error(error, 404)
    except (BadRequestError, UnknownFormatError) as error:
        return _error(error, 400)


async def _accept(request: Request) -> JSONResponse:
    principal = request.scope.get(PRINCIPAL_SCOPE_KEY)
    if not isinstance(principal, Principal):
        raise AuthenticationError("uploads need an authenticated partner")
    raw_partner = request.query_params.get("partner", "")
    if not raw_partner.isdigit():
        raise BadRequestError("?partner= must be the submitting partner's id")
    partner_id = int(raw_partner)
    authorise_submission(principal, partner_id)
    worker: IngestWorker = request.app.state.ingest_worker
    await find_partner(worker.engine, partner_id)
    connector = create_connector(request.path_params["format_name"])
    stored, sha256 = await _store(request, worker.uploads_dir)
    opened = await batches.open_batch(
        worker.engine,
        partner_id=partner_id,
        connector=connector.name,
        file_name=request.query_params.get("name") or f"upload.{connector.name}",
        file_sha256=sha256,
        stored_path=str(stored),
        submitted_by=principal.subject,
    )
    if opened.already_loaded:
        return JSONResponse(
            {"batch": opened.batch_id, "status": batches.LOADED, "already_loaded": True}
        )
    worker.schedule(opened.batch_id, connector.name, stored, partner_id)
    return JSONResponse(
        {"batch": opened.batch_id, "status": batches.RECEIVED, "already_loaded": False},
        status_code=202,
    )


async def _store(request: Request, uploads_dir: Path) -> tuple[Path, str]:
    """Write the body to ``uploads/<sha256>`` durably: fsync the file, rename, fsync the dir."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    incoming = uploads_dir / f".incoming-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    size = 0
    try:
        with incoming.open("wb") as handle:
            async for block in request.stream():
                size += len(block)
                if size > MAX_UPLOAD_BYTES:
                    raise UploadTooLargeError(f"uploads are limited to {MAX_UPLOAD_BYTES} bytes")
                digest.update(block)
                handle.write(block)
            handle.flush()
            await asyncio.to_thread(os.fsync, handle.fileno())
        if size == 0:
            raise BadRequestError("the upload is empty: send the file as the request body")
        stored = uploads_dir / digest.hexdigest()
        os.replace(incoming, stored)
    finally:
        incoming.unlink(missing_ok=True)
    directory = os.open(uploads_dir, os.O_RDONLY)
    try:
        await asyncio.to_thread(os.fsync, directory)
    finally:
        os.close(directory)
    return stored, digest.hexdigest()


def _error(error: HubError, status: int) -> JSONResponse:
    return JSONResponse({"error": error.message, "code": error.code}, status_code=status)
