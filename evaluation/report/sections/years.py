"""Sections of 04_years: this edition compared with the previous one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pandas as pd

from evaluation.analysis import compare, describe, editions
from evaluation.core.params import Params
from evaluation.core.vocabulary import CENSUS_KPI_LABELS, KPI_DEFINITIONS
from evaluation.report import figures
from evaluation.report.edition import Edition
from evaluation.report.formatting import format_count
from evaluation.report.sections import hindi
from evaluation.report.sections.common import (
    is_share,
    label,
    mask_small_rows,
    p_text,
    pct,
    record_exact,
    show_tests,
    usable_variables,
    value_text,
)
from evaluation.report.tables import Column, TableSpec

# Labels hold {previous} and {edition}: the two editions' names, filled from params.

#: Census totals of both editions (:func:`kpi_changes`): exact, so nothing is suppressed.
KPI_CHANGES_SPEC = TableSpec(
    (
        Column("measure", "Measure"),
        Column("previous", "{previous}", "count"),
        Column("current", "{edition}", "count"),
        Column("change", "Change", "count"),
        Column("relative_change", "Change (%)", "percent"),
    )
)
#: Person-level rates and means of both editions, already written as text.
RATE_CHANGES_SPEC = TableSpec(
    (
        Column("measure", "Measure"),
        Column("population", "Among"),
        Column("n_1", "Persons {previous}", "count", counts_persons=True),
        Column("n_2", "Persons {edition}", "count", counts_persons=True),
        Column("value_1", "{previous}"),
        Column("value_2", "{edition}"),
        Column("change", "Change (95 % CI)"),
        Column("p_adjusted", "p (Holm)"),
    )
)
RETURNING_SPEC = TableSpec(
    (Column("who", "Who"), Column("persons", "Persons", "count", counts_persons=True))
)
#: Ministries whose rank moved most (:func:`rank_movers`).
RANK_CHANGES_SPEC = TableSpec(
    (
        Column("unit", "Ministry / State"),
        Column("n_1", "Eligible {previous}", "count", counts_persons=True),
        Column("n_2", "Eligible {edition}", "count", counts_persons=True),
        Column("value_1", "Rate {previous}", "percent", derived_from=("n_1", "n_2")),
        Column("value_2", "Rate {edition}", "percent", derived_from=("n_1", "n_2")),
        Column("rank_1", "Rank {previous} (95 % CI)"),
        Column("rank_2", "Rank {edition} (95 % CI)"),
        Column("rank_change", "Change (95 % CI)"),
    )
)

# --------------------------------------------------------------------------------------------
# 04_years
# --------------------------------------------------------------------------------------------


def person_columns(params: Params) -> list[str]:
    """The person-frame columns the year sections read (beside ``user_key`` and ``edition``).

    For :func:`~evaluation.analysis.populations.two_editions`: two national frames of every
    column do not fit beside the notebook's other work (scale 1, 2026-12-03).
    """
    return ["participated", "target_met", "hours_in_week", "ministry", *params.outcomes]


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
    for key, measure in CENSUS_KPI_LABELS.items():
        # census KPIs are numbers (as_dict also holds the peak day, which is not compared)
        earlier, later = cast(float, before[key]), cast(float, after[key])
        change = later - earlier
        relative = change / earlier if earlier else np.nan
        rows.append(
            {
                "kpi": key,
                "measure": measure,
                "previous": earlier,
                "current": later,
                "change": change,
                "relative_change": relative,
            }
        )
    return pd.DataFrame(rows)


def summary(
    ed: Edition,
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
        f"{pct(returning.return_rate)} of {before}'s participants came back (95 % CI "
        f"{pct(returning.return_conf_low)} to {pct(returning.return_conf_high)}), and "
        f"{pct(returning.first_time_share)} of {p.edition}'s participants were new."
    )
    ed.verdict("years_lead", text)
    ed.summary_hi(
        "years_lead",
        hindi.years_lead_hi(
            p.edition,
            str(before),
            current.participants,
            previous.participants,
            returning.return_rate,
            returning.first_time_share,
        ),
    )


def kpis(
    ed: Edition,
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
        spec=KPI_CHANGES_SPEC.filled(previous=p.previous_edition, edition=p.edition),
    )
    # `both` exists only when previous_edition is set
    changes = _person_level_changes(both, (str(p.previous_edition), p.edition), p.outcomes)
    rates_spec = RATE_CHANGES_SPEC.filled(previous=p.previous_edition, edition=p.edition)
    record_exact(ed, "kpi_rate_changes_values", changes, rates_spec.count_columns, {})
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
        spec=rates_spec,
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
    table["share"] = [is_share(both[outcome]) for outcome in table["outcome"]]
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
            "measure": changes["outcome"].map(label),
            "population": changes["population"],
            "n_1": changes["n_1"],
            "n_2": changes["n_2"],
            "value_1": list(map(value_text, changes["value_1"], changes["share"])),
            "value_2": list(map(value_text, changes["value_2"], changes["share"])),
            "change": [change_text(row) for _i, row in changes.iterrows()],
            "p_adjusted": changes["p_adjusted"].map(p_text),
        }
    )


def returning(ed: Edition, both: pd.DataFrame | None) -> None:
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
            f"Returning and first-time participants. Return rate {pct(summary.return_rate)} "
            f"(95 % Wilson interval {pct(summary.return_conf_low)} to "
            f"{pct(summary.return_conf_high)})."
        ),
        spec=RETURNING_SPEC,
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
    show_tests(
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


def _record_returning(ed: Edition, summary: compare.ReturnSummary) -> None:
    f = ed.findings
    definition = KPI_DEFINITIONS["participant"]
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


def rank_changes(ed: Edition, both: pd.DataFrame | None) -> None:
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
            before_label=str(p.previous_edition),
            after_label=p.edition,
            value_label="Participation rate (shrunk)",
            name="ministry_slope",
        )
    )
    ranks_spec = RANK_CHANGES_SPEC.filled(previous=p.previous_edition, edition=p.edition)
    record_exact(ed, "ministry_rank_changes_all", ranks, ranks_spec.count_columns, {})
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
        spec=ranks_spec,
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


#: Each edition's effect and their difference (:func:`analysis.editions.edition_effects`).
EDITION_EFFECTS_SPEC = TableSpec(
    (
        Column("edition", "Edition"),
        Column("estimate", "Effect per person", "decimal"),
        Column("conf_low", "95 % CI from", "decimal"),
        Column("conf_high", "95 % CI to", "decimal"),
        Column("participants", "Participants", "count", counts_persons=True),
        Column("non_participants", "Others", "count", counts_persons=True),
    )
)


def effects(ed: Edition, result: editions.EditionEffects | None) -> None:
    """The effect in each edition and whether it grew or shrank, as a verdict and a table."""
    if result is None:
        return
    rows = {str(r["row"]): r for r in result.table.to_dict("records")}
    first, second, gap = (rows[name] for name in ("earlier", "later", "difference"))
    outcome = label(result.outcome, in_sentence=True)

    def interval(row: dict) -> str:
        return f"{row['conf_low']:.2f} to {row['conf_high']:.2f}"

    moved = editions.CHANGE_WORDS[result.change]
    size = f" by {abs(gap['estimate']):.2f}" if result.change != "same" else ""
    text = (
        f"Taking part changed {outcome} by {first['estimate']:+.2f} per person in "
        f"{first['edition']} (95 % interval {interval(first)}) and by "
        f"{second['estimate']:+.2f} in {second['edition']} ({interval(second)}): the effect "
        f"{moved}{size} (difference {gap['estimate']:+.2f}, 95 % interval {interval(gap)}). "
        "The same before/after design in both editions; people in both "
        f"({format_count(result.persons_in_both, style=ed.params.number_style)}) are compared "
        "with themselves, so the interval is clustered by person."
    )
    ed.verdict("years_effect", text)

    def numbers(row: dict) -> tuple[float, float, float]:
        return float(row["estimate"]), float(row["conf_low"]), float(row["conf_high"])

    ed.summary_hi(
        "years_effect",
        hindi.edition_effects_hi(
            result.outcome,
            (str(first["edition"]), *numbers(first)),
            (str(second["edition"]), *numbers(second)),
            numbers(gap),
            result.change,
        ),
    )
    for row, key in (("earlier", "previous"), ("later", "current"), ("difference", "change")):
        values = rows[row]
        for part in ("estimate", "conf_low", "conf_high"):
            ed.findings.number(
                f"effect_{key}_{part}",
                float(values[part]),
                label=f"Effect on {outcome}, {values['edition']} ({part.replace('_', ' ')})",
                definition=(
                    "Participants' mean change (90 days after minus 90 days before the week) "
                    "minus non-participants', per edition; the change is the later edition's "
                    "minus the earlier's, clustered by person"
                ),
                decimals=3,
            )
    ed.show_table(
        "edition_effects",
        result.table.drop(columns=["row", "std_error"]),
        caption=(
            f"The effect of taking part on {outcome}, per person, in each edition and their "
            "difference (later minus earlier), from one regression of each person's change on "
            "taking part, the edition and their interaction, with standard errors clustered by "
            "person. The difference row counts the person-edition rows of both editions."
        ),
        spec=EDITION_EFFECTS_SPEC,
    )


#: Every outcome's effects across editions (:func:`effects_by_outcome`).
EFFECTS_BY_OUTCOME_SPEC = TableSpec(
    (
        Column("outcome", "Outcome"),
        Column("earlier", "Effect {previous} (95 % CI)"),
        Column("later", "Effect {edition} (95 % CI)"),
        Column("difference", "Difference (95 % CI)"),
        Column("moved", "The effect"),
    )
)


def effects_by_outcome(ed: Edition, results: Sequence[editions.EditionEffects]) -> None:
    """Each outcome's effect in both editions and how it moved: one row per outcome."""
    if len(results) < 2:
        return

    def cell(row: dict) -> str:
        return f"{row['estimate']:+.2f} ({row['conf_low']:+.2f} to {row['conf_high']:+.2f})"

    rows = []
    for result in results:
        by = {str(r["row"]): r for r in result.table.to_dict("records")}
        rows.append(
            {
                "outcome": label(result.outcome),
                "earlier": cell(by["earlier"]),
                "later": cell(by["later"]),
                "difference": cell(by["difference"]),
                "moved": editions.CHANGE_WORDS[result.change],
            }
        )
        for part in ("estimate", "conf_low", "conf_high"):
            ed.findings.number(
                f"effect_change_{result.outcome}_{part}",
                float(by["difference"][part]),
                label=f"Change in the effect on {label(result.outcome, in_sentence=True)} "
                f"between editions ({part.replace('_', ' ')})",
                definition=(
                    "The later edition's before/after effect minus the earlier's (participants' "
                    "mean change minus non-participants'), clustered by person"
                ),
                decimals=3,
            )
    previous, edition = ed.params.previous_edition, ed.params.edition
    ed.say("## The effect on every outcome, edition by edition")
    ed.show_table(
        "edition_effects_by_outcome",
        pd.DataFrame(rows),
        caption=(
            f"The effect of taking part per person on each outcome with a before measure, in "
            f"{previous} and {edition}, and the change (later minus earlier), each with its 95 % "
            "interval: the same before/after design and population rule in both editions, "
            "standard errors clustered by person. Outcomes without enough people with a before "
            "measure in either edition are left out."
        ),
        spec=EFFECTS_BY_OUTCOME_SPEC.filled(previous=previous, edition=edition),
    )
