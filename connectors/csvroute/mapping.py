"""The column-mapping file of the generic CSV route: a provider's headers -> hub fields.

YAML or JSON (JSON is valid YAML, so one safe loader reads both). Checked completely on load so
a partner's mistake is reported as configuration, before any of their data is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connectors.csvroute.spec import TARGETS
from connectors.csvsource import header_key
from hub.errors import ConfigError

_KEYS = {"partner_ref", "on_roll", "encoding", "columns", "values", "name"}
MAX_MAPPING_BYTES = 64 * 1024


class CsvMappingError(ConfigError):
    """The column-mapping file is invalid: fix the mapping, then submit the file again."""

    code = "CSV_MAPPING_INVALID"


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which provider header feeds which hub field, and value translations per hub field."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    partner_ref: str | None = None
    on_roll: bool = False
    encoding: str = "utf-8"
    name: str | None = None

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        """Read and check a mapping file; raises ``CsvMappingError`` naming every problem."""
        if path.stat().st_size > MAX_MAPPING_BYTES:
            raise CsvMappingError(f"{path.name} is larger than {MAX_MAPPING_BYTES} bytes")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise CsvMappingError(f"{path.name} is not readable YAML or JSON: {error}") from None
        return cls.from_dict(data, source=path.name)

    @classmethod
    def from_dict(cls, data: Any, source: str = "mapping") -> ColumnMapping:
        """Check a parsed mapping document and build the mapping."""
        if not isinstance(data, dict):
            raise CsvMappingError(f"{source}: the top level must be a mapping with 'columns'")
        problems = [f"unknown key {key!r}" for key in data if key not in _KEYS]
        columns = _columns(data.get("columns"), problems)
        values = _values(data.get("values", {}), set(columns.values()), problems)
        partner_ref = data.get("partner_ref")
        if partner_ref is not None and not (
            isinstance(partner_ref, str) and partner_ref.isdigit() and len(partner_ref) in (7, 8)
        ):
            problems.append("partner_ref must be a quoted UKPRN (8 digits) or LAESTAB (7)")
        on_roll = data.get("on_roll", False)
        if not isinstance(on_roll, bool):
            problems.append("on_roll must be true or false")
        encoding = data.get("encoding", "utf-8")
        if not isinstance(encoding, str):
            problems.append("encoding must be text, e.g. utf-8")
        if problems:
            raise CsvMappingError(f"{source}: " + "; ".join(problems))
        return cls(columns, values, partner_ref, on_roll, encoding, data.get("name"))


def _columns(raw: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict) or not raw:
        problems.append("'columns' must map provider headers to hub fields")
        return {}
    targets = {column.name for column in TARGETS.columns}
    columns: dict[str, str] = {}
    used: dict[str, str] = {}
    keys: set[str] = set()
    for header, target in raw.items():
        if not isinstance(header, str) or not isinstance(target, str):
            problems.append(f"column {header!r}: header and field must both be text")
            continue
        if target not in targets:
            problems.append(f"column {header!r}: {target!r} is not a hub field "
                            f"({', '.join(sorted(targets))})")
        elif target in used:
            problems.append(f"{target!r} is mapped from both {used[target]!r} and {header!r}")
        elif header_key(header) in keys:
            problems.append(f"header {header!r} is mapped twice")
        else:
            used[target] = header
            keys.add(header_key(header))
            columns[header] = target
    if raw and "local_ref" not in used:
        problems.append("'local_ref' (the provider's learner reference) must be mapped")
    return columns


def _values(raw: Any, mapped: set[str], problems: list[str]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict):
        problems.append("'values' must map hub fields to {provider value: hub value}")
        return {}
    values: dict[str, dict[str, str]] = {}
    for target, table in raw.items():
        if target not in mapped:
            problems.append(f"values for {target!r}, which no column is mapped to")
        elif not isinstance(table, dict):
            problems.append(f"values for {target!r} must be a mapping")
        else:
            values[target] = {str(k).strip(): str(v) for k, v in table.items()}
    return values
