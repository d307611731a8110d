"""The 14-19 Partnership Data Hub."""

__version__ = "0.1.0"
