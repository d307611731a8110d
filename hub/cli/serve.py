"""``hub serve``: run the ASGI app under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from hub.cli.runtime import console, settings_from_env


def serve(
    port: Annotated[int | None, typer.Option(help="TCP port (default HUB_PORT or 8000).")] = None,
    host: Annotated[str | None, typer.Option(help="Interface (default HUB_HOST).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default HUB_WORKERS or 1).")
    ] = None,
) -> None:
    """Serve the hub: GraphQL at /graphql (GraphiQL in a browser when HUB_ENV=dev)."""
    import uvicorn

    overrides: dict[str, object] = {}
    if port is not None:
        overrides["port"] = port
    if host is not None:
        overrides["host"] = host
    if workers is not None:
        overrides["workers"] = workers
    settings = settings_from_env(**overrides)
    console.print(
        f"serving the hub at http://{settings.host}:{settings.port}/graphql "
        f"({settings.database_url.split('://')[0]}, {settings.workers} worker(s)); Ctrl-C stops"
    )
    uvicorn.run(
        "hub.asgi:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="info",
        access_log=False,
        env_file=None,
    )
