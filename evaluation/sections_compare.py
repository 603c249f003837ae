"""Report sections that compare groups, editions (years) and one ministry with its peers.

The sections of ``02_groups``, ``04_years`` and ``05_ministry_brief``.

Each ``*_section`` function takes an opened :class:`~evaluation.notebook.Edition` and frames
built by the helpers here, records every number in findings and shows it in plain English; the
notebooks call one function per section so they stay drivers. The statistics live in
:mod:`evaluation.compare`; this module chooses what to compare, words it, and sends every table
that counts persons through disclosure control (``params.min_cell``).

Conventions: 95 % intervals; differences are ``level - reference`` (groups) and ``current -
previous`` (editions); a *family* of adjusted p-values (Holm) is one shown table.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Hashable, Mapping, Sequence

import ibis
import numpy as np
import pandas as pd
from ibis import _

from evaluation import compare, describe, figures, panel
from evaluation.disclosure import DEFAULT_MARKER, export_view, suppress
from evaluation.figures import CaptionedFigure
from evaluation.formatting import format_count
from evaluation.params import Params, Window, load_params, project_root

__all__ = [
    "COVARIATES",
    "VARIABLE_LABELS",
    "choose_ministry",
    "edition_people",
    "group_balance_section",
    "group_lead_sentence",
    "group_tests_section",
    "groups_summary_section",
    "kpi_changes",
    "leaderboard_position",
    "mask_small_rows",
    "ministry_funnel_section",
    "ministry_leaderboard_section",
    "ministry_people",
    "ministry_scope_table",
    "ministry_shrinkage_section",
    "ministry_summary_section",
    "participation_balance_section",
    "previous_kpis",
    "previous_params",
    "rank_changes_section",
    "rank_movers",
    "returning_section",
    "tests_display",
    "two_editions",
    "usable_variables",
    "year_kpis_section",
    "years_summary_section",
]

#: Measured before the week: what a balance table checks.
COVARIATES: tuple[str, ...] = (
    "completions_pre_365d",
    "course_hours_pre_365d",
    "completions_pre_90d",
    "tenure_years",
    "took_part_before",
    "assessment_pre",
)

#: Words a reader sees for each analysis column.
VARIABLE_LABELS: dict[str, str] = {
    "participated": "Took part in the week (share)",
    "target_met": "Met the learning target (share)",
    "hours_in_week": "Learning hours in the week",
    "completions_pre_365d": "Completions in the year before",
    "course_hours_pre_365d": "Course hours in the year before",
    "completions_pre_90d": "Completions in the 90 days before",
    "tenure_years": "Years since registration",
    "took_part_before": "Took part in the previous edition (share)",
    "assessment_pre": "Assessment score before (0-100)",
    "completions_90d": "Completions in the 90 days after",
    "learning_hours_90d": "Learning hours in the 90 days after",
    "acbp_on_time": "ACBP courses done on time (share)",
    "assessment_score": "Assessment score after (0-100)",
}

_TEST_COUNTS = ["n_level", "n_reference"]
_TEST_TEXT = ["value_level", "value_reference", "difference", "effect", "p", "p_adjusted"]


# --------------------------------------------------------------------------------------------
# Small helpers shared by the sections
# --------------------------------------------------------------------------------------------


def _label(variable: str, *, in_sentence: bool = False) -> str:
    label = VARIABLE_LABELS.get(variable, variable.replace("_", " "))
    return label.replace(" (share)", "").lower() if in_sentence else label


def _level_name(by: str, level: Hashable) -> str:
    """``Group A`` for the group column, the level itself otherwise."""
    if by == "group":
        return f"Group {level}"
    if by == "participated":
        return "participants" if level == 1 else "non-participants"
    return str(level).replace("_", " ")


def _p_text(value: float) -> str:
    if value is None or pd.isna(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _pct(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"


def _is_share(values: pd.Series) -> bool:
    present = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(present)) and bool(present.isin([0, 1]).all())


def _record_exact(
    ed, name: str, frame: pd.DataFrame, count_columns: Sequence[str], derived: Mapping
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

    :func:`~evaluation.disclosure.suppress` hides numeric derived cells itself; figures
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
# Building the frames (the engine does the work; notebooks call these)
# --------------------------------------------------------------------------------------------


def previous_params(params: Params) -> Params | None:
    """The params of ``params.previous_edition`` (``params/<edition>.yaml``), or None.

    Only its window is used: the previous edition is measured with this edition's definitions
    (target hours, follow-up) and data, so the two are comparable.
    """
    if not params.previous_edition:
        return None
    return load_params(project_root() / "params" / f"{params.previous_edition}.yaml")


def edition_people(ed) -> pd.DataFrame:
    """Person x edition frame of this edition, ``took_part_before`` set from the previous one."""
    earlier = previous_params(ed.params)
    return panel.person_edition(
        ed.store,
        ed.params.window,
        target_hours=ed.params.target_hours,
        earlier_windows=[earlier.window] if earlier else [],
    )


def two_editions(ed, current: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Rows of the previous and this edition stacked with an ``edition`` column (or None).

    Both editions use this edition's target hours and follow-up, so each KPI has identical
    definitions; eligibility (registered before the week) is each edition's own.
    """
    earlier = previous_params(ed.params)
    if earlier is None:
        return None
    current = edition_people(ed) if current is None else current
    before = panel.person_edition(ed.store, earlier.window, target_hours=ed.params.target_hours)
    return pd.concat(
        [before.assign(edition=earlier.edition), current.assign(edition=ed.params.edition)],
        ignore_index=True,
    )


def previous_kpis(ed) -> describe.ParticipationKPIs | None:
    """Headline KPIs of the previous edition under this edition's target (or None)."""
    earlier = previous_params(ed.params)
    if earlier is None:
        return None
    return describe.participation_kpis(ed.store, earlier.window, ed.params.target_hours)


def _karma_in_week(store, window: Window) -> pd.DataFrame:
    """Karma points credited to each person inside the window (persons with none left out)."""
    columns = ["user_key", "karma_points"]
    if not store.has("karma_ledger"):
        return pd.DataFrame(columns=columns)
    ledger = store.table("karma_ledger")
    start = ibis.timestamp(dt.datetime.combine(window.start, dt.time()))
    end = ibis.timestamp(dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time()))
    inside = ledger.filter((ledger.credit_date >= start) & (ledger.credit_date < end))
    return inside.group_by("user_key").aggregate(karma_points=_.points.sum()).to_pandas()


def ministry_people(ed) -> pd.DataFrame:
    """Eligible persons of this edition with the karma points they earned in the week."""
    people = edition_people(ed)
    points = _karma_in_week(ed.store, ed.params.window)
    people = people.merge(points, on="user_key", how="left")
    people["karma_points"] = people["karma_points"].fillna(0).astype("float64")
    return people


def choose_ministry(people: pd.DataFrame, ministry: str | None) -> str:
    """The ministry of the brief: the one asked for, or the one with the most participants.

    Raises
    ------
    ValueError
        The ministry asked for is not in the data (with the closest name).

    Examples
    --------
    >>> people = pd.DataFrame({"ministry": ["a", "b", "b"], "participated": [1, 1, 1]})
    >>> choose_ministry(people, None)
    'b'
    """
    known = people.loc[people["ministry"] != "Unknown", "ministry"].dropna().unique().tolist()
    if ministry is None:
        counts = people.groupby("ministry", observed=True)["participated"].sum()
        counts = counts[counts.index.isin(known)]
        # Largest first; ties broken by name so the choice is reproducible.
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
    if ministry not in known:
        close = difflib.get_close_matches(ministry, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"ministry {ministry!r} is not in the data{hint}")
    return ministry


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
                "outcome": _label(row["outcome"]),
                "comparison": (
                    f"{_level_name(by, row['level'])} vs {_level_name(by, row['reference'])}"
                ),
                "n_level": row["n_level"],
                "n_reference": row["n_reference"],
                "value_level": _value_text(row["value_level"], share),
                "value_reference": _value_text(row["value_reference"], share),
                "difference": _difference_text(row, share),
                "effect": _effect_text(row),
                "test": row["test"],
                "p": _p_text(row["p_value"]),
                "p_adjusted": _p_text(row["p_adjusted"]),
            }
        )
    return pd.DataFrame(rows)


def _value_text(value: float, share: bool) -> str:
    if pd.isna(value):
        return "–"
    return _pct(value) if share else f"{value:,.2f}"


def _difference_text(row: pd.Series, share: bool) -> str:
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


def _effect_text(row: pd.Series) -> str:
    if pd.isna(row["effect_size"]):
        return "–"
    return f"{row['effect_size_name']} {row['effect_size']:+.2f}"


_TEST_RENAME = {
    "outcome": "Outcome",
    "comparison": "Comparison",
    "n_level": "Persons (first)",
    "n_reference": "Persons (second)",
    "value_level": "Value (first)",
    "value_reference": "Value (second)",
    "difference": "Difference (95 % CI)",
    "effect": "Effect size",
    "test": "Test",
    "p": "p",
    "p_adjusted": "p (Holm)",
}


def _show_tests(ed, name: str, tests: pd.DataFrame, by: str, caption: str) -> None:
    _record_exact(ed, f"{name}_values", tests, _TEST_COUNTS, {})
    ed.show_table(
        name,
        mask_small_rows(tests_display(tests, by), _TEST_COUNTS, _TEST_TEXT, ed.params.min_cell),
        caption=caption,
        count_columns=_TEST_COUNTS,
        formats={"n_level": "count", "n_reference": "count"},
        rename=_TEST_RENAME,
    )


# --------------------------------------------------------------------------------------------
# 02_groups
# --------------------------------------------------------------------------------------------


def _group_rows(people: pd.DataFrame, by: str, levels: Sequence[str] | None) -> pd.DataFrame:
    rows = people[people[by].notna()]
    if levels is not None and by == "group":
        rows = rows[rows[by].isin(list(levels))]
    return rows


def _publishable(rates: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Rows whose counts of persons with and without the outcome reach ``min_cell``."""
    keep = (rates["count"] >= min_cell) & (rates["n"] - rates["count"] >= min_cell)
    return rates[keep]


def group_lead_sentence(
    participation: pd.DataFrame,
    target: pd.DataFrame,
    balance: pd.DataFrame,
    *,
    by: str = "group",
    target_hours: float = 4.0,
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
        f"{_level_name(by, top[by])} took part most often: {_pct(top['rate'])} of eligible "
        f"users (95 % CI {_pct(top['conf_low'])} to {_pct(top['conf_high'])}), against "
        f"{_pct(bottom['rate'])} in {_level_name(by, bottom[by])} "
        f"({_pct(bottom['conf_low'])} to {_pct(bottom['conf_high'])})."
    )
    if len(target):
        best = target.sort_values("rate", ascending=False).iloc[0]
        text += (
            f" Among participants, {_level_name(by, best[by])} most often met the "
            f"{target_hours:g}-hour target ({_pct(best['rate'])})."
        )
    return text + " " + _imbalance_clause(balance)


def _imbalance_clause(balance: pd.DataFrame) -> str:
    rows = balance[(balance["level"] != balance["reference"]) & balance["smd"].notna()]
    if rows.empty:
        return ""
    worst = rows.loc[rows["smd"].abs().idxmax()]
    flagged = int(rows["imbalanced"].sum())
    reference = balance[
        (balance["variable"] == worst["variable"]) & (balance["level"] == worst["reference"])
    ].iloc[0]
    return (
        f"Participants already differed before the week on {flagged} of {len(rows)} measures "
        f"(standardised difference above {compare.SMD_THRESHOLD:g}); the largest is "
        f"{_label(worst['variable'], in_sentence=True)} "
        f"({worst['mean']:,.2f} vs {reference['mean']:,.2f}, "
        f"standardised difference {worst['smd']:+.2f}), so differences in later outcomes are "
        "not by themselves effects of the week."
    )


def _group_rates(people: pd.DataFrame, by: str, levels, outcome: str) -> pd.DataFrame:
    rows = _group_rows(people, by, levels)
    return compare.unit_rates(rows, unit=by, outcome=outcome)


def groups_summary_section(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Lead sentence, participation and target rates by group, and the group figure."""
    p = ed.params
    participation = _group_rates(people, by, p.groups, "participated")
    target = _group_rates(people[people["participated"] == 1], by, p.groups, "target_met")
    covariates = usable_variables(people, COVARIATES)
    balance = compare.balance_table(people, by="participated", covariates=covariates, reference=0)
    shown = _publishable(participation, p.min_cell)
    if shown.empty:
        ed.say(f"No {by} has enough participants to publish a rate (at least {p.min_cell}).")
        return
    lead = group_lead_sentence(
        shown,
        _publishable(target, p.min_cell),
        balance,
        by=by,
        target_hours=p.target_hours,
    )
    ed.verdict(f"{by}_lead", lead)
    table = participation.merge(
        target[[by, "n", "count", "rate"]].rename(
            columns={"n": "participants_n", "count": "target_met", "rate": "target_rate"}
        ),
        on=by,
        how="left",
    )
    table = table.drop(columns="participants_n")
    ed.show_table(
        f"{by}_rates",
        table,
        caption=(
            f"Eligible users (registered before the week), participants and those who met the "
            f"{p.target_hours:g}-hour target, by {by}; participation rate with its 95 % Wilson "
            "interval; target rate among participants."
        ),
        count_columns=["n", "count", "target_met"],
        derived={
            "rate": ["count", "n"],
            "conf_low": ["count", "n"],
            "conf_high": ["count", "n"],
            "target_rate": ["target_met", "count"],
        },
        formats={
            "n": "count",
            "count": "count",
            "target_met": "count",
            "rate": "percent",
            "conf_low": "percent",
            "conf_high": "percent",
            "target_rate": "percent",
        },
        rename={
            by: by.capitalize(),
            "n": "Eligible users",
            "count": "Participants",
            "rate": "Participation rate",
            "conf_low": "95 % CI from",
            "conf_high": "95 % CI to",
            "target_met": f"Met the {p.target_hours:g}-hour target",
            "target_rate": "Target rate among participants",
        },
    )
    figure = figures.group_comparison(
        shown.assign(**{by: [_level_name(by, level) for level in shown[by]]}),
        group=by,
        outcome_label="Share of eligible users who took part",
        name=f"{by}_participation",
    )
    ed.show_figure(figure)


def _balance_display(balance: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare.balance_wide` with readable variable names and flat column names."""
    wide = compare.balance_wide(balance).reset_index()
    wide.columns = [str(column) for column in wide.columns]
    wide.insert(0, "measure", wide.pop("variable").map(_label))
    return wide


def _balance_derived(wide: pd.DataFrame, levels: Sequence, reference) -> dict[str, list[str]]:
    derived: dict[str, list[str]] = {}
    for level in levels:
        for stat in ("mean", "sd"):
            derived[f"{stat}_{level}"] = [f"n_{level}"]
        if level != reference:
            for stat in ("smd", "variance_ratio"):
                derived[f"{stat}_{level}"] = [f"n_{level}", f"n_{reference}"]
    return derived


def _show_balance(ed, name: str, balance: pd.DataFrame, by: str, caption: str) -> None:
    wide = _balance_display(balance)
    levels = list(dict.fromkeys(balance["level"]))
    reference = balance["reference"].iloc[0]
    counts = [f"n_{level}" for level in levels]
    formats = {column: "count" for column in counts}
    formats |= {c: "decimal" for c in wide.columns if c.split("_")[0] in ("mean", "sd", "smd")}
    formats |= {c: "decimal" for c in wide.columns if c.startswith("variance_ratio")}
    rename = {"measure": "Measure"}
    for level in levels:
        who = _level_name(by, level)
        rename |= {f"n_{level}": f"n {who}", f"mean_{level}": f"Mean {who}"}
        rename |= {f"sd_{level}": f"SD {who}", f"smd_{level}": f"SMD {who}"}
        rename[f"variance_ratio_{level}"] = f"Variance ratio {who}"
    ed.show_table(
        name,
        wide,
        caption=caption,
        count_columns=counts,
        derived=_balance_derived(wide, levels, reference),
        formats=formats,
        rename=rename,
    )


def participation_balance_section(ed, people: pd.DataFrame) -> None:
    """Balance of pre-week measures and outcomes between participants and non-participants."""
    variables = usable_variables(people, [*COVARIATES, *ed.params.outcomes])
    balance = compare.balance_table(people, by="participated", covariates=variables, reference=0)
    flagged = [_label(v, in_sentence=True) for v in balance[balance["imbalanced"]]["variable"]]
    ed.say(
        "Participants are compared with eligible users who did not take part. A standardised "
        f"mean difference (SMD) beyond ±{compare.SMD_THRESHOLD:g} marks a real imbalance; "
        f"here: {', '.join(flagged) or 'none'}. Rows after the week are outcomes, shown "
        "for description only: the impact notebook adjusts for the pre-week differences."
    )
    _show_balance(
        ed,
        "balance_participation",
        balance,
        "participated",
        caption=(
            "Means, SDs, standardised mean differences (participants minus non-participants, "
            "pooled SD) and variance ratios of measures before and after the week."
        ),
    )


def group_balance_section(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Balance table by group (A/B/C or another categorical column), reference its first level."""
    rows = _group_rows(people, by, ed.params.groups)
    variables = usable_variables(
        rows, ["participated", "target_met", "hours_in_week", *COVARIATES, *ed.params.outcomes]
    )
    balance = compare.balance_table(rows, by=by, covariates=variables)
    reference = _level_name(by, balance["reference"].iloc[0])
    _show_balance(
        ed,
        f"balance_{by}",
        balance,
        by,
        caption=(
            f"Means and SDs by {by}, with standardised mean differences and variance ratios "
            f"against {reference}."
        ),
    )


def group_tests_section(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Tests between groups: every pair (Welch / chi-square) and one omnibus test per outcome."""
    rows = _group_rows(people, by, ed.params.groups)
    outcomes = usable_variables(
        rows, ["participated", "target_met", "hours_in_week", *ed.params.outcomes]
    )
    pairs = compare.pairwise_tests(rows, outcomes=outcomes, by=by, pairs="all", adjust="holm")
    _show_tests(
        ed,
        f"tests_{by}",
        pairs,
        by,
        caption=(
            f"Every pair of {by}s on each outcome: difference (first minus second) with its 95 % "
            "interval (percentage points for shares), effect size (Hedges' g for means, "
            "Cohen's h for shares), and p-values adjusted by Holm across the whole table."
        ),
    )
    omnibus = compare.omnibus_tests(rows, outcomes=outcomes, by=by, test="anova", adjust="holm")
    ed.show_table(
        f"omnibus_{by}",
        _omnibus_display(omnibus),
        caption=(
            f"Does the outcome differ across all {by}s at once? ANOVA for means, chi-square for "
            "shares; effect sizes eta squared and Cramer's V; p-values adjusted by Holm across "
            "the table."
        ),
        count_columns=["n"],
        formats={"n": "count"},
        rename={
            "outcome": "Outcome",
            "test": "Test",
            "n": "Persons",
            "statistic": "Statistic",
            "effect": "Effect size",
            "p": "p",
            "p_adjusted": "p (Holm)",
        },
    )
    significant = pairs[pairs["p_adjusted"] < 0.05]
    ed.say(
        f"{len(significant)} of {int(pairs['p_value'].notna().sum())} pairwise differences are "
        "beyond chance after Holm's adjustment (adjusted p below 0.05)."
    )


def _omnibus_display(omnibus: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": omnibus["outcome"].map(_label),
            "test": omnibus["test"],
            "n": omnibus["n"],
            "statistic": omnibus["statistic"].map(lambda v: f"{v:,.2f}"),
            "effect": [
                f"{name} {value:.3f}"
                for name, value in zip(
                    omnibus["effect_size_name"], omnibus["effect_size"], strict=True
                )
            ],
            "p": omnibus["p_value"].map(_p_text),
            "p_adjusted": omnibus["p_adjusted"].map(_p_text),
        }
    )


# --------------------------------------------------------------------------------------------
# 04_years
# --------------------------------------------------------------------------------------------

#: Census totals compared between editions (keys of ParticipationKPIs).
_CENSUS_KPIS = {
    "participants": "Trackable participants",
    "target_met": "Met the learning target",
    "course_enrolments": "Course enrolments",
    "course_completions": "Course completions",
    "learning_hours": "Learning hours",
    "avg_daily_completions": "Completions per day on average",
    "peak_daily_completions": "Completions on the peak day",
    "group_a_participants": "Group A participants",
}


def kpi_changes(
    previous: describe.ParticipationKPIs, current: describe.ParticipationKPIs
) -> pd.DataFrame:
    """Each census KPI in both editions with the change and the relative change.

    The totals are counts of the whole platform, not samples, so their change is exact and
    has no sampling interval (see :func:`compare.compare_editions`).

    Returns
    -------
    pandas.DataFrame
        ``kpi, measure, previous, current, change, relative_change``.
    """
    before, after = previous.as_dict(), current.as_dict()
    rows = []
    for key, measure in _CENSUS_KPIS.items():
        change = after[key] - before[key]
        relative = change / before[key] if before[key] else np.nan
        rows.append(
            {
                "kpi": key,
                "measure": measure,
                "previous": before[key],
                "current": after[key],
                "change": change,
                "relative_change": relative,
            }
        )
    return pd.DataFrame(rows)


def years_summary_section(
    ed,
    both: pd.DataFrame | None,
    previous: describe.ParticipationKPIs | None,
    current: describe.ParticipationKPIs,
) -> None:
    """The lead sentence, or one sentence saying there is no previous edition to compare with.

    The other year sections do nothing when ``both`` is None, so the notebook ends cleanly.
    """
    p, style = ed.params, ed.params.number_style
    if both is None or previous is None:
        text = (
            f"{p.title} has no previous edition to compare with (previous_edition is not set), "
            "so this report has no year-on-year comparison."
        )
        ed.say(ed.findings.sentence("years_lead", text))
        return
    before = p.previous_edition
    change = current.participants - previous.participants
    returning = compare.returning_participants(both, editions=(before, p.edition))
    text = (
        f"{format_count(current.participants, style=style)} people took part in {p.edition}, "
        f"{format_count(abs(change), style=style)} {'more' if change >= 0 else 'fewer'} than the "
        f"{format_count(previous.participants, style=style)} of {before} "
        f"({change / previous.participants:+.0%}) under identical definitions. "
        f"{_pct(returning.return_rate)} of {before}'s participants came back (95 % CI "
        f"{_pct(returning.return_conf_low)} to {_pct(returning.return_conf_high)}), and "
        f"{_pct(returning.first_time_share)} of {p.edition}'s participants were new."
    )
    ed.verdict("years_lead", text)


def year_kpis_section(
    ed,
    both: pd.DataFrame | None,
    previous: describe.ParticipationKPIs | None,
    current: describe.ParticipationKPIs,
) -> None:
    """Census KPIs (exact changes) and person-level rates and means (changes with intervals)."""
    if both is None or previous is None:
        return
    p = ed.params
    ed.say("## Headline figures and rates, edition by edition")
    census = kpi_changes(previous, current)
    ed.show_table(
        "kpi_changes",
        census.drop(columns="kpi"),
        caption=(
            f"Headline figures of {p.previous_edition} and {p.edition}, counted the same way. "
            "They count everything on the platform, so the change is exact: it has no sampling "
            "interval."
        ),
        formats={
            "previous": "count",
            "current": "count",
            "change": "count",
            "relative_change": "percent",
        },
        rename={
            "measure": "Measure",
            "previous": p.previous_edition,
            "current": p.edition,
            "change": "Change",
            "relative_change": "Change (%)",
        },
    )
    changes = _person_level_changes(both, (p.previous_edition, p.edition), p.outcomes)
    _record_exact(ed, "kpi_rate_changes_values", changes, ["n_1", "n_2"], {})
    ed.show_table(
        "kpi_rate_changes",
        mask_small_rows(
            _changes_display(changes),
            ["n_1", "n_2"],
            ["value_1", "value_2", "change", "p_adjusted"],
            p.min_cell,
        ),
        caption=(
            "Rates and means per person in both editions, with the change and its 95 % interval "
            "(the two editions' persons treated as independent samples, which is conservative "
            "since most users appear in both); p-values adjusted by Holm across the table."
        ),
        count_columns=["n_1", "n_2"],
        formats={"n_1": "count", "n_2": "count"},
        rename={
            "measure": "Measure",
            "population": "Among",
            "n_1": f"Persons {p.previous_edition}",
            "n_2": f"Persons {p.edition}",
            "value_1": p.previous_edition,
            "value_2": p.edition,
            "change": "Change (95 % CI)",
            "p_adjusted": "p (Holm)",
        },
    )


def _person_level_changes(
    both: pd.DataFrame, editions: tuple[str, str], outcomes: Sequence[str]
) -> pd.DataFrame:
    """One family: rates among eligible users and among participants, Holm across all rows."""
    eligible = usable_variables(both, ["participated", "target_met", *outcomes])
    among_eligible = compare.compare_editions(
        both, outcomes=eligible, editions=editions, adjust="none"
    ).assign(population="eligible users")
    participants = both[both["participated"] == 1]
    among_participants = compare.compare_editions(
        participants,
        outcomes=usable_variables(participants, ["target_met", "hours_in_week"]),
        editions=editions,
        adjust="none",
    ).assign(population="participants")
    table = pd.concat([among_eligible, among_participants], ignore_index=True)
    table["p_adjusted"] = compare.adjust_pvalues(table["p_value"], "holm")
    table["share"] = [_is_share(both[outcome]) for outcome in table["outcome"]]
    return table


def _changes_display(changes: pd.DataFrame) -> pd.DataFrame:
    def change_text(row: pd.Series) -> str:
        scale, unit, digits = (100, " pts", 1) if row["share"] else (1, "", 2)
        return (
            f"{scale * row['change']:+.{digits}f}{unit} ({scale * row['conf_low']:+.{digits}f} "
            f"to {scale * row['conf_high']:+.{digits}f})"
        )

    return pd.DataFrame(
        {
            "measure": changes["outcome"].map(_label),
            "population": changes["population"],
            "n_1": changes["n_1"],
            "n_2": changes["n_2"],
            "value_1": list(map(_value_text, changes["value_1"], changes["share"])),
            "value_2": list(map(_value_text, changes["value_2"], changes["share"])),
            "change": [change_text(row) for _i, row in changes.iterrows()],
            "p_adjusted": changes["p_adjusted"].map(_p_text),
        }
    )


def returning_section(ed, both: pd.DataFrame | None) -> None:
    """How many previous participants came back, and first-time vs returning participants."""
    if both is None:
        return
    p = ed.params
    ed.say("## Returning and first-time participants")
    editions = (p.previous_edition, p.edition)
    summary = compare.returning_participants(both, editions=editions)
    counts = pd.DataFrame(
        {
            "who": [
                f"Participants in {p.previous_edition}",
                f"... who took part again in {p.edition}",
                f"Participants in {p.edition}",
                f"... who had not taken part in {p.previous_edition}",
            ],
            "persons": [
                summary.earlier_participants,
                summary.returned,
                summary.later_participants,
                summary.first_time,
            ],
        }
    )
    ed.show_table(
        "returning_participants",
        counts,
        caption=(
            f"Returning and first-time participants. Return rate {_pct(summary.return_rate)} "
            f"(95 % Wilson interval {_pct(summary.return_conf_low)} to "
            f"{_pct(summary.return_conf_high)})."
        ),
        count_columns=["persons"],
        formats={"persons": "count"},
        rename={"who": "Who", "persons": "Persons"},
    )
    _record_returning(ed, summary)
    history = compare.label_participant_history(
        both, current=p.edition, previous=[p.previous_edition]
    )
    outcomes = usable_variables(history, ["hours_in_week", "target_met", *p.outcomes])
    if history["participant_history"].nunique() < 2 or not outcomes:
        ed.say("All participants were of one kind (all new or all returning): nothing to compare.")
        return
    tests = compare.pairwise_tests(
        history, outcomes=outcomes, by="participant_history", reference="first_time"
    )
    _show_tests(
        ed,
        "tests_returning",
        tests,
        "participant_history",
        caption=(
            f"Returning vs first-time participants of {p.edition}: difference with its 95 % "
            "interval, effect size, p-values adjusted by Holm across the table. Returning "
            "participants are self-selected keen learners, so this describes, it does not "
            "estimate an effect of coming back."
        ),
    )


def _record_returning(ed, summary: compare.ReturnSummary) -> None:
    f = ed.findings
    definition = describe.DEFINITIONS["participant"]
    f.count(
        "returned_participants",
        summary.returned,
        label="previous participants who took part again",
        definition=definition,
        unit="persons",
    )
    f.count(
        "first_time_participants",
        summary.first_time,
        label="first-time participants",
        definition=definition,
        unit="persons",
    )
    f.number(
        "return_rate",
        round(100 * summary.return_rate, 1),
        label="previous participants who came back (%)",
        definition=definition,
        unit="percent",
    )


def rank_changes_section(ed, both: pd.DataFrame | None) -> None:
    """Ministries' participation rates in both editions: slope chart and rank changes."""
    if both is None:
        return
    p = ed.params
    ed.say("## Ministries and states, edition by edition")
    editions = (p.previous_edition, p.edition)
    known = both[both["ministry"] != "Unknown"]
    ranks = compare.rank_changes(
        known,
        unit="ministry",
        outcome="participated",
        editions=editions,
        method="posterior",
        n_boot=1000,
        seed=p.seed,
        min_n=p.min_cell,
    )
    ed.show_figure(
        figures.slope_chart(
            ranks,
            unit="unit",
            before_label=p.previous_edition,
            after_label=p.edition,
            value_label="Participation rate (shrunk)",
            name="ministry_slope",
        )
    )
    _record_exact(ed, "ministry_rank_changes_all", ranks, ["n_1", "n_2"], {})
    movers = rank_movers(ranks, top=_TOP_MOVERS)
    ed.show_table(
        "ministry_rank_changes",
        mask_small_rows(movers, ["n_1", "n_2"], ["rank_1", "rank_2", "rank_change"], p.min_cell),
        caption=(
            f"The {len(movers)} ministries and states whose rank by participation rate moved "
            f"most between {p.previous_edition} and {p.edition} (all {len(ranks)} are in "
            "ministry_rank_changes_all.csv). Rates are empirical-Bayes shrunk, so small units "
            "are not ranked first by luck; ranks and the change (positive = moved up) carry 95 % "
            "posterior intervals, and a change whose interval includes 0 may be chance."
        ),
        count_columns=["n_1", "n_2"],
        derived={c: ["n_1", "n_2"] for c in ("value_1", "value_2")},
        formats={"n_1": "count", "n_2": "count", "value_1": "percent", "value_2": "percent"},
        rename={
            "unit": "Ministry / State",
            "n_1": f"Eligible {p.previous_edition}",
            "n_2": f"Eligible {p.edition}",
            "value_1": f"Rate {p.previous_edition}",
            "value_2": f"Rate {p.edition}",
            "rank_1": f"Rank {p.previous_edition} (95 % CI)",
            "rank_2": f"Rank {p.edition} (95 % CI)",
            "rank_change": "Change (95 % CI)",
        },
    )


_TOP_MOVERS = 15


def rank_movers(ranks: pd.DataFrame, top: int = _TOP_MOVERS) -> pd.DataFrame:
    """The ``top`` units whose rank moved most, ranks and changes written with intervals.

    Parameters
    ----------
    ranks : pandas.DataFrame
        Output of :func:`compare.rank_changes`.
    top : int
        How many units to keep (largest absolute rank change first, ties by name).

    Returns
    -------
    pandas.DataFrame
        ``unit, n_1, n_2, value_1, value_2, rank_1, rank_2, rank_change`` with the ranks as
        ``"3 (1-7)"`` and the change as ``"+2 (-1 to +5)"``.
    """
    order = ranks.assign(_size=ranks["rank_change"].abs()).sort_values(
        ["_size", "unit"], ascending=[False, True]
    )
    chosen = order.head(top).sort_values(["rank_change", "unit"], ascending=[False, True])
    return chosen.assign(
        rank_1=_rank_text(chosen, "rank_1"),
        rank_2=_rank_text(chosen, "rank_2"),
        rank_change=[
            f"{c:+d} ({lo:+.0f} to {hi:+.0f})"
            for c, lo, hi in zip(
                chosen["rank_change"], chosen["change_low"], chosen["change_high"], strict=True
            )
        ],
    )[["unit", "n_1", "n_2", "value_1", "value_2", "rank_1", "rank_2", "rank_change"]]


def _rank_text(table: pd.DataFrame, column: str) -> list[str]:
    return [
        f"{rank} ({low:.0f}-{high:.0f})"
        for rank, low, high in zip(
            table[column], table[f"{column}_low"], table[f"{column}_high"], strict=True
        )
    ]


# --------------------------------------------------------------------------------------------
# 05_ministry_brief
# --------------------------------------------------------------------------------------------


def _scope_row(rows: pd.DataFrame, scope: str) -> dict[str, object]:
    participants = rows[rows["participated"] == 1]
    users, taking_part = len(rows), int(rows["participated"].sum())
    met = int(rows["target_met"].sum())
    low, high = (
        compare.unit_rates(rows.assign(_all="x"), unit="_all")[["conf_low", "conf_high"]]
        .iloc[0]
        .tolist()
        if users
        else (np.nan, np.nan)
    )
    return {
        "scope": scope,
        "users": users,
        "participants": taking_part,
        "participation_rate": taking_part / users if users else np.nan,
        "conf_low": low,
        "conf_high": high,
        "target_met": met,
        "target_rate": met / taking_part if taking_part else np.nan,
        "hours_per_participant": (participants["hours_in_week"].mean() if taking_part else np.nan),
        "karma_per_user": rows["karma_points"].mean() if users else np.nan,
    }


def ministry_scope_table(
    people: pd.DataFrame, ministry: str, peers: Sequence[str], peer_label: str
) -> pd.DataFrame:
    """The ministry's KPIs beside its peers' (together) and the national picture.

    Parameters
    ----------
    people : pandas.DataFrame
        :func:`ministry_people` frame (eligible persons with ``karma_points`` in the week).
    ministry : str
        The ministry of the brief.
    peers : sequence of str
        Other ministries of its size bucket and kind (the ministry itself left out).
    peer_label : str
        How the peers are named in the table.

    Returns
    -------
    pandas.DataFrame
        One row per scope: ``scope, users, participants, participation_rate, conf_low,
        conf_high, target_met, target_rate, hours_per_participant, karma_per_user``; the
        participation rate's interval is Wilson's; ``target_rate`` is among participants.
    """
    return pd.DataFrame(
        [
            _scope_row(people[people["ministry"] == ministry], ministry),
            _scope_row(people[people["ministry"].isin(list(peers))], peer_label),
            _scope_row(people, "All ministries and states"),
        ]
    )


def leaderboard_position(board: pd.DataFrame, ministry: str) -> dict[str, object]:
    """Where ``ministry`` stands on :func:`compare.leaderboard`: rank, bucket and its peers.

    Returns
    -------
    dict
        ``org_type, size_bucket, rank, of`` (units in the bucket), ``points_per_user``,
        ``leader``, ``leader_points_per_user`` and ``peers`` (the other units of the bucket).
    """
    mine = board[board["unit"] == ministry]
    if mine.empty:
        raise ValueError(f"{ministry!r} is not on the leaderboard")
    row = mine.iloc[0]
    bucket = board[
        (board["org_type"] == row["org_type"]) & (board["size_bucket"] == row["size_bucket"])
    ].sort_values(["rank", "unit"])
    return {
        "org_type": row["org_type"],
        "size_bucket": row["size_bucket"],
        "rank": int(row["rank"]),
        "of": int(bucket["rank"].max()),
        "points_per_user": float(row["points_per_user"]),
        "leader": bucket.iloc[0]["unit"],
        "leader_points_per_user": float(bucket.iloc[0]["points_per_user"]),
        "peers": [unit for unit in bucket["unit"] if unit != ministry],
    }


def _kind(org_type: str, plural: bool = True) -> str:
    if org_type == "state":
        return "states" if plural else "state"
    return "central ministries" if plural else "central ministry"


def _board(people: pd.DataFrame) -> pd.DataFrame:
    """The leaderboard of known central ministries and states (one entry per ``ministry``)."""
    known = people[
        (people["ministry"] != "Unknown") & people["org_type"].isin(["central", "state"])
    ]
    return compare.leaderboard(known, unit="ministry", state_unit=None)


def ministry_summary_section(ed, people: pd.DataFrame, ministry: str) -> None:
    """Lead sentence and the KPI table: the ministry, its size-bucket peers, the nation."""
    p, style = ed.params, ed.params.number_style
    position = leaderboard_position(_board(people), ministry)
    peer_label = (
        f"Peers: other {_kind(position['org_type'])} of size {position['size_bucket']} "
        f"({len(position['peers'])})"
    )
    table = ministry_scope_table(people, ministry, position["peers"], peer_label)
    mine, peers, nation = (table.iloc[i] for i in range(3))
    ed.say(f"# {ministry}: {p.title}")
    lead = (
        f"In {ministry}, {format_count(mine['participants'], style=style)} of "
        f"{format_count(mine['users'], style=style)} eligible users took part in {p.title} "
        f"({_pct(mine['participation_rate'])}, 95 % CI {_pct(mine['conf_low'])} to "
        f"{_pct(mine['conf_high'])}), against {_pct(nation['participation_rate'])} nationally "
        f"and {_pct(peers['participation_rate'])} among its peers (other "
        f"{_kind(position['org_type'])} of size {position['size_bucket']}); "
        f"{_pct(mine['target_rate'])} of its participants met the {p.target_hours:g}-hour "
        f"target ({_pct(nation['target_rate'])} nationally)."
    )
    ed.verdict("ministry_lead", lead)
    ed.findings.count(
        "ministry_participants",
        int(mine["participants"]),
        label=f"participants in {ministry}",
        definition=describe.DEFINITIONS["participant"],
        unit="persons",
    )
    _show_scope_table(ed, table)


def _show_scope_table(ed, table: pd.DataFrame) -> None:
    p = ed.params
    ed.show_table(
        "ministry_kpis",
        table,
        caption=(
            "The ministry beside its peers (same kind and size bucket, taken together) and all "
            "ministries and states: eligible users (registered before the week), participants "
            "with the participation rate and its 95 % Wilson interval, target met (share of "
            "participants), learning hours per participant and karma points per user in the week."
        ),
        count_columns=["users", "participants", "target_met"],
        derived={
            "participation_rate": ["participants", "users"],
            "conf_low": ["participants", "users"],
            "conf_high": ["participants", "users"],
            "target_rate": ["target_met", "participants"],
            "hours_per_participant": "participants",
            "karma_per_user": "users",
        },
        formats={
            "users": "count",
            "participants": "count",
            "target_met": "count",
            "participation_rate": "percent",
            "conf_low": "percent",
            "conf_high": "percent",
            "target_rate": "percent",
            "hours_per_participant": "decimal",
            "karma_per_user": "decimal",
        },
        rename={
            "scope": "",
            "users": "Eligible users",
            "participants": "Participants",
            "participation_rate": "Participation rate",
            "conf_low": "95 % CI from",
            "conf_high": "95 % CI to",
            "target_met": f"Met {p.target_hours:g}-hour target",
            "target_rate": "Target rate",
            "hours_per_participant": "Hours per participant",
            "karma_per_user": "Karma points per user",
        },
    )


def _same_kind(people: pd.DataFrame, ministry: str) -> pd.DataFrame:
    """Persons of the units of the ministry's kind (central or state): ranked separately."""
    kind = people.loc[people["ministry"] == ministry, "org_type"].iloc[0]
    return people[(people["org_type"] == kind) & (people["ministry"] != "Unknown")]


def _shrunk_rates(people: pd.DataFrame, ministry: str, outcome: str) -> compare.ShrinkageResult:
    rates = compare.unit_rates(_same_kind(people, ministry), unit="ministry", outcome=outcome)
    return compare.shrink_rates(rates)


def ministry_shrinkage_section(ed, people: pd.DataFrame, ministry: str) -> None:
    """The ministry's rates raw (Wilson) and empirical-Bayes shrunk, with their ranks."""
    rows = []
    for outcome in ("participated", "target_met"):
        fit = _shrunk_rates(people, ministry, outcome)
        row = fit.table[fit.table["ministry"] == ministry].iloc[0]
        rows.append(
            {
                "measure": _label(outcome).replace(" (share)", ""),  # a rate column follows
                "n": row["n"],
                "count": row["count"],
                "rate": row["rate"],
                "conf_low": row["conf_low"],
                "conf_high": row["conf_high"],
                "rate_shrunk": row["rate_shrunk"],
                "shrunk_low": row["shrunk_low"],
                "shrunk_high": row["shrunk_high"],
                "rank_raw": f"{row['rank_raw']} of {len(fit.table)}",
                "rank_shrunk": f"{row['rank_shrunk']} of {len(fit.table)}",
            }
        )
    table = pd.DataFrame(rows)
    kind = _kind(people.loc[people["ministry"] == ministry, "org_type"].iloc[0])
    first = table.iloc[0]
    ed.say(
        f"Small units' rates swing by luck, so each rate is also shown shrunk towards the "
        f"average of all {kind} (empirical Bayes, beta-binomial): {ministry}'s participation "
        f"rate of {_pct(first['rate'])} becomes {_pct(first['rate_shrunk'])}, rank "
        f"{first['rank_shrunk']} (raw: {first['rank_raw']})."
    )
    derived_from = ["count", "n"]
    ed.show_table(
        "ministry_shrinkage",
        mask_small_rows(table, ["n", "count"], ["rank_raw", "rank_shrunk"], ed.params.min_cell),
        caption=(
            f"Share of eligible users who took part and who met the target: raw with its 95 % "
            f"Wilson interval, and shrunk with its 95 % posterior interval; ranks among {kind}."
        ),
        count_columns=["n", "count"],
        derived={
            column: derived_from
            for column in (
                "rate",
                "conf_low",
                "conf_high",
                "rate_shrunk",
                "shrunk_low",
                "shrunk_high",
            )
        },
        formats={"n": "count", "count": "count"}
        | {
            c: "percent"
            for c in ("rate", "conf_low", "conf_high", "rate_shrunk", "shrunk_low", "shrunk_high")
        },
        rename={
            "measure": "Measure",
            "n": "Eligible users",
            "count": "Persons",
            "rate": "Rate",
            "conf_low": "Wilson from",
            "conf_high": "Wilson to",
            "rate_shrunk": "Shrunk rate",
            "shrunk_low": "Posterior from",
            "shrunk_high": "Posterior to",
            "rank_raw": "Rank (raw)",
            "rank_shrunk": "Rank (shrunk)",
        },
    )


def _highlight(
    figure: CaptionedFigure, size: float, rate: float, label: str, position: str
) -> CaptionedFigure:
    """Mark one unit on a funnel plot and say where it lies in the caption."""
    axes = figure.fig.axes[0]
    axes.scatter([size], [rate], s=140, facecolors="none", edgecolors="black", linewidths=2)
    axes.annotate(
        label,
        (size, rate),
        xytext=(8, -12),
        textcoords="offset points",
        fontsize=9,
        fontweight="bold",
    )
    where = {"above": "above", "below": "below", "within": "inside"}[position]
    caption = f"{figure.caption} {label} is circled: it lies {where} the 99.8 % limits" + (
        ", so its rate is within what chance alone would give." if position == "within" else "."
    )
    return CaptionedFigure(figure.fig, caption, figure.name)


def ministry_funnel_section(ed, people: pd.DataFrame, ministry: str) -> None:
    """Funnel plot of participation rates of the ministry's kind, the ministry circled."""
    units = _same_kind(people, ministry)
    rates = compare.unit_rates(units, unit="ministry", outcome="participated")
    flags = compare.funnel_flags(rates)
    mine = flags[flags["ministry"] == ministry].iloc[0]
    figure = figures.funnel_plot(rates, unit="ministry", name="ministry_funnel")
    ed.show_figure(_highlight(figure, mine["n"], mine["rate"], ministry, str(mine["position_998"])))


def ministry_leaderboard_section(ed, people: pd.DataFrame, ministry: str) -> None:
    """The platform's NLW leaderboard: karma points per user within the size bucket."""
    board = _board(people)
    position = leaderboard_position(board, ministry)
    kind = _kind(position["org_type"])
    text = (
        f"On the NLW leaderboard (karma points earned in the week per user, {kind} ranked "
        f"separately by size), {ministry} ranks {position['rank']} of {position['of']} in "
        f"size bucket {position['size_bucket']} with {position['points_per_user']:.1f} points "
        f"per user; the bucket's leader, {position['leader']}, has "
        f"{position['leader_points_per_user']:.1f}."
    )
    ed.findings.sentence("ministry_leaderboard", text)
    ed.findings.number(
        "ministry_leaderboard_rank",
        position["rank"],
        label=f"leaderboard rank of {ministry} in its size bucket",
        definition="Dense rank of karma points per user within the size bucket (1 = highest).",
        decimals=0,
    )
    ed.say(text)
    bucket = board[
        (board["org_type"] == position["org_type"])
        & (board["size_bucket"] == position["size_bucket"])
    ]
    shown = bucket[(bucket["rank"] <= 10) | (bucket["unit"] == ministry)]
    ed.show_table(
        "ministry_leaderboard",
        shown[["rank", "unit", "users", "total_points", "points_per_user"]],
        caption=(
            f"Top of the leaderboard of {kind} in size bucket {position['size_bucket']} "
            f"({ministry} included). Users are eligible users; the rank is the platform's rule, "
            "with no allowance for chance."
        ),
        count_columns=["users"],
        derived={"points_per_user": "users", "total_points": "users"},
        formats={"users": "count", "total_points": "count", "points_per_user": "decimal"},
        rename={
            "rank": "Rank",
            "unit": "Ministry / State",
            "users": "Users",
            "total_points": "Karma points",
            "points_per_user": "Points per user",
        },
    )
