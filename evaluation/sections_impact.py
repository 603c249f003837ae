"""Report sections of the impact notebook (03_impact): did taking part change behaviour.

Designs, in the order a reader meets them: the naive comparison (what counting suggests), and
before/after designs that compare each person with themselves: difference in differences on
the 90 days before vs after the week, with an event study by month, and its doubly robust and
matched versions (AIPW and propensity-score matching on each person's *change*, comparing like
with like on Group, organisation type, tenure and earlier participation; Sant'Anna and Zhao
2020). Before/after designs remove everything fixed about a person, including the learning
habit that made them join; conditioning a level comparison on past learning does not, because
past counts measure the habit with noise. Outcomes with no "before" measure (ACBP on time) get
AIPW on levels, flagged as resting on observed characteristics only. Diagnostics (pre-trends,
overlap, balance) decide how strongly the verdict is worded.

Standard errors: DiD and event study cluster by person (CRV1, fixest convention: the person
fixed effects are nested in the clusters and not counted); AIPW uses its influence function;
matching uses Abadie-Imbens; the naive difference uses HC1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from evaluation import diagnose, estimate, figures
from evaluation.formatting import format_count
from evaluation.panel import (
    FOLLOW_UP_DAYS,
    OUTCOME_DEFINITIONS,
    PERIOD_DAYS,
    period_values,
    person_edition,
    staggered_panel,
)
from evaluation.panel_designs import did_from_moments, event_study_from_moments, group_moments
from evaluation.params import load_params, project_root

__all__ = [
    "BASELINE",
    "BEFORE",
    "COVARIATES",
    "ImpactEvidence",
    "adjusted_estimates",
    "did_and_event_study",
    "dose",
    "heterogeneity",
    "impact_people",
    "impact_population",
    "outcome_designs",
    "panel_designs",
    "overlap_and_balance",
    "placebo_did",
    "question",
    "robustness",
    "staggered",
    "verdict",
]

#: Characteristics fixed before the week: what before/after designs compare like with like on.
#: Past learning counts are deliberately not here: conditioning a change on a lagged level
#: reintroduces the habit that differencing removed.
BASELINE = ["tenure_years", "took_part_before", "group", "org_type"]
#: Each outcome's own measure over the 90 days before the week (the "before").
BEFORE = {
    "completions_90d": "completions_pre_90d",
    "learning_hours_90d": "learning_hours_pre_90d",
    "assessment_score": "assessment_pre",
}
#: Covariates of level comparisons (outcomes without a "before"): observed characteristics.
COVARIATES = [
    "completions_pre_365d",
    "course_hours_pre_365d",
    "completions_pre_90d",
    "tenure_years",
    "took_part_before",
    "group",
    "org_type",
]
PRIMARY = "completions_90d"
TREATMENT_WORDS = {
    "participated": "took part in the week (at least one completion or event attended)",
    "target_met": "met the learning target in the week",
    "hours": "took part, with the dose measured as hours learned in the week",
}


@dataclass
class ImpactEvidence:
    """What the verdict rests on, filled in section by section."""

    naive: float | None = None
    did: estimate.EstimateResult | None = None
    aipw: estimate.EstimateResult | None = None
    matching: estimate.EstimateResult | None = None
    staggered: estimate.EstimateResult | None = None
    placebo: estimate.EstimateResult | None = None
    pretrend_passed: bool | None = None
    pretrend_p: float | None = None
    overlap_removed_share: float | None = None
    max_abs_smd_after: float | None = None


def impact_people(ed) -> pd.DataFrame:
    """The person x edition frame with the treatment ``treat`` set from params.

    Population: people observed throughout the comparison months, i.e. registered at least
    ``pre_months`` 30-day periods before the week (a balanced panel: someone who joined the
    platform a month before the week has a short "before" that is not comparable). Adds
    ``<outcome>_change`` = outcome minus its "before" measure for the outcomes in
    :data:`BEFORE`.
    """
    p = ed.params
    earlier = []
    if p.previous_edition:
        earlier.append(load_params(project_root() / "params" / f"{p.previous_edition}.yaml").window)
    people = person_edition(
        ed.store, p.window, target_hours=p.target_hours, earlier_windows=earlier
    )
    return impact_population(people, treatment=p.treatment, pre_months=p.pre_months)


def impact_population(people: pd.DataFrame, *, treatment: str, pre_months: int) -> pd.DataFrame:
    """Restrict a :func:`~evaluation.panel.person_edition` frame and add ``treat`` and changes.

    See :func:`impact_people` (this is its data part, without the notebook).
    """
    keep = people["tenure_years"] * 365.25 >= pre_months * PERIOD_DAYS
    if treatment == "target_met":
        # people who met the target against people who did not take part at all
        keep &= (people["target_met"] == 1) | (people["participated"] == 0)
    # one copy of the rows kept (copy-on-write: the new columns below copy nothing else)
    people = people.loc[keep].reset_index(drop=True)
    treated = "target_met" if treatment == "target_met" else "participated"
    people["treat"] = people[treated]
    for outcome, before in BEFORE.items():
        people[f"{outcome}_change"] = people[outcome] - people[before]
    return people


def question(ed, people: pd.DataFrame) -> None:
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


def _row(outcome: str, design: str, result: estimate.EstimateResult, term: str) -> dict:
    tidy = result.tidy().set_index("term").loc[term]
    return {
        "outcome": outcome, "design": design, "estimate": tidy["estimate"],
        "std_error": tidy["std_error"], "conf_low": tidy["conf_low"],
        "conf_high": tidy["conf_high"], "p_value": tidy["p_value"], "n": result.nobs,
    }  # fmt: skip


def _covariates_for(outcome: str, people: pd.DataFrame) -> list[str]:
    """Level covariates: observed characteristics and past learning (no "before" measure)."""
    return [c for c in COVARIATES if c in people and people[c].nunique() > 1]


def _baseline(people: pd.DataFrame, drop: tuple[str, ...] = ()) -> list[str]:
    return [c for c in BASELINE if c in people and people[c].nunique() > 1 and c not in drop]


def _columns(people: pd.DataFrame, *extra: str) -> pd.DataFrame:
    """``people`` cut to ``treat``, the estimators' covariates and ``extra`` (one copy).

    Every subset below starts from this: at national scale the whole frame is about 1.4 GB
    and a row filter on it would copy every column, most of which the estimator never reads.
    """
    wanted = dict.fromkeys(["treat", *extra, *BASELINE, *COVARIATES])
    return people[[c for c in wanted if c in people]]


def _has_before(outcome: str, data: pd.DataFrame) -> bool:
    return outcome in BEFORE and data[f"{outcome}_change"].notna().sum() >= 50


#: Display names of interval tables' columns (the CSVs keep the short names).
INTERVAL_COLUMNS = {
    "term": "Period",
    "estimate": "Effect",
    "conf_low": "95 % low",
    "conf_high": "95 % high",
}
BALANCE_COLUMNS = {
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
#: How each outcome is named in the report's tables.
OUTCOME_LABELS = {
    "completions_90d": "Course completions, 90 days",
    "learning_hours_90d": "Learning hours, 90 days",
    "acbp_on_time": "ACBP courses on time (share)",
    "assessment_score": "Assessment score (0-100)",
}
#: How each design is named in the report.
DESIGN_NAMES = {
    "naive": "naive difference",
    "aipw_change": "before/after, doubly robust (AIPW)",
    "matching_change": "before/after, propensity-score matching",
    "aipw_levels": "AIPW on levels (observed traits only)",
}


def outcome_designs(
    data: pd.DataFrame, outcome: str, *, matching: bool = False
) -> dict[str, estimate.EstimateResult]:
    """The naive difference and the adjusted designs for one outcome (keys of DESIGN_NAMES).

    With a "before" measure: AIPW (and, if ``matching``, propensity-score matching) on each
    person's change, comparing like with like on :data:`BASELINE` (the panel doubly robust DiD
    of Sant'Anna and Zhao 2020). Without one: AIPW on levels with :data:`COVARIATES`.
    """
    results = {"naive": estimate.ols(data, f"{outcome} ~ treat", vcov="HC1")}
    if not _has_before(outcome, data):
        results["aipw_levels"] = estimate.aipw(
            data,
            outcome=outcome,
            treatment="treat",
            covariates=_covariates_for(outcome, data),
            estimand="ATT",
        )
        return results
    change = data[data[f"{outcome}_change"].notna()]
    options = {"outcome": f"{outcome}_change", "treatment": "treat"}
    covariates = _baseline(change)
    results["aipw_change"] = estimate.aipw(change, covariates=covariates, estimand="ATT", **options)
    if matching:
        results["matching_change"] = estimate.match(change, covariates=covariates, **options)
    return results


def adjusted_estimates(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> pd.DataFrame:
    """Naive vs before/after (AIPW and matching on the change) effects, every outcome in params."""
    rows = []
    for outcome in ed.params.outcomes:
        data = _columns(people, outcome, f"{outcome}_change")
        data = data[data[outcome].notna()]
        if data["treat"].nunique() < 2 or len(data) < 50:
            continue
        results = outcome_designs(data, outcome, matching=outcome == PRIMARY)
        for design, result in results.items():
            term = "treat" if design == "naive" else "ATT"
            rows.append(
                _row(OUTCOME_LABELS.get(outcome, outcome), DESIGN_NAMES[design], result, term)
            )
        if outcome == PRIMARY:
            evidence.naive = float(results["naive"].coef()["treat"])
            evidence.aipw = results.get("aipw_change")
            evidence.matching = results.get("matching_change")
    table = pd.DataFrame(rows)
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
        formats={
            "estimate": "decimal",
            "std_error": "decimal",
            "conf_low": "decimal",
            "conf_high": "decimal",
            "p_value": "p_value",
            "n": "count",
        },
        rename={
            "outcome": "Outcome",
            "design": "Design",
            "estimate": "Effect",
            "std_error": "Std. error",
            "conf_low": "95 % low",
            "conf_high": "95 % high",
            "p_value": "p",
            "n": "People",
        },
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


def panel_designs(
    store, window, people: pd.DataFrame, *, pre_months: int, post_months: int
) -> tuple[estimate.EstimateResult, estimate.EstimateResult]:
    """Two-period DiD (90 days before vs after) and the monthly event study, on ``treat``.

    Both are the two-way fixed-effects fits clustered by person (CRV1, fixest convention),
    computed from per-group moments in the engine (:mod:`evaluation.panel_designs`: the same
    numbers as the full person x period fit, without building that panel). Event-study periods
    are 30-day periods around the week (the week itself in none), month -1 the reference.
    """
    values = period_values(store, window, pre=pre_months, post=post_months)
    who = ibis.memtable(people[["user_key", "treat"]].astype({"treat": "int64"}))
    months = list(range(-pre_months, post_months))
    study = event_study_from_moments(
        group_moments(values, who, periods=months, reference=-1, outcome="completions")
    )
    follow_up = FOLLOW_UP_DAYS // PERIOD_DAYS
    phases = values.filter(values.period.between(-follow_up, follow_up - 1))
    phases = phases.mutate(period=ibis.ifelse(phases.period < 0, -1, 0))
    did = did_from_moments(
        group_moments(phases, who, periods=[-1, 0], reference=-1, outcome="completions")
    )
    return did, study


def did_and_event_study(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """DiD on each person's completions in the 90 days before vs after; event study by month."""
    p = ed.params
    did, study = panel_designs(
        ed.store, p.window, people, pre_months=p.pre_months, post_months=p.post_months
    )
    evidence.did = did
    report = diagnose.pretrends(study)
    evidence.pretrend_passed = report.passed
    evidence.pretrend_p = report.test.p_value if report.test is not None else None
    coefs = study.tidy()
    coefs["term"] = [f"month {int(k):+d}" for k in coefs["relative_period"]]
    ed.show_figure(figures.forest_plot(coefs, term="term", name="event_study"))
    test = report.test
    ed.say(
        f"Difference in differences: completions in the 90 days after the week rose by "
        f"**{did.coef().iloc[0]:.2f}** per person more for participants than for others "
        f"(95 % interval {did.confint().iloc[0, 0]:.2f} to {did.confint().iloc[0, 1]:.2f}). "
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
        ),
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
        rename=INTERVAL_COLUMNS,
    )


def _editions_so_far(ed) -> list:
    """Windows of the earlier editions named in params (oldest first) and this one."""
    windows, name = [ed.params.window], ed.params.previous_edition
    while name:
        earlier = load_params(project_root() / "params" / f"{name}.yaml")
        windows.insert(0, earlier.window)
        name = earlier.previous_edition
    return windows


def _month_start(day: dt.date, months: int) -> dt.date:
    month = pd.Timestamp(day).to_period("M") + months
    return month.to_timestamp().date()


def staggered(ed, evidence: ImpactEvidence) -> None:
    """Callaway-Sant'Anna DiD by the edition a person first joined, effects by month since."""
    p = ed.params
    windows = _editions_so_far(ed)
    panel = staggered_panel(
        ed.store,
        windows,
        target_hours=p.target_hours,
        first_month=_month_start(windows[0].start, -p.pre_months),
        last_month=_month_start(p.window.end, p.post_months),
        max_people=STAGGERED_MAX_PEOPLE,
        seed=p.seed,
    )
    sampled = panel["user_key"].nunique() < panel.attrs.get("population", 0)
    if not (panel["cohort"] > 0).any() or not (panel["cohort"] == 0).any():
        ed.say("Staggered comparison skipped: no one, or everyone, joined an edition.")
        return
    result = estimate.staggered_did(
        panel,
        outcome="completions",
        unit="user_key",
        time="time",
        cohort="cohort",
        control="notyet",
        method="dr",
        aggregate="dynamic",
    )
    evidence.staggered = result
    coefs = result.tidy()
    coefs = coefs[coefs["term"] != "ATT"].copy()
    months = coefs["term"].str.extract(r"(-?\d+)$")[0].astype(int)
    coefs = coefs[months.between(-p.pre_months, p.post_months - 1)].copy()
    coefs["term"] = [f"month {m:+d}" for m in months[coefs.index]]
    ed.show_figure(
        figures.forest_plot(coefs, term="term", name="staggered_did", effect_label="Completions")
    )
    first = coefs[coefs["term"].isin(["month +0", "month +1", "month +2"])]
    ed.say(
        f"Staggered difference in differences (Callaway and Sant'Anna, by the edition each person "
        f"first joined, {len(windows)} edition(s); comparison: people who had not joined yet). "
        "In the first three months after joining, participants completed "
        + ", ".join(f"{v:.2f}" for v in first["estimate"])
        + " more courses a month than they would have otherwise; months before joining "
        "should show about zero."
        + (
            f" Estimated on a random sample of {format_count(panel['user_key'].nunique())} "
            f"of the {format_count(panel.attrs['population'])} people (seed {p.seed}): one row "
            "per person and month is too many at this size; the other designs use everyone."
            if sampled
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
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
        rename=INTERVAL_COLUMNS,
    )


def overlap_and_balance(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> None:
    """Propensity overlap (and what trimming would remove) and balance before/after weighting.

    On the characteristics the before/after AIPW weights on; differences in past learning are
    removed by comparing each person with themselves, not by weighting.
    """
    covariates = _baseline(people)
    # The estimand is the effect on participants (ATT), so overlap fails where participants
    # have almost no comparable non-participants: propensity near 1. Non-participants with a
    # propensity near 0 are simply given little weight (Crump et al.'s 0.1 cut is for the ATE).
    report = diagnose.overlap(people, treatment="treat", covariates=covariates, trim=(0.0, 0.9))
    removed = report.removed.set_index("arm")
    share = float(removed.loc["treated", "share_removed"])
    evidence.overlap_removed_share = share
    balance = diagnose.balance(
        people, treatment="treat", covariates=covariates, result=evidence.aipw
    )
    smd_after = [c for c in balance.columns if "after" in c and "smd" in c.lower()]
    if smd_after:
        evidence.max_abs_smd_after = float(balance[smd_after[0]].abs().max())
    ed.show_table(
        "balance",
        balance,
        caption=(
            "Covariate balance: standardised differences between participants and others "
            "before and after weighting (|difference| below 0.1 is conventionally balanced)."
        ),
        formats={c: "decimal" for c in balance.columns if balance[c].dtype.kind == "f"},
        rename=BALANCE_COLUMNS,
    )
    ed.say(
        f"Overlap: {share:.1%} of participants have a propensity to take part above "
        f"{report.trim[1]:g}, i.e. almost no comparable colleague who stayed away; the effect "
        "on participants rests on the rest."
    )


def dose(ed, people: pd.DataFrame) -> None:
    """Dose response: change in the outcome by hours learned in the week (before/after)."""
    hours = people["hours_in_week"]
    # nothing / under 4 h / 4-8 h / 8 h or more, against people who learned nothing in the week
    edges = [0.0, np.nextafter(0.0, 1.0), 4.0, 8.0, float(hours.max()) + 1.0]
    result = estimate.dose_response(
        people,
        outcome=f"{PRIMARY}_change",
        dose="hours_in_week",
        covariates=_baseline(people),
        bins=edges,
    )
    table = result.tidy()[["term", "estimate", "conf_low", "conf_high"]]
    names = {"[4, 8]": "4 to 8 hours", f"[8, {edges[-1]:g}]": "8 hours or more"}
    table["term"] = [names.get(t.removeprefix("dose="), "under 4 hours") for t in table["term"]]
    ed.show_table(
        "dose_response",
        table,
        caption=(
            "Change in completions (90 days after minus 90 days before the week) by hours "
            "learned in the week, compared with people who learned nothing in it."
        ),
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
        rename={**INTERVAL_COLUMNS, "term": "Hours learned in the week"},
    )


def _aipw_change(covariates: list[str]):
    def fit(frame: pd.DataFrame) -> estimate.EstimateResult:
        return estimate.aipw(
            frame,
            outcome=f"{PRIMARY}_change",
            treatment="treat",
            covariates=covariates,
            estimand="ATT",
        )

    return fit


def heterogeneity(ed, people: pd.DataFrame) -> None:
    """Effects by Group and by the largest ministries (before/after AIPW), tests of equality."""
    people = _columns(people, f"{PRIMARY}_change", "ministry")
    subset = people[people["group"].isin(ed.params.groups)]
    by_group = diagnose.effects_by_group(
        _aipw_change(_baseline(people, drop=("group",))), subset, group="group"
    )
    table = by_group.table
    ed.show_figure(
        figures.forest_plot(
            table.assign(term=table.iloc[:, 0].astype(str)), term="term", name="effects_by_group"
        )
    )
    ed.say(
        f"Test that the effect is the same in every group: p = {by_group.equality.p_value:.3f} "
        f"(I² = {by_group.i_squared:.0%})."
    )
    largest = people.loc[people["treat"] == 1, "ministry"].value_counts()
    largest = largest[largest >= ed.params.min_cell].index[:LEAVE_OUT_MINISTRIES]
    if len(largest) < 2:
        return
    by_ministry = diagnose.effects_by_group(
        _aipw_change(_baseline(people)),
        people[people["ministry"].isin(largest)],
        group="ministry",
    )
    table = by_ministry.table
    ed.show_figure(
        figures.forest_plot(
            table.assign(term=table.iloc[:, 0].astype(str)),
            term="term",
            name="effects_by_ministry",
        )
    )
    ed.say(
        f"Effects in the {len(largest)} ministries or states with most participants; test that "
        f"they are all the same: p = {by_ministry.equality.p_value:.3f} "
        f"(I² = {by_ministry.i_squared:.0%})."
    )


#: People in the staggered DiD's person x month panel at most (a random sample above it).
STAGGERED_MAX_PEOPLE = 300_000
#: Ministries with most participants re-checked one at a time (leave-one-out).
LEAVE_OUT_MINISTRIES = 8


def placebo_did(store, window, people: pd.DataFrame, *, pre_months: int) -> estimate.EstimateResult:
    """The before/after DiD moved three months earlier, when nobody had taken part yet.

    Periods -6..-4 are the placebo "before" and -3..-1 the placebo "after" (with
    ``pre_months`` of at least six); a real effect cannot reach them, so an estimate far from
    zero means the groups were drifting apart anyway.
    """
    follow_up = FOLLOW_UP_DAYS // PERIOD_DAYS
    if pre_months < 2 * follow_up:
        raise ValueError(f"a placebo needs pre_months >= {2 * follow_up}, got {pre_months}")
    values = period_values(store, window, pre=2 * follow_up, post=0)
    values = values.mutate(period=ibis.ifelse(values.period < -follow_up, -1, 0))
    who = ibis.memtable(people[["user_key", "treat"]].astype({"treat": "int64"}))
    return did_from_moments(
        group_moments(values, who, periods=[-1, 0], reference=-1, outcome="completions")
    )


def robustness(ed, people: pd.DataFrame, evidence: ImpactEvidence) -> pd.DataFrame:
    """Placebo week, leave-one-ministry-out, E-value and minimum detectable effect."""
    p, did = ed.params, evidence.did
    if did is None:
        return pd.DataFrame()
    effect = float(did.coef().iloc[0])
    rows = []
    if p.pre_months >= 2 * (FOLLOW_UP_DAYS // PERIOD_DAYS):
        placebo = placebo_did(ed.store, p.window, people, pre_months=p.pre_months)
        evidence.placebo = placebo
        low, high = (float(v) for v in placebo.confint().iloc[0])
        rows.append(
            {
                "check": "placebo: the same comparison 3 months earlier",
                "estimate": float(placebo.coef().iloc[0]),
                "conf_low": low,
                "conf_high": high,
                "reading": "about zero, as it should be" if low <= 0 <= high else "NOT zero",
            }
        )
    largest = people.loc[people["treat"] == 1, "ministry"].value_counts().index
    chosen = people["ministry"].where(people["ministry"].isin(largest[:LEAVE_OUT_MINISTRIES]))
    left_out = diagnose.leave_one_out(
        _aipw_change(_baseline(people)),
        _columns(people, f"{PRIMARY}_change").assign(left_out=chosen),
        group="left_out",
    )
    spread = left_out["estimate"].iloc[1:]
    rows.append(
        {
            "check": f"leaving out each of the {len(spread)} largest ministries in turn",
            "estimate": float(spread.median()),
            "conf_low": float(spread.min()),
            "conf_high": float(spread.max()),
            "reading": "range of the estimates (not an interval)",
        }
    )
    comparison_sd = float(people.loc[people["treat"] == 0, PRIMARY].std())
    e_value = diagnose.e_value(did, outcome_sd=comparison_sd)
    mde = diagnose.minimum_detectable_effect(result=did)
    table = pd.DataFrame(rows)
    ed.show_table(
        "robustness",
        table,
        caption=(
            "Robustness of the headline (difference in differences on completions). The "
            "placebo should be about zero; leaving out one large ministry should barely move "
            "the before/after AIPW estimate."
        ),
        formats={"estimate": "decimal", "conf_low": "decimal", "conf_high": "decimal"},
        rename={
            "check": "Check",
            "estimate": "Effect",
            "conf_low": "Low",
            "conf_high": "High",
            "reading": "Reading",
        },
    )
    ed.say(
        f"Smallest effect this design could reliably detect (80 % power, 5 % level): "
        f"{mde.effect:.2f} completions per person; the estimate is {effect:.2f}. "
        f"E-value {e_value.point:.2f} (interval {e_value.interval:.2f}): a hidden factor would "
        "have to be associated with both taking part and completions by a risk ratio this large "
        "to explain the effect away, over and above each person's own past, which the design "
        "already removes."
    )
    return table


def verdict(ed, evidence: ImpactEvidence) -> str:
    """A plain-English verdict whose strength follows the diagnostics."""
    did = evidence.did
    if did is None:
        return ""
    low, high = (float(v) for v in did.confint().iloc[0])
    effect = float(did.coef().iloc[0])
    agree = evidence.aipw is not None and (
        float(evidence.aipw.confint().iloc[0, 0]) <= high
        and float(evidence.aipw.confint().iloc[0, 1]) >= low
    )
    caveats = []
    if evidence.pretrend_passed is False:
        caveats.append("participants' learning was already rising faster before the week")
    if not agree:
        caveats.append("the designs disagree about the size")
    if evidence.placebo is not None:
        placebo_low, placebo_high = (float(v) for v in evidence.placebo.confint().iloc[0])
        if not placebo_low <= 0 <= placebo_high:
            caveats.append("a fake week three months earlier also shows an 'effect'")
    if evidence.overlap_removed_share is not None and evidence.overlap_removed_share > 0.1:
        caveats.append("some participants have no comparable non-participants")
    if low > 0 and not caveats:
        strength = "The evidence is strong that taking part raised"
    elif low > 0:
        strength = "Taking part probably raised"
    elif high < 0:
        strength = "Taking part appears to have lowered"
    else:
        strength = "We cannot tell whether taking part changed"
    naive = (
        f" (a naive comparison would say {evidence.naive:.2f})"
        if evidence.naive is not None
        else ""
    )
    text = (
        f"{strength} course completions in the following 90 days, by about {effect:.2f} per "
        f"person (95 % interval {low:.2f} to {high:.2f}){naive}."
    )
    if caveats:
        text += " How sure: moderate at best, because " + "; ".join(caveats) + "."
    ed.verdict("impact_verdict", text)
    ed.findings.number(
        "impact_did",
        effect,
        label="effect on completions in 90 days (DiD)",
        definition=OUTCOME_DEFINITIONS[PRIMARY],
        decimals=2,
    )
    return text
