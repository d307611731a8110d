"""A schema-valid Learner read into plain Python values, for the rules and the mapping.

Reading each element once into dicts keeps rule code free of XML and namespaces, and lets the
source element be dropped straight away.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from lxml import etree

from connectors.codelists import CodeLists
from connectors.ilr.years import IlrYear
from connectors.xmlsource import local_name


class Fields(dict[str, str]):
    """Simple child elements by local name, with dates parsed once on first use.

    A dict subclass so ``get`` is the C ``dict.get``: the rules call it about a hundred times
    per learner.
    """

    __slots__ = ("_dates",)

    def __init__(self) -> None:
        super().__init__()
        self._dates: dict[str, dt.date | None] = {}

    def date(self, name: str) -> dt.date | None:
        """A date field, or None when absent or unreadable."""
        try:
            return self._dates[name]
        except KeyError:
            value = self._dates[name] = parse_date(self.get(name))
            return value


class Delivery(Fields):
    """One LearningDelivery: its simple fields and its FAM records (type, code)."""

    __slots__ = ("fams",)

    def __init__(self) -> None:
        super().__init__()
        self.fams: list[tuple[str, str]] = []

    def has_fam(self, fam_type: str, code: str | None = None) -> bool:
        """Whether a LearningDeliveryFAM of ``fam_type`` (and ``code``) is present."""
        return any(t == fam_type and (code is None or c == code) for t, c in self.fams)

    @property
    def seq(self) -> str:
        """The AimSeqNumber, for messages and source refs."""
        return self.get("AimSeqNumber", "?")


class LearnerData(Fields):
    """One Learner: simple fields plus the repeating groups the rules and mapping read."""

    __slots__ = ("deliveries", "employment", "fams", "lldd")

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: list[Delivery] = []
        self.fams: list[tuple[str, str]] = []  # LearnerFAM (type, code)
        self.lldd: list[tuple[str, str | None]] = []  # (LLDDCat, PrimaryLLDD)
        self.employment: list[tuple[str, str]] = []  # (EmpStat, DateEmpStatApp)

    @property
    def learn_ref(self) -> str:
        """The LearnRefNumber ('' when missing)."""
        return self.get("LearnRefNumber", "")


@dataclass(frozen=True, slots=True)
class RuleContext:
    """File-wide facts a rule may compare a learner against.

    The year's dates are worked out once here: rules compare against them for every learner.
    """

    year: IlrYear
    file_preparation_date: dt.date
    codes: CodeLists
    learn_refs: Counter[str]
    ulns: Counter[str]
    year_start: dt.date = field(init=False)  # 1 August
    year_end: dt.date = field(init=False)  # 31 July
    august_31: dt.date = field(init=False)  # the ESFA age reference date

    def __post_init__(self) -> None:
        start = self.year.start
        object.__setattr__(self, "year_start", start)
        object.__setattr__(self, "year_end", self.year.end)
        object.__setattr__(self, "august_31", dt.date(start.year, 8, 31))


Finding = tuple[str, str]  # (field, detail) for one breach of a rule
NONE: tuple[Finding, ...] = ()  # what nearly every check finds


@dataclass(frozen=True, slots=True)
class Rule:
    """One implemented ESFA rule: its catalogue name and the check that finds breaches.

    ``lookup`` marks "must be a valid code" rules (reported as warnings); ``current_only``
    marks 2025-26 funding-policy rules that must not run on earlier years' files.
    """

    name: str
    check: Callable[[LearnerData, RuleContext], Sequence[Finding]]
    lookup: bool = False
    current_only: bool = False


DeliveryCheck = Callable[[Delivery, LearnerData, RuleContext], str | None]


@dataclass(frozen=True, slots=True)
class DeliveryRule:
    """An ESFA rule checked on each LearningDelivery; a returned text is one breach on ``field``.

    ``needs`` names a field without which the check can never find a breach (its condition
    starts with that field having a value), so the runner skips the check when the delivery
    lacks it: a continuing aim has no end date, outcome or achievement date, and half the rules
    are about those. Tests check every such claim against the check itself.
    """

    name: str
    field: str
    check: DeliveryCheck
    lookup: bool = False
    current_only: bool = False
    needs: str | None = None


def parse_date(text: str | None) -> dt.date | None:
    """An xs:date as a date, or None."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years between ``birth`` and ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


_LOCAL_NAMES: dict[str, str] = {}


def _local(element: etree._Element) -> str:
    """``local_name`` memoised by tag: a file uses a few dozen tags, millions of times."""
    tag = element.tag
    try:
        return _LOCAL_NAMES[tag]
    except KeyError:
        name = _LOCAL_NAMES[tag] = local_name(element)
        return name


def _text(element: etree._Element) -> str:
    return (element.text or "").strip()


def _pair(element: etree._Element, first: str, second: str) -> tuple[str, str | None]:
    values = {_local(child): _text(child) for child in element}
    return values.get(first, ""), values.get(second)


def read_learner(element: etree._Element) -> LearnerData:
    """Read a schema-valid Learner element into a LearnerData."""
    learner = LearnerData()
    names = _LOCAL_NAMES
    for child in element:
        name = names.get(child.tag) or _local(child)  # inlined: ~30 children per learner
        if len(child) == 0:
            text = child.text
            learner[name] = text.strip() if text else ""
        elif name == "LearningDelivery":
            learner.deliveries.append(_read_delivery(child))
        elif name == "LearnerFAM":
            fam_type, code = _pair(child, "LearnFAMType", "LearnFAMCode")
            learner.fams.append((fam_type, code or ""))
        elif name == "LLDDandHealthProblem":
            learner.lldd.append(_pair(child, "LLDDCat", "PrimaryLLDD"))
        elif name == "LearnerEmploymentStatus":
            status, applies = _pair(child, "EmpStat", "DateEmpStatApp")
            learner.employment.append((status, applies or ""))
    return learner


def _read_delivery(element: etree._Element) -> Delivery:
    delivery = Delivery()
    names = _LOCAL_NAMES
    for child in element:
        name = names.get(child.tag) or _local(child)
        if len(child) == 0:
            text = child.text
            delivery[name] = text.strip() if text else ""
        elif name == "LearningDeliveryFAM":
            fam_type, code = _pair(child, "LearnDelFAMType", "LearnDelFAMCode")
            delivery.fams.append((fam_type, code or ""))
    return delivery
