"""Off-site attendance CSV: a host reports, per learner per course per week, sessions possible and
attended for learners it teaches but does not hold on roll.

The host (``host_ref``) is in every row and must not vary. The format loads as a DELTA keyed by
(learner, course, week): re-sending a week replaces that week only, nothing else is deleted.
"""

from __future__ import annotations

from connectors.csvspec import ColumnSpec, ColumnType, CsvSpec

ATTENDANCE = CsvSpec(
    name="attendance",
    title="Off-site attendance file",
    description="One row per learner per course per week, from the host (delivering) partner.",
    columns=(
        ColumnSpec("host_ref", ColumnType.PARTNER_REF, "The reporting (host) partner: UKPRN "
                   "(8 digits) or LAESTAB (7 digits).", required=True, constant=True,
                   example="10012345"),
        ColumnSpec("home_ref", ColumnType.PARTNER_REF, "The learner's home partner (where they "
                   "are on roll): LAESTAB, UKPRN or URN. Checked, not loaded: the "
                   "participation already names the home partner.", example="8201234"),
        ColumnSpec("learner_ref", ColumnType.TEXT, "The host's own reference for the learner "
                   "(stable between files).", required=True, max_chars=20, example="H-000123"),
        ColumnSpec("uln", ColumnType.ULN, "Unique Learner Number if known.",
                   example="9276308686"),
        ColumnSpec("upn", ColumnType.UPN, "Unique Pupil Number if known.",
                   example="H801200001001"),
        ColumnSpec("given_name", ColumnType.TEXT, "Forename.", required=True, max_chars=100,
                   example="Alex"),
        ColumnSpec("family_name", ColumnType.TEXT, "Surname.", required=True, max_chars=100,
                   example="Example"),
        ColumnSpec("dob", ColumnType.DATE, "Date of birth.", required=True,
                   example="2010-05-17"),
        ColumnSpec("course_ref", ColumnType.TEXT, "Which course: the participation's source "
                   "reference, learning aim reference or title as the hub holds it.",
                   required=True, max_chars=40, example="60300003"),
        ColumnSpec("course_title", ColumnType.TEXT, "Course title, for people reading the "
                   "file (not loaded).", max_chars=200, example="Level 1 Construction"),
        ColumnSpec("week_start", ColumnType.DATE, "Monday of the reported week.",
                   required=True, example="2025-03-03"),
        ColumnSpec("sessions_possible", ColumnType.INTEGER, "Sessions the learner was "
                   "expected to attend that week.", required=True, minimum=0, example="2"),
        ColumnSpec("sessions_attended", ColumnType.INTEGER, "Sessions attended that week "
                   "(not more than sessions_possible).", required=True, minimum=0,
                   example="1"),
    ),
)
