"""Target fields for the generic CSV route: what a column-mapping file may map a provider's own
headers to. Learner fields become a ``LearnerIn``; course fields, when ``course_title`` has a
value, add a ``ParticipationIn`` for the same learner.
"""

from __future__ import annotations

from connectors.csvspec import ColumnSpec, ColumnType, CsvSpec
from connectors.report import Severity

SEN_PROVISIONS = ("N", "K", "E")
COURSE_FIELDS = (
    "course_ref", "course_title", "learn_aim_ref", "level", "start_date", "planned_end_date",
    "actual_end_date", "completion_status", "outcome", "academic_year",
)

TARGETS = CsvSpec(
    name="csv",
    title="Generic CSV route (mapping targets)",
    description="Fields a mapping file may target. `local_ref` must be mapped.",
    columns=(
        ColumnSpec("local_ref", ColumnType.TEXT, "The provider's own learner reference.",
                   required=True, max_chars=20, example="S1234"),
        ColumnSpec("uln", ColumnType.ULN, "Unique Learner Number.", example="9276308686"),
        ColumnSpec("upn", ColumnType.UPN, "Unique Pupil Number.", example="H801200001001"),
        ColumnSpec("given_name", ColumnType.TEXT, "Forename.", max_chars=100, example="Alex"),
        ColumnSpec("family_name", ColumnType.TEXT, "Surname.", max_chars=100,
                   example="Example"),
        ColumnSpec("date_of_birth", ColumnType.DATE, "Date of birth.", example="2009-11-02"),
        ColumnSpec("sex", ColumnType.SEX, "Sex.", example="F"),
        ColumnSpec("ethnicity", ColumnType.ETHNICITY, "CBDS or ILR ethnicity code.",
                   invalid=Severity.WARNING, example="WBRI"),
        ColumnSpec("postcode", ColumnType.POSTCODE, "Home postcode.",
                   invalid=Severity.WARNING, example="ZZ99 9ZZ"),
        ColumnSpec("sen_provision", ColumnType.CODE, "N, K or E.", codes=SEN_PROVISIONS,
                   example="K"),
        ColumnSpec("lldd", ColumnType.BOOLEAN, "Learning difficulty or disability.",
                   example="N"),
        ColumnSpec("fsm", ColumnType.BOOLEAN, "Free school meals.", example="Y"),
        ColumnSpec("looked_after", ColumnType.BOOLEAN, "Looked-after child.", example="N"),
        ColumnSpec("care_leaver", ColumnType.BOOLEAN, "Care leaver.", example="N"),
        ColumnSpec("course_ref", ColumnType.TEXT, "The provider's course reference "
                   "(defaults to course_title).", max_chars=40, example="ENG-L2"),
        ColumnSpec("course_title", ColumnType.TEXT, "Course title; when present the row "
                   "also records a participation.", example="Level 2 Engineering"),
        ColumnSpec("learn_aim_ref", ColumnType.PATTERN, "LARS learning aim reference.",
                   pattern=r"[0-9A-Z]{8}", example="60300003"),
        ColumnSpec("level", ColumnType.CODE, "Level.", codes=("entry", "1", "2", "3", "4", "he"),
                   example="2"),
        ColumnSpec("start_date", ColumnType.DATE, "Course start.", example="2025-09-08"),
        ColumnSpec("planned_end_date", ColumnType.DATE, "Planned end.", example="2026-07-17"),
        ColumnSpec("actual_end_date", ColumnType.DATE, "Actual end.", example="2026-07-10"),
        ColumnSpec("completion_status", ColumnType.CODE, "ILR CompStatus: 1 continuing, "
                   "2 completed, 3 withdrawn, 6 break.", codes=("1", "2", "3", "6"),
                   example="1"),
        ColumnSpec("outcome", ColumnType.CODE, "ILR Outcome: 1 achieved, 2 partial, 3 no "
                   "achievement, 8 unknown.", codes=("1", "2", "3", "8"), example="1"),
        ColumnSpec("academic_year", ColumnType.ACADEMIC_YEAR, "Academic year.",
                   example="2025-26"),
    ),
)
