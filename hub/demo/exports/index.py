"""The generated rows, gathered once and indexed the way the export writers read them.

Exports are for demos and connector tests (thousands of learners, not millions), so the whole
model is held in memory here; the bulk loader is the streaming path.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from hub.demo.generator import DemoModel
from hub.demo.partnership import Row


@dataclass(slots=True)
class DemoIndex:
    """Rows by table plus lookups by id, partner and learner."""

    model: DemoModel
    tables: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    partners: dict[int, Row] = field(default_factory=dict)
    provision: dict[int, Row] = field(default_factory=dict)
    sites: dict[int, Row] = field(default_factory=dict)
    learners: dict[int, Row] = field(default_factory=dict)
    records_by_partner: dict[int, list[Row]] = field(default_factory=lambda: defaultdict(list))
    record_at: dict[tuple[int, int], Row] = field(default_factory=dict)
    participations_by_learner: dict[int, list[Row]] = field(
        default_factory=lambda: defaultdict(list))
    attendance_by_participation: dict[int, list[Row]] = field(
        default_factory=lambda: defaultdict(list))
    activities_by_learner: dict[int, list[Row]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, model: DemoModel) -> DemoIndex:
        """Read every row of ``model`` once."""
        index = cls(model)
        for table, row in model.iter_rows():
            index.tables[table].append(row)
            index._file(table, row)
        return index

    def _file(self, table: str, row: Row) -> None:
        if table == "partners":
            self.partners[row["id"]] = row
        elif table == "provision":
            self.provision[row["id"]] = row
        elif table == "sites":
            self.sites[row["id"]] = row
        elif table == "learners":
            self.learners[row["id"]] = row
        elif table == "learner_records":
            self.records_by_partner[row["partner_id"]].append(row)
            self.record_at[(row["learner_id"], row["partner_id"])] = row
        elif table == "participations":
            self.participations_by_learner[row["learner_id"]].append(row)
        elif table == "attendance_weeks":
            self.attendance_by_participation[row["participation_id"]].append(row)
        elif table == "activities":
            self.activities_by_learner[row["learner_id"]].append(row)

    def partners_of_type(self, *types: str) -> list[Row]:
        """Partners whose type is one of ``types``, in id order."""
        return [p for p in self.partners.values() if p["partner_type"] in types]

    def on_roll(self, partner_id: int) -> list[Row]:
        """The partner's own on-roll records, in learner order."""
        return [r for r in self.records_by_partner[partner_id] if r["is_on_roll"]]

    def partner_ref(self, partner_id: int) -> str:
        """How reference CSVs name a partner: UKPRN, else LAESTAB, else URN."""
        partner = self.partners[partner_id]
        return str(partner["ukprn"] or partner["laestab"] or partner["urn"])


def academic_year_dashed(year: str) -> str:
    """``2025/26`` as the CSV formats write it, ``2025-26``."""
    return year.replace("/", "-")


def pounds(pence: int) -> str:
    """Integer pence as pounds with two decimals, e.g. ``57500`` -> ``575.00``."""
    return f"{pence // 100}.{pence % 100:02d}"
