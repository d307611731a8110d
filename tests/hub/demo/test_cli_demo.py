"""``hub demo``: loads once, is a no-op with --if-empty, refuses or replaces otherwise."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from graphql import build_schema, parse, validate
from sqlalchemy import text
from typer.testing import CliRunner

from hub.cli import app
from hub.cli.demo import EXAMPLE_QUERIES
from hub.demo.bulk import count_learners
from hub.store.engine import create_engine_for


def _learners(url: str) -> int:
    async def count() -> int:
        engine = create_engine_for(url)
        try:
            return await count_learners(engine)
        finally:
            await engine.dispose()

    return asyncio.run(count())


def _demo(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["demo", "--database-url", url, *args])
    return result.exit_code, result.output + (result.stderr or "")


def test_demo_loads_then_if_empty_leaves_the_data_alone(empty_url: str) -> None:
    code, output = _demo(empty_url, "--learners", "40", "--if-empty")
    assert code == 0, output
    assert "learners" in output
    assert "total" in output
    assert _learners(empty_url) == 40
    code, output = _demo(empty_url, "--learners", "60", "--if-empty")
    assert code == 0
    assert "already holds 40 learners" in output
    assert _learners(empty_url) == 40


def test_demo_refuses_a_non_empty_database_unless_replacing(empty_url: str) -> None:
    assert _demo(empty_url, "--learners", "30")[0] == 0
    code, output = _demo(empty_url, "--learners", "50")
    assert code == 1
    assert "DEMO_DATA_PRESENT" in output
    assert "--replace" in output
    assert _learners(empty_url) == 30
    code, output = _demo(empty_url, "--learners", "50", "--replace")
    assert code == 0, output
    assert _learners(empty_url) == 50


def test_the_example_queries_printed_after_loading_are_valid_against_the_schema() -> None:
    sdl = (Path(__file__).parents[3] / "schema" / "schema.graphql").read_text(encoding="utf-8")
    schema = build_schema(re.sub(r"^schema @link\([^)]*\)", "schema", sdl, flags=re.M),
                          assume_valid_sdl=True)
    queries = EXAMPLE_QUERIES.split("\n\n")
    assert len(queries) == 3
    for query in queries:
        assert validate(schema, parse(query)) == [], query


def _connectors(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_engine_for(url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(text("SELECT DISTINCT connector FROM ingest_batches"))
                return {str(row[0]) for row in rows}
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_demo_goes_through_the_connectors_and_keeps_files_in_export_dir(
    empty_url: str, tmp_path: Path,
) -> None:
    folder = tmp_path / "exports"
    code, output = _demo(empty_url, "--learners", "40", "--export-dir", str(folder))
    assert code == 0, output
    assert "through the connectors" in output
    assert "providers.csv" in output
    assert _learners(empty_url) == 40
    assert {"providers", "provision", "nccis", "ilr", "census", "flows"} <= _connectors(empty_url)
    assert (folder / "providers.csv").exists()
    assert list(folder.glob("ILR-*.xml"))


def test_bulk_writes_rows_straight_into_the_store(empty_url: str) -> None:
    code, output = _demo(empty_url, "--learners", "40", "--bulk")
    assert code == 0, output
    assert "(bulk)" in output
    assert _learners(empty_url) == 40
    assert _connectors(empty_url) == {"demo"}
