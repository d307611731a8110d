"""School census pupil CSV: one row per pupil, CBDS items with snake_case names.

The school (``laestab``) and the census term (``census_term``) are in every row and must not
vary: together they make the snapshot key ``census:<laestab>:<census_term>``.
"""

from __future__ import annotations

from connectors.csvspec import ColumnSpec, ColumnType, CsvSpec
from connectors.report import Severity

ENROL_STATUSES = ("C", "M", "S", "G")
ON_ROLL_ENROL_STATUSES = ("C", "M")
SEN_PROVISIONS = ("N", "K", "E")
NC_YEARS = ("N1", "N2", "R", *(str(year) for year in range(1, 15)), "X")
TERM_PATTERN = r"\d{4}-(autumn|spring|summer)"

CENSUS = CsvSpec(
    name="census",
    title="School census pupil file",
    description="One row per pupil on the school census day (CBDS pupil items).",
    columns=(
        ColumnSpec("laestab", ColumnType.DIGITS, "The school's DfE number (LA code + "
                   "establishment number, CBDS LEA+Estab).", required=True, length=7,
                   constant=True, example="8201234"),
        ColumnSpec("census_term", ColumnType.PATTERN, "Census term as YYYY-term, the year "
                   "being the calendar year of the census day.", required=True,
                   pattern=TERM_PATTERN, constant=True, example="2025-spring"),
        ColumnSpec("census_date", ColumnType.DATE, "Census reference day.", constant=True,
                   example="2025-01-16"),
        ColumnSpec("upn", ColumnType.UPN, "Unique Pupil Number (CBDS UPN); the pupil's "
                   "reference in this file.", required=True, example="H801200001001"),
        ColumnSpec("uln", ColumnType.ULN, "Unique Learner Number if assigned (CBDS "
                   "UniqueLearnerNumber).", example="9276308686"),
        ColumnSpec("legal_surname", ColumnType.TEXT, "Legal surname (CBDS Surname).",
                   required=True, max_chars=100, example="Example"),
        ColumnSpec("legal_forename", ColumnType.TEXT, "Legal forename (CBDS Forename).",
                   required=True, max_chars=100, example="Alex"),
        ColumnSpec("dob", ColumnType.DATE, "Date of birth (CBDS DOB).", required=True,
                   example="2010-05-17"),
        ColumnSpec("sex", ColumnType.SEX, "CBDS Sex (M/F; U when not known).",
                   required=True, example="F"),
        ColumnSpec("ethnicity", ColumnType.ETHNICITY, "CBDS 4-letter ethnicity code "
                   "(main codes; see connectors/data/ethnicity.csv).",
                   invalid=Severity.WARNING, example="WBRI"),
        ColumnSpec("postcode", ColumnType.POSTCODE, "Home postcode.",
                   invalid=Severity.WARNING, example="ZZ99 9ZZ"),
        ColumnSpec("fsm_eligible", ColumnType.BOOLEAN, "Eligible for free school meals on "
                   "census day.", example="N"),
        ColumnSpec("sen_provision", ColumnType.CODE, "CBDS SENprovision: N none, K SEN "
                   "support, E EHC plan.", codes=SEN_PROVISIONS, example="N"),
        ColumnSpec("nc_year_actual", ColumnType.CODE, "CBDS NCyearActual (year group).",
                   codes=NC_YEARS, example="10"),
        ColumnSpec("enrol_status", ColumnType.CODE, "CBDS EnrolStatus: C current single, "
                   "M main dual, S subsidiary dual, G guest. C and M are on roll here.",
                   required=True, codes=ENROL_STATUSES, example="C"),
        ColumnSpec("offsite_provider", ColumnType.PARTNER_REF, "Where the pupil spends part "
                   "of the week (host provider UKPRN, LAESTAB or URN).", example="10012345"),
        ColumnSpec("offsite_course", ColumnType.TEXT, "Title of the off-site course; with "
                   "offsite_provider it records an off-site participation.", max_chars=200,
                   example="Level 1 Construction"),
        ColumnSpec("offsite_start_date", ColumnType.DATE, "Start of the off-site course.",
                   example="2024-09-09"),
    ),
)
