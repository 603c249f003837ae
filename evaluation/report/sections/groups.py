"""Sections of 02_groups: who took part, by group, and how the groups differed before."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import pandas as pd

from evaluation.analysis import compare
from evaluation.core.vocabulary import BALANCE_MEASURES, SMD_THRESHOLD
from evaluation.report import figures
from evaluation.report.edition import Edition
from evaluation.report.sections import hindi
from evaluation.report.sections.common import (
    dimension_name,
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
from evaluation.report.tables import Column, TableSpec

#: Rates by group (the group column itself is added by :func:`summary`, named after ``by``).
RATES_SPEC = TableSpec(
    (
        Column("n", "Eligible users", "count", counts_persons=True),
        Column("count", "Participants", "count", counts_persons=True, part_of="n"),
        Column("rate", "Participation rate", "percent", derived_from=("count", "n")),
        Column("conf_low", "95 % CI from", "percent", derived_from=("count", "n")),
        Column("conf_high", "95 % CI to", "percent", derived_from=("count", "n")),
        Column(
            "target_met",
            "Met the {target_hours:g}-hour target",
            "count",
            counts_persons=True,
            part_of="count",
        ),
        Column(
            "target_rate",
            "Target rate among participants",
            "percent",
            derived_from=("target_met", "count"),
        ),
    )
)
#: One omnibus test per outcome (:func:`_omnibus_display`).
OMNIBUS_SPEC = TableSpec(
    (
        Column("outcome", "Outcome"),
        Column("test", "Test"),
        Column("n", "Persons", "count", counts_persons=True),
        Column("statistic", "Statistic"),
        Column("effect", "Effect size"),
        Column("p", "p"),
        Column("p_adjusted", "p (Holm)"),
    )
)
#: Statistics of a wide balance table, each computed from its level's count (and, for the
#: comparisons with the reference level, from the reference's count too).
_LEVEL_STATS = ("mean", "sd")
_PAIR_STATS = ("smd", "variance_ratio")
_STAT_WORDS = {"mean": "Mean", "sd": "SD", "smd": "SMD", "variance_ratio": "Variance ratio"}


def summary(ed: Edition, people: pd.DataFrame, by: str = "group") -> None:
    """Lead sentence, participation and target rates by group, and the group figure."""
    p = ed.params
    participation = group_rates(people, by, p.groups, "participated")
    target = group_rates(
        people.loc[people["participated"] == 1, [by, "target_met"]], by, p.groups, "target_met"
    )
    covariates = usable_variables(people, BALANCE_MEASURES)
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
    ed.summary_hi(f"{by}_lead", hindi.rates_hi(shown, by))
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
            f"{p.target_hours:g}-hour target, by {dimension_name(by)}; participation rate with "
            "its 95 % Wilson interval; target rate among participants."
        ),
        spec=RATES_SPEC.filled(target_hours=p.target_hours).plus([Column(by, by.capitalize())]),
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


def _balance_spec(wide: pd.DataFrame, levels: Sequence, reference: Hashable, by: str) -> TableSpec:
    """The spec of a wide balance table: counts per level, statistics derived from them."""
    columns = [Column("measure", "Measure")]
    for level in levels:
        who = level_name(by, level)
        columns.append(Column(f"n_{level}", f"n {who}", "count", counts_persons=True))
        stats = _LEVEL_STATS + (_PAIR_STATS if level != reference else ())
        for stat in _LEVEL_STATS + _PAIR_STATS:
            name = f"{stat}_{level}"
            sources = (f"n_{level}",) if stat in _LEVEL_STATS else (f"n_{level}", f"n_{reference}")
            columns.append(
                Column(
                    name,
                    f"{_STAT_WORDS[stat]} {who}",
                    "decimal" if name in wide.columns else None,
                    derived_from=sources if stat in stats else (),
                )
            )
    named = {column.name for column in columns}
    # any other statistic the wide table carries is printed like the rest
    columns += [
        Column(c, format="decimal")
        for c in wide.columns
        if c not in named
        and (c.split("_")[0] in ("mean", "sd", "smd") or c.startswith("variance_ratio"))
    ]
    return TableSpec(tuple(columns))


def _show_balance(ed: Edition, name: str, balance: pd.DataFrame, by: str, caption: str) -> None:
    wide = _balance_display(balance)
    levels = list(dict.fromkeys(balance["level"]))
    reference = balance["reference"].iloc[0]
    ed.show_table(name, wide, caption=caption, spec=_balance_spec(wide, levels, reference, by))


def participation_balance(ed: Edition, people: pd.DataFrame) -> None:
    """Balance of pre-week measures and outcomes between participants and non-participants."""
    variables = usable_variables(people, [*BALANCE_MEASURES, *ed.params.outcomes])
    balance = compare.balance_table(people, by="participated", covariates=variables, reference=0)
    flagged = [label(v, in_sentence=True) for v in balance[balance["imbalanced"]]["variable"]]
    ed.say(
        "Participants are compared with eligible users who did not take part. A standardised "
        f"mean difference (SMD) beyond ±{SMD_THRESHOLD:g} marks a real imbalance; "
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


def balance(ed: Edition, people: pd.DataFrame, by: str = "group") -> None:
    """Balance table by group (A/B/C or another categorical column), reference its first level."""
    candidates = [
        "participated",
        "target_met",
        "hours_in_week",
        *BALANCE_MEASURES,
        *ed.params.outcomes,
    ]
    rows = group_rows(people, by, ed.params.groups, columns=candidates)
    variables = usable_variables(rows, candidates)
    balance = compare.balance_table(rows, by=by, covariates=variables)
    reference = level_name(by, balance["reference"].iloc[0])
    _show_balance(
        ed,
        f"balance_{by}",
        balance,
        by,
        caption=(
            f"Means and SDs by {dimension_name(by)}, with standardised mean differences and "
            f"variance ratios against {reference}."
        ),
    )


def tests(ed: Edition, people: pd.DataFrame, by: str = "group") -> None:
    """Tests between groups: every pair (Welch / chi-square) and one omnibus test per outcome."""
    candidates = ["participated", "target_met", "hours_in_week", *ed.params.outcomes]
    rows = group_rows(people, by, ed.params.groups, columns=candidates)
    outcomes = usable_variables(rows, candidates)
    pairs = compare.pairwise_tests(rows, outcomes=outcomes, by=by, pairs="all", adjust="holm")
    show_tests(
        ed,
        f"tests_{by}",
        pairs,
        by,
        caption=(
            f"Every pair of {dimension_name(by, plural=True)} on each outcome: difference (first "
            "minus second) with its 95 % interval (percentage points for shares), effect size "
            "(Hedges' g for means, Cohen's h for shares), and p-values adjusted by Holm across "
            "the whole table."
        ),
    )
    omnibus = compare.omnibus_tests(rows, outcomes=outcomes, by=by, test="anova", adjust="holm")
    ed.show_table(
        f"omnibus_{by}",
        _omnibus_display(omnibus),
        caption=(
            f"Does the outcome differ across all {dimension_name(by, plural=True)} at once? ANOVA "
            "for means, chi-square for shares; effect sizes eta squared and Cramer's V; p-values "
            "adjusted by Holm across the table."
        ),
        spec=OMNIBUS_SPEC,
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
