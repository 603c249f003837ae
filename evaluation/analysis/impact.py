"""The impact evaluation's own logic: who is compared, with which designs, and the checks.

Designs, in the order a reader meets them: the naive comparison (what counting suggests), and
before/after designs that compare each person with themselves: difference in differences on
the 90 days before vs after the week, with an event study by month, and its doubly robust and
matched versions (AIPW and propensity-score matching on each person's *change*, comparing like
with like on Group, organisation type, tenure and earlier participation; Sant'Anna and Zhao
2020). Before/after designs remove everything fixed about a person, including the learning
habit that made them join; conditioning a level comparison on past learning does not, because
past counts measure the habit with noise. Outcomes with no "before" measure (ACBP on time) get
AIPW on levels, flagged as resting on observed characteristics only.

Standard errors: DiD and event study cluster by person (CRV1, fixest convention: the person
fixed effects are nested in the clusters and not counted); AIPW uses its influence function;
matching uses Abadie-Imbens; the naive difference uses HC1.

Every function here returns numbers and tables with analysis column names; the report
(:mod:`evaluation.report.sections.impact`) words and shows them, and
:mod:`evaluation.analysis.verdict` decides how strongly the answer is put.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import ibis
import numpy as np
import pandas as pd

from evaluation import estimate
from evaluation.analysis import diagnose
from evaluation.analysis.panels import (
    PERIOD_DAYS,
    complete_post_periods,
    last_completion_day,
    period_values,
    person_edition,
    staggered_inputs,
)
from evaluation.analysis.verdict import Evidence, Interval, TrendRobustness
from evaluation.core.params import Params, Window, load_params, project_root
from evaluation.core.vocabulary import FOLLOW_UP_DAYS, LEVEL_DESIGN_COVARIATES
from evaluation.data.backend import Store
from evaluation.data.quality import fast_completions
from evaluation.estimate.compressed import compressed_ols
from evaluation.estimate.moments import did_from_moments, event_study_from_moments, group_moments

__all__ = [
    "BASELINE",
    "BEFORE",
    "PRIMARY",
    "ImpactEvidence",
    "adjusted_estimates",
    "dose_response",
    "editions_so_far",
    "group_effects",
    "impact_people",
    "impact_population",
    "outcome_designs",
    "overlap_and_balance",
    "panel_designs",
    "placebo_did",
    "robustness_checks",
    "staggered_effects",
    "TREND_MBAR",
    "TrendSensitivity",
    "trend_sensitivity",
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
#: The headline outcome (the DiD, the verdict and the checks are on it).
PRIMARY = "completions_90d"
#: People in a person x month panel of the staggered DiD at most (a random sample above it):
#: only for the person-level fit the benchmarks set beside the moments version 03_impact uses.
STAGGERED_MAX_PEOPLE = 300_000
#: Ministries with most participants re-checked one at a time (leave-one-out).
LEAVE_OUT_MINISTRIES = 8
#: Outcomes need this many people with a "before" for a before/after design.
MIN_CHANGES = 50
#: Relative-magnitude bounds checked (Rambachan and Roth's Mbar): after the week the gap between
#: the groups' trends may change by up to this many times its largest pre-week monthly change.
TREND_MBAR = (0.5, 1.0, 1.5, 2.0)
#: Smoothness bounds checked, as multiples of the largest bend (second difference) of the
#: pre-week event-study coefficients: 0 is a straight-line extrapolation of the pre-trend.
TREND_BENDS = (0.0, 1.0, 2.0)


@dataclass
class ImpactEvidence:
    """The fitted results the verdict rests on, filled in section by section."""

    naive: float | None = None
    did: estimate.DiDResult | None = None
    aipw: estimate.TreatmentEffectResult | None = None
    matching: estimate.EstimateResult | None = None
    staggered: estimate.EstimateResult | None = None
    placebo: estimate.EstimateResult | None = None
    pretrend_passed: bool | None = None
    pretrend_p: float | None = None
    overlap_removed_share: float | None = None
    max_abs_smd_after: float | None = None
    study: estimate.EventStudyResult | None = None
    trend: TrendSensitivity | None = None

    def for_verdict(self) -> Evidence:
        """The numbers :func:`evaluation.analysis.verdict.decide` reads."""
        return Evidence(
            did=Interval.of(self.did) if self.did is not None else None,
            aipw=Interval.of(self.aipw) if self.aipw is not None else None,
            placebo=Interval.of(self.placebo) if self.placebo is not None else None,
            naive=self.naive,
            pretrend_passed=self.pretrend_passed,
            overlap_removed_share=self.overlap_removed_share,
            trend=self.trend.for_verdict() if self.trend is not None else None,
        )


# --------------------------------------------------------------------------------------------
# Who is compared
# --------------------------------------------------------------------------------------------


def impact_people(
    store: Store, params: Params, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The person x edition frame with the treatment ``treat`` set from params.

    Population: people observed throughout the comparison months, i.e. registered at least
    ``pre_months`` 30-day periods before the week (a balanced panel: someone who joined the
    platform a month before the week has a short "before" that is not comparable). Adds
    ``<outcome>_change`` = outcome minus its "before" measure for the outcomes in
    :data:`BEFORE`. ``columns``: only these of the person frame (and what the population
    and the changes need), for a caller that needs a few columns at national scale.
    """
    if columns is not None:
        columns = [*columns, *_POPULATION_COLUMNS, *BEFORE, *BEFORE.values()]
    earlier = []
    if params.previous_edition:
        previous = project_root() / "params" / f"{params.previous_edition}.yaml"
        earlier.append(load_params(previous).window)
    people = person_edition(
        store,
        params.window,
        target_hours=params.target_hours,
        earlier_windows=earlier,
        columns=columns,
        # the population chosen in the engine: a row filter in pandas would hold the
        # national frame twice (3.5 GB each at scale 1)
        keep=lambda frame: in_population(frame, params.treatment, params.pre_months),
    )
    return impact_population(people, treatment=params.treatment, pre_months=params.pre_months)


def in_population(frame: Any, treatment: str, pre_months: int) -> Any:
    """Which rows of a person frame (pandas, or an Ibis table) :func:`impact_people` keeps.

    People observed for ``pre_months`` 30-day periods before the week; with the
    ``target_met`` treatment, those who met the target and those who did not take part.
    """
    keep = frame["tenure_years"] * 365.25 >= pre_months * PERIOD_DAYS
    if treatment == "target_met":
        # people who met the target against people who did not take part at all
        keep &= (frame["target_met"] == 1) | (frame["participated"] == 0)
    return keep


#: The person frame's columns :func:`impact_population` reads.
_POPULATION_COLUMNS = ("tenure_years", "participated", "target_met")


def impact_population(people: pd.DataFrame, *, treatment: str, pre_months: int) -> pd.DataFrame:
    """Restrict a person x edition frame and add ``treat`` and each outcome's change.

    See :func:`impact_people` (this is its part after the frame is built).
    """
    keep = in_population(people, treatment, pre_months)
    # one copy of the rows kept, none when all are (impact_people chose them in the engine);
    # copy-on-write: the caller's frame does not get the new columns, and no data is copied
    people = people.loc[keep].reset_index(drop=True) if not keep.all() else people.copy(deep=False)
    treated = "target_met" if treatment == "target_met" else "participated"
    people["treat"] = people[treated]
    for outcome, before in BEFORE.items():
        people[f"{outcome}_change"] = people[outcome] - people[before]
    return people


def baseline(people: pd.DataFrame, drop: tuple[str, ...] = ()) -> list[str]:
    """The :data:`BASELINE` characteristics that vary in ``people`` (less ``drop``)."""
    return [c for c in BASELINE if c in people and people[c].nunique() > 1 and c not in drop]


def level_covariates(people: pd.DataFrame) -> list[str]:
    """The level-design covariates (:mod:`evaluation.core.vocabulary`) that vary in ``people``."""
    return [c for c in LEVEL_DESIGN_COVARIATES if c in people and people[c].nunique() > 1]


def columns(people: pd.DataFrame, *extra: str) -> pd.DataFrame:
    """``people`` cut to ``treat``, the estimators' covariates and ``extra`` (one copy).

    Every subset starts from this: at national scale the whole frame is large and a row filter
    on it would copy every column, most of which the estimator never reads.
    """
    wanted = dict.fromkeys(["treat", *extra, *BASELINE, *LEVEL_DESIGN_COVARIATES])
    return people[[c for c in wanted if c in people]]


def has_before(outcome: str, data: pd.DataFrame) -> bool:
    """Whether ``outcome`` has a "before" measure for enough people to difference it."""
    return outcome in BEFORE and data[f"{outcome}_change"].notna().sum() >= MIN_CHANGES


# --------------------------------------------------------------------------------------------
# Designs
# --------------------------------------------------------------------------------------------


def naive_difference(data: pd.DataFrame, outcome: str) -> estimate.EstimateResult:
    """``outcome ~ treat`` by least squares with HC1 errors: the arms' difference in means.

    Fitted from each arm's count, mean and sum of squares (``compressed_ols``), which gives
    what :func:`evaluation.estimate.ols` (pyfixest) gives on the rows (tested to 1e-10) without
    a design matrix of every row: 2.5 GB at national scale. Rows missing the outcome are left
    out, as the row fit leaves them out.
    """
    return compressed_ols(data[[outcome, "treat"]], f"{outcome} ~ treat", vcov="HC1")


def outcome_designs(
    data: pd.DataFrame, outcome: str, *, matching: bool = False
) -> dict[str, estimate.EstimateResult]:
    """The naive difference and the adjusted designs for one outcome.

    Keys: ``naive``, and ``aipw_change`` (plus ``matching_change`` if ``matching``) with a
    "before" measure: AIPW and matching on each person's change, comparing like with like on
    :data:`BASELINE` (the panel doubly robust DiD of Sant'Anna and Zhao 2020); without one,
    ``aipw_levels``: AIPW on levels with the level-design covariates
    (:data:`~evaluation.core.vocabulary.LEVEL_DESIGN_COVARIATES`).
    """
    results: dict[str, estimate.EstimateResult] = {"naive": naive_difference(data, outcome)}
    if not has_before(outcome, data):
        results["aipw_levels"] = estimate.aipw(
            data,
            outcome=outcome,
            treatment="treat",
            covariates=level_covariates(data),
            estimand="ATT",
        )
        return results
    change = data[data[f"{outcome}_change"].notna()]
    change_outcome = f"{outcome}_change"
    covariates = baseline(change)
    results["aipw_change"] = estimate.aipw(
        change, outcome=change_outcome, treatment="treat", covariates=covariates, estimand="ATT"
    )
    if matching:
        results["matching_change"] = estimate.match(
            change, outcome=change_outcome, treatment="treat", covariates=covariates
        )
    return results


def _row(outcome: str, design: str, result: estimate.EstimateResult, term: str) -> dict:
    tidy = result.tidy().set_index("term").loc[term]
    return {
        "outcome": outcome, "design": design, "estimate": tidy["estimate"],
        "std_error": tidy["std_error"], "conf_low": tidy["conf_low"],
        "conf_high": tidy["conf_high"], "p_value": tidy["p_value"], "n": result.nobs,
    }  # fmt: skip


def adjusted_estimates(
    people: pd.DataFrame, outcomes: list[str], evidence: ImpactEvidence
) -> pd.DataFrame:
    """Naive vs before/after effects for every outcome: one row per outcome and design.

    ``outcome`` and ``design`` hold keys (an outcome column, a key of :func:`outcome_designs`);
    the headline outcome's results are recorded in ``evidence``.
    """
    rows = []
    for outcome in outcomes:
        data = columns(people, outcome, f"{outcome}_change")
        data = data[data[outcome].notna()]
        if data["treat"].nunique() < 2 or len(data) < MIN_CHANGES:
            continue
        results = outcome_designs(data, outcome, matching=outcome == PRIMARY)
        for design, result in results.items():
            rows.append(_row(outcome, design, result, "treat" if design == "naive" else "ATT"))
        if outcome == PRIMARY:
            evidence.naive = float(results["naive"].coef()["treat"])
            evidence.aipw = cast(estimate.TreatmentEffectResult | None, results.get("aipw_change"))
            evidence.matching = results.get("matching_change")
    return pd.DataFrame(rows)


def panel_designs(
    store: Store,
    window: Window,
    people: pd.DataFrame,
    *,
    pre_months: int,
    post_months: int,
    without_fast: bool = False,
) -> tuple[estimate.DiDResult, estimate.EventStudyResult]:
    """Two-period DiD (90 days before vs after) and the monthly event study, on ``treat``.

    Both are the two-way fixed-effects fits clustered by person (CRV1, fixest convention),
    computed from per-group moments in the engine (:mod:`evaluation.estimate.moments`: the same
    numbers as the full person x period fit, without building that panel). Event-study periods
    are 30-day periods around the week (the week itself in none), month -1 the reference.
    ``without_fast`` leaves implausibly fast completions out of the counts (a robustness check).
    Post-week months that the data do not cover in full are left out
    (:func:`~evaluation.analysis.panels.complete_post_periods`).
    """
    post_months = complete_post_periods(store, window, post_months)
    values = period_values(
        store, window, pre=pre_months, post=post_months, without_fast=without_fast
    )
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


@dataclass(frozen=True)
class TrendSensitivity:
    """The headline's robust confidence sets under bounded parallel-trend violations.

    ``table`` has one row per bound: ``restriction`` ("parallel trends", "relative magnitudes"
    or "smoothness"), ``bound`` (Mbar; M in completions per person per month), ``conf_low``,
    ``conf_high``. ``estimate`` is the event study's effect over the first ``months`` months
    after the week (their sum, each relative to month -1: the event-study counterpart of the
    90-day DiD headline). ``breakdown`` is the largest Mbar whose set excludes zero (None: not
    even the smallest); ``bend`` the largest pre-week bend that scales the smoothness bounds.
    """

    table: pd.DataFrame
    estimate: float
    months: int
    breakdown: float | None
    smoothness_breakdown: float | None
    bend: float

    def for_verdict(self) -> TrendRobustness:
        """The numbers :func:`evaluation.analysis.verdict.decide` words."""
        return TrendRobustness(
            breakdown=self.breakdown, smallest=min(TREND_MBAR), largest=max(TREND_MBAR)
        )


def _largest_bend(study: estimate.EventStudyResult) -> float:
    """Largest |second difference| of the pre-week coefficients (month -1 counts as 0)."""
    coefs = study.tidy()
    pre = coefs[coefs["relative_period"] < study.reference].sort_values("relative_period")
    path = np.append(pre["estimate"].to_numpy(float), 0.0)
    return float(np.abs(np.diff(path, n=2)).max()) if len(path) >= 3 else 0.0


def trend_sensitivity(
    study: estimate.EventStudyResult, *, months: int = FOLLOW_UP_DAYS // PERIOD_DAYS
) -> TrendSensitivity | None:
    """Robust sets (Rambachan and Roth 2023) for the effect over the first ``months`` months.

    Relative magnitudes (C-LF) at :data:`TREND_MBAR` and smoothness (FLCI) at
    :data:`TREND_BENDS` times the largest pre-week bend, by :func:`evaluation.estimate.honest_did`.
    None when the event study has no pre-week month besides the reference or no month after.
    """
    periods = study.tidy()["relative_period"].to_numpy(int)
    n_pre = int((periods < study.reference).sum())
    n_post = int((periods > study.reference).sum())
    if n_pre < 1 or n_post < 1:
        return None
    l_vec = np.zeros(n_post)
    l_vec[: min(months, n_post)] = 1.0
    relative = estimate.honest_did(study, m=TREND_MBAR, l_vec=l_vec)
    bend = _largest_bend(study)
    smooth = None
    if n_pre >= 2 and bend > 0:
        smooth = estimate.honest_did(
            study, restriction="smoothness", m=[k * bend for k in TREND_BENDS], l_vec=l_vec
        )
    original = relative.attrs["original"]
    rows = [("parallel trends", np.nan, original["conf_low"], original["conf_high"])]
    rows += [("relative magnitudes", *r) for r in relative[["m", "conf_low", "conf_high"]].values]
    if smooth is not None:
        rows += [("smoothness", *r) for r in smooth[["m", "conf_low", "conf_high"]].values]
    table = pd.DataFrame(rows, columns=["restriction", "bound", "conf_low", "conf_high"])
    return TrendSensitivity(
        table=table,
        estimate=float(original["estimate"]),
        months=int(l_vec.sum()),
        breakdown=relative.attrs["breakdown"],
        smoothness_breakdown=smooth.attrs["breakdown"] if smooth is not None else None,
        bend=bend,
    )


def editions_so_far(params: Params) -> list[Window]:
    """Windows of the earlier editions named in params (oldest first) and this one."""
    windows, name = [params.window], params.previous_edition
    while name:
        earlier = load_params(project_root() / "params" / f"{name}.yaml")
        windows.insert(0, earlier.window)
        name = earlier.previous_edition
    return windows


def _month_start(day: dt.date, months: int) -> dt.date:
    month = pd.Timestamp(day).to_period("M") + months
    return month.to_timestamp().date()


@dataclass(frozen=True)
class StaggeredEffects:
    """The staggered DiD's result and its monthly effects within the report's months."""

    result: estimate.EstimateResult
    by_month: pd.DataFrame  # term ("month +k"), estimate, conf_low, conf_high, ...
    editions: int
    people: int
    population: int

    @property
    def sampled(self) -> bool:
        """Whether the panel is a random sample of the population."""
        return self.people < self.population


def staggered_effects(store: Store, params: Params) -> StaggeredEffects | None:
    """Callaway-Sant'Anna DiD by the edition a person first joined (None: nothing to compare).

    Doubly robust, not-yet-joined comparison, effects by month since joining, over the whole
    eligible population: from cohort x month moments computed in the engine
    (:func:`evaluation.estimate.cohort_moments`), equal to the person-level fit
    (``estimate.staggered_did``, csdid) to 1e-10 (tests/estimate), so no person x month panel
    is built and nobody is sampled.
    """
    windows = editions_so_far(params)
    last_month = _month_start(params.window.end, params.post_months)
    data_end = last_completion_day(store)
    if data_end is not None:
        # only calendar months the data cover in full: an empty month after the data end
        # reads as a drop for the cohorts that joined (2026: August to October 2026)
        complete = _month_start(data_end + dt.timedelta(days=1), -1)
        last_month = max(min(last_month, complete), _month_start(params.window.end, 0))
    values, people, periods = staggered_inputs(
        store,
        windows,
        target_hours=params.target_hours,
        first_month=_month_start(windows[0].start, -params.pre_months),
        last_month=last_month,
    )
    arms = people.group_by(joined=people.cohort > 0).aggregate(n=people.count()).to_pandas()
    if set(arms["joined"].astype(bool)) != {True, False}:
        return None
    moments = estimate.cohort_moments(values, people, periods=periods, outcome="completions")
    result = estimate.staggered_did_from_moments(moments, control="notyet", aggregate="dynamic")
    coefs = result.tidy()
    coefs = coefs[coefs["term"] != "ATT"].copy()
    months = coefs["term"].str.extract(r"(-?\d+)$")[0].astype(int)
    coefs = coefs[months.between(-params.pre_months, params.post_months - 1)].copy()
    coefs["term"] = [f"month {m:+d}" for m in months[coefs.index]]
    population = int(arms["n"].sum())
    return StaggeredEffects(result, coefs, len(windows), population, population)


# --------------------------------------------------------------------------------------------
# Diagnostics and checks
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverlapAndBalance:
    """Propensity overlap (what trimming would remove) and balance before/after weighting."""

    overlap: diagnose.OverlapReport
    removed_share: float
    balance: pd.DataFrame


def overlap_and_balance(people: pd.DataFrame, evidence: ImpactEvidence) -> OverlapAndBalance:
    """Overlap and balance on the characteristics the before/after AIPW weights on.

    Differences in past learning are removed by comparing each person with themselves, not by
    weighting. Records the share without comparable colleagues and the largest weighted
    standardised difference in ``evidence``.
    """
    covariates = baseline(people)
    # The estimand is the effect on participants (ATT), so overlap fails where participants
    # have almost no comparable non-participants: propensity near 1. Non-participants with a
    # propensity near 0 are simply given little weight (Crump et al.'s 0.1 cut is for the ATE).
    report = diagnose.overlap(people, treatment="treat", covariates=covariates, trim=(0.0, 0.9))
    removed = report.removed.set_index("arm")
    share = float(cast(float, removed.at["treated", "share_removed"]))
    evidence.overlap_removed_share = share
    balance = diagnose.balance(
        people, treatment="treat", covariates=covariates, result=evidence.aipw
    )
    smd_after = [c for c in balance.columns if "after" in c and "smd" in c.lower()]
    if smd_after:
        evidence.max_abs_smd_after = float(balance[smd_after[0]].abs().max())
    return OverlapAndBalance(report, share, balance)


def dose_response(people: pd.DataFrame) -> estimate.EstimateResult:
    """Change in the headline outcome by hours learned in the week (before/after).

    Bins: under 4 h, 4-8 h, 8 h or more, against people who learned nothing in the week.
    """
    hours = people["hours_in_week"]
    edges = [0.0, np.nextafter(0.0, 1.0), 4.0, 8.0, float(hours.max()) + 1.0]
    return estimate.dose_response(
        people,
        outcome=f"{PRIMARY}_change",
        dose="hours_in_week",
        covariates=baseline(people),
        bins=edges,
    )


def _aipw_change(covariates: list[str]) -> Callable[[pd.DataFrame], estimate.EstimateResult]:
    def fit(frame: pd.DataFrame) -> estimate.EstimateResult:
        return estimate.aipw(
            frame,
            outcome=f"{PRIMARY}_change",
            treatment="treat",
            covariates=covariates,
            estimand="ATT",
        )

    return fit


@dataclass(frozen=True)
class GroupEffects:
    """Before/after AIPW effects by Group and by the largest ministries, tests of equality."""

    by_group: diagnose.GroupEffects
    by_ministry: diagnose.GroupEffects | None
    ministries: int
    #: Subgroup fits whose propensity model did not converge (their effects lean on few
    #: comparable people); counted for the report instead of warnings in output cells.
    unconverged: int = 0


def group_effects(people: pd.DataFrame, groups: list[str], min_cell: int) -> GroupEffects:
    """Effects in each of ``groups`` and in the ministries with most participants.

    Ministries need ``min_cell`` participants; at most :data:`LEAVE_OUT_MINISTRIES` of them,
    and only when at least two qualify.
    """
    people = columns(people, f"{PRIMARY}_change", "ministry")  # the only copy of the frame
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        by_group = diagnose.effects_by_group(
            _aipw_change(baseline(people, drop=("group",))), people, group="group", values=groups
        )
        counts = people.loc[people["treat"] == 1, "ministry"].value_counts()
        largest = counts[counts >= min_cell].index[:LEAVE_OUT_MINISTRIES]
        by_ministry = None
        if len(largest) >= 2:
            by_ministry = diagnose.effects_by_group(
                _aipw_change(baseline(people)), people, group="ministry", values=list(largest)
            )
    unconverged = sum("did not converge" in str(w.message) for w in caught)
    for other in caught:  # anything else still reaches the caller
        if "did not converge" not in str(other.message):
            warnings.warn_explicit(other.message, other.category, other.filename, other.lineno)
    return GroupEffects(by_group, by_ministry, len(largest), unconverged)


def placebo_did(
    store: Store, window: Window, people: pd.DataFrame, *, pre_months: int
) -> estimate.EstimateResult:
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


@dataclass(frozen=True)
class RobustnessChecks:
    """The headline's checks: one row per check, the E-value and the detectable effect."""

    table: pd.DataFrame  # check, estimate, conf_low, conf_high, reading
    effect: float
    e_value: diagnose.EValue
    mde: diagnose.MinimumDetectableEffect


def robustness_checks(
    store: Store, params: Params, people: pd.DataFrame, evidence: ImpactEvidence
) -> RobustnessChecks | None:
    """Placebo week, fast completions, leave-one-ministry-out, E-value and detectable effect.

    None without a DiD; the placebo (recorded in ``evidence``) needs six months before; the
    DiD without implausibly fast completions is shown only when there are some.
    """
    did = evidence.did
    if did is None:
        return None
    effect = float(did.coef().iloc[0])
    rows = []
    if params.pre_months >= 2 * (FOLLOW_UP_DAYS // PERIOD_DAYS):
        placebo = placebo_did(store, params.window, people, pre_months=params.pre_months)
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
    flagged = fast_completions(store).count().to_pyarrow().as_py()
    if flagged:
        without, _ = panel_designs(
            store,
            params.window,
            people,
            pre_months=params.pre_months,
            post_months=params.post_months,
            without_fast=True,
        )
        low, high = (float(v) for v in without.confint().iloc[0])
        rows.append(
            {
                "check": f"leaving out {flagged:,} implausibly fast completions",
                "estimate": float(without.coef().iloc[0]),
                "conf_low": low,
                "conf_high": high,
                "reading": "should be close to the headline",
            }
        )
    largest = people.loc[people["treat"] == 1, "ministry"].value_counts().index
    chosen = people["ministry"].where(people["ministry"].isin(largest[:LEAVE_OUT_MINISTRIES]))
    left_out = diagnose.leave_one_out(
        _aipw_change(baseline(people)),
        columns(people, f"{PRIMARY}_change").assign(left_out=chosen),
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
    return RobustnessChecks(pd.DataFrame(rows), effect, e_value, mde)
