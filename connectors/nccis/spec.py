"""NCCIS-style activity CSV: one row per young person's activity, as an LA's CCIS exports it.

The LA (``la_code``) and the return month (``return_month``) are in every row and must not vary:
together they make the snapshot key ``nccis:<la_code>:<return_month>``. Activity and
characteristic codes come from ``connectors/data/nccis_activity_codes.csv``, never from enums.
"""

from __future__ import annotations

from connectors.csvspec import ColumnSpec, ColumnType, CsvSpec
from connectors.report import Severity

COHORT_STATUSES = ("P", "G", "A", "L", "T", "E", "M", "D", "X")
ACTIVITY_TABLE = "connectors/data/nccis_activity_codes.csv (kind=activity)"
CHARACTERISTIC_SEPARATOR = ";"

NCCIS = CsvSpec(
    name="nccis",
    title="NCCIS activity file",
    description="One row per young person's recorded activity (current or past) in one "
    "monthly return.",
    columns=(
        ColumnSpec("la_code", ColumnType.DIGITS, "The LA making the return (3-digit LA code).",
                   required=True, length=3, constant=True, example="820"),
        ColumnSpec("return_month", ColumnType.PATTERN, "The month of the return, YYYY-MM.",
                   required=True, pattern=r"\d{4}-(0[1-9]|1[0-2])", constant=True,
                   example="2025-03"),
        ColumnSpec("young_person_id", ColumnType.PATTERN, "The CCIS YoungPersonsID (up to 13 "
                   "digits: database id + local id); the person's reference in this file.",
                   required=True, pattern=r"\d{1,13}", example="4440000123456"),
        ColumnSpec("uln", ColumnType.ULN, "Unique Learner Number if known.",
                   example="9276308686"),
        ColumnSpec("upn", ColumnType.UPN, "Unique Pupil Number if known.",
                   example="H801200001001"),
        ColumnSpec("given_name", ColumnType.TEXT, "Forename.", required=True, max_chars=100,
                   example="Sam"),
        ColumnSpec("family_name", ColumnType.TEXT, "Surname.", required=True, max_chars=100,
                   example="Example"),
        ColumnSpec("dob", ColumnType.DATE, "Date of birth.", required=True,
                   example="2008-02-29"),
        ColumnSpec("sex", ColumnType.SEX, "M, F or U.", example="M"),
        ColumnSpec("postcode", ColumnType.POSTCODE, "Home postcode (YP19).",
                   invalid=Severity.WARNING, example="ZZ99 9ZZ"),
        ColumnSpec("ethnicity", ColumnType.ETHNICITY, "Ethnicity (YP27) as a CBDS 4-letter or "
                   "ILR 2-digit code.", invalid=Severity.WARNING, example="WBRI"),
        ColumnSpec("cohort_status", ColumnType.CODE, "YP10 cohort status: P primary, "
                   "G kept for September Guarantee, A aged out, L, T transferred, E left "
                   "England, M merged, D deceased, X internal.", codes=COHORT_STATUSES,
                   example="P"),
        ColumnSpec("send", ColumnType.BOOLEAN, "Has special educational needs or a "
                   "disability (recorded as LLDD in the hub).", example="N"),
        ColumnSpec("activity_code", ColumnType.CODE, "Three-digit activity code.",
                   required=True, code_table=ACTIVITY_TABLE, example="130"),
        ColumnSpec("activity_start_date", ColumnType.DATE, "When the activity started.",
                   example="2024-09-02"),
        ColumnSpec("review_date", ColumnType.DATE, "Currency date: after it the activity "
                   "lapses to not known.", example="2025-06-30"),
        ColumnSpec("characteristics", ColumnType.TEXT, "Individual characteristic codes "
                   "separated by ';' (e.g. 110;180), from connectors/data/"
                   "nccis_activity_codes.csv (kind=characteristic).", example="110"),
    ),
)
