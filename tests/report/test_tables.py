"""The table spec alone: what a section's columns give ``Edition.show_table`` and ``suppress``."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.report.disclosure import export_view, suppress
from evaluation.report.tables import Column, TableSpec

SPEC = TableSpec(
    (
        Column("unit", "Unit"),
        Column("n", "Eligible", "count", counts_persons=True),
        Column("count", "Took part", "count", counts_persons=True),
        Column("rate", "Rate", "percent", derived_from=("count", "n")),
        Column("note"),
        Column("met", "Met the {hours:g}-hour target", "count", counts_persons=True),
    )
)


def test_properties_follow_the_columns_in_order():
    assert SPEC.rename == {
        "unit": "Unit",
        "n": "Eligible",
        "count": "Took part",
        "rate": "Rate",
        "met": "Met the {hours:g}-hour target",
    }
    assert SPEC.formats == {"n": "count", "count": "count", "rate": "percent", "met": "count"}
    assert SPEC.derived == {"rate": ["count", "n"]}
    assert SPEC.count_columns == ["n", "count", "met"]


def test_an_empty_label_is_a_heading_and_none_is_not():
    spec = TableSpec((Column("scope", ""), Column("kept")))
    assert spec.rename == {"scope": ""}


def test_filled_fills_label_fields_and_keeps_the_rest():
    filled = SPEC.filled(hours=4.0)
    assert filled.rename["met"] == "Met the 4-hour target"
    assert filled.rename["unit"] == "Unit"
    assert filled.formats == SPEC.formats
    assert filled.derived == SPEC.derived
    assert filled.count_columns == SPEC.count_columns
    assert SPEC.rename["met"] == "Met the {hours:g}-hour target"  # the constant is untouched


def test_plus_replaces_in_place_and_appends_new_columns():
    spec = SPEC.plus([Column("n", "Users", "count", counts_persons=True), Column("group", "Group")])
    assert list(spec.rename) == ["unit", "n", "count", "rate", "met", "group"]
    assert spec.rename["n"] == "Users"


def test_a_column_named_twice_is_refused():
    with pytest.raises(ValueError, match="more than once"):
        TableSpec((Column("n"), Column("n", "Persons")))


def test_columns_are_frozen():
    with pytest.raises(AttributeError):
        SPEC.columns[0].label = "Other"  # type: ignore[misc]


def test_spec_drives_suppression_like_the_literals_it_replaces():
    frame = pd.DataFrame(
        {
            "unit": ["a", "b"],
            "n": [100, 50],
            "count": [4, 30],
            "rate": [0.04, 0.6],
            "note": ["x", "y"],
            "met": [2, 20],
        }
    )
    by_spec = suppress(
        frame, count_columns=SPEC.count_columns, min_cell=10, derived=SPEC.derived, complete=False
    )
    by_hand = suppress(
        frame,
        count_columns=["n", "count", "met"],
        min_cell=10,
        derived={"rate": ["count", "n"]},
        complete=False,
    )
    pd.testing.assert_frame_equal(export_view(by_spec), export_view(by_hand))
    assert export_view(by_spec).loc[0, "rate"] == "[c]"
