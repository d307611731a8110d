"""School census pupil CSV connector (termly snapshot per school)."""

from connectors.census.connector import CensusConnector

__all__ = ["CensusConnector"]
