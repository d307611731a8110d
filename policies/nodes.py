"""Typed reads of composed YAML nodes that record a located issue instead of raising.

Each helper returns None after recording an issue, so a reader keeps going and reports every
problem in a file at once. Scalars are read from the node's text and resolved tag, so
``2025-09-01`` and ``"2025-09-01"`` are both dates where a date is expected, and ``yes`` is
never silently a boolean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import yaml

from policies.issues import AgreementIssue

_INT_TAG = "tag:yaml.org,2002:int"


class NodeReader:
    """Reads nodes of one file, collecting issues."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[AgreementIssue] = []

    def bad(self, node: yaml.Node | None, code: str, reason: str) -> None:
        """Record an issue at ``node``'s line (line 1 when there is no node)."""
        line = node.start_mark.line + 1 if node is not None else 1
        self.issues.append(AgreementIssue(self.source, line, code, reason))

    def mapping(
        self, node: yaml.Node | None, allowed: Mapping[str, bool], where: str
    ) -> dict[str, yaml.Node]:
        """The values of a mapping by key; unknown, duplicate and missing keys are issues.

        ``allowed`` maps each known key to whether it is required.
        """
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be a mapping")
            return {}
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.bad(
                    key_node,
                    "AGREEMENT_UNKNOWN_KEY",
                    f"unknown key {key!r} in {where} (known: {known})",
                )
            elif key in found:
                self.bad(key_node, "AGREEMENT_UNKNOWN_KEY", f"key {key!r} appears twice in {where}")
            else:
                found[key] = value_node
        for key, required in allowed.items():
            if required and key not in found:
                self.bad(node, "AGREEMENT_MISSING_KEY", f"{where} needs key {key!r}")
        return found

    def sequence(self, node: yaml.Node | None, where: str) -> list[yaml.Node] | None:
        """The items of a non-empty sequence."""
        if node is None:
            return None
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be a non-empty list")
            return None
        return list(node.value)

    def text(self, node: yaml.Node | None, where: str) -> str | None:
        """A non-empty string scalar."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be a non-empty text")
            return None
        return str(node.value)

    def integer(self, node: yaml.Node | None, where: str, *, minimum: int) -> int | None:
        """A whole number at least ``minimum``."""
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT_TAG:
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be a whole number")
            return None
        value = int(str(node.value), 0)
        if value < minimum:
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be at least {minimum}")
            return None
        return value

    def date(self, node: yaml.Node | None, where: str) -> dt.date | None:
        """A calendar date written YYYY-MM-DD."""
        raw = self.text(node, where)
        if raw is None:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.bad(node, "AGREEMENT_BAD_VALUE", f"{where} must be a date YYYY-MM-DD, not {raw!r}")
            return None

    def choice(self, node: yaml.Node | None, where: str, allowed: Sequence[str]) -> str | None:
        """One word from a closed list."""
        raw = self.text(node, where)
        if raw is not None and raw not in allowed:
            self.bad(
                node, "AGREEMENT_BAD_VALUE", f"{where} {raw!r} is not one of {', '.join(allowed)}"
            )
            return None
        return raw

    def words(
        self, node: yaml.Node | None, where: str, allowed: frozenset[str], code: str
    ) -> frozenset[str] | None:
        """A non-empty list of words from a closed vocabulary; unknown words use ``code``."""
        items = self.sequence(node, where)
        if items is None:
            return None
        found: set[str] = set()
        for item in items:
            word = self.text(item, f"an item of {where}")
            if word is None:
                continue
            if word not in allowed:
                known = ", ".join(sorted(allowed))
                self.bad(item, code, f"{where}: unknown {word!r} (known: {known})")
                continue
            found.add(word)
        return frozenset(found) if len(found) == len(items) else None
