"""Shared start-up for CLI commands: settings, and clear errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from hub.config import Settings, load_settings
from hub.errors import HubError

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
