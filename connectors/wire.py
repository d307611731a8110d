"""Chunks of parsed records as bytes, for the pipe between the reader process and the loader.

Pickling a slotted dataclass goes through ``copyreg`` and a Python-level ``__getstate__`` per
object (and unpickling through ``__setstate__``); a chunk is tens of thousands of objects, so
that cost rivals parsing. Each record instead travels as a list of its field values, dates as
day ordinals, serialised with ``marshal`` (several times faster than pickle for plain values;
safe here because both ends are the same interpreter, forked, and nobody else writes the pipe),
and is rebuilt with its constructor. A chunk holding anything else (a record type not listed
here, a value of an unexpected type) is pickled whole instead, so nothing is ever refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import marshal
import pickle
import typing
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from connectors.records import (
    ActivityIn,
    AttendanceIn,
    FundingAllocationIn,
    FundingFlowIn,
    LearnerIn,
    ParsedRecord,
    ParticipationIn,
    PartnerIn,
    ProvisionIn,
    Record,
)
from connectors.report import Severity, ValidationIssue

_TYPES: tuple[type[Any], ...] = (
    LearnerIn,
    ParticipationIn,
    ActivityIn,
    AttendanceIn,
    PartnerIn,
    ProvisionIn,
    FundingAllocationIn,
    FundingFlowIn,
)
_KIND = {kind: number for number, kind in enumerate(_TYPES)}
_VALUES: tuple[Callable[[Any], tuple[Any, ...]], ...] = tuple(
    attrgetter(*(f.name for f in dataclasses.fields(kind))) for kind in _TYPES
)
_SEVERITIES = {severity.value: severity for severity in Severity}
_MARSHALLED = b"M"
_PICKLED = b"P"


def _date_positions(kind: type[Any]) -> tuple[int, ...]:
    """Where ``kind``'s fields are declared as dates (sent as day ordinals)."""
    hints = typing.get_type_hints(kind)
    return tuple(
        number
        for number, item in enumerate(dataclasses.fields(kind))
        if dt.date in (hints[item.name], *typing.get_args(hints[item.name]))
    )


_DATES = tuple(_date_positions(kind) for kind in _TYPES)


class _NotPlainError(Exception):
    """A value ``marshal`` cannot carry losslessly: send this chunk pickled."""


def encode_chunk(chunk: Sequence[ParsedRecord]) -> bytes:
    """The chunk as bytes (see the module docstring)."""
    try:
        packed = [
            (
                parsed.source_ref,
                parsed.record_number,
                [_pack(record) for record in parsed.records],
                [_pack_issue(issue) for issue in parsed.issues],
            )
            for parsed in chunk
        ]
        return _MARSHALLED + marshal.dumps(packed)
    except (_NotPlainError, ValueError):  # ValueError: marshal met an object it cannot write
        return _PICKLED + pickle.dumps(list(chunk), pickle.HIGHEST_PROTOCOL)


def decode_chunk(data: bytes | memoryview) -> list[ParsedRecord]:
    """The records ``encode_chunk`` packed, rebuilt."""
    view = memoryview(data)
    if view[:1] == _PICKLED:
        chunk: list[ParsedRecord] = pickle.loads(view[1:])  # noqa: S301 - our own child's records
        return chunk
    types, dates, from_ordinal = _TYPES, _DATES, dt.date.fromordinal
    out: list[ParsedRecord] = []
    packed = marshal.loads(view[1:])  # noqa: S302 - our own forked child's bytes (see above)
    for source_ref, number, packed_records, packed_issues in packed:
        records: list[Record] = []
        for kind, values in packed_records:
            for position in dates[kind]:
                if values[position] is not None:
                    values[position] = from_ordinal(values[position])
            records.append(types[kind](*values))
        issues = [_unpack_issue(issue) for issue in packed_issues]
        out.append(ParsedRecord(source_ref, number, records, issues))
    return out


def _pack(record: Record) -> tuple[int, list[Any]]:
    kind = _KIND.get(type(record))
    if kind is None:
        raise _NotPlainError
    values = list(_VALUES[kind](record))
    for position in _DATES[kind]:
        value = values[position]
        if value is not None:
            if type(value) is not dt.date:  # e.g. a datetime: an ordinal would lose its time
                raise _NotPlainError
            values[position] = value.toordinal()
    return (kind, values)


def _pack_issue(issue: ValidationIssue) -> tuple[Any, ...]:
    return (
        issue.rule,
        issue.message,
        issue.severity.value,
        issue.source_ref,
        issue.record_number,
        issue.field,
        issue.line,
    )


def _unpack_issue(packed: Sequence[Any]) -> ValidationIssue:
    rule, message, severity, source_ref, record_number, field, line = packed
    return ValidationIssue(
        rule, message, _SEVERITIES[severity], source_ref, record_number, field, line
    )
