"""Code tables the demo draws from: ethnicity (CBDS and ILR), activities, courses, Diploma lines.

Weights are rough shares for a shire county, chosen so reports look plausible, not to match any
real area. Activity codes and categories are those of the NCCIS connector's code table
(``connectors/data/nccis_activity_codes.csv``; a test keeps the two in step), and the
normalised ethnicity comes from the connectors' ethnicity table, so demo rows loaded directly
look exactly like rows loaded through the connectors.
"""

from __future__ import annotations

from typing import NamedTuple


class Ethnicity(NamedTuple):
    """One ethnic group with its school (CBDS) and college (ILR) codes and a weight."""

    label: str
    cbds: str
    ilr: str
    weight: float


ETHNICITIES = (
    Ethnicity("white_british", "WBRI", "31", 70.0),
    Ethnicity("white_irish", "WIRI", "32", 1.0),
    Ethnicity("white_gypsy_irish_traveller", "WIRT", "33", 0.5),
    Ethnicity("white_other", "WOTH", "34", 6.0),
    Ethnicity("mixed_white_black_caribbean", "MWBC", "35", 1.5),
    Ethnicity("mixed_white_black_african", "MWBA", "36", 0.8),
    Ethnicity("mixed_white_asian", "MWAS", "37", 1.5),
    Ethnicity("mixed_other", "MOTH", "38", 1.5),
    Ethnicity("asian_indian", "AIND", "39", 2.5),
    Ethnicity("asian_pakistani", "APKN", "40", 3.0),
    Ethnicity("asian_bangladeshi", "ABAN", "41", 1.0),
    Ethnicity("asian_chinese", "CHNE", "42", 0.8),
    Ethnicity("asian_other", "AOTH", "43", 1.2),
    Ethnicity("black_african", "BAFR", "44", 2.5),
    Ethnicity("black_caribbean", "BCRB", "45", 0.8),
    Ethnicity("black_other", "BOTH", "46", 0.5),
    Ethnicity("arab", "OOTH", "47", 0.4),
    Ethnicity("other", "OOTH", "98", 0.8),
    Ethnicity("not_provided", "REFU", "99", 2.7),
)
ETHNICITY_WEIGHTS = tuple(e.weight for e in ETHNICITIES)


class ActivityCode(NamedTuple):
    """An NCCIS-style activity: three-digit code, hub category, label."""

    code: str
    category: str
    label: str


EDUCATION_FE = ActivityCode("130", "education", "Full-time education: further education")
EDUCATION_HE = ActivityCode("140", "education", "Higher education")
PART_TIME_EDUCATION = ActivityCode("150", "education", "Part-time education")
APPRENTICESHIP = ActivityCode("210", "employment", "Apprenticeship")
EMPLOYMENT_WITH_STUDY = ActivityCode("220", "employment", "Full-time employment with study")
EMPLOYMENT_WITHOUT_TRAINING = ActivityCode("230", "employment", "Employment without training")
OTHER_TRAINING = ActivityCode("310", "training", "Work-based learning / other training")
DWP_PROGRAMME = ActivityCode("440", "training", "DWP training and support programme")
NEET_SEEKING = ActivityCode("540", "neet", "NEET: seeking employment, education or training")
NEET_CARER = ActivityCode("610", "neet", "NEET: not available, young carer")
NEET_PARENT = ActivityCode("620", "neet", "NEET: not available, teenage parent")
NEET_ILLNESS = ActivityCode("630", "neet", "NEET: not available, illness")
NEET_PREGNANCY = ActivityCode("640", "neet", "NEET: not available, pregnancy")
NOT_KNOWN = ActivityCode("810", "not_known", "Current situation not known")
NO_CONTACT = ActivityCode("820", "not_known", "Cannot be contacted")

NEET_CODES = (NEET_SEEKING, NEET_CARER, NEET_PARENT, NEET_ILLNESS, NEET_PREGNANCY)
NEET_WEIGHTS = (70.0, 8.0, 7.0, 10.0, 5.0)
NOT_KNOWN_CODES = (NOT_KNOWN, NO_CONTACT)
LEFT_LEARNING_CODES = (EMPLOYMENT_WITH_STUDY, EMPLOYMENT_WITHOUT_TRAINING, PART_TIME_EDUCATION,
                       DWP_PROGRAMME)
LEFT_LEARNING_WEIGHTS = (35.0, 45.0, 12.0, 8.0)
ALL_ACTIVITY_CODES = (
    EDUCATION_FE, EDUCATION_HE, PART_TIME_EDUCATION, APPRENTICESHIP, EMPLOYMENT_WITH_STUDY,
    EMPLOYMENT_WITHOUT_TRAINING, OTHER_TRAINING, DWP_PROGRAMME, *NEET_CODES, *NOT_KNOWN_CODES,
)

DIPLOMA_LINES = (
    "Engineering",
    "Creative and Media",
    "Society, Health and Development",
    "Information Technology",
    "Construction and the Built Environment",
    "Hair and Beauty Studies",
    "Hospitality",
    "Business, Administration and Finance",
    "Environmental and Land-based Studies",
    "Manufacturing and Product Design",
)


class Course(NamedTuple):
    """A course template: title, qualification, level, sector subject area, Diploma line."""

    title: str
    qualification: str
    level: str
    ssa: str
    diploma_line: str | None = None


SCHOOL_COURSES = (
    Course("GCSE English Language", "GCSE", "2", "12.1"),
    Course("GCSE Mathematics", "GCSE", "2", "2.1"),
    Course("GCSE Combined Science", "GCSE", "2", "2.1"),
    Course("GCSE History", "GCSE", "2", "11.1"),
    Course("GCSE Geography", "GCSE", "2", "11.2"),
    Course("GCSE Design and Technology", "GCSE", "2", "4.1"),
)
SPECIAL_COURSES = (
    Course("Entry Level Certificate English", "ELC", "entry", "12.1"),
    Course("Entry Level Certificate Mathematics", "ELC", "entry", "2.1"),
    Course("Personal Progress", "Award", "entry", "14.1"),
    Course("Functional Skills English Level 1", "FS", "1", "14.2"),
)
COLLEGE_COURSES = (
    Course("A level Mathematics", "A level", "3", "2.1"),
    Course("A level Psychology", "A level", "3", "12.3"),
    Course("A level English Literature", "A level", "3", "12.1"),
    Course("T Level Digital Production, Design and Development", "T Level", "3", "6.1"),
    Course("BTEC National Engineering", "BTEC", "3", "4.1", "Engineering"),
    Course("BTEC National Creative Media", "BTEC", "3", "9.3", "Creative and Media"),
    Course("Extended Diploma Health and Social Care", "Diploma", "3", "1.3",
           "Society, Health and Development"),
    Course("Diploma in IT Users", "Diploma", "2", "6.2", "Information Technology"),
    Course("Diploma in Site Carpentry", "Diploma", "2", "5.2",
           "Construction and the Built Environment"),
    Course("Certificate in Hairdressing", "Certificate", "2", "7.3", "Hair and Beauty Studies"),
    Course("Certificate in Professional Cookery", "Certificate", "1", "7.4", "Hospitality"),
    Course("Award in Business Enterprise", "Award", "1", "15.3",
           "Business, Administration and Finance"),
    Course("Study Programme: Foundation Skills", "Study programme", "entry", "14.1"),
    Course("GCSE English resit", "GCSE", "2", "12.1"),
    Course("GCSE Mathematics resit", "GCSE", "2", "2.1"),
)
OFFSITE_COURSES = (
    Course("KS4 Engineering Taster", "Award", "1", "4.1", "Engineering"),
    Course("KS4 Motor Vehicle Studies", "Award", "1", "4.3", "Engineering"),
    Course("KS4 Hair and Beauty", "Award", "1", "7.3", "Hair and Beauty Studies"),
    Course("KS4 Construction Skills", "Certificate", "1", "5.2",
           "Construction and the Built Environment"),
    Course("KS4 Creative Media Production", "Award", "2", "9.3", "Creative and Media"),
    Course("KS4 Childcare and Early Years", "Award", "1", "1.3",
           "Society, Health and Development"),
)
WBL_COURSES = (
    Course("Apprenticeship: Engineering Operative", "Apprenticeship", "2", "4.1", "Engineering"),
    Course("Apprenticeship: Business Administrator", "Apprenticeship", "3", "15.2",
           "Business, Administration and Finance"),
    Course("Apprenticeship: Hair Professional", "Apprenticeship", "2", "7.3",
           "Hair and Beauty Studies"),
    Course("Traineeship: Work Readiness", "Traineeship", "1", "14.1"),
    Course("Apprenticeship: Commis Chef", "Apprenticeship", "2", "7.4", "Hospitality"),
)
WBL_OFFSITE_COURSES = (
    Course("KS4 Work Skills Placement", "Award", "1", "14.1"),
    Course("KS4 Land-based Skills", "Award", "1", "3.1", "Environmental and Land-based Studies"),
)
