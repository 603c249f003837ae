from __future__ import annotations

import duckdb
import pytest

from evaluation.data.ingest.normalise import (
    duration_hms_hours_sql,
    enrolment_status_sql,
    event_status_sql,
    group_sql,
    org_type_sql,
    parse_bool_sql,
    parse_timestamp_sql,
    progress_label_sql,
)


def _eval(sql: str, *values: object) -> tuple:
    names = ", ".join(f"?::VARCHAR AS x{i}" for i in range(len(values)))
    con = duckdb.connect()
    row = con.execute(f"SELECT {sql} FROM (SELECT {names})", list(values)).fetchone()
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("raw", "group", "rule"),
    [
        ("Group A", "A", "pattern"),
        ("A", "A", "canonical"),
        ("group-b", "B", "pattern"),
        ("Grp. C", "C", "pattern"),
        ("Gazetted Group A", "A", "pattern"),
        ("Group B (Non-Gazetted)", "B", "pattern"),
        ("GROUP  c", "C", "pattern"),
        ("समूह ख", "B", "hindi"),
        ("", "Unknown", "blank"),
        (None, "Unknown", "blank"),
        ("Not Applicable", "Unknown", "not_applicable"),
        ("N/A", "Unknown", "not_applicable"),
        ("Group D", "Unknown", "unrecognised"),
        ("Abc", "Unknown", "unrecognised"),
    ],
)
def test_group_rules(raw: str | None, group: str, rule: str) -> None:
    value, label = group_sql("x0")
    assert _eval(f"{value}, {label}", raw) == (group, rule)


@pytest.mark.parametrize(
    ("status", "progress", "expected", "rule"),
    [
        ("2", None, "completed", "code"),
        ("0", None, "not-started", "code"),
        ("In Progress", None, "in-progress", "text"),
        ("COMPLETED", None, "completed", "text"),
        ("", "100", "completed", "derived_from_progress"),
        ("", "30", "in-progress", "derived_from_progress"),
        ("", None, "not-started", "derived_from_progress"),
        ("done", None, "completed", "synonym"),
        ("paused", None, None, "unrecognised"),
    ],
)
def test_enrolment_status(
    status: str, progress: str | None, expected: str | None, rule: str
) -> None:
    value, label = enrolment_status_sql("x0", "CAST(x1 AS DOUBLE)")
    assert _eval(f"{value}, {label}", status, progress) == (expected, rule)


def test_event_status_codes_and_text() -> None:
    value, _ = event_status_sql("x0")
    assert [_eval(value, s)[0] for s in ("0", "1", "2", "Attended", "??")] == [
        "enrolled",
        "in-progress",
        "completed",
        "completed",
        None,
    ]


def test_acbp_progress_labels() -> None:
    value, label = progress_label_sql("x0")
    assert _eval(f"{value}, {label}", "in_progress") == ("In Progress", "synonym")
    assert _eval(f"{value}, {label}", "Completed") == ("Completed", "canonical")
    assert _eval(f"{value}, {label}", "") == ("Not Enrolled", "blank_as_not_enrolled")


def test_hms_durations_to_hours() -> None:
    sql = duration_hms_hours_sql("x0")
    assert _eval(sql, "01:30:00") == (1.5,)
    assert _eval(sql, "36:00:36") == (pytest.approx(36.01),)
    assert _eval(sql, "1:75:00") == (None,)
    assert _eval(sql, "90 minutes") == (None,)


def test_both_date_styles_are_day_first() -> None:
    sql = parse_timestamp_sql("x0")
    iso, slash, bad = (
        _eval(sql, v)[0] for v in ("2024-10-03 10:11:12", "03/10/2024", "31/02/2024")
    )
    assert (iso.day, iso.month, iso.hour) == (3, 10, 10)
    assert (slash.day, slash.month) == (3, 10)
    assert bad is None


def test_bool_parsing() -> None:
    sql = parse_bool_sql("x0")
    assert [_eval(sql, v)[0] for v in ("Yes", "false", "1", "maybe")] == [True, False, True, None]


@pytest.mark.parametrize(
    ("explicit", "ministry", "name", "org_type", "state", "rule"),
    [
        (None, "Maharashtra", "Revenue Department", "state", "Maharashtra", "ministry_is_state"),
        (None, "Government of Kerala", "Health", "state", "Kerala", "ministry_is_state"),
        (None, None, "Govt. of Tamil Nadu", "state", "Tamil Nadu", "name_is_state_government"),
        (None, "Ministry of Home Affairs", "Delhi Police", "central", "", "default_central"),
        ("State Government", "X", "Y", "state", "X", "type_column"),
        ("Central Ministry", "Gujarat", "Y", "central", "", "type_column"),
    ],
)
def test_org_type_rule(
    explicit: str | None, ministry: str | None, name: str, org_type: str, state: str, rule: str
) -> None:
    t, s, r = org_type_sql("x0", "x1", "x2")
    assert _eval(f"{t}, {s}, {r}", explicit, ministry, name) == (org_type, state, rule)
