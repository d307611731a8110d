"""NCCIS-style activity CSV connector (monthly snapshot per LA)."""

from connectors.nccis.connector import NccisConnector

__all__ = ["NccisConnector"]
