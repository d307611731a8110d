"""Format name -> connector: each connector is imported only when its format is asked for.

Lazy imports keep ``hub ingest`` fast to start and let the hub run while a connector package is
absent: asking for it then is a clear ``INGEST_UNKNOWN_FORMAT`` error, not an ImportError.
"""

from __future__ import annotations

import importlib
from typing import Any

from connectors.base import Connector
from connectors.errors import UnknownFormatError

# format -> (module, factory attribute, arguments passed to the factory)
_FACTORIES: dict[str, tuple[str, str, tuple[Any, ...]]] = {
    "ilr": ("connectors.ilr", "IlrConnector", ()),
    "ctf": ("connectors.ctf", "CtfConnector", ()),
    "census": ("connectors.census", "CensusConnector", ()),
    "nccis": ("connectors.nccis", "NccisConnector", ()),
    "attendance": ("connectors.attendance", "AttendanceConnector", ()),
    "csv": ("connectors.csvroute", "CsvRouteConnector", ()),
    "providers": ("connectors.reference", "ProvidersConnector", ()),
    "provision": ("connectors.reference", "ProvisionConnector", ()),
    "allocations": ("connectors.reference", "AllocationsConnector", ()),
    "flows": ("connectors.reference", "FlowsConnector", ()),
}
FORMATS = tuple(_FACTORIES)


def create_connector(format_name: str) -> Connector:
    """A new connector for ``format_name`` (one per file: connectors keep per-file state).

    Raises:
        UnknownFormatError: the name is not a known format or its connector cannot be imported.
    """
    try:
        module_name, attribute, arguments = _FACTORIES[format_name]
    except KeyError:
        known = ", ".join(FORMATS)
        raise UnknownFormatError(f"unknown format {format_name!r}; known: {known}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise UnknownFormatError(
            f"the {format_name!r} connector ({module_name}) is not installed: {error}"
        ) from error
    factory = getattr(module, attribute, None)
    if factory is None:
        raise UnknownFormatError(
            f"the {format_name!r} connector has no {attribute} in {module_name}"
        )
    connector: Connector = factory(*arguments)
    return connector
