"""The GraphQL schema (an Apollo Federation v2 subgraph); reads only through ``policies``."""

from schema.build import build_schema, render_sdl

__all__ = ["build_schema", "render_sdl"]
