"""CTF 25.0 XML, one file per school: the LA's transfer of the school's pupils to the school.

The sender is the LA (``LEA`` + ``LLLL``, as an LA sends admissions transfers) and the
destination is the school, so a reader records the pupils as on the school's roll. No XML
namespace, as DfE's own CTF 25 output. File name ``<LA>LLLL_CTF_<LAESTAB>_001.xml``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree

from hub.demo.exports.index import DemoIndex
from hub.demo.partnership import Row

CTF_VERSION = "25.0"
CREATED = dt.datetime(2026, 1, 15, 9, 0, 0)  # noqa: DTZ001 (CTF times are local, no offset)
AUTUMN_2025 = dt.date(2025, 9, 1)


def _add(parent: etree._Element, name: str, value: object) -> etree._Element:
    element = etree.SubElement(parent, name)
    if value is not None:
        element.text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return element


def ctf_file_name(la_code: str, laestab: str) -> str:
    """``931LLLL_CTF_9314001_001.xml``: from the LA to the school, serial 001."""
    return f"{la_code}LLLL_CTF_{laestab}_001.xml"


def write_ctf_files(index: DemoIndex, out_dir: Path) -> list[Path]:
    """One CTF per school with pupils on roll."""
    written = []
    for school in index.partners_of_type("school", "academy", "special_school", "pru"):
        records = index.on_roll(school["id"])
        if not records:
            continue
        path = out_dir / ctf_file_name(school["la_code"], school["laestab"])
        root = etree.Element("CTfile")
        _header(root, index, school)
        data = etree.SubElement(root, "CTFpupilData")
        for record in records:
            _pupil(data, index.learners[record["learner_id"]])
        etree.ElementTree(root).write(str(path), xml_declaration=True, encoding="UTF-8",
                                      pretty_print=True)
        written.append(path)
    return written


def _header(root: etree._Element, index: DemoIndex, school: Row) -> None:
    la = next(p for p in index.partners_of_type("local_authority")
              if p["la_code"] == school["la_code"])
    header = etree.SubElement(root, "Header")
    _add(header, "DocumentName", "Common Transfer File")
    _add(header, "CTFversion", CTF_VERSION)
    _add(header, "DateTime", CREATED.isoformat())
    _add(header, "DocumentQualifier", "full")
    _add(header, "DataDescriptor", "Demo partnership: synthetic pupils")
    _add(header, "SupplierID", "HUBDEMO")
    source = etree.SubElement(header, "SourceSchool")
    _add(source, "LEA", school["la_code"])
    _add(source, "Estab", "LLLL")
    _add(source, "SchoolName", la["name"])
    _add(source, "AcademicYear", "2025")
    dest = etree.SubElement(header, "DestSchool")
    _add(dest, "LEA", school["la_code"])
    _add(dest, "Estab", school["laestab"][3:])
    _add(dest, "URN", school["urn"])


def _pupil(data: etree._Element, learner: Row) -> None:
    pupil = etree.SubElement(data, "Pupil")
    _add(pupil, "UPN", learner["upn"])
    _add(pupil, "UniqueLearnerNumber", learner["uln"])
    _add(pupil, "Surname", learner["family_name"])
    _add(pupil, "Forename", learner["given_name"])
    _add(pupil, "DOB", learner["date_of_birth"])
    _add(pupil, "Sex", learner["sex"])
    basic = etree.SubElement(pupil, "BasicDetails")
    _add(basic, "NCyearActual", nc_year(learner["date_of_birth"]))
    _add(basic, "Ethnicity", learner["ethnicity_source_code"])
    _add(basic, "EthnicitySource", "C")
    _add(basic, "EnrolStatus", "C")
    looked_after = etree.SubElement(pupil, "LookedAfter")
    _add(looked_after, "InCare", "true" if learner["looked_after"] else "false")
    history = etree.SubElement(pupil, "FSMhistory")  # present even when empty: "not eligible"
    _add(history, "FSMreviewDate", AUTUMN_2025)
    if learner["fsm"]:
        instance = etree.SubElement(history, "FSMinstance")
        _add(instance, "FSMstartDate", AUTUMN_2025)
        _add(instance, "UKcountry", "ENG")
    sen = etree.SubElement(etree.SubElement(pupil, "SENhistory"), "SEN")
    _add(sen, "StartDate", AUTUMN_2025)
    _add(sen, "SENprovision", learner["sen_provision"])
    address = etree.SubElement(etree.SubElement(pupil, "Address"), "BS7")
    _add(address, "PostCode", learner["postcode"])


def nc_year(born: dt.date) -> str:
    """The National Curriculum year in 2025/26 for a date of birth (Year 10 = age 14 at 31/8)."""
    cutoff = dt.date(2025, 8, 31)
    age = cutoff.year - born.year - ((cutoff.month, cutoff.day) < (born.month, born.day))
    return str(age - 4)
