"""The cross-check's keys and values keep each column in its place, missing ones included."""

from __future__ import annotations

import duckdb

from evaluation.data.ingest.crosscheck import joined_sql


def test_a_missing_value_keeps_its_place() -> None:
    # concat_ws alone skips NULLs: ("Ministry", NULL, "x") and ("Ministry", "x", NULL) would be
    # the same text, and a department read into the state column would pass unseen.
    values = "(VALUES ('M', NULL, 'x'), ('M', 'x', NULL)) t(a, b, c)"
    rows = duckdb.sql(f"SELECT {joined_sql('a', 'b', 'c')} FROM {values}").fetchall()
    assert rows == [("M | ∅ | x",), ("M | x | ∅",)]
