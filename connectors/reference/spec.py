"""Reference data CSVs: providers (GIAS-style), provision offered, funding allocations and flows.

All four load as DELTA upserts keyed by identifiers. Providers accept GIAS "all establishments"
headers as aliases, so a GIAS extract loads unchanged. Money columns are pounds with pence and
become integer pence, exactly.
"""

from __future__ import annotations

from connectors.csvspec import ColumnSpec, ColumnType, CsvSpec
from connectors.report import Severity

PARTNER_TYPES = (
    "school", "academy", "special_school", "pru", "sixth_form_college", "fe_college",
    "wbl_provider", "local_authority", "careers_service", "employer", "hei",
)  # mirrors hub.store.models.partners.PARTNER_TYPES (connectors do not import the store)
LEVELS = ("entry", "1", "2", "3", "4", "he")
MODES = ("full_time", "part_time", "off_site_day", "blended", "work_based")
FLOW_BASES = ("per_learner_fee", "top_slice", "pooled_fund", "transport")
_PARTNER_REF = "Partner: URN (6 digits), LAESTAB (7) or UKPRN (8)."

PROVIDERS = CsvSpec(
    name="providers",
    title="Providers (GIAS-style establishments)",
    description="One row per establishment or provider. Either type_of_establishment (a GIAS "
    "type name) or partner_type must be given, and either urn or ukprn.",
    columns=(
        ColumnSpec("urn", ColumnType.DIGITS, "GIAS URN.", length=6, aliases=("URN",),
                   example="100001"),
        ColumnSpec("ukprn", ColumnType.DIGITS, "UK provider reference number.", length=8,
                   aliases=("UKPRN",), example="10012345"),
        ColumnSpec("la_code", ColumnType.DIGITS, "LA code.", length=3,
                   aliases=("LA (code)",), example="820"),
        ColumnSpec("establishment_number", ColumnType.DIGITS, "DfE establishment number; "
                   "with la_code gives the LAESTAB.", length=4,
                   aliases=("EstablishmentNumber",), example="1234"),
        ColumnSpec("name", ColumnType.TEXT, "Establishment name.", required=True,
                   aliases=("EstablishmentName",), example="Example Academy"),
        ColumnSpec("type_of_establishment", ColumnType.TEXT, "GIAS type name, mapped by "
                   "connectors/data/gias_partner_types.csv.",
                   aliases=("TypeOfEstablishment (name)",), example="Academy converter"),
        ColumnSpec("further_education_type", ColumnType.TEXT, "GIAS FE type name (tells a "
                   "sixth-form college from a general FE college).",
                   aliases=("FurtherEducationType (name)",),
                   example="Sixth Form College (General)"),
        ColumnSpec("partner_type", ColumnType.CODE, "Hub partner type; overrides the GIAS "
                   "type (for providers GIAS does not list).", codes=PARTNER_TYPES,
                   example="wbl_provider"),
        ColumnSpec("postcode", ColumnType.POSTCODE, "Postcode.", aliases=("Postcode",),
                   invalid=Severity.WARNING, example="ZZ99 9ZZ"),
    ),
)

PROVISION = CsvSpec(
    name="provision",
    title="Provision offered",
    description="One row per course a partner offers in an academic year.",
    columns=(
        ColumnSpec("provider_ref", ColumnType.PARTNER_REF, "Delivering partner. " + _PARTNER_REF,
                   required=True, example="10012345"),
        ColumnSpec("academic_year", ColumnType.ACADEMIC_YEAR, "Academic year.", required=True,
                   example="2025-26"),
        ColumnSpec("title", ColumnType.TEXT, "Course title.", required=True,
                   example="Level 2 Engineering"),
        ColumnSpec("learn_aim_ref", ColumnType.PATTERN, "LARS learning aim reference.",
                   pattern=r"[0-9A-Z]{8}", example="60300003"),
        ColumnSpec("qualification", ColumnType.TEXT, "Qualification name.", max_chars=60,
                   example="BTEC First Diploma"),
        ColumnSpec("level", ColumnType.CODE, "Level.", codes=LEVELS, example="2"),
        ColumnSpec("sector_subject_area", ColumnType.PATTERN, "SSA tier 1 or 2 code.",
                   pattern=r"\d{1,2}(\.\d{1,2})?", example="4.1"),
        ColumnSpec("diploma_line", ColumnType.TEXT, "Diploma line / curriculum area.",
                   max_chars=60, example="Engineering"),
        ColumnSpec("mode", ColumnType.CODE, "Delivery mode.", codes=MODES,
                   example="off_site_day"),
        ColumnSpec("venue", ColumnType.TEXT, "Venue (site) name.", example="Main campus"),
        ColumnSpec("places_offered", ColumnType.INTEGER, "Places offered.", minimum=0,
                   example="16"),
        ColumnSpec("minimum_group", ColumnType.INTEGER, "Smallest viable group.", minimum=0,
                   example="8"),
        ColumnSpec("timetable_block", ColumnType.TEXT, "Common timetable block.",
                   max_chars=40, example="Wed-PM"),
    ),
)

ALLOCATIONS = CsvSpec(
    name="allocations",
    title="Funding allocations",
    description="One row per funding stream, partner and academic year.",
    columns=(
        ColumnSpec("stream_code", ColumnType.PATTERN, "Funding stream code.", required=True,
                   pattern=r"[A-Za-z0-9_-]{1,20}", example="IFP"),
        ColumnSpec("partner_ref", ColumnType.PARTNER_REF, "Receiving partner. " + _PARTNER_REF,
                   required=True, example="8201234"),
        ColumnSpec("academic_year", ColumnType.ACADEMIC_YEAR, "Academic year.", required=True,
                   example="2025-26"),
        ColumnSpec("amount", ColumnType.MONEY, "Amount in pounds and pence.", required=True,
                   example="125000.00"),
    ),
)

FLOWS = CsvSpec(
    name="flows",
    title="Funding flows",
    description="One row per payment from one partner to another.",
    columns=(
        ColumnSpec("payer_ref", ColumnType.PARTNER_REF, "Paying partner. " + _PARTNER_REF,
                   required=True, example="8201234"),
        ColumnSpec("payee_ref", ColumnType.PARTNER_REF, "Receiving partner. " + _PARTNER_REF,
                   required=True, example="10012345"),
        ColumnSpec("academic_year", ColumnType.ACADEMIC_YEAR, "Academic year.", required=True,
                   example="2025-26"),
        ColumnSpec("amount", ColumnType.MONEY, "Amount in pounds and pence.", required=True,
                   example="575.00"),
        ColumnSpec("basis", ColumnType.CODE, "Why the money moves.", required=True,
                   codes=FLOW_BASES, example="per_learner_fee"),
        ColumnSpec("stream_code", ColumnType.PATTERN, "Funding stream code, if any.",
                   pattern=r"[A-Za-z0-9_-]{1,20}", example="IFP"),
        ColumnSpec("learner_ref", ColumnType.TEXT, "Learner the payment is for (the payer's "
                   "reference, UPN or ULN).", max_chars=20, example="H801200001001"),
        ColumnSpec("provision_ref", ColumnType.TEXT, "Course the payment is for (the payee's "
                   "course reference or title).", example="Level 1 Construction"),
    ),
)
