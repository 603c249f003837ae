"""Sections of 02_groups: who took part, by group, and how the groups differed before."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from evaluation.analysis import compare
from evaluation.report import figures
from evaluation.report.sections.common import (
    COVARIATES,
    group_lead_sentence,
    group_rates,
    group_rows,
    label,
    level_name,
    p_text,
    publishable,
    show_tests,
    usable_variables,
)


def summary(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Lead sentence, participation and target rates by group, and the group figure."""
    p = ed.params
    participation = group_rates(people, by, p.groups, "participated")
    target = group_rates(people[people["participated"] == 1], by, p.groups, "target_met")
    covariates = usable_variables(people, COVARIATES)
    balance = compare.balance_table(people, by="participated", covariates=covariates, reference=0)
    shown = publishable(participation, p.min_cell)
    if shown.empty:
        ed.say(f"No {by} has enough participants to publish a rate (at least {p.min_cell}).")
        return
    lead = group_lead_sentence(
        shown,
        publishable(target, p.min_cell),
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
        shown.assign(**{by: [level_name(by, level) for level in shown[by]]}),
        group=by,
        outcome_label="Share of eligible users who took part",
        name=f"{by}_participation",
    )
    ed.show_figure(figure)


def _balance_display(balance: pd.DataFrame) -> pd.DataFrame:
    """:func:`compare.balance_wide` with readable variable names and flat column names."""
    wide = compare.balance_wide(balance).reset_index()
    wide.columns = [str(column) for column in wide.columns]
    wide.insert(0, "measure", wide.pop("variable").map(label))
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
        who = level_name(by, level)
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


def participation_balance(ed, people: pd.DataFrame) -> None:
    """Balance of pre-week measures and outcomes between participants and non-participants."""
    variables = usable_variables(people, [*COVARIATES, *ed.params.outcomes])
    balance = compare.balance_table(people, by="participated", covariates=variables, reference=0)
    flagged = [label(v, in_sentence=True) for v in balance[balance["imbalanced"]]["variable"]]
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


def balance(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Balance table by group (A/B/C or another categorical column), reference its first level."""
    rows = group_rows(people, by, ed.params.groups)
    variables = usable_variables(
        rows, ["participated", "target_met", "hours_in_week", *COVARIATES, *ed.params.outcomes]
    )
    balance = compare.balance_table(rows, by=by, covariates=variables)
    reference = level_name(by, balance["reference"].iloc[0])
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


def tests(ed, people: pd.DataFrame, by: str = "group") -> None:
    """Tests between groups: every pair (Welch / chi-square) and one omnibus test per outcome."""
    rows = group_rows(people, by, ed.params.groups)
    outcomes = usable_variables(
        rows, ["participated", "target_met", "hours_in_week", *ed.params.outcomes]
    )
    pairs = compare.pairwise_tests(rows, outcomes=outcomes, by=by, pairs="all", adjust="holm")
    show_tests(
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
            "outcome": omnibus["outcome"].map(label),
            "test": omnibus["test"],
            "n": omnibus["n"],
            "statistic": omnibus["statistic"].map(lambda v: f"{v:,.2f}"),
            "effect": [
                f"{name} {value:.3f}"
                for name, value in zip(
                    omnibus["effect_size_name"], omnibus["effect_size"], strict=True
                )
            ],
            "p": omnibus["p_value"].map(p_text),
            "p_adjusted": omnibus["p_adjusted"].map(p_text),
        }
    )
