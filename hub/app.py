"""The ASGI application: routes, middleware order and one lifespan that owns the engine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Route

from hub.config import Settings, load_settings
from hub.store.audit_chain import run_sealer
from hub.store.engine import create_engine_for
from hub.telemetry import configure_telemetry, instrument_engine
from hub.web.agreements import AgreementsInForce, agreements_folder, load_folder_at_startup
from hub.web.auth import AuthenticationMiddleware
from hub.web.graphql import graphql_routes
from hub.web.health import healthz, readyz
from hub.web.oauth import oauth_routes
from hub.web.uploads import running_ingest_worker, upload_routes


def build_app(settings: Settings | None = None) -> Starlette:
    """Build the hub's ASGI app for ``settings`` (read from the environment when omitted)."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        tracer_provider = configure_telemetry(settings)
        engine = create_engine_for(settings.database_url, echo=settings.sql_echo)
        instrument_engine(engine, tracer_provider)
        app.state.engine = engine
        await load_folder_at_startup(engine, agreements_folder(settings))
        app.state.agreements = AgreementsInForce(engine)
        stop_sealer = asyncio.Event()
        sealer = asyncio.create_task(
            run_sealer(engine, settings.audit_seal_interval_seconds, stop_sealer)
        )
        try:
            async with running_ingest_worker(engine, settings.data_dir) as ingest_worker:
                app.state.ingest_worker = ingest_worker
                yield
        finally:
            stop_sealer.set()
            await sealer
            await engine.dispose()
            if tracer_provider is not None:
                tracer_provider.shutdown()

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        *oauth_routes(),
        *graphql_routes(settings),
        *upload_routes(),
    ]
    # Authentication wraps every route; it lets through only the open paths it lists itself.
    middleware = [Middleware(AuthenticationMiddleware, settings=settings)]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware)
    app.state.settings = settings
    return app
