"""Reading the ``grants`` section of an agreement: entities, fields, categories and scopes.

Checks that need the whole section live here too: identifying columns are never granted by a
pseudonymised or aggregate agreement, and special category columns need an Article 9 condition.
"""

from __future__ import annotations

import yaml

from policies.access import Granularity
from policies.agreement import Grant, LawfulBasis, Relationship
from policies.categories import (
    CATEGORIES,
    IDENTIFYING_CATEGORIES,
    LEARNER_ENTITIES,
    SPECIAL_CATEGORY,
    category_of,
    columns_of,
    entities,
    grantable_columns,
    structural_columns,
)
from policies.filters import LEARNER_RELATIONSHIPS, PARTNER_RELATIONSHIPS
from policies.nodes import NodeReader

_GRANT = {"categories": False, "fields": False, "scope": True}
_PARAMETERS = {
    "in_my_partnership": {"partnership": True},
    "transition_cohort": {"born_from": True, "born_to": True},
}


class GrantReader:
    """Reads grants with a ``NodeReader``, so issues land in the same list."""

    def __init__(self, reader: NodeReader) -> None:
        self.reader = reader

    def grants(
        self, node: yaml.Node | None, granularity: Granularity | None, basis: LawfulBasis | None
    ) -> tuple[Grant, ...]:
        """Every grant of the section, checked against the granularity and lawful basis."""
        if node is None:
            return ()
        if not isinstance(node, yaml.MappingNode) or not node.value:
            self.reader.bad(node, "AGREEMENT_BAD_VALUE", "grants must be a non-empty mapping")
            return ()
        found: list[Grant] = []
        for key_node, value_node in node.value:
            entity = str(key_node.value)
            if entity not in entities():
                known = ", ".join(entities())
                self.reader.bad(
                    key_node,
                    "AGREEMENT_UNKNOWN_ENTITY",
                    f"unknown entity {entity!r} (known: {known})",
                )
                continue
            if any(grant.entity == entity for grant in found):
                self.reader.bad(
                    key_node, "AGREEMENT_UNKNOWN_KEY", f"entity {entity!r} granted twice"
                )
                continue
            grant = self._grant(entity, value_node)
            if grant is not None:
                self._check(grant, value_node, granularity, basis)
                found.append(grant)
        return tuple(found)

    def _grant(self, entity: str, node: yaml.Node) -> Grant | None:
        keys = self.reader.mapping(node, _GRANT, f"grant on {entity}")
        if not keys:
            return None
        if "categories" not in keys and "fields" not in keys:
            self.reader.bad(
                node, "AGREEMENT_MISSING_KEY", f"grant on {entity} needs categories or fields"
            )
        categories = self._names(keys.get("categories"), entity, "categories")
        fields = self._names(keys.get("fields"), entity, "fields")
        columns: set[str] = set()
        for category in categories:
            if category not in CATEGORIES or not columns_of(entity, category):
                self.reader.bad(
                    keys["categories"],
                    "AGREEMENT_UNKNOWN_FIELD",
                    f"{entity} has no data category {category!r}",
                )
            columns |= columns_of(entity, category)
        for field in fields:
            if field not in grantable_columns(entity) and field not in structural_columns(entity):
                self.reader.bad(
                    keys["fields"], "AGREEMENT_UNKNOWN_FIELD", f"{entity} has no field {field!r}"
                )
            elif field in grantable_columns(entity):
                columns.add(field)
        scope = self._scope(keys.get("scope"), entity)
        return Grant(
            entity=entity,
            columns=frozenset(columns),
            categories=tuple(categories),
            scope=scope,
            line=node.start_mark.line + 1,
        )

    def _names(self, node: yaml.Node | None, entity: str, what: str) -> list[str]:
        items = self.reader.sequence(node, f"{what} of {entity}")
        names = [self.reader.text(item, f"an item of {what}") for item in items or ()]
        return [name for name in names if name is not None]

    def _scope(self, node: yaml.Node | None, entity: str) -> tuple[Relationship, ...]:
        allowed = LEARNER_RELATIONSHIPS if entity in LEARNER_ENTITIES else PARTNER_RELATIONSHIPS
        found: list[Relationship] = []
        for item in self.reader.sequence(node, f"scope of {entity}") or ():
            name, parameters = self._relationship_name(item)
            if name is None:
                continue
            if name not in allowed:
                known = ", ".join(allowed)
                self.reader.bad(
                    item,
                    "AGREEMENT_UNKNOWN_SCOPE",
                    f"{name!r} is not a scope for {entity} (known: {known})",
                )
                continue
            relationship = self._relationship(name, parameters, item)
            if relationship is not None:
                found.append(relationship)
        return tuple(found)

    def _relationship_name(self, item: yaml.Node) -> tuple[str | None, yaml.Node | None]:
        if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            key, value = item.value[0]
            return str(key.value), value
        if isinstance(item, yaml.ScalarNode):
            return str(item.value), None
        self.reader.bad(item, "AGREEMENT_BAD_VALUE", "a scope is a name, or a name with parameters")
        return None, None

    def _relationship(
        self, name: str, parameters: yaml.Node | None, item: yaml.Node
    ) -> Relationship | None:
        expected = _PARAMETERS.get(name)
        if expected is None:
            if parameters is not None:
                self.reader.bad(
                    item, "AGREEMENT_UNKNOWN_KEY", f"scope {name!r} takes no parameters"
                )
                return None
            return Relationship(name=name)
        if parameters is None:
            if name == "in_my_partnership":
                return Relationship(name=name)
            self.reader.bad(
                item, "AGREEMENT_MISSING_KEY", f"scope {name!r} needs {', '.join(expected)}"
            )
            return None
        keys = self.reader.mapping(parameters, expected, f"scope {name}")
        if name == "in_my_partnership":
            partnership = self.reader.text(keys.get("partnership"), "partnership")
            return Relationship(name=name, partnership=partnership) if partnership else None
        return self._cohort(keys, parameters)

    def _cohort(self, keys: dict[str, yaml.Node], parameters: yaml.Node) -> Relationship | None:
        born_from = self.reader.date(keys.get("born_from"), "born_from")
        born_to = self.reader.date(keys.get("born_to"), "born_to")
        if born_from is None or born_to is None:
            return None
        if born_from > born_to:
            self.reader.bad(parameters, "AGREEMENT_BAD_VALUE", "born_from is after born_to")
            return None
        return Relationship(name="transition_cohort", born_from=born_from, born_to=born_to)

    def _check(
        self,
        grant: Grant,
        node: yaml.Node,
        granularity: Granularity | None,
        basis: LawfulBasis | None,
    ) -> None:
        granted = {category_of(grant.entity, column) for column in grant.columns}
        if granularity not in (None, Granularity.IDENTIFIED) and granted & IDENTIFYING_CATEGORIES:
            self.reader.bad(
                node,
                "AGREEMENT_GRANULARITY",
                f"a {granularity} agreement cannot grant identity or contact on {grant.entity}",
            )
        if SPECIAL_CATEGORY in granted and basis is not None and basis.article_9 is None:
            self.reader.bad(
                node,
                "AGREEMENT_LAWFUL_BASIS",
                f"special category fields on {grant.entity} need lawful_basis.article_9",
            )
