"""First pass over an ILR file: who sent it, for which year, and which identifiers repeat.

The scan reads the whole file once with only Header, LearningProvider, Learner and D&P
elements reaching Python, so before any record is handed out the file is known to be well
formed, of a supported year, with a valid header, and duplicate LearnRefNumbers/ULNs (rules
R_06, R_59) can be flagged on every occurrence, not just the later ones. It keeps only counters
of identifiers, never learners.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from connectors.ilr.errors import (
    IlrHeaderInvalidError,
    IlrNamespaceMismatchError,
    IlrNoLearnersError,
    IlrUnknownNamespaceError,
    IlrWrongRootError,
)
from connectors.ilr.structure import StructureValidator
from connectors.ilr.years import IlrYear, supported_namespaces, year_for_namespace
from connectors.xmlsource import iter_events, local_name, namespace_of

HEADER_PARTS = ("Header", "SourceFiles", "LearningProvider")
LEARNER = "Learner"
DESTINATION = "LearnerDestinationandProgression"


@dataclass(slots=True)
class IlrHeader:
    """The file's identity, from Header and LearningProvider."""

    year: IlrYear
    ukprn: str
    source_ukprn: str
    collection_year: str
    file_preparation_date: dt.date
    date_time: str


@dataclass(slots=True)
class FileScan:
    """What the first pass learnt about the file, for the second pass."""

    header: IlrHeader
    root: etree._Element
    header_elements: list[etree._Element]
    learn_refs: Counter[str] = field(default_factory=Counter)
    ulns: Counter[str] = field(default_factory=Counter)
    learners: int = 0


def detect_year(path: Path) -> tuple[IlrYear, etree._Element]:
    """The year named by the root namespace, reading only the root's start tag."""
    with closing(iter_events(path, events=("start",))) as events:
        for _event, root in events:
            return _year_of(path, root), root
    raise IlrWrongRootError(f"{path.name}: no root element")  # pragma: no cover - libxml2 raises


def _year_of(path: Path, root: etree._Element) -> IlrYear:
    """The supported year named by ``root``'s namespace, or the reason there is none."""
    namespace = namespace_of(root)
    if local_name(root) != "Message":
        raise IlrWrongRootError(
            f"{path.name}: root element is <{local_name(root)}>, not an ILR <Message>"
        )
    year = year_for_namespace(namespace)
    if year is None:
        found = f"'{namespace}'" if namespace else "no namespace"
        raise IlrUnknownNamespaceError(
            f"{path.name}: ILR namespace {found} is not supported; supported: "
            + ", ".join(supported_namespaces())
        )
    return year


def read_header(path: Path) -> IlrHeader:
    """Header facts only, stopping at the first Learner (no XSD validation)."""
    year, _root = detect_year(path)
    parts: dict[str, etree._Element] = {}
    with closing(iter_events(path, events=("end",), tags=_tags(year, HEADER_PARTS))) as events:
        for _event, element in events:
            parts[local_name(element)] = element
            if "LearningProvider" in parts:
                break
    return _header_facts(path, year, parts)


def scan(path: Path) -> FileScan:
    """Read the whole file once; raise FileRejectedError for any file-level defect."""
    year, _root = detect_year(path)
    ns = year.namespace
    parts: dict[str, etree._Element] = {}
    result: FileScan | None = None
    wanted = _tags(year, (*HEADER_PARTS, LEARNER, DESTINATION))
    learner_tag, ref_tag, uln_tag = f"{{{ns}}}{LEARNER}", f"{{{ns}}}LearnRefNumber", f"{{{ns}}}ULN"
    for _event, element in iter_events(path, events=("end",), tags=wanted):
        parent = element.getparent()
        if parent is None or parent.getparent() is not None:
            continue  # e.g. a SourceFile's own Header-like children: only Message's children count
        if element.tag != learner_tag:
            name = local_name(element)
            if name in HEADER_PARTS:
                parts[name] = element
                continue
        if result is None:
            result = _start(path, year, parent, parts, element)
        if element.tag == learner_tag:
            result.learners += 1
            result.learn_refs[_child_text(element, 0, ref_tag)] += 1
            uln = _child_text(element, 1, uln_tag)
            if uln:
                result.ulns[uln] += 1
        element.clear()
        while element.getprevious() is not None:
            del parent[0]
    if result is None or result.learners == 0:
        if result is None:
            _header_facts(path, year, parts)
        raise IlrNoLearnersError(
            f"{path.name}: the file holds no Learner records (ESFA rule Entity_1)"
        )
    return result


def _child_text(element: etree._Element, position: int, tag: str) -> str:
    """The stripped text of ``element``'s first ``tag`` child, looking first where the XSD puts it
    (a hundred thousand learners: a search per identifier adds up)."""
    child = element[position] if len(element) > position else None
    text = child.text if child is not None and child.tag == tag else element.findtext(tag)
    return (text or "").strip()


def _start(
    path: Path,
    year: IlrYear,
    root: etree._Element,
    parts: dict[str, etree._Element],
    first: etree._Element,
) -> FileScan:
    """Check the header once the first record arrives, and keep copies for the wrappers."""
    header = _header_facts(path, year, parts)
    elements = [parts[name] for name in HEADER_PARTS if name in parts]
    _refuse_foreign_namespaces(path, year, [*elements, first])
    validator = StructureValidator(year, root, elements)
    # Validate a copy: validate() detaches its element, and the scan still clears this one.
    _record, header_issues = validator.validate(copy.deepcopy(first), "", 0)
    if header_issues:
        details = "; ".join(f"line {i.line}: {i.message}" for i in header_issues[:5])
        raise IlrHeaderInvalidError(f"{path.name}: Header/LearningProvider invalid: {details}")
    return FileScan(header=header, root=root, header_elements=elements)


def _refuse_foreign_namespaces(path: Path, year: IlrYear, elements: list[etree._Element]) -> None:
    for top in elements:
        for element in top.iter():
            namespace = namespace_of(element)
            if isinstance(element.tag, str) and namespace != year.namespace:
                raise IlrNamespaceMismatchError(
                    f"{path.name}: line {element.sourceline}: <{local_name(element)}> is in "
                    f"namespace '{namespace}' but the file's root is '{year.namespace}' "
                    "(ESFA rule Namespace Mismatch); every element must use the root's namespace"
                )


def _header_facts(path: Path, year: IlrYear, parts: dict[str, etree._Element]) -> IlrHeader:
    ns = year.namespace
    header = parts.get("Header")
    provider = parts.get("LearningProvider")
    if header is None or provider is None:
        if header is not None:
            _refuse_foreign_namespaces(path, year, [header])
        missing = " and ".join(n for n in ("Header", "LearningProvider") if n not in parts)
        raise IlrHeaderInvalidError(f"{path.name}: no {missing} in namespace '{ns}'")
    _refuse_foreign_namespaces(path, year, [header, provider])
    ukprn = (provider.findtext(f"{{{ns}}}UKPRN") or "").strip()
    source_ukprn = (header.findtext(f"{{{ns}}}Source/{{{ns}}}UKPRN") or "").strip()
    collection_year = (header.findtext(f"{{{ns}}}CollectionDetails/{{{ns}}}Year") or "").strip()
    prepared = (
        header.findtext(f"{{{ns}}}CollectionDetails/{{{ns}}}FilePreparationDate") or ""
    ).strip()
    date_time = (header.findtext(f"{{{ns}}}Source/{{{ns}}}DateTime") or "").strip()
    if not (ukprn.isdigit() and len(ukprn) == 8):
        raise IlrHeaderInvalidError(
            f"{path.name}: LearningProvider/UKPRN '{ukprn}' is not 8 digits"
        )
    if source_ukprn != ukprn:
        raise IlrHeaderInvalidError(
            f"{path.name}: LearningProvider/UKPRN {ukprn} differs from Header/Source/UKPRN "
            f"'{source_ukprn}' (ESFA rule UKPRN_03)"
        )
    if collection_year != year.year:
        raise IlrHeaderInvalidError(
            f"{path.name}: Header Year '{collection_year}' does not match namespace {ns}"
        )
    try:
        prepared_on = dt.date.fromisoformat(prepared)
        dt.datetime.fromisoformat(date_time)
    except ValueError:
        raise IlrHeaderInvalidError(
            f"{path.name}: Header FilePreparationDate '{prepared}' or DateTime '{date_time}' "
            "is not an ISO date/time"
        ) from None
    return IlrHeader(year, ukprn, source_ukprn, collection_year, prepared_on, date_time)


def _tags(year: IlrYear, names: tuple[str, ...]) -> list[str]:
    return [f"{{{year.namespace}}}{name}" for name in names]
