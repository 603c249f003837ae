"""The ingest a careful analyst would write with pandas, for ``make bench`` (issue 18, item 6).

It does the same work per raw source as :func:`evaluation.data.ingest.ingest` does before it builds
the canonical tables: read every file of the source (CSV reports with ``read_csv`` as text; Spark
Parquet folders with ``read_parquet``), parse each column by its kind with the same accepted forms
(numbers, the platform's date styles, ``HH:MM:SS`` durations, true/false and Yes/No), count values
that do not parse, reject rows breaking the same value rules (percentages outside 0-100, ratings
outside 0-5, dates before the period or in the future, negative or absurd durations, an end before
its start, a missing id), pseudonymise user ids with the same keyed hash (HMAC-SHA256, one call per
*distinct* id, as a competent pandas user would), drop direct identifiers, drop duplicate keys
keeping the latest report snapshot, and write one Parquet file per source.

It is written to be fast in pandas (vectorised parsers, a fast path before the fallbacks, hashing
distinct ids only), not as a straw man. What it does *not* do, and the workbench's ingest does:
build the canonical tables (joins, normalised groups and statuses), check the written store, the
quality signals, the cross-check between shapes and the manifest. So the ratio understates the
workbench's advantage.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation.data.ingest.sources import SourceSpec, all_sources

__all__ = ["naive_ingest"]

_NA = {"", "na", "n/a", "null", "none", "not available", "-", "nan"}
_NUMBER_KINDS = ("int", "float", "pct", "rating", "seconds", "minutes")
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y")
_HMS = re.compile(r"^\s*(\d+):([0-5]?\d):([0-5]?\d)(?:\.\d+)?\s*$")
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_FUTURE_OK = {"due_date", "Due Date of Completion", "Content_Retired_On", "event_start_datetime"}
_EVENT_DURATIONS = {"duration", "event_duration_seconds", "progress_duration"}
_LINK_COLUMNS = ("userID", "Email")


def _files(raw: Path, spec: SourceSpec) -> list[tuple[str, Path]]:
    """(report date or "", file or Parquet folder) of one source, oldest snapshot first."""
    if spec.shape == "warehouse":
        found = []
        for stem in spec.file_stems:
            folder, csv = raw / "warehouse" / stem, raw / "warehouse" / f"{stem}.csv"
            found += [("", folder)] if folder.is_dir() else [("", csv)] if csv.exists() else []
        return found
    found = []
    for folder in spec.folders():
        for stem in spec.file_stems:
            # Large reports are split into UserReport1.csv, UserReport2.csv, ...
            for path in (raw / "reports" / folder).glob(f"*/**/{stem}*.csv"):
                if path.stem[len(stem) :].isdigit() or path.stem == stem:
                    found.append((path.relative_to(raw / "reports" / folder).parts[0], path))
    return sorted(found)


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if path.is_dir():
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return frame[[c for c in columns if c in frame.columns]]


def _text(series: pd.Series) -> pd.Series:
    """Raw values as stripped text with the "no value" tokens as missing."""
    text = series.astype("str").str.strip()
    return text.mask(text.str.lower().isin(_NA))


def _hms_hours(text: pd.Series) -> pd.Series:
    parts = text.str.extract(_HMS).astype(float)
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _timestamps(text: pd.Series) -> pd.Series:
    # The Spark pattern "HH:mm:ss a" writes a 24-hour clock with a marker: drop the marker.
    text = text.str.replace(r"\s*[AaPp]\.?[Mm]\.?$", "", regex=True)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    todo = parsed.isna() & text.notna()
    if todo.any():
        two_digit_year = r"^(\d{1,2}/\d{1,2}/)(\d{2})(\s|$)"
        rest = text[todo].str.replace(two_digit_year, r"\g<1>20\2\3", regex=True)
        for fmt in _DATE_FORMATS:
            parsed.loc[rest.index] = parsed.loc[rest.index].fillna(
                pd.to_datetime(rest, format=fmt, errors="coerce")
            )
    return parsed


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty")


def _parse(series: pd.Series, kind: str) -> pd.Series:
    if not _is_text(series):
        # Parquet columns Spark wrote typed (numbers, booleans, dates) need no parsing.
        if kind in ("timestamp", "date"):
            return pd.to_datetime(series, errors="coerce")
        return series.astype(float) if kind in _NUMBER_KINDS else series
    text = _text(series)
    if kind in _NUMBER_KINDS:
        number = pd.to_numeric(text, errors="coerce")
        if kind in ("seconds", "minutes"):
            per_hour = 3600 if kind == "seconds" else 60
            number = number.fillna(_hms_hours(text) * per_hour)
        return number.where(np.isfinite(number))
    if kind in ("timestamp", "date"):
        return _timestamps(text)
    if kind == "hms":
        return _hms_hours(text)
    if kind == "bool":
        lower = text.str.lower()
        return lower.map(lambda v: True if v in _TRUE else False if v in _FALSE else None)
    # Ids and text: only an empty value is missing ("NA" may be an id); ids lose outer blanks.
    kept = series.astype("str").str.strip() if kind in ("id", "user_id") else series
    return kept.mask(kept == "")


def _hash(values: pd.Series, salt: bytes) -> pd.Series:
    distinct = values.dropna().unique()
    keys = {v: hmac.digest(salt, str(v).encode(), hashlib.sha256).hex() for v in distinct}
    return values.map(keys)


def _rejects(frame: pd.DataFrame, spec: SourceSpec, period: tuple[date, datetime]) -> pd.Series:
    """Rows breaking a value rule (the workbench's warnings: rejected and counted)."""
    start, end = pd.Timestamp(period[0]), pd.Timestamp(period[1] + timedelta(days=1))
    bad = pd.Series(False, index=frame.index)
    for column, kind in spec.columns.items():
        if column not in frame.columns:
            continue
        value = frame[column]
        if kind == "pct":
            bad |= (value < 0) | (value > 100)
        elif kind == "rating":
            bad |= (value < 0) | (value > 5)
        elif kind in ("timestamp", "date"):
            bad |= value < start
            if column not in _FUTURE_OK:
                bad |= value > end
        elif kind in ("hms", "seconds", "minutes"):
            per_hour = {"hms": 1.0, "seconds": 3600.0, "minutes": 60.0}[kind]
            limit = 24.0 if column in _EVENT_DURATIONS else 1000.0
            bad |= (value < 0) | (value / per_hour > limit)
    for first, last in spec.pairs:
        if first in frame.columns and last in frame.columns:
            bad |= frame[last] < frame[first]
    return bad.fillna(False)


def _one_source(
    raw: Path, out: Path, spec: SourceSpec, salt: bytes, period: tuple[date, datetime]
) -> dict[str, int]:
    files = _files(raw, spec)
    if not files:
        return {}
    columns = list(spec.columns)
    frames = []
    for snapshot, path in files:
        frame = _read(path, columns)
        frame["_snapshot"] = snapshot
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    unparsed = 0
    for column, kind in spec.columns.items():
        if column not in frame.columns or kind == "pii" and column not in _LINK_COLUMNS:
            continue
        parsed = _parse(frame[column], kind)
        if kind not in ("text", "id", "user_id", "pii") and _is_text(frame[column]):
            unparsed += int((parsed.isna() & _text(frame[column]).notna()).sum())
        frame[column] = parsed
    rejected = _rejects(frame, spec, period)
    if "link_id" in spec.key:
        # Person reports link people by user id, else by the e-mail, normalised, then hashed.
        link = frame.get("userID", pd.Series(None, frame.index, dtype="str"))
        if "Email" in frame.columns:
            link = link.fillna(frame["Email"].str.strip().str.lower())
        frame["link_id"] = _hash(link, salt)
    for column, kind in spec.columns.items():
        if kind == "user_id" and column in frame.columns:
            frame[column] = _hash(frame[column], salt)
    keys = [c for c in spec.key if c in frame.columns]
    ids = [c for c in keys if spec.columns.get(c) in ("id", "user_id") or c == "link_id"]
    rejected |= frame[ids].isna().any(axis=1) if ids else False
    kept = frame[~rejected].drop(
        columns=[c for c, k in spec.columns.items() if k == "pii"], errors="ignore"
    )
    if keys:
        kept = kept.sort_values("_snapshot", kind="stable").drop_duplicates(keys, keep="last")
    kept.drop(columns="_snapshot").to_parquet(out / f"{spec.name}.parquet", index=False)
    return {
        "read": len(frame),
        "kept": len(kept),
        "rejected": int(rejected.sum()),
        "unparsed": unparsed,
    }


def naive_ingest(
    raw: Path, out: Path, *, salt: bytes, period: tuple[date, datetime]
) -> dict[str, dict[str, int]]:
    """Ingest ``raw`` into ``out`` with pandas; returns rows read, kept and rejected per source.

    Parameters
    ----------
    raw : Path
        A raw export folder (``warehouse/`` and/or ``reports/``).
    out : Path
        Folder for one Parquet file per source (created).
    salt : bytes
        HMAC key for the user ids.
    period : (date, datetime)
        The data period: earlier dates and later timestamps are rejected.
    """
    out.mkdir(parents=True, exist_ok=True)
    result = {}
    for spec in all_sources().values():
        facts = _one_source(raw, out, spec, salt, period)
        if facts:
            result[spec.name] = facts
    return result
