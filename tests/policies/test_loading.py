"""Loading agreement folders into the store: versioned, all or nothing, keys kept per agreement."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.store.models import AgreementVersion
from policies.issues import AgreementInvalidError
from policies.loading import active_agreements, reload

FIXTURES = Path(__file__).parents[1] / "fixtures" / "agreements"
VERSIONS = AgreementVersion.__table__


def folder(tmp_path: Path, *names: str) -> Path:
    target = tmp_path / "agreements"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, target / Path(name).name)
    return target


async def stored(engine: AsyncEngine) -> list[tuple[str, int, bool]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(VERSIONS.c.agreement_id, VERSIONS.c.version, VERSIONS.c.is_active).order_by(
                VERSIONS.c.agreement_id, VERSIONS.c.version
            )
        )
        return [(row[0], row[1], row[2]) for row in rows]


async def test_same_text_loaded_twice_is_not_a_new_version(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    directory = folder(tmp_path, "valid/neet.yaml", "valid/attendance.yaml")
    first = await reload(engine, directory)
    second = await reload(engine, directory)
    assert first.added == ("test-attendance@1", "test-neet@1")
    assert second.added == ()
    assert second.unchanged == first.added
    async with engine.connect() as connection:
        count = (await connection.execute(select(func.count()).select_from(VERSIONS))).scalar_one()
    assert count == 2


async def test_invalid_set_is_refused_and_previous_set_stays(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await reload(engine, folder(tmp_path, "valid/neet.yaml"))
    bad = folder(tmp_path, "valid/attendance.yaml", "invalid/unknown_field.yaml")
    with pytest.raises(AgreementInvalidError) as caught:
        await reload(engine, bad)
    assert caught.value.code == "AGREEMENT_UNKNOWN_FIELD"
    assert await stored(engine) == [("test-neet", 1, True)]


async def test_new_version_is_added_and_old_one_retired(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    await reload(engine, folder(tmp_path, "valid/attendance.yaml"))
    report = await reload(engine, folder(tmp_path, "valid/attendance.v2.yaml", "valid/neet.yaml"))
    assert report.added == ("test-attendance@2", "test-neet@1")
    assert report.retired == ("test-attendance@1",)
    assert await stored(engine) == [
        ("test-attendance", 1, False),
        ("test-attendance", 2, True),
        ("test-neet", 1, True),
    ]
    async with engine.connect() as connection:
        active = await active_agreements(connection)
        statement = select(VERSIONS.c.version, VERSIONS.c.pseudonym_key).where(
            VERSIONS.c.agreement_id == "test-attendance"
        )
        keys: dict[int, str] = {row[0]: row[1] for row in await connection.execute(statement)}
    assert sorted(a.ref for a in active) == ["test-attendance@2", "test-neet@1"]
    assert keys[1] == keys[2]
    assert len(keys[1]) == 64
    assert all(a.pseudonym_key for a in active)


async def test_changed_text_under_a_loaded_version_is_refused(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    directory = folder(tmp_path, "valid/neet.yaml")
    await reload(engine, directory)
    path = directory / "neet.yaml"
    path.write_text(path.read_text().replace("retention_months: 24", "retention_months: 48"))
    with pytest.raises(AgreementInvalidError) as caught:
        await reload(engine, directory)
    assert caught.value.code == "AGREEMENT_VERSION_CHANGED"
