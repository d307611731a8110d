"""OpenTelemetry wiring: off by default, console or OTLP exporters when configured.

Spans never carry personal data: SQL parameters are not recorded and GraphQL arguments are
filtered (see ``schema.build``).
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.config import Settings
from hub.errors import ConfigError

SERVICE_NAME = "partnership-hub"


def configure_telemetry(settings: Settings) -> TracerProvider | None:
    """Install a tracer provider when ``HUB_OTEL`` asks for one; None when telemetry is off."""
    if settings.otel == "off":
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": SERVICE_NAME}))
    provider.add_span_processor(BatchSpanProcessor(_exporter(settings)))
    trace.set_tracer_provider(provider)
    return provider


def _exporter(settings: Settings) -> SpanExporter:
    if settings.otel == "console":
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError as error:
        raise ConfigError(
            "HUB_OTEL=otlp needs the OTLP exporter: pip install 'partnership-hub[otlp]'"
        ) from error
    exporter: SpanExporter = (
        OTLPSpanExporter(endpoint=settings.otel_endpoint)
        if settings.otel_endpoint
        else OTLPSpanExporter()
    )
    return exporter


def instrument_engine(engine: AsyncEngine, provider: TracerProvider | None) -> None:
    """Trace SQL statements (without parameters) when telemetry is on."""
    if provider is None:
        return
    SQLAlchemyInstrumentor().instrument(
        engine=engine.sync_engine, tracer_provider=provider, enable_commenter=False
    )


def current_trace_id() -> str | None:
    """The active span's trace id (hex), for audit events; None when not tracing."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None
