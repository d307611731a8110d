"""Generic CSV route: a provider's own CSV read through a column-mapping file."""

from connectors.csvroute.connector import CsvRouteConnector
from connectors.csvroute.mapping import ColumnMapping

__all__ = ["ColumnMapping", "CsvRouteConnector"]
