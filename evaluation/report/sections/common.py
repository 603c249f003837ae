"""Helpers shared by the comparison sections (02_groups, 04_years, 05_ministry_brief)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import pandas as pd

from evaluation.analysis import compare
from evaluation.core.vocabulary import (
    PARTICIPATION_LEVEL_NAMES,
    SMD_THRESHOLD,
    TARGET_HOURS,
    VARIABLE_LABELS,
)
from evaluation.report.disclosure import DEFAULT_MARKER, export_view, suppress
from evaluation.report.edition import Edition
from evaluation.report.tables import Column, TableSpec

#: The reader's copy of a table of pairwise tests (:func:`tests_display`); the counts are
#: disclosure-controlled, the values already text.
TESTS_SPEC = TableSpec(
    (
        Column("outcome", "Outcome"),
        Column("comparison", "Comparison"),
        Column("n_level", "Persons (first)", "count", counts_persons=True),
        Column("n_reference", "Persons (second)", "count", counts_persons=True),
        Column("value_level", "Value (first)"),
        Column("value_reference", "Value (second)"),
        Column("difference", "Difference (95 % CI)"),
        Column("effect", "Effect size"),
        Column("test", "Test"),
        Column("p", "p"),
        Column("p_adjusted", "p (Holm)"),
    )
)
#: Text cells of :data:`TESTS_SPEC` hidden when a row's counts are small.
TEST_TEXT = ["value_level", "value_reference", "difference", "effect", "p", "p_adjusted"]


# --------------------------------------------------------------------------------------------
# Small helpers shared by the sections
# --------------------------------------------------------------------------------------------


def label(variable: str, *, in_sentence: bool = False) -> str:
    """The reader's words for an analysis column (lower case inside a sentence)."""
    label = VARIABLE_LABELS.get(variable, variable.replace("_", " "))
    return label.replace(" (share)", "").lower() if in_sentence else label


#: How a comparison column is named in captions (singular, plural).
DIMENSION_NAMES: dict[str, tuple[str, str]] = {
    "group": ("group", "groups"),
    "frontline": ("frontline status", "frontline statuses"),
    "org_type": ("organisation type (central or State/UT)", "organisation types"),
}


def dimension_name(by: str, *, plural: bool = False) -> str:
    """The reader's name for comparison column ``by`` (``org_type`` -> "organisation type ...")."""
    singular, many = DIMENSION_NAMES.get(by, (by.replace("_", " "), by.replace("_", " ") + "s"))
    return many if plural else singular


def level_name(by: str, level: Hashable) -> str:
    """``Group A`` for the group column, the level itself otherwise."""
    if by == "group":
        return f"Group {level}"
    if by == "participated":
        return PARTICIPATION_LEVEL_NAMES[1] if level == 1 else PARTICIPATION_LEVEL_NAMES[0]
    return str(level).replace("_", " ")


def p_text(value: float) -> str:
    """A p-value as text: three decimals, ``<0.001`` below that, a dash when missing."""
    if value is None or pd.isna(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def pct(value: float) -> str:
    """A share as a percentage: no decimals from 10 %, one below; a dash when missing."""
    return "–" if pd.isna(value) else f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"


def is_share(values: pd.Series) -> bool:
    """Whether every present value is 0 or 1 (a share, shown as a percentage)."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(present)) and bool(present.isin([0, 1]).all())


def record_exact(
    ed: Edition,
    name: str,
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    derived: Mapping[str, str | Sequence[str]],
) -> None:
    """Write the exact-valued table as CSV, after the same disclosure control as the page."""
    published = suppress(
        frame.reset_index(drop=True),
        count_columns=list(count_columns),
        min_cell=ed.params.min_cell,
        derived=derived,
        complete=False,
    )
    ed.findings.table(name, export_view(published), caption=f"Exact values of {name}.")


def mask_small_rows(
    frame: pd.DataFrame, counts: Sequence[str], columns: Sequence[str], min_cell: int
) -> pd.DataFrame:
    """Mark text cells computed from counts of fewer than ``min_cell`` persons as suppressed.

    :func:`~evaluation.report.disclosure.suppress` hides numeric derived cells itself; figures
    already written as text (``"+5.2 pts (3.1 to 7.3)"``) are hidden here, row by row,
    whenever any of the row's ``counts`` is small (zero included, as ``suppress`` does).

    Examples
    --------
    >>> table = pd.DataFrame({"n": [5, 50], "change": ["+1", "+2"]})
    >>> mask_small_rows(table, ["n"], ["change"], 10)["change"].tolist()
    ['[c]', '+2']
    """
    small = np.logical_or.reduce(
        [pd.to_numeric(frame[c], errors="coerce").fillna(0) < min_cell for c in counts]
    )
    masked = frame.copy()
    for column in columns:
        masked[column] = masked[column].astype(object).where(~small, DEFAULT_MARKER)
    return masked


def usable_variables(frame: pd.DataFrame, variables: Sequence[str]) -> list[str]:
    """Variables present in ``frame`` with at least two distinct non-missing values.

    A constant column (``took_part_before`` when there was no earlier edition) has no
    standardised difference and no test, so it is left out rather than shown as blanks.

    Examples
    --------
    >>> usable_variables(pd.DataFrame({"a": [1, 2], "b": [0, 0]}), ["a", "b", "c"])
    ['a']
    """
    return [v for v in variables if v in frame and frame[v].dropna().nunique() >= 2]


# --------------------------------------------------------------------------------------------
# Tables shared by the group and year sections
# --------------------------------------------------------------------------------------------


def tests_display(tests: pd.DataFrame, by: str) -> pd.DataFrame:
    """A reader's copy of :func:`compare.pairwise_tests`: one line per outcome and pair.

    Shares are shown as percentages and their differences in percentage points; means with
    two decimals. Counts stay numbers (for disclosure control); p-values are text.
    """
    rows = []
    for _index, row in tests.iterrows():
        share = row["estimate_name"] == "difference in shares"
        rows.append(
            {
                "outcome": label(row["outcome"]),
                "comparison": (
                    f"{level_name(by, row['level'])} vs {level_name(by, row['reference'])}"
                ),
                "n_level": row["n_level"],
                "n_reference": row["n_reference"],
                "value_level": value_text(row["value_level"], share),
                "value_reference": value_text(row["value_reference"], share),
                "difference": difference_text(row, share),
                "effect": effect_text(row),
                "test": row["test"],
                "p": p_text(row["p_value"]),
                "p_adjusted": p_text(row["p_adjusted"]),
            }
        )
    return pd.DataFrame(rows)


def value_text(value: float, share: bool) -> str:
    """A group's value as text: a percentage for shares, two decimals for means."""
    if pd.isna(value):
        return "–"
    return pct(value) if share else f"{value:,.2f}"


def difference_text(row: pd.Series, share: bool) -> str:
    """A difference and its interval as text (percentage points for shares)."""
    if pd.isna(row["estimate"]):
        return "–"
    if row["estimate_name"].startswith("P("):
        return f"{row['estimate']:.2f} ({row['conf_low']:.2f} to {row['conf_high']:.2f})"
    # Shares in percentage points, means in their own unit.
    scale, unit, digits = (100, " pts", 1) if share else (1, "", 2)
    return (
        f"{scale * row['estimate']:+.{digits}f}{unit} "
        f"({scale * row['conf_low']:+.{digits}f} to {scale * row['conf_high']:+.{digits}f})"
    )


def effect_text(row: pd.Series) -> str:
    """A test row's effect size as text (a dash when missing)."""
    if pd.isna(row["effect_size"]):
        return "–"
    return f"{row['effect_size_name']} {row['effect_size']:+.2f}"


def show_tests(ed: Edition, name: str, tests: pd.DataFrame, by: str, caption: str) -> None:
    """Record the exact tests and show the reader's table of them."""
    counts = TESTS_SPEC.count_columns
    record_exact(ed, f"{name}_values", tests, counts, {})
    ed.show_table(
        name,
        mask_small_rows(tests_display(tests, by), counts, TEST_TEXT, ed.params.min_cell),
        caption=caption,
        spec=TESTS_SPEC,
    )


# --------------------------------------------------------------------------------------------
# 02_groups
# --------------------------------------------------------------------------------------------


def group_rows(
    people: pd.DataFrame,
    by: str,
    levels: Sequence[str] | None,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows with a level of ``by`` (only the ``levels`` shown, for the group column).

    ``columns``: keep only these (those present) beside ``by``. The rows are copied once,
    and only those columns: at national scale the whole person frame is several GB.
    """
    if columns is not None:
        people = people[list(dict.fromkeys([by, *(c for c in columns if c in people)]))]
    keep = people[by].notna()
    if levels is not None and by == "group":
        keep &= people[by].isin(list(levels))
    return people[keep]


def publishable(rates: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Rows whose counts of persons with and without the outcome reach ``min_cell``."""
    keep = (rates["count"] >= min_cell) & (rates["n"] - rates["count"] >= min_cell)
    return rates[keep]


def group_lead_sentence(
    participation: pd.DataFrame,
    target: pd.DataFrame,
    balance: pd.DataFrame,
    *,
    by: str = "group",
    target_hours: float = TARGET_HOURS,
) -> str:
    """The plain-English lead of the group comparison.

    Parameters
    ----------
    participation, target : pandas.DataFrame
        :func:`compare.unit_rates` by ``by`` of ``participated`` (among eligible persons) and
        of ``target_met`` (among participants), only publishable rows.
    balance : pandas.DataFrame
        :func:`compare.balance_table` by ``participated`` (reference 0) of pre-week measures.
    by : str
        The group column.
    target_hours : float
        The learning target, for the wording.
    """
    ordered = participation.sort_values("rate", ascending=False)
    top, bottom = ordered.iloc[0], ordered.iloc[-1]
    text = (
        f"{level_name(by, top[by])} took part most often: {pct(top['rate'])} of eligible "
        f"users (95 % CI {pct(top['conf_low'])} to {pct(top['conf_high'])}), against "
        f"{pct(bottom['rate'])} in {level_name(by, bottom[by])} "
        f"({pct(bottom['conf_low'])} to {pct(bottom['conf_high'])})."
    )
    if len(target):
        best = target.sort_values("rate", ascending=False).iloc[0]
        text += (
            f" Among participants, {level_name(by, best[by])} most often met the "
            f"{target_hours:g}-hour target ({pct(best['rate'])})."
        )
    return text + " " + imbalance_clause(balance)


def imbalance_clause(balance: pd.DataFrame) -> str:
    """A clause naming the largest imbalance in a balance table (empty when none)."""
    rows = balance[(balance["level"] != balance["reference"]) & balance["smd"].notna()]
    if rows.empty:
        return ""
    worst = rows.iloc[int(rows["smd"].abs().argmax())]
    flagged = int(rows["imbalanced"].sum())
    reference = balance[
        (balance["variable"] == worst["variable"]) & (balance["level"] == worst["reference"])
    ].iloc[0]
    return (
        f"Participants already differed before the week on {flagged} of {len(rows)} measures "
        f"(standardised difference above {SMD_THRESHOLD:g}); the largest is "
        f"{label(worst['variable'], in_sentence=True)} "
        f"({worst['mean']:,.2f} vs {reference['mean']:,.2f}, "
        f"standardised difference {worst['smd']:+.2f}), so differences in later outcomes are "
        "not by themselves effects of the week."
    )


def group_rates(people: pd.DataFrame, by: str, levels, outcome: str) -> pd.DataFrame:
    """Rate of ``outcome`` in each level of ``by``, with its interval."""
    rows = group_rows(people, by, levels, columns=[outcome])
    return compare.unit_rates(rows, unit=by, outcome=outcome)
