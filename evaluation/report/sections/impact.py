"""Sections of 03_impact: did taking part change what people learned afterwards.

Each function shows one section: it calls :mod:`evaluation.analysis.impact` for the numbers,
records them in findings and words them for a policy reader. The designs, the population and
the checks are defined there; how strongly the answer is put is
:func:`evaluation.analysis.verdict.decide`.
"""

from __future__ import annotations

import pandas as pd

from evaluation.analysis import diagnose, pooling
from evaluation.analysis import impact as analysis
from evaluation.analysis.impact import PRIMARY, ImpactEvidence
from evaluation.analysis.verdict import Interval, decide
from evaluation.core.vocabulary import (
    DESIGN_NAMES,
    OUTCOME_DEFINITIONS,
    OUTCOME_LABELS,
    SMD_THRESHOLD,
    TREATMENT_WORDS,
)
from evaluation.report import figures
from evaluation.report.edition import Edition
from evaluation.report.formatting import format_count
from evaluation.report.sections import hindi
from evaluation.report.tables import Column, TableSpec

__all__ = [
    "ImpactEvidence",
    "adjusted_estimates",
    "did_and_event_study",
    "dose",
    "heterogeneity",
    "impact_people",
    "overlap_and_balance",
    "question",
    "robustness",
    "signed",
    "staggered",
    "trend_sensitivity",
    "unit_effects",
    "verdict",
]

#: Columns of interval tables (event study, staggered DiD); the CSVs keep the short names.
INTERVAL_SPEC = TableSpec(
    (
        Column("term", "Period"),
        Column("estimate", "Effect", "decimal"),
        Column("conf_low", "95 % low", "decimal"),
        Column("conf_high", "95 % high", "decimal"),
    )
)
#: Robust sets under bounded parallel-trend violations (:func:`trend_sensitivity`).
TREND_SPEC = TableSpec(
    (
        Column("assumption", "If after the week"),
        Column("conf_low", "95 % low", "decimal"),
        Column("conf_high", "95 % high", "decimal"),
    )
)
DOSE_SPEC = INTERVAL_SPEC.plus([Column("term", "Hours learned in the week")])
#: Each outcome's effect by design (:func:`adjusted_estimates`).
ESTIMATES_SPEC = TableSpec(
    (
        Column("outcome", "Outcome"),
        Column("design", "Design"),
        Column("estimate", "Effect", "decimal"),
        Column("std_error", "Std. error", "std_error"),
        Column("conf_low", "95 % low", "decimal"),
        Column("conf_high", "95 % high", "decimal"),
        Column("p_value", "p", "p_value"),
        Column("n", "People", "count"),
    )
)
ROBUSTNESS_SPEC = TableSpec(
    (
        Column("check", "Check"),
        Column("estimate", "Effect", "decimal"),
        Column("conf_low", "Low", "decimal"),
        Column("conf_high", "High", "decimal"),
        Column("reading", "Reading"),
    )
)
#: Every ministry and State's effect, raw and shrunk (:func:`unit_effects`). Only the counts
#: are suppressed: a unit gets an estimate (and a rank) only with ``min_cell`` persons in each
#: arm, so the other columns are empty ("–", not "[c]") exactly where a count is small.
UNIT_EFFECTS_SPEC = TableSpec(
    (
        Column("unit", "Ministry / State"),
        Column("participants", "Participants", "count", counts_persons=True),
        Column("non_participants", "Others", "count", counts_persons=True),
        Column("observed", "Own estimate", "decimal"),
        Column("observed_std_error", "Std. error", "std_error"),
        Column("estimate", "Shrunk effect", "decimal"),
        Column("conf_low", "95 % low", "decimal"),
        Column("conf_high", "95 % high", "decimal"),
        Column("rank", "Rank"),
        Column("rank_low", "Rank from"),
        Column("rank_high", "Rank to"),
        Column("reason", "Not estimated because"),
    )
)
#: Headings of the covariate balance table; every float column is printed with two decimals.
BALANCE_LABELS = {
    "covariate": "Characteristic",
    "mean_treated": "Participants",
    "mean_control": "Others",
    "smd_before": "Std. difference",
    "variance_ratio_before": "Variance ratio",
    "mean_treated_after": "Participants, weighted",
    "mean_control_after": "Others, weighted",
    "smd_after": "Std. difference, weighted",
    "balanced": "Balanced",
}


def _balance_spec(balance: pd.DataFrame) -> TableSpec:
    """:data:`BALANCE_LABELS` with the decimal format on the columns that hold floats."""
    floats = [c for c in balance.columns if balance[c].dtype.kind == "f"]
    return TableSpec(
        tuple(
            Column(name, heading, "decimal" if name in floats else None)
            for name, heading in BALANCE_LABELS.items()
        )
        + tuple(Column(c, format="decimal") for c in floats if c not in BALANCE_LABELS)
    )


def impact_people(ed: Edition) -> pd.DataFrame:
    """The impact population of this edition (:func:`evaluation.analysis.impact.impact_people`)."""
    return analysis.impact_people(ed.store, ed.params)


def question(ed: Edition, people: pd.DataFrame) -> None:
    """State the question, the treatment definition and who is compared."""
    p, style = ed.params, ed.params.number_style
    treated = int(people["treat"].sum())
    ed.say(
        f"**The question.** Did people who {TREATMENT_WORDS[p.treatment]} learn more in the "
        f"90 days after {p.title} than they would have without it? We compare "
        f"{format_count(treated, style=style)} such people with "
        f"{format_count(len(people) - treated, style=style)} eligible colleagues who did not "
        f"take part, everyone registered at least {p.pre_months} months before the week so that "
        "we see each person's learning before it. People chose to take part, so the two groups "
        "differed before the week; the before/after designs below compare each person with "
        "their own past, which removes that difference."
    )
    ed.findings.count(
        "impact_treated",
        treated,
        label="people in the treated group",
        definition=TREATMENT_WORDS[p.treatment],
        unit="persons",
    )


def adjusted_estimates(ed: Edition, people: pd.DataFrame, evidence: ImpactEvidence) -> pd.DataFrame:
    """Naive vs before/after (AIPW and matching on the change) effects, every outcome in params."""
    table = analysis.adjusted_estimates(people, list(ed.params.outcomes), evidence)
    if not table.empty:
        table["outcome"] = table["outcome"].map(lambda k: OUTCOME_LABELS.get(k, k))
        table["design"] = table["design"].map(dict(DESIGN_NAMES))
    ed.show_table(
        "impact_estimates",
        table,
        caption=(
            "Effect of taking part on each outcome (treated minus comparison, per person; 95 % "
            "intervals). The naive difference ignores that participants were keener learners "
            "before the week. Before/after designs compare each person's change from the 90 "
            "days before the week to the 90 days after, weighting or matching on Group, "
            "organisation type, tenure and earlier participation. ACBP on time has no 'before', "
            "so its adjusted estimate can only compare people alike in observed traits and may "
            "still carry some of the keen-learner difference."
        ),
        spec=ESTIMATES_SPEC,
    )
    if not table.empty:
        shown = table.assign(term=table["outcome"] + ": " + table["design"])
        ed.show_figure(figures.forest_plot(shown, term="term", name="impact_estimates"))
    defs = "\n".join(
        f"- **{OUTCOME_LABELS.get(k, k)}**: {v}"
        for k, v in OUTCOME_DEFINITIONS.items()
        if k in ed.params.outcomes
    )
    ed.say("Outcomes:\n\n" + defs)
    return table


def did_and_event_study(ed: Edition, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """DiD on each person's completions in the 90 days before vs after; event study by month."""
    p = ed.params
    did, study = analysis.panel_designs(
        ed.store, p.window, people, pre_months=p.pre_months, post_months=p.post_months
    )
    evidence.did = did
    evidence.study = study
    report = diagnose.pretrends(study)
    evidence.pretrend_passed = report.passed
    evidence.pretrend_p = report.test.p_value if report.test is not None else None
    coefs = study.tidy()
    coefs["term"] = [f"month {int(k):+d}" for k in coefs["relative_period"]]
    ed.show_figure(figures.forest_plot(coefs, term="term", name="event_study"))
    test, headline = report.test, Interval.of(did)
    ed.say(
        f"Difference in differences: completions in the 90 days after the week rose by "
        f"**{headline.estimate:.2f}** per person more for participants than for others "
        f"(95 % interval {headline.low:.2f} to {headline.high:.2f}). "
        "This holds only if both groups would have moved in parallel without the week. "
        + (
            f"Before the week the two groups' monthly completions "
            f"{'did move in parallel' if report.passed else 'did NOT move in parallel'} "
            f"(joint test of the {test.df_num} pre-week months, p = {test.p_value:.3f})."
            if test is not None
            else ""
        )
    )
    ed.show_table(
        "event_study",
        coefs[["term", "estimate", "conf_low", "conf_high"]],
        caption=(
            "Event study: difference between participants and others in course completions per "
            "30-day period, relative to the period just before the week (month -1 = 0)."
            + _cut_months(int((coefs["relative_period"] >= 0).sum()), p.post_months)
        ),
        spec=INTERVAL_SPEC,
    )


def _cut_months(shown: int, asked: int) -> str:
    """Caption words when the data end before the last post-week month asked for."""
    if shown >= asked:
        return ""
    return (
        f" Only {shown} of the {asked} months after the week are shown: the data end before "
        "the later ones are complete, and a part-month would count fewer completions for "
        "everyone."
    )


def _assumption(row: pd.Series, bend: float) -> str:
    """A robust set's assumption in words (one table row)."""
    if row["restriction"] == "parallel trends":
        return "the groups' trends stay parallel (the usual interval)"
    if row["restriction"] == "relative magnitudes":
        return (
            f"the gap between the trends changes by at most {row['bound']:g} x its largest "
            "monthly change before the week"
        )
    times = row["bound"] / bend if bend > 0 else 0.0
    if times == 0:
        return "the pre-week trend gap continues in a straight line"
    return (
        f"the trend gap bends by at most {row['bound']:.3f} a month ({times:g} x the largest "
        "bend before the week)"
    )


def _short_assumption(row: pd.Series, bend: float) -> str:
    """A robust set's assumption as a figure label (the table has it in full)."""
    if row["restriction"] == "parallel trends":
        return "parallel trends (the usual interval)"
    if row["restriction"] == "relative magnitudes":
        return f"trend gap changes by at most {row['bound']:g}x the pre-week largest"
    if row["bound"] == 0:
        return "pre-week trend gap continues straight"
    times = row["bound"] / bend if bend > 0 else 0.0
    return f"trend gap bends by at most {times:g}x the pre-week largest"


def _breakdown_sentence(trend: analysis.TrendSensitivity, low: float) -> str:
    side = "above" if low > 0 else "below"
    if trend.breakdown is None:
        return (
            f"Its robust interval already reaches zero if the gap between the groups' trends could "
            f"change after the week by {min(analysis.TREND_MBAR):g} x its largest monthly change "
            "before the week: the effect rests on parallel trends."
        )
    if trend.breakdown >= max(analysis.TREND_MBAR):
        return (
            f"The effect stays {side} zero even if the gap between the groups' trends changed "
            f"after the week by up to {trend.breakdown:g} x its largest monthly change before "
            "the week (the most checked here)."
        )
    return (
        f"The effect stays {side} zero unless the gap between the groups' trends changed after "
        f"the week by more than {trend.breakdown:g} x its largest monthly change before the week."
    )


def trend_sensitivity(ed: Edition, evidence: ImpactEvidence) -> analysis.TrendSensitivity | None:
    """How far parallel trends may fail before the effect's sign is in doubt (Rambachan-Roth).

    Needs :func:`did_and_event_study` first (it leaves the event study in ``evidence``); stores
    the result in ``evidence.trend`` for the verdict.
    """
    if evidence.study is None:
        return None
    trend = analysis.trend_sensitivity(evidence.study)
    if trend is None:
        return None
    evidence.trend = trend
    original = trend.table.iloc[0]
    months = f"months 0 to +{trend.months - 1}" if trend.months > 1 else "month 0"
    lead = ed.findings.sentence(
        "trend_sensitivity_lead",
        f"How much the answer depends on parallel trends: the event study's effect over the "
        f"first {trend.months * 30} days ({months}, summed) is **{trend.estimate:.2f}** "
        f"(95 % interval {original['conf_low']:.2f} to {original['conf_high']:.2f}). "
        + (
            _breakdown_sentence(trend, float(original["conf_low"]))
            if original["conf_low"] > 0 or original["conf_high"] < 0
            else "It cannot be told from zero even with parallel trends."
        )
        + " The intervals below (Rambachan and Roth 2023) stay valid under each assumption.",
    )
    ed.say(lead)
    table = trend.table.assign(
        assumption=[_assumption(row, trend.bend) for _, row in trend.table.iterrows()]
    )
    ed.show_table(
        "trend_sensitivity",
        table[["assumption", "conf_low", "conf_high"]],
        caption=(
            f"Robust 95 % intervals for the effect over the first {trend.months * 30} days "
            "when the groups' trends may differ after the week: relative magnitudes (C-LF) bound "
            "the change in the trend gap by a multiple of its largest pre-week monthly change; "
            "smoothness (FLCI) bounds how much the gap may bend per month."
        ),
        spec=TREND_SPEC,
    )
    ed.show_figure(
        figures.sensitivity_plot(
            table.assign(short=[_short_assumption(row, trend.bend) for _, row in table.iterrows()]),
            assumption="short",
            effect_label=f"Effect over the first {trend.months * 30} days, per person",
        )
    )
    ed.findings.number(
        "trend_breakdown_mbar",
        trend.breakdown,
        label="parallel-trend breakdown (relative magnitudes)",
        definition=(
            "largest Mbar checked (of "
            + ", ".join(f"{m:g}" for m in analysis.TREND_MBAR)
            + ") whose robust 95 % interval for the 90-day event-study effect excludes zero: "
            "after the week the gap between the trends may change by Mbar x its largest "
            "pre-week monthly change (Rambachan and Roth 2023); empty when none does"
        ),
        decimals=1,
    )
    return trend


def staggered(ed: Edition, evidence: ImpactEvidence) -> None:
    """Callaway-Sant'Anna DiD by the edition a person first joined, effects by month since."""
    p = ed.params
    effects = analysis.staggered_effects(ed.store, p)
    if effects is None:
        ed.say("Staggered comparison skipped: no one, or everyone, joined an edition.")
        return
    evidence.staggered = effects.result
    coefs = effects.by_month
    ed.show_figure(
        figures.forest_plot(coefs, term="term", name="staggered_did", effect_label="Completions")
    )
    first = coefs[coefs["term"].isin(["month +0", "month +1", "month +2"])]
    ed.say(
        f"Staggered difference in differences (Callaway and Sant'Anna, by the edition each person "
        f"first joined, {effects.editions} edition(s); comparison: people who had not joined "
        "yet). In the first three months after joining, participants completed "
        + ", ".join(f"{v:.2f}" for v in first["estimate"])
        + " more courses a month than they would have otherwise; months before joining "
        "should show about zero."
        + (
            f" Estimated on a random sample of {format_count(effects.people)} "
            f"of the {format_count(effects.population)} people (seed {p.seed}): one row "
            "per person and month is too many at this size; the other designs use everyone."
            if effects.sampled
            else ""
        )
    )
    ed.show_table(
        "staggered_did",
        coefs[["term", "estimate", "conf_low", "conf_high"]],
        caption=(
            "Staggered DiD: effect on course completions per calendar month, by months since the "
            "month after the week a person first joined (doubly robust, never- and not-yet-joined "
            "comparison; 95 % pointwise intervals)."
        ),
        spec=INTERVAL_SPEC,
    )


def overlap_and_balance(ed: Edition, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """Propensity overlap (and what trimming would remove) and balance before/after weighting."""
    checked = analysis.overlap_and_balance(people, evidence)
    balance = checked.balance
    ed.show_table(
        "balance",
        balance,
        caption=(
            "Covariate balance: standardised differences between participants and others "
            f"before and after weighting (|difference| below {SMD_THRESHOLD:g} is conventionally "
            "balanced)."
        ),
        spec=_balance_spec(balance),
    )
    ed.say(
        f"Overlap: {checked.removed_share:.1%} of participants have a propensity to take part "
        f"above {checked.overlap.trim[1]:g}, i.e. almost no comparable colleague who stayed "
        "away; the effect on participants rests on the rest."
    )


def dose(ed: Edition, people: pd.DataFrame) -> None:
    """Dose response: change in the outcome by hours learned in the week (before/after)."""
    result = analysis.dose_response(people)
    top = float(people["hours_in_week"].max()) + 1.0
    table = result.tidy()[["term", "estimate", "conf_low", "conf_high"]]
    names = {"[4, 8]": "4 to 8 hours", f"[8, {top:g}]": "8 hours or more"}
    table["term"] = [names.get(t.removeprefix("dose="), "under 4 hours") for t in table["term"]]
    ed.show_table(
        "dose_response",
        table,
        caption=(
            "Change in completions (90 days after minus 90 days before the week) by hours "
            "learned in the week, compared with people who learned nothing in it."
        ),
        spec=DOSE_SPEC,
    )


def _forest(effects: diagnose.GroupEffects, name: str) -> figures.CaptionedFigure:
    table = effects.table
    return figures.forest_plot(
        table.assign(term=table.iloc[:, 0].astype(str)), term="term", name=name
    )


def heterogeneity(ed: Edition, people: pd.DataFrame) -> None:
    """Effects by Group and by the largest ministries (before/after AIPW), tests of equality."""
    effects = analysis.group_effects(people, list(ed.params.groups), ed.params.min_cell)
    by_group = effects.by_group
    ed.show_figure(_forest(by_group, "effects_by_group"))
    ed.say(
        f"Test that the effect is the same in every group: p = {by_group.equality.p_value:.3f} "
        f"(I² = {by_group.i_squared:.0%})."
    )
    if effects.unconverged:
        ed.say(
            f"In {effects.unconverged} of these subgroup fits the model of who takes part did "
            "not settle (few comparable non-participants): read those effects with care."
        )
    by_ministry = effects.by_ministry
    if by_ministry is None:
        return
    ed.show_figure(_forest(by_ministry, "effects_by_ministry"))
    ed.say(
        f"Effects in the {effects.ministries} ministries or states with most participants; test "
        f"that they are all the same: p = {by_ministry.equality.p_value:.3f} "
        f"(I² = {by_ministry.i_squared:.0%})."
    )


def signed(value: float) -> str:
    """Two decimals, never "-0.00" (which reads as a negative effect)."""
    return f"{round(float(value), 2) + 0.0:.2f}"


def _spread_words(i2: float) -> str:
    """How much of the spread between units' estimates is real, in words (I^2 in percent)."""
    if i2 >= 75:
        return "a lot"
    if i2 >= 25:
        return "moderately"
    return "little"


def unit_effects(ed: Edition, people: pd.DataFrame) -> pooling.PooledUnitEffects | None:
    """Every ministry and State's effect on completions, pooled (random effects, REML).

    Each unit's before/after DiD (:func:`evaluation.analysis.pooling.unit_effects`), shrunk
    towards the overall effect; a caterpillar plot, a lead sentence on how much the effect
    varies, and the table of every unit, those too small to estimate listed with the reason.
    """
    p, style = ed.params, ed.params.number_style
    pooled = pooling.pool_unit_effects(people, min_persons=p.min_cell, seed=p.seed)
    if pooled is None:
        ed.say(
            "Effects by ministry and State skipped: fewer than two of them have at least "
            f"{p.min_cell} participants and {p.min_cell} colleagues who did not take part."
        )
        return None
    overall, estimated, small = pooled.overall, pooled.estimated, pooled.too_small
    low, high = pooled.prediction
    outcome = "course completions in the 90 days after the week"
    if overall.low > 0:
        change = f"taking part raised {outcome} by {signed(overall.estimate)}"
    elif overall.high < 0:
        change = f"taking part lowered {outcome} by {signed(-overall.estimate)}"
    else:
        change = (
            f"the effect of taking part on {outcome} cannot be told from zero: "
            f"{signed(overall.estimate)}"
        )
    lead = (
        f"Across the {len(estimated)} ministries and States with enough staff to estimate, "
        f"{change} per person on average (95 % interval {signed(overall.low)} to "
        f"{signed(overall.high)}). The effect varies {_spread_words(pooled.i2)} between them: "
        f"I² = {pooled.i2:.0f} % of the spread between their estimates is real difference "
        f"rather than chance, and the effect in a typical ministry or State lies between "
        f"{signed(low)} and {signed(high)} (95 % prediction interval; between-unit standard "
        f"deviation {signed(pooled.tau)})."
        + (
            f" {len(small)} more are too small to estimate (fewer than {p.min_cell} "
            "participants or colleagues who did not take part) and are listed at the end of "
            "the table."
            if len(small)
            else ""
        )
    )
    ed.findings.sentence("unit_effects_lead", lead)
    ed.say(lead)
    definition = (
        f"{OUTCOME_DEFINITIONS[PRIMARY]} Each ministry's or State's before/after difference in "
        "differences, pooled by a random-effects meta-analysis (REML)."
    )
    ed.findings.number(
        "unit_effects_overall",
        overall.estimate,
        label="effect on completions in 90 days, pooled across ministries and States",
        definition=definition,
        decimals=2,
    )
    for key, value, words, decimals in (
        ("unit_effects_overall_low", overall.low, "lower end of its 95 % interval", 2),
        ("unit_effects_overall_high", overall.high, "upper end of its 95 % interval", 2),
        ("unit_effects_tau2", pooled.tau2, "between-unit variance of the effect (tau²)", 3),
    ):
        ed.findings.number(key, value, label=words, definition=definition, decimals=decimals)
    ed.findings.number(
        "unit_effects_i2",
        pooled.i2,
        label="I²: share of the spread between units that is real (percent)",
        definition=definition,
        unit="percent",
        decimals=0,
    )
    ed.findings.number(
        "unit_effects_estimated",
        len(estimated),
        label="ministries and States with an estimated effect",
        definition=definition,
        unit="units",
        decimals=0,
    )
    ed.findings.number(
        "unit_effects_too_small",
        len(small),
        label=f"ministries and States too small to estimate (under {p.min_cell} per arm)",
        definition=definition,
        unit="units",
        decimals=0,
    )
    ed.show_figure(
        figures.caterpillar_plot(
            estimated,
            overall=overall.estimate,
            effect_label="Effect on completions per person",
            name="unit_effects",
        )
    )
    shown = [c.name for c in UNIT_EFFECTS_SPEC.columns]
    table = pooled.units[shown].copy()
    for column in ("rank", "rank_low", "rank_high"):  # blank, not "<NA>", where not estimated
        table[column] = [str(v) if pd.notna(v) else "" for v in table[column]]
    ed.show_table(
        "unit_effects",
        table,
        caption=(
            "Effect of taking part on course completions in the 90 days after the week, in "
            "each ministry and State: its own before/after estimate (participants' change "
            "minus colleagues' change, per person) and the shrunk effect, pulled towards the "
            f"overall {overall.estimate:.2f} the more the fewer staff it rests on, with its 95 % "
            "interval; the rank is by shrunk effect (1 = largest) with its 95 % range. Units "
            f"with fewer than {p.min_cell} participants or colleagues who did not take part are "
            f"not estimated; counts under {p.min_cell} are shown as [c]. "
            f"{format_count(int(estimated['participants'].sum()), style=style)} participants in "
            "the estimated units."
        ),
        spec=UNIT_EFFECTS_SPEC,
    )
    return pooled


def robustness(ed: Edition, people: pd.DataFrame, evidence: ImpactEvidence) -> pd.DataFrame:
    """Placebo week, leave-one-ministry-out, E-value and minimum detectable effect."""
    checks = analysis.robustness_checks(ed.store, ed.params, people, evidence)
    if checks is None:
        return pd.DataFrame()
    ed.show_table(
        "robustness",
        checks.table,
        caption=(
            "Robustness of the headline (difference in differences on completions). The "
            "placebo should be about zero; leaving out completions made implausibly fast (a "
            "course of 20+ minutes completed under 20 seconds after enrolment, as a Department "
            "of Posts circular of June 2025 flags) should barely move the headline, nor should "
            "leaving out one large ministry move the before/after AIPW estimate."
        ),
        spec=ROBUSTNESS_SPEC,
    )
    ed.say(
        f"Smallest effect this design could reliably detect (80 % power, 5 % level): "
        f"{checks.mde.effect:.2f} completions per person; the estimate is {checks.effect:.2f}. "
        f"E-value {checks.e_value.point:.2f} (interval {checks.e_value.interval:.2f}): a hidden "
        "factor would have to be associated with both taking part and completions by a risk "
        "ratio this large to explain the effect away, over and above each person's own past, "
        "which the design already removes."
    )
    return checks.table


def verdict(ed: Edition, evidence: ImpactEvidence) -> str:
    """Show the verdict the evidence supports and record the headline effect."""
    decided = decide(evidence.for_verdict())
    if decided is None:
        return ""
    ed.verdict("impact_verdict", decided.text)
    ed.summary_hi(
        "impact_verdict",
        hindi.verdict_hi(
            decided.strength, decided.effect, decided.low, decided.high, bool(decided.caveats)
        ),
    )
    ed.findings.number(
        "impact_did",
        decided.effect,
        label="effect on completions in 90 days (DiD)",
        definition=OUTCOME_DEFINITIONS[PRIMARY],
        decimals=2,
    )
    return decided.text
