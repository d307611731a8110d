"""``hub partners``, ``hub ingest`` and ``hub matches``, run as an operator would."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).parents[2] / "fixtures/ilr/valid/ILR-99999999-2526-20250108-094401.xml"


def _env(url: str) -> dict[str, str]:
    return {"HUB_DATABASE_URL": url, "HUB_ENV": "test", "COLUMNS": "200"}


def _hub(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=_env(url))
    return result.exit_code, result.output


def _add_partner(url: str, ukprn: str = "99999999") -> str:
    code, output = _hub(
        url, "partners", "add", "--ukprn", ukprn, "--name", "ESFA sample", "--type", "fe_college"
    )
    assert code == 0, output
    found = re.search(r"partner_id: (\d+)", output)
    assert found is not None
    return found.group(1)


def test_ingest_prints_counts_and_findings_then_knows_the_file(empty_url: str) -> None:
    partner = _add_partner(empty_url)
    code, output = _hub(empty_url, "ingest", "ilr", str(SAMPLE), "--partner", partner)
    assert code == 0, output
    assert "batch 1: loaded" in output
    counts = re.search(r"│\s*19\s*│\s*12\s*│\s*7\s*│", output)
    assert counts is not None, output
    assert "LearnActEndDate_04" in output
    assert "first 20" in output

    code, output = _hub(empty_url, "ingest", "ilr", str(SAMPLE), "--partner", partner, "--all")
    assert code == 0, output
    assert "already loaded as batch 1" in output
    assert "first 20" not in output


def test_file_for_another_provider_is_rejected_with_exit_status_2(empty_url: str) -> None:
    partner = _add_partner(empty_url, ukprn="10000001")
    code, output = _hub(empty_url, "ingest", "ilr", str(SAMPLE), "--partner", partner)
    assert code == 2
    assert "rejected" in output
    assert "PARTNER_MISMATCH" in output


def test_unregistered_partner_is_a_clear_error(empty_url: str) -> None:
    code, output = _hub(empty_url, "ingest", "ilr", str(SAMPLE), "--partner", "42")
    assert code == 1
    assert "PARTNER_NOT_REGISTERED" in output


def test_unknown_format_is_a_clear_error(empty_url: str) -> None:
    partner = _add_partner(empty_url)
    code, output = _hub(empty_url, "ingest", "xls", str(SAMPLE), "--partner", partner)
    assert code == 1
    assert "INGEST_UNKNOWN_FORMAT" in output


def test_partner_add_refuses_bad_identifiers(empty_url: str) -> None:
    code, output = _hub(
        empty_url, "partners", "add", "--ukprn", "12", "--name", "X", "--type", "castle"
    )
    assert code == 1
    assert "--type must be one of" in output
    assert "--ukprn must be 8 digits" in output


def test_review_queue_can_be_listed_and_decided(empty_url: str) -> None:
    partner = _add_partner(empty_url)
    code, output = _hub(empty_url, "ingest", "ilr", str(SAMPLE), "--partner", partner)
    assert code == 0, output
    code, output = _hub(empty_url, "matches", "list")
    assert code == 0, output
    review = re.search(r"│ (\d+)\s+│ " + partner + r"\s+│ ilr", output)
    assert review is not None, output
    code, output = _hub(empty_url, "matches", "reject", review.group(1))
    assert code == 0, output
    assert "rejected" in output
    code, output = _hub(empty_url, "matches", "accept", review.group(1))
    assert code == 1
    assert "NOT_FOUND" in output
