"""ILR 2025-26 XML, one file per college or work-based learning provider.

Elements follow the XSD's strict sequences (order matters). Every learner on roll at the
provider is written with one LearningDelivery per course: 16-19 study programme funding (FM25),
the first course the core aim (AimType 5), the rest AimType 4, source of funding ESFA 16-19.
Off-site key stage 4 learners are not in the ILR: their hosts report them in attendance files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from hub.demo.exports.index import DemoIndex
from hub.demo.partnership import Row

NAMESPACE = "ESFA/ILR/2025-26"
PREPARED = dt.datetime(2026, 3, 31, 17, 0, 0)  # noqa: DTZ001 (ILR times are local, no offset)
_LLDD_CATEGORIES = ("12", "14", "9", "10", "17")  # dyslexia, autism, mental health, MLD, SLCN


def _add(parent: etree._Element, name: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")
    element.text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return element


def _group(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NAMESPACE}}}{name}")


def ilr_file_name(ukprn: str) -> str:
    """``ILR-<UKPRN>-2526-<yyyymmdd>-<hhmmss>-01.xml``, as Submit Learner Data expects."""
    return f"ILR-{ukprn}-2526-{PREPARED:%Y%m%d}-{PREPARED:%H%M%S}-01.xml"


def write_ilr_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """One ILR file per college and WBL provider with learners on roll."""
    written = []
    for partner in index.partners_of_type("fe_college", "sixth_form_college", "wbl_provider"):
        records = index.on_roll(partner["id"])
        if not records:
            continue
        path = out_dir / ilr_file_name(partner["ukprn"])
        tree = etree.ElementTree(_message(index, partner, records))
        tree.write(str(path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
        written.append(path)
    return written


def _message(index: DemoIndex, partner: Row, records: list[Row]) -> etree._Element:
    root = etree.Element(f"{{{NAMESPACE}}}Message", nsmap={None: NAMESPACE})  # type: ignore[dict-item]
    header = _group(root, "Header")
    details = _group(header, "CollectionDetails")
    _add(details, "Collection", "ILR")
    _add(details, "Year", "2526")
    _add(details, "FilePreparationDate", PREPARED.date())
    source = _group(header, "Source")
    _add(source, "ProtectiveMarking", "OFFICIAL-SENSITIVE-Personal")
    _add(source, "UKPRN", partner["ukprn"])
    _add(source, "SoftwareSupplier", "Partnership Hub demo")
    _add(source, "SoftwarePackage", "hub demo")
    _add(source, "Release", "1")
    _add(source, "SerialNo", "01")
    _add(source, "DateTime", PREPARED.isoformat())
    _add(_group(root, "LearningProvider"), "UKPRN", partner["ukprn"])
    for record in records:
        _learner(root, index, partner, record)
    return root


def _learner(root: etree._Element, index: DemoIndex, partner: Row, record: Row) -> None:
    learner = index.learners[record["learner_id"]]
    element = _group(root, "Learner")
    _add(element, "LearnRefNumber", record["local_ref"])
    _add(element, "ULN", learner["uln"])
    _add(element, "FamilyName", learner["family_name"])
    _add(element, "GivenNames", learner["given_name"])
    _add(element, "DateOfBirth", learner["date_of_birth"])
    _add(element, "Ethnicity", record["ethnicity_source_code"])
    _add(element, "Sex", learner["sex"])
    _add(element, "LLDDHealthProb", 1 if learner["lldd"] else 2)
    _add(element, "PlanLearnHours", 540 if partner["partner_type"] != "wbl_provider" else 400)
    _add(element, "PostcodePrior", learner["postcode"])
    _add(element, "Postcode", learner["postcode"])
    if learner["lldd"]:
        problem = _group(element, "LLDDandHealthProblem")
        _add(problem, "LLDDCat", _LLDD_CATEGORIES[learner["id"] % len(_LLDD_CATEGORIES)])
        _add(problem, "PrimaryLLDD", 1)
    if learner["sen_provision"] == "E":
        _fam(element, "EHC", 1)
    if learner["fsm"] and learner["date_of_birth"] > dt.date(2006, 8, 31):
        _fam(element, "FME", 2)
    postcode = partner["postcode"]
    courses = [p for p in index.participations_by_learner[learner["id"]]
               if p["delivering_partner_id"] == partner["id"]]
    for seq, participation in enumerate(courses, start=1):
        _delivery(element, index, participation, seq, postcode)


def _fam(learner: etree._Element, kind: str, code: int) -> None:
    fam = _group(learner, "LearnerFAM")
    _add(fam, "LearnFAMType", kind)
    _add(fam, "LearnFAMCode", code)


def _delivery(learner: etree._Element, index: DemoIndex, participation: Row, seq: int,
              partner_postcode: str) -> None:
    course = index.provision[participation["provision_id"]]
    site = index.sites.get(course["site_id"]) if course["site_id"] else None
    delivery = _group(learner, "LearningDelivery")
    _add(delivery, "LearnAimRef", course["learn_aim_ref"])
    _add(delivery, "AimType", 5 if seq == 1 else 4)
    _add(delivery, "AimSeqNumber", seq)
    _add(delivery, "LearnStartDate", participation["start_date"])
    _add(delivery, "LearnPlanEndDate", participation["planned_end_date"])
    _add(delivery, "FundModel", 25)
    _add(delivery, "DelLocPostCode", site["postcode"] if site else partner_postcode)
    _add(delivery, "CompStatus", participation["completion_status"])
    if participation["actual_end_date"] is not None:
        _add(delivery, "LearnActEndDate", participation["actual_end_date"])
    if participation["withdrawal_reason"] is not None:
        _add(delivery, "WithdrawReason", participation["withdrawal_reason"])
    if participation["outcome"] is not None:
        _add(delivery, "Outcome", participation["outcome"])
    _add(delivery, "SWSupAimId", f"00000000-0000-4000-8000-{participation['id']:012d}")
    fam = _group(delivery, "LearningDeliveryFAM")
    _add(fam, "LearnDelFAMType", "SOF")
    _add(fam, "LearnDelFAMCode", "107")
