"""Shared start-up for CLI commands: settings, and clear errors instead of tracebacks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import InterfaceError, OperationalError

from hub.config import Settings, load_settings
from hub.errors import HubError, UnavailableError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")

console = Console(stderr=True)


def settings_from_env(**overrides: object) -> Settings:
    """Load settings, turning a configuration error into a clean exit."""
    with reported_errors():
        return load_settings(None, **overrides)
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def reported_errors() -> Iterator[None]:
    """Print a HubError as one red line and exit 1, never with a traceback."""
    try:
        yield
    except HubError as error:
        console.print(f"[red]error[/red] {error.code}: {error}")
        raise typer.Exit(1) from error


def run_with_engine(settings: Settings, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` against the configured database: an unreachable one and every HubError
    become one red line and exit 1."""

    async def run() -> T:
        from hub.store.engine import create_engine_for

        engine = create_engine_for(settings.database_url)
        try:
            return await work(engine)
        except (OperationalError, InterfaceError, OSError) as error:
            raise UnavailableError("the database did not answer") from error
        finally:
            await engine.dispose()

    with reported_errors():
        return asyncio.run(run())
    raise AssertionError("unreachable")  # pragma: no cover
