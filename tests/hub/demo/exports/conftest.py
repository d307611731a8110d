"""One set of demo export files, written once for all export tests."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from connectors.base import Connector
from connectors.records import ParsedRecord
from hub.demo.exports import write_demo_exports
from hub.demo.generator import DemoModel

LEARNERS = 600


@pytest.fixture(scope="package")
def model() -> DemoModel:
    return DemoModel(LEARNERS, seed=5)


@pytest.fixture(scope="package")
def exports(model: DemoModel, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    return write_demo_exports(model, tmp_path_factory.mktemp("exports"))


def read_all(connector: Connector, path: Path) -> tuple[list[ParsedRecord], Counter[str]]:
    """Every parsed record of ``path`` and the rules of its error-severity findings."""
    connector.read_header(path)
    parsed = list(connector.read(path))
    errors: Counter[str] = Counter(
        issue.rule for record in parsed for issue in record.issues if issue.is_error)
    errors.update(issue.rule for issue in connector.file_issues() if issue.is_error)
    return parsed, errors
