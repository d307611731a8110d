"""ILR Learner, LearningDelivery and D&P records -> the hub's normalised records.

The mapped fields are the same in every supported year (checked against the four XSDs), so
one mapping serves all years; what differs by year (academic year, code-list label, whether
D&P exists) comes from ``IlrYear``.
"""

from __future__ import annotations

from functools import cache

from lxml import etree

from connectors.ilr.model import LearnerData, parse_date
from connectors.ilr.years import IlrYear
from connectors.records import ActivityIn, LearnerIn, ParticipationIn, Record
from connectors.xmlsource import local_name
from hub.identifiers import TEMPORARY_ULN, normalise_postcode

UNKNOWN_POSTCODE = "ZZ99 9ZZ"
_LLDD = {"1": True, "2": False}  # 9 = not provided -> unknown


def learner_records(learner: LearnerData, year: IlrYear, ukprn: str) -> list[Record]:
    """One LearnerIn plus one ParticipationIn per LearningDelivery."""
    ref = learner.learn_ref
    records: list[Record] = [_learner(learner)]
    academic_year, code_list = _labels(year)
    for delivery in learner.deliveries:
        aim = delivery.get("LearnAimRef")
        records.append(
            ParticipationIn(
                learner_ref=ref,
                source_ref=f"{ref}/{delivery.seq}",
                provision_title=aim or "",
                learn_aim_ref=aim,
                academic_year=academic_year,
                delivering_partner_ref=ukprn,
                # The provider that returns the ILR holds the learner: it is their home too.
                home_partner_ref=ukprn,
                start_date=delivery.date("LearnStartDate"),
                planned_end_date=delivery.date("LearnPlanEndDate"),
                actual_end_date=delivery.date("LearnActEndDate"),
                completion_status=delivery.get("CompStatus"),
                outcome=delivery.get("Outcome"),
                withdrawal_reason=delivery.get("WithdrawReason"),
                code_list=code_list,
            )
        )
    return records


@cache
def _labels(year: IlrYear) -> tuple[str, str]:
    """The year's academic-year and code-list labels as one string object each per process,
    which the many records repeating them share (and the pipe then carries once a chunk)."""
    return year.academic_year, year.code_list


def _learner(learner: LearnerData) -> LearnerIn:
    uln = learner.get("ULN")
    return LearnerIn(
        local_ref=learner.learn_ref,
        uln=None if uln == TEMPORARY_ULN else uln,
        given_name=learner.get("GivenNames"),
        family_name=learner.get("FamilyName"),
        date_of_birth=learner.date("DateOfBirth"),
        sex=learner.get("Sex"),
        ethnicity_source_code=learner.get("Ethnicity"),
        ethnicity_source_list="ILR",
        postcode=_postcode(learner),
        lldd=_LLDD.get(learner.get("LLDDHealthProb") or ""),
        fsm=True if any(fam_type == "FME" for fam_type, _ in learner.fams) else None,
        is_on_roll=True,
    )


def _postcode(learner: LearnerData) -> str | None:
    """Current postcode, else the one before enrolment; ``ZZ99 9ZZ`` means unknown."""
    for field in ("Postcode", "PostcodePrior"):
        value = normalise_postcode(learner.get(field))
        if value is not None and value != UNKNOWN_POSTCODE:
            return value
    return None


def destination_records(element: etree._Element, year: IlrYear) -> list[ActivityIn]:
    """One ActivityIn per DPOutcome of a LearnerDestinationandProgression element."""
    ref = ""
    activities: list[ActivityIn] = []
    for child in element:
        name = local_name(child)
        if name == "LearnRefNumber":
            ref = (child.text or "").strip()
        elif name == "DPOutcome":
            values = {local_name(part): (part.text or "").strip() for part in child}
            out_type = values.get("OutType", "")
            activities.append(
                ActivityIn(
                    learner_ref=ref,
                    activity_code=f"{out_type}{values.get('OutCode', '')}",
                    category=out_type,
                    start_date=parse_date(values.get("OutStartDate")),
                    review_date=parse_date(values.get("OutCollDate")),
                    code_list=_labels(year)[1],
                )
            )
    return activities
