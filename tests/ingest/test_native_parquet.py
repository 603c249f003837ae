"""Typed Parquet columns are read as they are, with the text path's results (issue 18, item 6).

Spark writes numbers and booleans typed. The ingest reads such a column without formatting each
value as text and parsing it back (``checks.native_kind``). The text path is the reference: the
same values written as text must give the same problems, the same rejected rows and the same
store, including the values text treats specially (NaN is a "no value" token, infinity is not a
number, 2.5 is not a whole number).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.raw_exports import FIXTURES

from evaluation.data.ingest import ingest, validate
from evaluation.data.ingest.checks import native_kind
from evaluation.data.ingest.layout import detect_layout
from evaluation.data.ingest.scan import scan_file
from evaluation.data.ingest.sources import all_sources
from evaluation.data.ingest.staging import _native_columns

#: The enrolment columns Spark writes typed, with the Arrow type they get here.
TYPED = {
    "content_progress_percentage": pa.float64(),
    "user_rating": pa.int32(),
    "karma_points": pa.float64(),
    "live_cbp_plan_mandate": pa.bool_(),
}
#: Rows added to the fixture's enrolments: (content id, column, typed value).
CLEAN_EDGES = [
    ("e-nan", "content_progress_percentage", math.nan),  # text "nan": no value, kept
    ("e-null", "karma_points", None),
    ("e-null-bool", "live_cbp_plan_mandate", None),
    ("e-120", "content_progress_percentage", 120.0),  # a warning: rejected and counted
    ("e-rating", "user_rating", 6),  # a warning
    ("e-big", "karma_points", 1e15),
]
BAD_EDGES = [
    ("e-inf", "content_progress_percentage", math.inf),  # text "inf": not a number
    ("e-minf", "karma_points", -math.inf),
    ("e-half", "karma_points", 2.5),  # not a whole number
]


def _enrolments(edges: list[tuple[str, str, object]]) -> pa.Table:
    """The fixture's enrolments, typed as Spark writes them, plus one row per edge."""
    csv = FIXTURES / "warehouse_ok" / "warehouse" / "user_enrolments.csv"
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    rows = frame.to_dict("records")
    for content_id, column, value in edges:
        row = dict(rows[1], content_id=content_id, batch_id="b9")
        row[column] = value
        rows.append(row)
    columns = {}
    for name in frame.columns:
        values = [r[name] for r in rows]
        if name in TYPED:
            values = [_typed(v, TYPED[name]) for v in values]
            columns[name] = pa.array(values, TYPED[name])
        else:
            columns[name] = pa.array(values, pa.string())
    return pa.table(columns)


def _typed(value: object, kind: pa.DataType) -> object:
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    if kind == pa.bool_():
        return value.lower() in ("true", "yes", "1")
    return int(value) if kind == pa.int32() else float(value)


def _as_text(table: pa.Table) -> pa.Table:
    """Every column as DuckDB formats it as text: what the text path reads."""
    con = duckdb.connect()
    con.register("t", table)
    cast = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in table.column_names)
    return con.execute(f"SELECT {cast} FROM t").to_arrow_table()


def _export(tmp_path: Path, name: str, table: pa.Table) -> Path:
    """The fixture's warehouse with the enrolments as a Spark Parquet folder."""
    src = Path(shutil.copytree(FIXTURES / "warehouse_ok", tmp_path / name))
    (src / "warehouse" / "user_enrolments.csv").unlink()
    folder = src / "warehouse" / "user_enrolments"
    folder.mkdir()
    pq.write_table(table, folder / "part-00000-0.c000.snappy.parquet")
    return src


def _pair(tmp_path: Path, edges: list[tuple[str, str, object]]) -> tuple[Path, Path]:
    typed = _enrolments(edges)
    return _export(tmp_path, "typed", typed), _export(tmp_path, "text", _as_text(typed))


def test_typed_columns_are_read_natively_and_text_columns_are_not(tmp_path: Path) -> None:
    typed, text = _pair(tmp_path, CLEAN_EDGES)
    spec = all_sources()["user_enrolments"]
    scans = {
        name: [scan_file(f, spec) for f in detect_layout(src).files["user_enrolments"]]
        for name, src in (("typed", typed), ("text", text))
    }
    assert _native_columns(spec, scans["typed"]) == frozenset(TYPED)
    assert _native_columns(spec, scans["text"]) == frozenset()
    # One text file among typed ones keeps the text path for the column.
    assert _native_columns(spec, scans["typed"] + scans["text"]) == frozenset()


@pytest.mark.parametrize(
    ("kind", "arrow_type", "native"),
    [
        ("pct", "double", True),
        ("int", "int64", True),
        ("rating", "uint8", True),
        ("seconds", "int32", True),
        ("bool", "bool", True),
        ("float", "float", False),  # 0.1 as float32 reads 0.100000001 through a cast
        ("float", "decimal128(10, 2)", False),
        ("bool", "int32", False),  # 2 is not a boolean: the text path says so
        ("int", "bool", False),
        ("timestamp", "timestamp[us]", False),
        ("hms", "int64", False),
        ("pct", "string", False),
    ],
)
def test_native_kinds(kind: str, arrow_type: str, native: bool) -> None:
    assert native_kind(kind, arrow_type) is native


def _problems(src: Path) -> list[tuple[str, str, int | None, str | None, str]]:
    report = validate(src)
    return sorted(
        (p.severity, p.rule, p.line, p.column, p.message)
        for p in report.problems
        if p.file.startswith("warehouse/user_enrolments")
    )


def test_bad_typed_values_give_the_text_paths_errors(tmp_path: Path) -> None:
    typed, text = _pair(tmp_path, CLEAN_EDGES + BAD_EDGES)
    found = _problems(typed)
    assert found == _problems(text)
    errors = {(rule, column) for severity, rule, _, column, _ in found if severity == "error"}
    assert errors == {
        ("wrong_type", "content_progress_percentage"),  # inf
        ("wrong_type", "karma_points"),  # -inf and 2.5
    }
    assert sum(1 for p in found if p[0] == "error") == 3


def test_typed_values_give_the_text_paths_store(tmp_path: Path) -> None:
    typed, text = _pair(tmp_path, CLEAN_EDGES)
    assert _problems(typed) == _problems(text)
    stores = {}
    for name, src in (("typed", typed), ("text", text)):
        manifest = ingest(src, tmp_path / f"out_{name}", dataset="d")
        stores[name] = manifest
    assert stores["typed"].sources == stores["text"].sources
    assert stores["typed"].sources["user_enrolments"]["rejected"] == {
        "progress_out_of_range": 1,
        "rating_out_of_range": 1,
    }
    for table in ("enrolments", "learners", "karma_ledger"):
        a = pd.read_parquet(tmp_path / "out_typed" / "d" / f"{table}.parquet")
        b = pd.read_parquet(tmp_path / "out_text" / "d" / f"{table}.parquet")
        pd.testing.assert_frame_equal(a, b, obj=table)
    enrolments = pd.read_parquet(tmp_path / "out_typed" / "d" / "enrolments.parquet")
    # Every row but the two warnings' (the fixture's own rows are clean).
    assert len(enrolments) == _enrolments(CLEAN_EDGES).num_rows - 2
