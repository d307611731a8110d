"""Every store column of every entity is placed exactly once: structural or in one category."""

from __future__ import annotations

import hub.store.models  # noqa: F401  (registers every table on Base.metadata)
from hub.store.base import Base
from policies.categories import (
    LEARNER_ENTITIES,
    PARTNER_ENTITIES,
    categories_of,
    columns_of,
    entities,
    grantable_columns,
    structural_columns,
    table_name,
)


def test_every_column_is_placed_exactly_once() -> None:
    for entity in entities():
        columns = {c.name for c in Base.metadata.tables[table_name(entity)].columns}
        placed = [*structural_columns(entity)]
        for category in categories_of(entity):
            placed += columns_of(entity, category)
        assert sorted(placed) == sorted(columns), entity


def test_learner_and_partner_entities_split_the_catalogue() -> None:
    assert set(entities()) == LEARNER_ENTITIES | PARTNER_ENTITIES
    assert not LEARNER_ENTITIES & PARTNER_ENTITIES


def test_special_category_columns_are_grantable_only_by_name_or_category() -> None:
    assert columns_of("learner", "special_category") >= {"ethnicity", "lldd", "looked_after"}
    assert "ethnicity" not in structural_columns("learner")
    assert "uln" in grantable_columns("learner")
