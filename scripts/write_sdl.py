"""Write (or with --check, verify) the subgraph SDL in schema/schema.graphql."""

from __future__ import annotations

import sys

from schema.build import SDL_PATH, render_sdl


def main() -> int:
    """Write the SDL; with --check, fail when the committed file is stale instead."""
    sdl = render_sdl()
    if "--check" in sys.argv:
        if SDL_PATH.read_text(encoding="utf-8") != sdl:
            print("schema/schema.graphql is stale: run python scripts/write_sdl.py")  # noqa: T201
            return 1
        return 0
    SDL_PATH.write_text(sdl, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
