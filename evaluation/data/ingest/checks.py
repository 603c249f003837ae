"""Value checks as SQL: how each raw text column is parsed and which rule a value can break.

A value that does not parse is an *error* (``wrong_type``, ``unparseable_date``); a value that
parses but is impossible (progress 120 %, a completion before the enrolment, a date in the
future) is a *warning* whose row is rejected and counted. Every check is one SQL condition over a
staging table holding the raw text column ``<col>`` and its parsed value ``"t::<col>"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from evaluation.data.ingest.normalise import (
    duration_hms_hours_sql,
    enrolment_status_sql,
    event_status_sql,
    parse_bool_sql,
    parse_timestamp_sql,
    quote_ident,
)
from evaluation.data.ingest.sources import SourceSpec

__all__ = [
    "DEFAULT_PERIOD_START",
    "PARSED_KINDS",
    "Check",
    "Thresholds",
    "all_checks",
    "failure_sql",
    "native_kind",
    "reject_sql",
    "typed_columns",
    "typed_sql",
]

#: Earliest plausible date in iGOT data (the platform went live in 2020).
DEFAULT_PERIOD_START = date(2019, 1, 1)
#: Tokens that mean "no value" in typed columns.
_NA_TOKENS = ("", "na", "n/a", "null", "none", "not available", "-", "nan")
#: Columns whose dates may lie in the future (due dates, scheduled events, retirements).
_FUTURE_OK = frozenset(
    {"due_date", "Due Date of Completion", "Content_Retired_On", "event_start_datetime"}
)
#: Enrolment-status columns checked for unknown codes, per source.
_STATUS_COLUMNS: dict[tuple[str, str], Literal["enrolment", "event"]] = {
    ("user_enrolments", "user_consumption_status"): "enrolment",
    ("consumption_report", "Status"): "enrolment",
    ("event_enrolment_details", "status"): "event",
}
#: Status values that need no normalisation (checked first, for speed).
_KNOWN_STATUS = (
    "'completed', 'in-progress', 'not-started', 'not-enrolled', 'enrolled', '0', '1', '2'"
)


@dataclass(frozen=True)
class Thresholds:
    """Plausibility limits used by the value checks.

    Parameters
    ----------
    period_start : date
        Dates before it are outside the data period.
    period_end : datetime
        Dates after it (plus one day of tolerance) are in the future.
    max_content_hours : float
        Longer course durations are absurd.
    max_event_hours : float
        Longer event durations or watch times are absurd.
    """

    period_start: date = DEFAULT_PERIOD_START
    period_end: datetime = field(default_factory=datetime.now)
    max_content_hours: float = 1000.0
    max_event_hours: float = 24.0


@dataclass(frozen=True)
class Check:
    """One rule as SQL: its name, severity, column, failing condition and message."""

    rule: str
    severity: Literal["error", "warning"]
    column: str | None
    condition: str
    message: str
    value_sql: str = "NULL"


def _q(name: str) -> str:
    return quote_ident(name)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _blank(x: str) -> str:
    # list_contains, not IN: a long IN list costs DuckDB time on every row even inside a CASE
    # branch that never runs (measured: docs/scale.md).
    tokens = ", ".join(_lit(t) for t in _NA_TOKENS)
    return f"({x} IS NULL OR list_contains([{tokens}], lower(trim({x}))))"


#: 2**63 as a float: integer columns are stored as int64.
_INT64_LIMIT = "9223372036854775808.0"

PARSED_KINDS = frozenset(
    {"int", "float", "pct", "rating", "seconds", "minutes", "timestamp", "date", "hms", "bool"}
)


def typed_columns(spec: SourceSpec) -> list[str]:
    """Columns parsed and kept for the canonical tables: all but direct identifiers."""
    return [c for c, kind in spec.columns.items() if kind != "pii"]


#: Kinds whose values are numbers (a typed Parquet number of these kinds is read as it is).
_NUMBER_KINDS = ("int", "float", "pct", "rating", "seconds", "minutes")


def native_kind(kind: str, arrow_type: str) -> bool:
    """Whether a Parquet column of ``arrow_type`` holds values of ``kind`` as they are.

    Spark writes numbers and booleans typed. Read as text, each value would be formatted and
    parsed again to the same value (0.7 s per 4 million rows of four columns on one core). Only
    whole numbers and 64-bit floats qualify: a 32-bit float or a decimal reads differently through
    text (``0.1``) than cast (``0.10000000149``), and the text path is the reference.

    Parameters
    ----------
    kind : str
        The column's kind in its :class:`~evaluation.data.ingest.sources.SourceSpec`.
    arrow_type : str
        The Parquet column's type as Arrow names it (``str(pyarrow.DataType)``).
    """
    if kind == "bool":
        return arrow_type == "bool"
    whole = re.fullmatch(r"u?int(8|16|32|64)", arrow_type) is not None
    return kind in _NUMBER_KINDS and (whole or arrow_type == "double")


def typed_sql(spec: SourceSpec, column: str, native: bool = False) -> str:
    """SQL parsing the raw text column into its kind's type (NULL when blank or unparseable).

    Each parser tries the platform's usual form first (a plain cast) and only falls back to the
    slower, more forgiving path (trimming, "NA" tokens, other date styles) when that fails: the
    fallback then runs on a handful of rows instead of every row. A ``native`` column (see
    :func:`native_kind`) is cast, with the text path's result: NaN and infinities become NULL.
    """
    kind = spec.columns[column]
    x = _q(column)
    if native:
        return x if kind == "bool" else _finite(f"CAST({x} AS DOUBLE)")
    clean = f"CASE WHEN {_blank(x)} THEN NULL ELSE trim({x}) END"
    if kind in _NUMBER_KINDS:
        number, forgiving = f"try_cast({x} AS DOUBLE)", _finite(f"try_cast({clean} AS DOUBLE)")
        if kind in ("seconds", "minutes"):
            # The Python jobs write these durations as "HH:MM:SS" strings (docs/real-exports.md
            # sections 8, 10, 11); a plain number keeps the column's own unit.
            per_hour = 3600 if kind == "seconds" else 60
            forgiving = f"coalesce({forgiving}, {duration_hms_hours_sql(clean)} * {per_hour})"
        return f"CASE WHEN isfinite({number}) THEN {number} ELSE {forgiving} END"
    if kind in ("timestamp", "date"):
        # Only values with a four-digit year first: DuckDB casts "01/09/24" to the year 1.
        fast = f"CASE WHEN {x}[5] = '-' THEN try_cast({x} AS TIMESTAMP) END"
        return _fast_then_slow(x, fast, parse_timestamp_sql(clean))
    if kind == "hms":
        fast = (
            f"CASE WHEN {x} LIKE '__:__:__' AND {x}[4:5] < '60' AND {x}[7:8] < '60' THEN "
            f"(try_cast({x}[1:2] AS INTEGER) * 3600 + try_cast({x}[4:5] AS INTEGER) * 60 "
            f"+ try_cast({x}[7:8] AS INTEGER)) / 3600.0 END"
        )
        return _fast_then_slow(x, fast, duration_hms_hours_sql(clean))
    if kind == "bool":
        fast = (
            f"CASE {x} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE WHEN 'Yes' THEN TRUE "
            f"WHEN 'No' THEN FALSE WHEN '1' THEN TRUE WHEN '0' THEN FALSE END"
        )
        return _fast_then_slow(x, fast, parse_bool_sql(clean))
    if kind in ("id", "user_id"):
        return (
            f"CASE WHEN {x} = '' THEN NULL WHEN starts_with({x}, ' ') OR ends_with({x}, ' ') "
            f"THEN nullif(trim({x}), '') ELSE {x} END"
        )
    return f"nullif({x}, '')"  # text and pii: kept as written (text is data, never markup)


def _finite(number: str) -> str:
    # "1e309" and "inf" parse as infinity (and "NaN" as NaN): not data, and a crash when cast to
    # an integer column later. NULL here makes them a wrong_type error with their line.
    return f"CASE WHEN isfinite({number}) THEN {number} END"


def _fast_then_slow(x: str, fast: str, slow: str) -> str:
    # A CASE, not coalesce(): coalesce pays for its fallback branch on every row, and a first
    # "WHEN x IS NULL" branch for blank fields defeats the reuse of `fast` (docs/scale.md).
    return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {slow} END"


def _unparsed(raw: str, typed: str, native: bool = False) -> str:
    """SQL: a value is present but did not parse.

    A CASE because DuckDB evaluates both sides of AND in a select list: the blank-token test
    (lower, trim, list lookup) then runs only on the rare rows that failed to parse. A native
    number fails only as an infinity: as text, NaN is a "no value" token and infinity is not.
    """
    if native:
        return f"{typed} IS NULL AND {raw} IS NOT NULL AND NOT isnan({raw})"
    return f"CASE WHEN {typed} IS NOT NULL OR {raw} IS NULL THEN FALSE ELSE NOT {_blank(raw)} END"


def _value_checks(
    spec: SourceSpec, column: str, limits: Thresholds, native: bool = False
) -> list[Check]:
    kind = spec.columns[column]
    raw, typed = _q(column), _q(f"t::{column}")
    checks: list[Check] = []
    if kind in (*_NUMBER_KINDS, "bool"):
        expected = {"bool": "true/false or yes/no"}.get(kind, "a number")
        checks.append(
            Check(
                "wrong_type",
                "error",
                column,
                "FALSE" if native and kind == "bool" else _unparsed(raw, typed, native),
                f"expected {expected}",
                raw,
            )
        )
    if kind == "int":
        checks.append(
            Check(
                "wrong_type",
                "error",
                column,
                f"{typed} IS NOT NULL AND {typed} <> round({typed})",
                "expected a whole number",
                raw,
            )
        )
        checks.append(
            Check(
                "wrong_type",
                "error",
                column,
                f"abs({typed}) >= {_INT64_LIMIT}",
                "whole number out of range (beyond 64-bit integers)",
                raw,
            )
        )
    if kind == "pct":
        checks.append(
            Check(
                "progress_out_of_range",
                "warning",
                column,
                f"{typed} < 0 OR {typed} > 100",
                "percentage outside 0-100; row rejected",
                raw,
            )
        )
    if kind == "rating":
        checks.append(
            Check(
                "rating_out_of_range",
                "warning",
                column,
                f"{typed} < 0 OR {typed} > 5",
                "rating outside 0-5; row rejected",
                raw,
            )
        )
    if kind in ("timestamp", "date"):
        checks += _date_checks(column, raw, typed, limits)
    if kind in ("hms", "seconds", "minutes"):
        checks += _duration_checks(column, kind, raw, typed, limits, native)
    return checks


def _date_checks(column: str, raw: str, typed: str, limits: Thresholds) -> list[Check]:
    checks = [
        Check(
            "unparseable_date",
            "error",
            column,
            _unparsed(raw, typed),
            "not a date (yyyy-MM-dd[ HH:mm:ss] or dd/MM/yyyy)",
            raw,
        ),
        Check(
            "date_outside_period",
            "warning",
            column,
            f"{typed} < DATE '{limits.period_start.isoformat()}'",
            f"date before the data period (starts {limits.period_start}); row rejected",
            raw,
        ),
    ]
    if column not in _FUTURE_OK:
        latest = (limits.period_end + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
        checks.append(
            Check(
                "date_in_future",
                "warning",
                column,
                f"{typed} > TIMESTAMP '{latest}'",
                "date in the future; row rejected",
                raw,
            )
        )
    return checks


def _duration_checks(
    column: str, kind: str, raw: str, typed: str, limits: Thresholds, native: bool = False
) -> list[Check]:
    per_hour = {"hms": 1.0, "seconds": 3600.0, "minutes": 60.0}[kind]
    event_like = column in ("duration", "event_duration_seconds", "progress_duration")
    max_hours = limits.max_event_hours if event_like else limits.max_content_hours
    # The regex runs only on values holding a minus sign (a CASE: see _unparsed).
    negative = (
        f"CASE WHEN NOT contains({raw}, '-') THEN FALSE "
        f"ELSE regexp_matches({raw}, '^\\s*-\\s*\\d') END"
        if kind == "hms"
        else f"{typed} < 0"
    )
    return [
        Check(
            "wrong_type",
            "error",
            column,
            f"CASE WHEN {_unparsed(raw, typed, native)} THEN NOT ({negative}) ELSE FALSE END",
            "expected HH:MM:SS" if kind == "hms" else f"expected a number of {kind} or HH:MM:SS",
            raw,
        ),
        Check(
            "negative_duration", "warning", column, negative, "negative duration; row rejected", raw
        ),
        Check(
            "absurd_duration",
            "warning",
            column,
            f"{typed} / {per_hour} > {max_hours}",
            f"duration above {max_hours:g} hours; row rejected",
            raw,
        ),
    ]


def _row_checks(spec: SourceSpec, header_union: set[str]) -> list[Check]:
    checks: list[Check] = []
    key_ids = [c for c in spec.key if spec.columns.get(c) in ("id", "user_id") or c == "link_id"]
    required = {c for g in spec.required_groups() for c in g}
    for column in key_ids:
        if column == "link_id" or (column in required and column in header_union):
            checks.append(
                Check(
                    "missing_id",
                    "warning",
                    column,
                    f"{_q('t::' + column)} IS NULL",
                    "identifier is blank; row rejected",
                )
            )
    for start, end in spec.pairs:
        if start in header_union and end in header_union:
            checks.append(
                Check(
                    "completed_before_enrolled",
                    "warning",
                    end,
                    f"CAST({_q('t::' + end)} AS DATE) < CAST({_q('t::' + start)} AS DATE)",
                    f"{end} is before {start}; row rejected",
                    _q(end),
                )
            )
    for (source, column), family in _STATUS_COLUMNS.items():
        if source == spec.name and column in header_union:
            status = _q("t::" + column)
            if family == "enrolment":
                _, rule = enrolment_status_sql(status, "NULL")
            else:
                _, rule = event_status_sql(status)
            checks.append(
                Check(
                    "unknown_status",
                    "warning",
                    column,
                    f"CASE WHEN {status} IS NULL OR list_contains([{_KNOWN_STATUS}], {status}) "
                    f"THEN FALSE ELSE ({rule}) = 'unrecognised' END",
                    "unknown status value; row rejected",
                    _q("t::" + column),
                )
            )
    return checks


def all_checks(
    spec: SourceSpec,
    header_union: set[str],
    limits: Thresholds,
    native: frozenset[str] = frozenset(),
) -> list[Check]:
    """Every check that applies to a source whose files carry the columns ``header_union``.

    ``native``: columns read as typed Parquet values, not text (see :func:`native_kind`).
    """
    return [
        check
        for column in spec.columns
        if column in header_union
        for check in _value_checks(spec, column, limits, column in native)
    ] + _row_checks(spec, header_union)


def reject_sql(checks: list[Check]) -> str:
    """SQL naming the first warning a row breaks (its rejection reason), else NULL."""
    reasons = [c for c in checks if c.severity == "warning"]
    if not reasons:
        return "NULL::VARCHAR"
    whens = " ".join(f"WHEN coalesce({c.condition}, FALSE) THEN {_lit(c.rule)}" for c in reasons)
    return f"CASE {whens} END"


def failure_sql(checks: list[Check]) -> tuple[str, str]:
    """SQL for the per-row check columns stored at load time, as two SELECT layers.

    The first layer evaluates each check once into a boolean ``_c<i>``; the second derives
    ``_reject`` (the row's rejection reason: first warning broken), ``_fail`` (indices into
    ``checks`` of every check failed) and ``_raw`` (the offending values), the last two NULL for
    clean rows. Checking while loading spares a second scan of every row and keeps no raw text
    column beyond the few failing rows.

    Returns
    -------
    tuple of str
        (flags, derived): select-list items of the first and of the second layer.
    """
    if not checks:
        return "", "NULL::VARCHAR AS _reject, NULL::INTEGER[] AS _fail, NULL::VARCHAR[] AS _raw"
    flags = ", ".join(f"coalesce({c.condition}, FALSE) AS _c{i}" for i, c in enumerate(checks))
    any_failed = " OR ".join(f"_c{i}" for i in range(len(checks)))
    indices = ", ".join(f"CASE WHEN _c{i} THEN {i} END" for i in range(len(checks)))
    values = ", ".join(f"CAST({c.value_sql} AS VARCHAR)" for c in checks)
    whens = " ".join(
        f"WHEN _c{i} THEN {_lit(c.rule)}" for i, c in enumerate(checks) if c.severity == "warning"
    )
    reject = f"CASE {whens} END" if whens else "NULL::VARCHAR"
    derived = (
        f"{reject} AS _reject, "
        f"CASE WHEN {any_failed} THEN list_filter([{indices}], i -> i IS NOT NULL) END AS _fail, "
        f"CASE WHEN {any_failed} THEN [{values}] END AS _raw"
    )
    return flags, derived
