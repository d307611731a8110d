"""Common Transfer File (CTF) XML connector, namespace-agnostic and hardened against hostile XML."""

from connectors.ctf.connector import CtfConnector

__all__ = ["CtfConnector"]
