"""Settings, read once from ``HUB_*`` environment variables and frozen.

No other module reads ``os.environ``: every knob the hub has is listed here, with its default,
and every bad value is reported at once rather than one per start attempt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hub.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///var/hub.db"
ENVIRONMENTS = ("dev", "test", "prod")
OTEL_MODES = ("off", "console", "otlp")


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting the hub reads, with its default."""

    database_url: str = DEFAULT_DATABASE_URL
    env: str = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    max_page_size: int = 500
    default_page_size: int = 50
    max_query_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000
    otel: str = "off"
    otel_endpoint: str | None = None
    data_dir: Path = field(default_factory=lambda: Path("var"))
    agreements_dir: Path | None = None
    keys_dir: Path | None = None
    token_issuer: str = "urn:partnership-hub"  # noqa: S105  (an issuer name, not a secret)
    token_audience: str = "partnership-hub"  # noqa: S105  (an audience name, not a secret)
    token_ttl_seconds: int = 900
    oidc_issuer: str | None = None
    oidc_jwks_url: str | None = None
    oidc_audience: str | None = None
    sql_echo: bool = False
    audit_seal_interval_seconds: float = 2.0

    @property
    def is_dev(self) -> bool:
        """Whether developer conveniences (GraphiQL, introspection) are on."""
        return self.env == "dev"

    @property
    def is_sqlite(self) -> bool:
        """Whether the configured database is the embedded SQLite default."""
        return self.database_url.startswith("sqlite")


_INT_FIELDS = {
    "port": "HUB_PORT",
    "workers": "HUB_WORKERS",
    "max_page_size": "HUB_MAX_PAGE_SIZE",
    "default_page_size": "HUB_DEFAULT_PAGE_SIZE",
    "max_query_depth": "HUB_MAX_QUERY_DEPTH",
    "max_aliases": "HUB_MAX_ALIASES",
    "max_tokens": "HUB_MAX_TOKENS",
    "token_ttl_seconds": "HUB_TOKEN_TTL_SECONDS",
}
_STR_FIELDS = {
    "database_url": "HUB_DATABASE_URL",
    "env": "HUB_ENV",
    "host": "HUB_HOST",
    "otel": "HUB_OTEL",
    "token_issuer": "HUB_TOKEN_ISSUER",
    "token_audience": "HUB_TOKEN_AUDIENCE",
}
_OPTIONAL_STR_FIELDS = {
    "otel_endpoint": "HUB_OTEL_ENDPOINT",
    "oidc_issuer": "HUB_OIDC_ISSUER",
    "oidc_jwks_url": "HUB_OIDC_JWKS_URL",
    "oidc_audience": "HUB_OIDC_AUDIENCE",
}
_PATH_FIELDS = {"data_dir": "HUB_DATA_DIR"}
_OPTIONAL_PATH_FIELDS = {"agreements_dir": "HUB_AGREEMENTS_DIR", "keys_dir": "HUB_KEYS_DIR"}
_BOOL_FIELDS = {"sql_echo": "HUB_SQL_ECHO"}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build the frozen settings from the environment.

    Args:
        environ: the variables to read (the process environment when omitted).
        overrides: values that win over the environment (tests and the CLI use these).

    Returns:
        The settings.

    Raises:
        ConfigError: listing every bad value at once.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    problems: list[str] = []
    _read_text(env, values)
    _read_numbers(env, values, problems)
    values.update(overrides)
    settings = Settings(**values)  # type: ignore[arg-type]
    problems.extend(_check(settings))
    if problems:
        raise ConfigError("invalid settings: " + "; ".join(problems))
    return settings


def _read_text(env: Mapping[str, str], values: dict[str, object]) -> None:
    for name, var in _STR_FIELDS.items():
        if var in env:
            values[name] = env[var]
    for name, var in _OPTIONAL_STR_FIELDS.items():
        if env.get(var):
            values[name] = env[var]
    for name, var in {**_PATH_FIELDS, **_OPTIONAL_PATH_FIELDS}.items():
        if env.get(var):
            values[name] = Path(env[var])


def _read_numbers(env: Mapping[str, str], values: dict[str, object], problems: list[str]) -> None:
    for name, var in _INT_FIELDS.items():
        if var in env:
            try:
                values[name] = int(env[var])
            except ValueError:
                problems.append(f"{var}={env[var]!r} is not a whole number")
    for name, var in _BOOL_FIELDS.items():
        if var in env:
            raw = env[var].strip().lower()
            if raw in _TRUE:
                values[name] = True
            elif raw in _FALSE:
                values[name] = False
            else:
                problems.append(f"{var}={env[var]!r} is not true or false")


def _check(settings: Settings) -> list[str]:
    problems = []
    if settings.env not in ENVIRONMENTS:
        problems.append(f"HUB_ENV={settings.env!r} is not one of {', '.join(ENVIRONMENTS)}")
    if settings.otel not in OTEL_MODES:
        problems.append(f"HUB_OTEL={settings.otel!r} is not one of {', '.join(OTEL_MODES)}")
    if not 0 < settings.port < 65536:
        problems.append(f"HUB_PORT={settings.port} is not a TCP port")
    if settings.workers < 1:
        problems.append("HUB_WORKERS must be at least 1")
    if not 0 < settings.default_page_size <= settings.max_page_size:
        problems.append("HUB_DEFAULT_PAGE_SIZE must be between 1 and HUB_MAX_PAGE_SIZE")
    if not settings.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        problems.append(
            "HUB_DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    problems.extend(_check_oidc(settings))
    return problems


def _check_oidc(settings: Settings) -> list[str]:
    problems = []
    if (settings.oidc_jwks_url or settings.oidc_audience) and not settings.oidc_issuer:
        problems.append("HUB_OIDC_JWKS_URL and HUB_OIDC_AUDIENCE need HUB_OIDC_ISSUER")
    if settings.env == "prod":
        for var, url in (
            ("HUB_OIDC_ISSUER", settings.oidc_issuer),
            ("HUB_OIDC_JWKS_URL", settings.oidc_jwks_url),
        ):
            if url is not None and not url.startswith("https://"):
                problems.append(f"{var} must be an https:// URL in prod")
    return problems
