"""The committed SDL (what a federation gateway composes from) matches the code."""

from __future__ import annotations

from schema.build import SDL_PATH, render_sdl


def test_committed_sdl_matches_the_code() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == render_sdl(), (
        "schema/schema.graphql is stale: run `python scripts/write_sdl.py`"
    )


def test_sdl_is_a_federation_v2_subgraph_with_keys() -> None:
    sdl = render_sdl()
    assert 'specs.apollo.dev/federation/v2.7' in sdl
    assert 'type Learner @key(fields: "id") @key(fields: "uln")' in sdl
    assert 'type Partner @key(fields: "id") @key(fields: "ukprn") @key(fields: "urn")' in sdl
    assert 'type Provision @key(fields: "id")' in sdl
