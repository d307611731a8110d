"""Write the subgraph SDL to schema/schema.graphql (a test fails when they disagree)."""

from __future__ import annotations

from schema.build import SDL_PATH, render_sdl

if __name__ == "__main__":
    SDL_PATH.write_text(render_sdl(), encoding="utf-8")
