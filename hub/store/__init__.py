"""The single database boundary: engine, sessions, table models and migrations."""

from hub.store.base import Base
from hub.store.engine import create_engine_for, database_kind

__all__ = ["Base", "create_engine_for", "database_kind"]
