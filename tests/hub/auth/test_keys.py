"""Signing keys: created on first use, rotated with an overlap, published without private parts."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from hub.auth.keys import (
    CLOCK_LEEWAY_SECONDS,
    KeyRing,
    current_signing_key,
    jwks_document,
    published_keys,
    rotate_signing_key,
)
from hub.auth.keystore import DatabaseKeyStore, DirectoryKeyStore, KeyStore, utc_now

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


async def test_first_use_creates_one_current_key_and_reuses_it(engine: AsyncEngine) -> None:
    store = DatabaseKeyStore(engine)
    first = await current_signing_key(store)
    again = await current_signing_key(store)
    assert first.kid == again.kid
    assert [key.kid for key in await store.load()] == [first.kid]
    assert first.algorithm == "ES256"


async def test_rotation_keeps_previous_key_published_until_its_tokens_expire(
    engine: AsyncEngine,
) -> None:
    store = DatabaseKeyStore(engine)
    now = utc_now()
    old = await current_signing_key(store, now=now - dt.timedelta(days=1))
    new = await rotate_signing_key(store, token_ttl_seconds=900, now=now)

    assert (await current_signing_key(store)).kid == new.kid
    published = [key.kid for key in await published_keys(store, now=now)]
    assert published == [new.kid, old.kid]
    end = now + dt.timedelta(seconds=900 + CLOCK_LEEWAY_SECONDS)
    just_before = await published_keys(store, now=end - dt.timedelta(seconds=1))
    assert old.kid in [key.kid for key in just_before]
    after = [key.kid for key in await published_keys(store, now=end + dt.timedelta(seconds=1))]
    assert after == [new.kid]


async def test_second_rotation_does_not_extend_an_already_retiring_key(
    engine: AsyncEngine,
) -> None:
    store = DatabaseKeyStore(engine)
    now = utc_now()
    oldest = await current_signing_key(store, now=now - dt.timedelta(hours=2))
    await rotate_signing_key(store, token_ttl_seconds=60, now=now - dt.timedelta(hours=1))
    await rotate_signing_key(store, token_ttl_seconds=60, now=now)
    assert oldest.kid not in [key.kid for key in await published_keys(store, now=now)]


async def test_jwks_document_has_no_private_key_material(engine: AsyncEngine) -> None:
    store = DatabaseKeyStore(engine)
    await current_signing_key(store)
    document = jwks_document(await published_keys(store))
    (jwk,) = document["keys"]
    assert jwk["kty"] == "EC"
    assert jwk["alg"] == "ES256"
    assert jwk["use"] == "sig"
    assert not PRIVATE_MEMBERS & set(jwk)


async def test_key_ring_finds_a_key_rotated_in_after_it_loaded(engine: AsyncEngine) -> None:
    store = DatabaseKeyStore(engine)
    await current_signing_key(store)
    ring = KeyRing(store, max_age_seconds=3600)
    first = await current_signing_key(store)
    assert await ring.verification_key(first.kid) is not None
    rotated = await rotate_signing_key(store, token_ttl_seconds=900)
    found = await ring.verification_key(rotated.kid)
    assert found is not None
    assert not found.is_private


async def test_key_ring_refuses_unknown_and_retired_kids(engine: AsyncEngine) -> None:
    store = DatabaseKeyStore(engine)
    now = utc_now()
    old = await current_signing_key(store, now=now - dt.timedelta(hours=2))
    await rotate_signing_key(store, token_ttl_seconds=60, now=now - dt.timedelta(hours=1))
    ring = KeyRing(store)
    assert await ring.verification_key(old.kid) is None
    assert await ring.verification_key("no-such-kid") is None
    assert await ring.verification_key("x" * 500) is None


async def _rotate_twice(store: KeyStore) -> tuple[str, str]:
    first = await current_signing_key(store)
    second = await rotate_signing_key(store, token_ttl_seconds=900)
    return first.kid, second.kid


async def test_directory_store_keeps_keys_in_owner_only_files(tmp_path: Path) -> None:
    directory = tmp_path / "keys"
    store = DirectoryKeyStore(directory)
    first, second = await _rotate_twice(store)

    files = sorted(path.name for path in directory.iterdir())
    assert files == sorted([f"{first}.json", f"{second}.json"])
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    reopened = DirectoryKeyStore(directory)
    assert [key.kid for key in await published_keys(reopened)] == [second, first]
    assert (await reopened.find(first)) is not None
    assert await reopened.find("../../etc/passwd") is None
