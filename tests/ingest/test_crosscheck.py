"""The cross-check's keys and values keep each column in its place, missing ones included."""

from __future__ import annotations

import duckdb

from evaluation.data.ingest.crosscheck import _joined


def test_a_missing_value_keeps_its_place() -> None:
    # concat_ws alone skips NULLs: ("Ministry", NULL, "x") and ("Ministry", "x", NULL) would be
    # the same text, and a department read into the state column would pass unseen.
    rows = duckdb.sql(
        f"SELECT {_joined('a', 'b', 'c')} FROM (VALUES ('M', NULL, 'x'), ('M', 'x', NULL)) t(a, b, c)"
    ).fetchall()
    assert rows == [("M | ∅ | x",), ("M | x | ∅",)]
