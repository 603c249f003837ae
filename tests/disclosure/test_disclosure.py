"""Tests of small-cell suppression: edge cases, an attacker's linear programme, a property test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from evaluation.report import disclosure


def with_totals(body: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """A count table with a row-total column and a "Total" row, all additive."""
    frame = pd.DataFrame(body, columns=columns, index=[f"r{i}" for i in range(len(body))])
    frame["total"] = frame[columns].sum(axis=1)
    frame.loc["Total"] = frame.sum(axis=0)
    return frame


def flags(result: pd.DataFrame, column: str) -> list[bool]:
    return result[f"{column}_suppressed"].tolist()


# ----------------------------------------------------------------------------- edge cases


def test_exactly_min_cell_is_published_and_one_below_is_not():
    table = pd.DataFrame({"n": [10, 9, 11]}, index=list("abc"))
    result = disclosure.suppress(table, count_columns=["n"])
    assert flags(result, "n") == [False, True, False]
    assert result.loc["a", "n"] == 10
    assert result["n"].isna().tolist() == [False, True, False]


def test_min_cell_is_a_parameter():
    table = pd.DataFrame({"n": [4, 5]}, index=list("ab"))
    result = disclosure.suppress(table, count_columns=["n"], min_cell=5)
    assert flags(result, "n") == [True, False]


def test_zero_is_suppressed_by_default_and_kept_on_request():
    table = pd.DataFrame({"n": [0, 25]}, index=list("ab"))
    assert flags(disclosure.suppress(table, count_columns=["n"]), "n") == [True, False]
    kept = disclosure.suppress(table, count_columns=["n"], suppress_zeros=False)
    assert flags(kept, "n") == [False, False]
    assert kept.loc["a", "n"] == 0


def test_one_small_cell_in_a_row_with_a_total_takes_the_next_smallest_with_it():
    table = pd.DataFrame(
        {"A": [3, 40], "B": [25, 30], "C": [60, 12], "total": [88, 82]}, index=["x", "y"]
    )
    result = disclosure.suppress(table, count_columns=["A", "B", "C"], row_total="total")
    # row x: A = 3 is small; B = 25 is the next smallest; C and the total stay
    assert result.loc["x", ["A_suppressed", "B_suppressed", "C_suppressed"]].tolist() == [
        True,
        True,
        False,
    ]
    assert not result.loc["x", "total_suppressed"]
    assert not result.loc["y", ["A_suppressed", "B_suppressed", "C_suppressed"]].any()
    assert result.attrs["disclosure"] == {"min_cell": 10, "primary": 1, "complementary": 1}


def test_two_small_cells_whose_sum_is_still_small_take_a_third():
    table = pd.DataFrame({"A": [3], "B": [4], "C": [50], "total": [57]}, index=["x"])
    result = disclosure.suppress(table, count_columns=["A", "B", "C"], row_total="total")
    # 3 + 4 = 7 < 10 would be published by difference: C goes too
    assert result.loc["x", ["A_suppressed", "B_suppressed", "C_suppressed"]].all()
    assert not result.loc["x", "total_suppressed"]


def test_single_part_row_suppresses_its_total():
    table = pd.DataFrame({"A": [4], "total": [4]}, index=["x"])
    result = disclosure.suppress(table, count_columns=["A"], row_total="total")
    assert result.loc["x", "total_suppressed"]


def test_column_total_row_protects_columns_and_the_pattern_is_a_rectangle():
    table = with_totals(np.array([[3, 40, 30], [20, 25, 50], [30, 31, 32]]), ["A", "B", "C"])
    result = disclosure.suppress(
        table, count_columns=["A", "B", "C"], row_total="total", total_row="Total"
    )
    hidden = result[["A_suppressed", "B_suppressed", "C_suppressed"]].to_numpy()
    assert hidden[0, 0]
    # every row and column of the body has zero or at least two suppressed cells
    assert set(hidden[:3].sum(axis=1)) <= {0, 2, 3}
    assert set(hidden[:3].sum(axis=0)) <= {0, 2, 3}
    assert disclosure.check_min_cell(
        result, count_columns=["A", "B", "C"], row_total="total", total_row="Total"
    ).empty


def test_all_cells_small_suppresses_everything_that_is_small():
    table = with_totals(np.array([[1, 2], [3, 2]]), ["A", "B"])
    result = disclosure.suppress(
        table, count_columns=["A", "B"], row_total="total", total_row="Total"
    )
    body = result.loc[["r0", "r1"], ["A_suppressed", "B_suppressed", "total_suppressed"]]
    assert body.to_numpy().all()
    assert result.loc["Total", "total"] is pd.NA or result.loc["Total", "total_suppressed"]
    assert disclosure.check_min_cell(
        result, count_columns=["A", "B"], row_total="total", total_row="Total"
    ).empty


def test_incomplete_parts_protect_a_small_remainder():
    # 45 of 50 participated: the 5 who did not would be published by difference
    table = pd.DataFrame({"n": [50, 200], "count": [45, 100]}, index=["p", "q"])
    table["rate"] = table["count"] / table["n"]
    derived = {"rate": ["count", "n"]}
    result = disclosure.suppress(
        table, count_columns=["count"], row_total="n", complete=False, derived=derived
    )
    assert flags(result, "count") == [True, False]
    assert flags(result, "rate") == [True, False]
    assert flags(result, "n") == [False, False]
    assert pd.isna(result.loc["p", "rate"])
    assert result.loc["q", "rate"] == pytest.approx(0.5)


def test_full_rate_is_not_a_published_zero():
    table = pd.DataFrame({"n": [50], "count": [50]}, index=["p"])
    result = disclosure.suppress(table, count_columns=["count"], row_total="n", complete=False)
    assert not result.loc["p", "count_suppressed"]


def test_derived_figures_follow_their_counts():
    table = pd.DataFrame({"n": [5, 50], "mean_hours": [3.2, 4.1]}, index=["a", "b"])
    result = disclosure.suppress(table, count_columns=["n"], derived={"mean_hours": "n"})
    assert flags(result, "mean_hours") == [True, False]
    assert result["mean_hours"].isna().tolist() == [True, False]


def test_export_view_marks_instead_of_dropping():
    table = pd.DataFrame({"n": [5, 50], "mean_hours": [3.2, 4.1]}, index=["a", "b"])
    result = disclosure.suppress(table, count_columns=["n"], derived={"mean_hours": "n"})
    view = disclosure.export_view(result)
    assert list(view.columns) == ["n", "mean_hours"]
    assert list(view.index) == ["a", "b"]
    assert view.loc["a", "n"] == "[c]"
    assert view.loc["a", "mean_hours"] == "[c]"
    assert view.loc["b", "n"] == 50
    assert disclosure.export_view(result, marker="<10").loc["a", "n"] == "<10"


def test_input_table_is_not_modified():
    table = pd.DataFrame({"n": [5, 50]}, index=["a", "b"])
    before = table.copy()
    disclosure.suppress(table, count_columns=["n"])
    pd.testing.assert_frame_equal(table, before)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"count_columns": ["missing"]}, "not in table"),
        ({"count_columns": ["A"], "row_total": "total", "min_cell": 0}, "min_cell"),
        ({"count_columns": ["A"], "total_row": "nope"}, "total_row"),
        ({"count_columns": ["A", "B"], "row_total": "bad_total"}, "add up"),
        ({"count_columns": ["A"], "derived": {"rate": "A"}}, "derived"),
    ],
)
def test_bad_input_raises(kwargs, match):
    table = pd.DataFrame({"A": [20, 30], "B": [40, 50], "total": [60, 80], "bad_total": [1, 2]})
    with pytest.raises(ValueError, match=match):
        disclosure.suppress(table, **kwargs)


def test_negative_counts_are_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        disclosure.suppress(pd.DataFrame({"n": [-1, 20]}), count_columns=["n"])


# ----------------------------------------------------------------------------- the audit


def test_check_min_cell_reports_each_kind_of_violation():
    table = pd.DataFrame(
        {"A": [pd.NA, 40], "B": [25, 30], "total": [28, 70], "rate": [0.1, 0.5]},
        index=["x", "y"],
    )
    violations = disclosure.check_min_cell(
        table, count_columns=["A", "B"], row_total="total", derived={"rate": "A"}
    )
    rules = dict(zip(violations["rule"], violations["value"], strict=True))
    # A is suppressed alone: 28 - 25 = 3 is recoverable and a small difference
    assert rules["recoverable"] == pytest.approx(3.0)
    assert rules["small_difference"] == pytest.approx(3.0)
    assert rules["derived_from_suppressed"] == pytest.approx(0.1)
    raw = pd.DataFrame({"n": [9, 10]}, index=["a", "b"])
    small = disclosure.check_min_cell(raw, count_columns=["n"])
    assert small[["row", "column", "value", "rule"]].values.tolist() == [
        ["a", "n", 9.0, "small_cell"]
    ]


def test_audit_finds_a_cell_recoverable_only_through_a_chain_of_lines():
    # Two hidden rectangles joined by one hidden "bridge" cell r0/c2: every row and column
    # hides two or three cells, so the line rule is satisfied, yet summing the equations of
    # rows r2, r3 and columns c2, c3 isolates the bridge.
    body = np.arange(16).reshape(4, 4) * 3 + 20
    table = with_totals(body, ["c0", "c1", "c2", "c3"]).astype(float)
    hidden = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (0, 2)]
    for row, col in hidden:
        table.iloc[row, col] = np.nan
    options = {"count_columns": ["c0", "c1", "c2", "c3"], "row_total": "total"}
    violations = disclosure.check_min_cell(table, total_row="Total", **options)
    assert set(violations["rule"]) == {"recoverable"}
    recovered = violations.set_index(["row", "column"])["value"]
    assert recovered.index.tolist() == [("r0", "c2")]
    assert recovered[("r0", "c2")] == pytest.approx(body[0, 2])


# ----------------------------------------------------------------------------- properties


def attacker_bounds(result: pd.DataFrame, parts: list[str]) -> dict[tuple[str, str], tuple]:
    """Bounds an attacker gets on each suppressed cell by linear programming.

    Unknowns are the suppressed cells (non-negative); constraints are every row and column
    line whose total is published. This is independent of the null-space audit.
    """
    columns = [*parts, "total"]
    hidden = [
        (row, column)
        for row in result.index
        for column in columns
        if result.loc[row, f"{column}_suppressed"]
    ]
    position = {cell: i for i, cell in enumerate(hidden)}
    lines = [([(row, c) for c in parts], (row, "total")) for row in result.index]
    body = [row for row in result.index if row != "Total"]
    lines += [([(row, c) for row in body], ("Total", c)) for c in columns]
    a_eq, b_eq = [], []
    for line_parts, total in lines:
        coefficients = np.zeros(len(hidden))
        known = 0.0
        for cell, sign in [(cell, 1.0) for cell in line_parts] + [(total, -1.0)]:
            if cell in position:
                coefficients[position[cell]] = sign
            else:
                known += sign * float(result.loc[cell])
        if coefficients.any():
            a_eq.append(coefficients)
            b_eq.append(-known)
    bounds = {}
    for cell, i in position.items():
        objective = np.zeros(len(hidden))
        objective[i] = 1.0
        if not a_eq:
            bounds[cell] = (0.0, np.inf)
            continue
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        upper = -high.fun if high.status == 0 else np.inf
        bounds[cell] = (low.fun, upper)
    return bounds


tables = st.integers(min_value=1, max_value=4).flatmap(
    lambda n_rows: st.integers(min_value=1, max_value=4).flatmap(
        lambda n_cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=40), min_size=n_cols, max_size=n_cols),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=tables, min_cell=st.integers(min_value=1, max_value=15), zeros=st.booleans())
# found by hypothesis in a clean-clone run (2026-12-03): the null-space check passed, but with
# counts non-negative r0's and r1's hidden zeros had to be zero (rule 4 of suppress)
@example(body=[[0, 0, 0], [0, 0, 1], [0, 1, 1]], min_cell=1, zeros=True)
def test_no_suppressed_table_breaks_the_rule(body, min_cell, zeros):
    parts = [f"c{i}" for i in range(len(body[0]))]
    table = with_totals(np.array(body), parts)
    options = {
        "count_columns": parts,
        "row_total": "total",
        "total_row": "Total",
        "min_cell": min_cell,
        "suppress_zeros": zeros,
    }
    result = disclosure.suppress(table, **options)
    # 1. the audit finds nothing
    assert disclosure.check_min_cell(result, **options).empty
    # 2. nothing below min_cell is printed (zeros only if allowed), every gap is marked
    for column in [*parts, "total"]:
        shown = result[column].dropna()
        assert ((shown >= min_cell) | ((shown == 0) & (not zeros))).all()
        assert (result[column].isna() == result[f"{column}_suppressed"]).all()
        # 3. published values are the original ones
        original = table.loc[shown.index, column]
        assert (shown.astype(float) == original.astype(float)).all()
    # 4. an attacker solving the linear programme cannot pin any sensitive suppressed cell
    # (a count below min_cell, or a zero when zeros are sensitive). A complementary cell may be
    # pinned when its value is publishable anyway: hypothesis found [[0,0,1,0],[7,0,6,0],
    # [7,1,0,6]], min_cell 7, where row r1's two zeros are implied by the totals; learning
    # that a publishable zero is zero discloses nothing, and every small cell keeps a range of 7.
    for (row, column), (low, high) in attacker_bounds(result, parts).items():
        value = float(table.loc[row, column])
        sensitive = 0 < value < min_cell or (value == 0 and zeros)
        if sensitive:
            assert high - low >= 1 - 1e-6, (row, column)
        else:
            assert low - 1e-6 <= value <= high + 1e-6, (row, column)  # bounds are consistent


@settings(max_examples=100, deadline=None)
@given(
    counts=st.lists(
        st.tuples(st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60)),
        min_size=1,
        max_size=8,
    ),
)
def test_incomplete_rate_tables_never_reveal_a_small_group(counts):
    table = pd.DataFrame(
        {"count": [a for a, _ in counts], "n": [a + b for a, b in counts]},
        index=[f"u{i}" for i in range(len(counts))],
    )
    options = {"count_columns": ["count"], "row_total": "n", "complete": False}
    result = disclosure.suppress(table, **options)
    assert disclosure.check_min_cell(result, **options).empty
    published = result.dropna(subset=["count", "n"])
    non_participants = published["n"] - published["count"]
    assert ((non_participants == 0) | (non_participants >= 10)).all()


# ---------------------------------------------------------------- parts of a whole (rates)


def _rates(users: list[int], participants: list[int]) -> pd.DataFrame:
    frame = pd.DataFrame({"users": users, "participants": participants}, index=["a", "b", "c"])
    return frame.assign(rate=frame["participants"] / frame["users"])


def test_a_rate_that_reveals_a_small_complement_is_suppressed() -> None:
    # 10 of 11 users took part: the 91 % rate publishes 1 non-participant as surely as a count.
    table = _rates([11, 200, 40], [10, 120, 40])
    out = disclosure.suppress(
        table,
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
        parts_of={"participants": "users"},
    )
    assert out["participants_suppressed"].tolist() == [True, False, False]
    assert out["rate_suppressed"].tolist() == [True, False, False]
    assert out["users_suppressed"].tolist() == [False, False, False]
    # 40 of 40 (a remainder of 0) is not a small cell: everyone is the whole, nobody singled out.
    assert out.loc["c", "rate"] == 1.0
    # Without the declaration the same table passes, as it did before the rule.
    plain = disclosure.suppress(
        table,
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
    )
    assert not plain["rate_suppressed"].any()


def test_a_rate_over_a_small_denominator_is_suppressed() -> None:
    out = disclosure.suppress(
        _rates([9, 200, 40], [5, 120, 20]),
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
        parts_of={"participants": "users"},
    )
    assert out["users_suppressed"].tolist() == [True, False, False]
    assert out["rate_suppressed"].tolist() == [True, False, False]


def test_the_audit_finds_a_published_small_complement() -> None:
    table = _rates([11, 200, 40], [10, 120, 40])
    violations = disclosure.check_min_cell(
        table,
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
        parts_of={"participants": "users"},
    )
    assert violations[["row", "column", "value", "rule"]].values.tolist() == [
        ["a", "users", 1.0, "small_difference"]
    ]
    safe = disclosure.suppress(
        table,
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
        parts_of={"participants": "users"},
    )
    assert disclosure.check_min_cell(
        safe,
        count_columns=["users", "participants"],
        derived={"rate": ["participants", "users"]},
        complete=False,
        parts_of={"participants": "users"},
    ).empty


def test_parts_of_must_name_count_columns() -> None:
    with pytest.raises(ValueError, match="parts_of names columns that are not count columns"):
        disclosure.suppress(
            _rates([11, 20, 40], [10, 12, 40]),
            count_columns=["users"],
            complete=False,
            parts_of={"participants": "users"},
        )
