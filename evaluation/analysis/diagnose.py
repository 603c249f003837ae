"""Diagnostics and robustness checks for the impact estimates.

Each function returns a plain value (a frozen dataclass or a DataFrame) a report can show:

- :func:`overlap` - propensity-score overlap by arm and what trimming would remove;
- :func:`balance` - standardised mean differences before and after weighting or matching;
- :func:`pretrends` - the pre-treatment coefficients of an event study and their joint test;
- :func:`placebo_edition` - a fake treatment window before the real one (should show ~0);
- :func:`leave_one_out` - the estimate with each group (e.g. ministry) left out in turn;
- :func:`e_value` - VanderWeele and Ding's E-value, the confounding needed to explain it away;
- :func:`effects_by_group` - the effect per group with a test that they are all equal;
- :func:`minimum_detectable_effect` - the smallest effect the design can detect.

Design, estimate and refute are separate steps: these functions take data and an estimator (a
callable returning an :class:`~evaluation.estimate.EstimateResult`) or a finished result, and
never mutate either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from evaluation.core.vocabulary import SMD_THRESHOLD
from evaluation.estimate import (
    EstimateResult,
    EventStudyResult,
    MatchingResult,
    StaggeredDiDResult,
    TreatmentEffectResult,
    WaldTest,
)
from evaluation.estimate.treatment_effects import design_matrix, fit_propensity
from evaluation.estimate.validation import (
    PropensityModel,
    as_list,
    check_binary,
    check_columns,
    check_option,
    complete_rows,
)

__all__ = [
    "OverlapReport",
    "overlap",
    "balance",
    "PretrendReport",
    "pretrends",
    "Refutation",
    "placebo_edition",
    "leave_one_out",
    "EValue",
    "e_value",
    "GroupEffects",
    "effects_by_group",
    "MinimumDetectableEffect",
    "minimum_detectable_effect",
]

#: Crump et al. (2009) rule of thumb: keep propensity scores inside [0.1, 0.9].
DEFAULT_TRIM = (0.1, 0.9)

Estimator = Callable[[pd.DataFrame], EstimateResult]


# -- overlap ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class OverlapReport:
    """Propensity-score overlap between participants and non-participants.

    Attributes
    ----------
    summary : pandas.DataFrame
        Per arm: n, min, 5th/25th/50th/75th/95th percentiles, max of the score.
    histogram : pandas.DataFrame
        Counts per score bin and arm (for a mirrored histogram).
    trim : tuple of float
        The trimming bounds considered.
    removed : pandas.DataFrame
        Rows outside ``trim`` per arm: count and share.
    common_support : tuple of float
        Interval where both arms have scores (max of minima, min of maxima).
    """

    summary: pd.DataFrame
    histogram: pd.DataFrame
    trim: tuple[float, float]
    removed: pd.DataFrame
    common_support: tuple[float, float]

    @property
    def share_removed(self) -> float:
        """Share of all rows trimming would remove."""
        return float(self.removed["n_removed"].sum() / self.summary["n"].sum())

    @property
    def adequate(self) -> bool:
        """True when trimming would remove under 10 % of rows in each arm."""
        return bool((self.removed["share_removed"] < 0.10).all())


def _scores(
    data: pd.DataFrame | None,
    result: TreatmentEffectResult | None,
    treatment: str | None,
    covariates: Sequence[str] | None,
    propensity_model: PropensityModel,
) -> tuple[np.ndarray, np.ndarray]:
    if result is not None:
        if result.propensity is None:
            raise ValueError(f"{result.method} carries no propensity scores")
        return np.asarray(result.propensity), np.asarray(result.treated)
    if data is None or treatment is None or not covariates:
        raise ValueError("give either result= or data with treatment= and covariates=")
    check_option(propensity_model, PropensityModel, "propensity_model")
    covariates = as_list(covariates)
    check_columns(data, [treatment, *covariates])
    frame = complete_rows(data, [treatment, *covariates])
    treated = check_binary(frame, treatment)
    fit = fit_propensity(treated, design_matrix(frame, covariates), propensity_model)
    return np.asarray(fit.predict()), treated


def overlap(
    data: pd.DataFrame | None = None,
    *,
    result: TreatmentEffectResult | None = None,
    treatment: str | None = None,
    covariates: Sequence[str] | None = None,
    propensity_model: PropensityModel = "logit",
    trim: tuple[float, float] = DEFAULT_TRIM,
    bins: int = 20,
) -> OverlapReport:
    """Describe propensity-score overlap and what trimming to ``trim`` would remove.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        Person-level data (with ``treatment`` and ``covariates``) when no ``result`` is given.
    result : TreatmentEffectResult, optional
        A fitted IPW / AIPW / matching result whose propensity scores are reused.
    treatment, covariates, propensity_model
        Propensity model to fit when ``result`` is not given.
    trim : (float, float)
        Bounds outside which rows would be trimmed (default Crump et al.'s 0.1 and 0.9).
    bins : int
        Histogram bins on [0, 1].

    Returns
    -------
    OverlapReport
    """
    low, high = trim
    if not 0 <= low < high <= 1:
        raise ValueError(f"trim must satisfy 0 <= low < high <= 1, got {trim!r}")
    score, treated = _scores(data, result, treatment, covariates, propensity_model)
    arms = {"treated": score[treated == 1], "control": score[treated == 0]}
    quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]
    summary = pd.DataFrame(
        [
            {
                "arm": arm,
                "n": len(s),
                "min": s.min(),
                **{f"p{int(q * 100)}": np.quantile(s, q) for q in quantiles},
                "max": s.max(),
            }
            for arm, s in arms.items()
        ]
    )
    edges = np.linspace(0, 1, bins + 1)
    histogram = pd.DataFrame(
        {
            "bin_low": edges[:-1],
            "bin_high": edges[1:],
            **{arm: np.histogram(s, bins=edges)[0] for arm, s in arms.items()},
        }
    )
    outside = {arm: int(((s < low) | (s > high)).sum()) for arm, s in arms.items()}
    removed = pd.DataFrame(
        {
            "arm": list(outside),
            "n_removed": list(outside.values()),
            "share_removed": [outside[a] / max(len(arms[a]), 1) for a in outside],
        }
    )
    support = (
        float(max(s.min() for s in arms.values())),
        float(min(s.max() for s in arms.values())),
    )
    return OverlapReport(summary, histogram, (low, high), removed, support)


# -- balance ---------------------------------------------------------------------------------
def _weights_from_result(result: TreatmentEffectResult) -> np.ndarray:
    if isinstance(result, MatchingResult):
        return np.asarray(result.match_weights, dtype=float)
    if result.propensity is None:
        raise ValueError(f"{result.method} has no weights to check balance with")
    p, d = np.asarray(result.propensity), np.asarray(result.treated)
    if result.estimand == "ATT":
        return np.where(d == 1, 1.0, p / (1 - p))
    return np.where(d == 1, 1 / p, 1 / (1 - p))


def _weighted_moments(x: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    mean = float(np.average(x, weights=w))
    return mean, float(np.average((x - mean) ** 2, weights=w))


def balance(
    data: pd.DataFrame,
    *,
    treatment: str,
    covariates: Sequence[str],
    result: TreatmentEffectResult | None = None,
    weights: np.ndarray | pd.Series | None = None,
) -> pd.DataFrame:
    """Standardised mean differences of covariates before and after weighting or matching.

    The standardised difference is ``(mean_treated - mean_control) / sqrt((var_t + var_c) / 2)``
    with the *unweighted* variances in the denominator both before and after, so the two columns
    are comparable (Austin 2009). Text covariates are expanded to dummies.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows the estimator used (no missing values in ``treatment`` and ``covariates``).
    treatment : str
        0/1 treatment column.
    covariates : sequence of str
        Covariates to check.
    result : TreatmentEffectResult, optional
        IPW / AIPW (inverse-probability weights for its estimand) or matching (match counts).
    weights : array-like, optional
        Explicit weights instead of ``result``.

    Returns
    -------
    pandas.DataFrame
        ``covariate, mean_treated, mean_control, smd_before, variance_ratio_before`` and, with
        weights, ``mean_control_after, mean_treated_after, smd_after, balanced``.
    """
    covariates = as_list(covariates)
    check_columns(data, [treatment, *covariates])
    frame = complete_rows(data, [treatment, *covariates])
    if len(frame) != len(data) and (result is not None or weights is not None):
        raise ValueError("data has missing values: pass exactly the rows the estimator used")
    d = check_binary(frame, treatment)
    x = design_matrix(frame, covariates).drop(columns="const")
    w = _weights_from_result(result) if result is not None else weights
    if w is not None and len(np.asarray(w)) != len(frame):
        raise ValueError(f"weights have length {len(np.asarray(w))}, data {len(frame)} rows")
    rows = [_balance_row(name, x[name].to_numpy(), d, w) for name in x.columns]
    return pd.DataFrame(rows)


def _balance_row(name: str, x: np.ndarray, d: np.ndarray, w: object) -> dict:
    xt, xc = x[d == 1], x[d == 0]
    pooled_sd = np.sqrt((xt.var(ddof=1) + xc.var(ddof=1)) / 2)
    scale = pooled_sd if pooled_sd > 0 else np.nan
    row = {
        "covariate": name,
        "mean_treated": xt.mean(),
        "mean_control": xc.mean(),
        "smd_before": (xt.mean() - xc.mean()) / scale,
        "variance_ratio_before": xt.var(ddof=1) / xc.var(ddof=1) if xc.var() > 0 else np.nan,
    }
    if w is not None:
        w = np.asarray(w, dtype=float)
        mt, _ = _weighted_moments(xt, w[d == 1]) if w[d == 1].sum() > 0 else (np.nan, np.nan)
        mc, _ = _weighted_moments(xc, w[d == 0]) if w[d == 0].sum() > 0 else (np.nan, np.nan)
        row.update(
            mean_treated_after=mt,
            mean_control_after=mc,
            smd_after=(mt - mc) / scale,
            balanced=bool(abs((mt - mc) / scale) < SMD_THRESHOLD),
        )
    return row


# -- pre-trends ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PretrendReport:
    """Pre-treatment coefficients and their joint test.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        Tidy rows of the pre-treatment terms.
    test : WaldTest or None
        Joint test that they are all zero.
    max_abs_estimate : float
        Largest pre-treatment coefficient in absolute value.
    passed : bool
        True when the joint test does not reject at ``alpha`` and no single pre-period
        interval excludes zero.
    """

    coefficients: pd.DataFrame
    test: WaldTest | None
    max_abs_estimate: float
    passed: bool


def pretrends(
    result: EventStudyResult | StaggeredDiDResult, *, alpha: float = 0.05
) -> PretrendReport:
    """Summarise the pre-treatment evidence of an event study or a dynamic staggered DiD.

    Parameters
    ----------
    result : EventStudyResult or StaggeredDiDResult
        An event study, or a staggered DiD aggregated ``"dynamic"``.
    alpha : float
        Level of the tests.

    Returns
    -------
    PretrendReport
    """
    tidy = result.tidy(alpha)
    if isinstance(result, EventStudyResult):
        pre = tidy[tidy["relative_period"] < 0]
    elif isinstance(result, StaggeredDiDResult) and result.aggregate == "dynamic":
        event = tidy["term"].str.extract(r"event_time=(-?\d+)")[0].astype(float)
        pre = tidy[event < 0]
    else:
        raise ValueError("pretrends needs an event study or a staggered DiD with 'dynamic'")
    test = result.pretrend
    individually_zero = bool(((pre["conf_low"] <= 0) & (pre["conf_high"] >= 0)).all())
    jointly_zero = test is None or test.p_value >= alpha
    max_abs = float(pre["estimate"].abs().max()) if len(pre) else 0.0
    return PretrendReport(
        pre.reset_index(drop=True), test, max_abs, jointly_zero and individually_zero
    )


# -- refutations -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Refutation:
    """A robustness check: the original effect, the new one, and what was done.

    Attributes
    ----------
    check : str
        Name of the check.
    original : float
        The headline estimate.
    new_estimate : float
        The estimate under the check.
    new_std_error : float
        Its standard error.
    p_value : float
        p-value of the new estimate against zero.
    description : str
        What was done, in words.
    passed : bool
        Whether the check came out as hoped (e.g. the placebo is not significant).
    """

    check: str
    original: float
    new_estimate: float
    new_std_error: float
    p_value: float
    description: str
    passed: bool


def placebo_edition(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    shift: int,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> Refutation:
    """A fake edition ``shift`` periods before the real one; its DiD effect should be about zero.

    Only periods before each treated unit's real start are kept (so no real effect leaks in),
    the cohort is moved ``shift`` periods earlier, and the two-way fixed-effects DiD is refitted.

    Parameters
    ----------
    data : pandas.DataFrame
        A unit-by-period panel with numeric ``time`` and ``cohort`` (0 for never treated).
    outcome, unit, time, cohort : str
        Column names.
    shift : int
        How many periods earlier the fake edition starts (e.g. 12 months for "a year earlier").
    cluster : str, optional
        Cluster column; defaults to ``unit``.
    alpha : float
        Level at which a placebo effect counts as significant (a failed check).

    Returns
    -------
    Refutation
    """
    from evaluation import estimate

    if shift < 1:
        raise ValueError(f"shift must be a positive number of periods, got {shift!r}")
    check_columns(data, [outcome, unit, time, cohort, cluster])
    real_cohort = data[cohort].fillna(0)
    before_real = (real_cohort == 0) | (data[time] < real_cohort)
    fake = data.loc[before_real].copy()
    fake_start = fake[cohort].fillna(0) - shift
    fake["placebo_treated_"] = ((fake[cohort].fillna(0) > 0) & (fake[time] >= fake_start)).astype(
        int
    )
    if fake["placebo_treated_"].nunique() < 2:
        raise ValueError(f"no pre-treatment periods fall inside a window shifted by {shift}")
    placebo = estimate.did(
        fake, outcome=outcome, treatment="placebo_treated_", unit=unit, time=time, cluster=cluster
    )
    real = estimate.did(
        data.assign(real_treated_=((real_cohort > 0) & (data[time] >= real_cohort)).astype(int)),
        outcome=outcome,
        treatment="real_treated_",
        unit=unit,
        time=time,
        cluster=cluster,
    )
    row = placebo.tidy().iloc[0]
    return Refutation(
        check="placebo edition",
        original=float(real.coef().iloc[0]),
        new_estimate=float(row["estimate"]),
        new_std_error=float(row["std_error"]),
        p_value=float(row["p_value"]),
        description=(
            f"treatment moved {shift} periods earlier on pre-treatment data only "
            f"({len(fake):,} rows), two-way fixed-effects DiD"
        ),
        passed=bool(row["p_value"] >= alpha),
    )


def leave_one_out(
    estimator: Estimator,
    data: pd.DataFrame,
    *,
    group: str,
    term: str | None = None,
) -> pd.DataFrame:
    """Refit ``estimator`` leaving out each value of ``group`` (e.g. each ministry) in turn.

    Parameters
    ----------
    estimator : callable
        ``estimator(frame) -> EstimateResult``, e.g.
        ``lambda f: estimate.did(f, outcome=..., treatment=..., unit=..., time=...)``.
    data : pandas.DataFrame
        Full data.
    group : str
        Column whose values are left out one at a time.
    term : str, optional
        Term to track; defaults to the first row of the table.

    Returns
    -------
    pandas.DataFrame
        ``left_out, estimate, std_error, conf_low, conf_high, nobs, change`` (change from the
        full-sample estimate), one row per group, plus a first row ``left_out="(none)"``.
    """
    check_columns(data, [group])
    full = estimator(data)
    term = term or str(full.tidy()["term"].iloc[0])
    baseline = float(full.coef()[term])
    rows = [_tracked_row("(none)", full, term, baseline)]
    for value in pd.unique(data[group].dropna()):
        rows.append(_tracked_row(value, estimator(data[data[group] != value]), term, baseline))
    return pd.DataFrame(rows)


def _tracked_row(label: object, result: EstimateResult, term: str, baseline: float) -> dict:
    row = result.tidy().set_index("term").loc[term]
    return {
        "left_out": label,
        "estimate": row["estimate"],
        "std_error": row["std_error"],
        "conf_low": row["conf_low"],
        "conf_high": row["conf_high"],
        "nobs": result.nobs,
        "change": row["estimate"] - baseline,
    }


# -- sensitivity -----------------------------------------------------------------------------
@dataclass(frozen=True)
class EValue:
    """VanderWeele and Ding's (2017) E-value.

    Attributes
    ----------
    point : float
        Minimum risk-ratio association an unmeasured confounder would need with both treatment
        and outcome to explain the point estimate away.
    interval : float
        The same for the confidence limit closest to the null (1 when the interval covers it).
    risk_ratio : float
        The (approximate) risk ratio the E-value was computed from.
    scale : str
        How the estimate was converted (``"RR"`` or ``"SMD"``).
    """

    point: float
    interval: float
    risk_ratio: float
    scale: str


def _e_from_rr(rr: float) -> float:
    rr = 1 / rr if rr < 1 else rr
    return float(rr + np.sqrt(rr * (rr - 1)))


def e_value(
    result: EstimateResult,
    *,
    outcome_sd: float | None = None,
    term: str | None = None,
    scale: Literal["SMD", "RR"] = "SMD",
) -> EValue:
    """E-value of a headline estimate.

    Parameters
    ----------
    result : EstimateResult
        The estimate; ``term`` (default: first row) is used.
    outcome_sd : float, optional
        Standard deviation of a continuous outcome; required with ``scale="SMD"``, where the
        estimate is standardised and converted with ``RR = exp(0.91 * d)``.
    term : str, optional
        Which term to use.
    scale : {"SMD", "RR"}
        ``"RR"`` when the estimate already is a risk ratio.

    Returns
    -------
    EValue
    """
    check_option(scale, Literal["SMD", "RR"], "scale")
    row = result.tidy().set_index("term").loc[term or result.tidy()["term"].iloc[0]]
    values = np.array([row["estimate"], row["conf_low"], row["conf_high"]], dtype=float)
    if scale == "SMD":
        if outcome_sd is None or not outcome_sd > 0:
            raise ValueError("scale='SMD' needs a positive outcome_sd")
        values = np.exp(0.91 * values / outcome_sd)
    elif (values <= 0).any():
        raise ValueError("scale='RR' needs a positive risk ratio and interval")
    rr, low, high = values
    covers_null = low <= 1 <= high
    nearest = low if rr >= 1 else high
    interval = 1.0 if covers_null else _e_from_rr(nearest)
    return EValue(_e_from_rr(rr), interval, float(rr), scale)


# -- heterogeneity ---------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupEffects:
    """Effects estimated separately per group and a test that they are equal.

    Attributes
    ----------
    table : pandas.DataFrame
        ``group, estimate, std_error, conf_low, conf_high, nobs`` per group (for a forest plot).
    equality : WaldTest
        Cochran's Q test of equal effects (chi-square, groups - 1 degrees of freedom).
    i_squared : float
        Share of the variation across groups beyond chance (Higgins and Thompson 2002).
    pooled : float
        Inverse-variance weighted mean effect.
    skipped : tuple
        Groups not estimated (too small or the estimator failed), with the reason.
    """

    table: pd.DataFrame
    equality: WaldTest
    i_squared: float
    pooled: float
    skipped: tuple[tuple[object, str], ...] = field(default=())


def effects_by_group(
    estimator: Estimator,
    data: pd.DataFrame,
    *,
    group: str,
    term: str | None = None,
    min_rows: int = 30,
    values: Sequence[object] | None = None,
) -> GroupEffects:
    """Fit ``estimator`` in each group (e.g. A/B/C or ministry) and test equality of effects.

    Groups are disjoint samples, so their estimates are independent and Cochran's
    ``Q = sum w_g (b_g - b_pooled)^2`` with ``w_g = 1 / se_g^2`` is chi-square with ``G - 1``
    degrees of freedom under equal effects.

    Parameters
    ----------
    estimator : callable
        ``estimator(frame) -> EstimateResult``.
    data : pandas.DataFrame
        Full data.
    group : str
        Grouping column.
    term : str, optional
        Term to compare; default the first row of each result.
    min_rows : int
        Groups with fewer rows are skipped (and listed in ``skipped``).
    values : sequence, optional
        Only these groups (default every group in ``data``): the same as filtering ``data``
        first, without copying its rows.

    Returns
    -------
    GroupEffects

    Notes
    -----
    Each group's rows are taken from ``data`` one group at a time. Iterating over a pandas
    ``groupby`` would first copy the whole frame sorted by group, and at national scale that
    copy was the impact report's peak (benchmarks/results/2026-12-03-scale-1-briefs.md).
    """
    check_columns(data, [group])
    rows, skipped = [], []
    for value, part in _groups(data, group, values):
        if len(part) < min_rows:
            skipped.append((value, f"only {len(part)} rows"))
            continue
        try:
            result = estimator(part)
        except ValueError as error:  # e.g. no treated rows in this group
            skipped.append((value, str(error)))
            continue
        rows.append(
            {
                "group": value,
                **_tracked_row(value, result, term or str(result.tidy()["term"].iloc[0]), 0.0),
            }
        )
    if len(rows) < 2:
        raise ValueError(f"fewer than two groups of {group!r} could be estimated")
    table = pd.DataFrame(rows).drop(columns=["left_out", "change"])
    b, se = table["estimate"].to_numpy(), table["std_error"].to_numpy()
    w = 1 / se**2
    pooled = float(np.sum(w * b) / np.sum(w))
    q = float(np.sum(w * (b - pooled) ** 2))
    dof = len(b) - 1
    test = WaldTest(
        q / dof, q, dof, None, float(stats.chi2.sf(q, dof)), tuple(map(str, table["group"]))
    )
    i_squared = max(0.0, (q - dof) / q) if q > 0 else 0.0
    return GroupEffects(table, test, i_squared, pooled, tuple(skipped))


def _groups(
    data: pd.DataFrame, group: str, values: Sequence[object] | None
) -> Iterator[tuple[object, pd.DataFrame]]:
    """``(value, rows)`` of each group in ``groupby(sort=True, observed=True)`` order.

    The rows are ``data.take`` of the group's positions, in their order in ``data``: what
    iterating over the ``groupby`` yields, without its sorted copy of the whole frame.
    """
    grouped = data.groupby(group, sort=True, observed=True)
    positions = grouped.indices
    wanted = None if values is None else set(values)
    for value in grouped.size().index:
        if wanted is None or value in wanted:
            yield value, data.take(np.asarray(positions[value]))


# -- power -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class MinimumDetectableEffect:
    """The smallest true effect detected with the given power at the given level.

    Attributes
    ----------
    effect : float
        Minimum detectable effect in outcome units.
    standard_error : float
        Standard error the calculation used.
    alpha, power : float
        Two-sided level and power.
    multiplier : float
        ``z_(1-alpha/2) + z_power`` (2.80 for 5 % and 80 %).
    """

    effect: float
    standard_error: float
    alpha: float
    power: float
    multiplier: float


def minimum_detectable_effect(
    *,
    result: EstimateResult | None = None,
    term: str | None = None,
    n_treated: int | None = None,
    n_control: int | None = None,
    outcome_sd: float | None = None,
    r_squared: float = 0.0,
    design_effect: float = 1.0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> MinimumDetectableEffect:
    """Minimum detectable effect, from a fitted result's SE or from the design (Bloom 1995).

    Either pass ``result`` (its standard error is used), or ``n_treated``, ``n_control`` and
    ``outcome_sd``: ``SE = sd * sqrt((1 - R^2) * design_effect * (1/n_t + 1/n_c))``, where
    ``design_effect = 1 + (m - 1) * ICC`` for clusters of size ``m``.

    Returns
    -------
    MinimumDetectableEffect
    """
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must lie strictly between 0 and 1")
    if result is not None:
        se = float(result.se()[term or result.tidy()["term"].iloc[0]])
    else:
        if not (n_treated and n_control and outcome_sd):
            raise ValueError("give result=, or n_treated, n_control and outcome_sd")
        if not 0 <= r_squared < 1 or design_effect < 1:
            raise ValueError("need 0 <= r_squared < 1 and design_effect >= 1")
        se = outcome_sd * np.sqrt((1 - r_squared) * design_effect * (1 / n_treated + 1 / n_control))
    multiplier = float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    return MinimumDetectableEffect(multiplier * se, se, alpha, power, multiplier)
