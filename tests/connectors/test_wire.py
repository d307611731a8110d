"""The reader-to-loader wire format: every record kind round-trips exactly, or travels pickled."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
)
from connectors.report import Severity, ValidationIssue
from connectors.wire import decode_chunk, encode_chunk


def _every_kind() -> list[ParsedRecord]:
    learner = LearnerIn(
        "L1",
        uln="1061484016",
        given_name="Zoë",
        family_name="O'Brien",
        date_of_birth=dt.date(2009, 2, 27),
        lldd=True,
        fsm=None,
        is_on_roll=True,
    )
    course = ParticipationIn(
        "L1",
        "L1/1",
        "60149735",
        learn_aim_ref="60149735",
        start_date=dt.date(2025, 9, 1),
        planned_end_date=None,
        actual_end_date=dt.date(2026, 7, 3),
        sessions_possible=4,
    )
    issue = ValidationIssue("ULN_04", "bad check digit", Severity.WARNING, "L1", 1, "ULN", 12)
    return [
        ParsedRecord("L1", 1, [learner, course], [issue]),
        ParsedRecord("L2", 2, [], [ValidationIssue("Schema", "broken")]),
        ParsedRecord(
            "row 3",
            3,
            [
                ActivityIn("L1", "EDU1", "EDU", dt.date(2026, 8, 1), None, "ILR-2025-26"),
                AttendanceIn("L1", dt.date(2025, 9, 1), 4, 3, "L1/1"),
                PartnerIn("A School", "school", urn="100000", la_code="201"),
                ProvisionIn("10000001", "Plumbing", "2025/26", places_offered=12),
                FundingAllocationIn("16-19", "10000001", "2025/26", 123_456),
                FundingFlowIn("201", "10000001", "2025/26", 500, "per_learner", learner_ref="L1"),
            ],
        ),
    ]


def test_every_record_kind_round_trips_with_dates_nones_and_issues() -> None:
    chunk = _every_kind()
    data = encode_chunk(chunk)
    assert data[:1] == b"M"  # plain values: marshalled, not pickled
    assert decode_chunk(data) == chunk


def test_a_datetime_in_a_date_field_is_not_truncated_to_its_day() -> None:
    moment = dt.datetime(2025, 9, 1, 9, 30, tzinfo=dt.UTC)
    chunk = [ParsedRecord("L1", 1, [ActivityIn("L1", "EDU1", "EDU", moment)])]
    data = encode_chunk(chunk)
    assert data[:1] == b"P"
    assert decode_chunk(data)[0].records[0].start_date == moment  # type: ignore[union-attr]


@dataclass(slots=True)
class _Unlisted:
    name: str


def test_a_record_kind_the_wire_does_not_list_still_crosses_pickled() -> None:
    chunk = [ParsedRecord("X", 1, [_Unlisted("x")])]  # type: ignore[list-item]
    assert decode_chunk(encode_chunk(chunk)) == chunk
