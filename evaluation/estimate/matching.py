"""Nearest-neighbour matching on the propensity score with an Abadie-Imbens standard error.

The standard error is Abadie and Imbens' (2006) large-sample variance for matching estimators as
implemented in Stata's ``nnmatch`` (Abadie, Drukker, Herr and Imbens 2004): it accounts for units
being reused as matches (``K_M``) and estimates the conditional outcome variance by matching each
unit to its nearest neighbour in its own arm. It treats the estimated propensity score as known
(no Abadie-Imbens 2016 adjustment), which the Monte Carlo in ``benchmarks/montecarlo.py`` checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.estimate._validation import (
    Estimand,
    PropensityModel,
    as_list,
    check_binary,
    check_columns,
    check_option,
    check_variation,
    complete_rows,
)
from evaluation.estimate.results import MatchingResult, make_table
from evaluation.estimate.treatment_effects import design_matrix, fit_propensity

__all__ = ["match"]


def _nearest(
    source: np.ndarray, target: np.ndarray, neighbours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices of and distances to the ``neighbours`` nearest ``target`` scores of each source."""
    order = np.argsort(target, kind="stable")
    sorted_target = target[order]
    pos = np.searchsorted(sorted_target, source)
    offsets = np.arange(-neighbours, neighbours)
    candidates = np.clip(pos[:, None] + offsets[None, :], 0, len(target) - 1)
    distance = np.abs(sorted_target[candidates] - source[:, None])
    pick = np.argsort(distance, axis=1, kind="stable")[:, :neighbours]
    rows = np.arange(len(source))[:, None]
    return order[candidates[rows, pick]], distance[rows, pick]


def _own_arm_variance(score: np.ndarray, y: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """sigma^2(X_i, W_i) from the nearest same-arm neighbour: (Y_i - Y_l)^2 / 2."""
    sigma2 = np.zeros(len(y))
    for value in (0, 1):
        idx = np.flatnonzero(arm == value)
        if len(idx) < 2:
            continue
        order = idx[np.argsort(score[idx], kind="stable")]
        s, yy = score[order], y[order]
        gap_prev = np.r_[np.inf, np.diff(s)]
        gap_next = np.r_[np.diff(s), np.inf]
        neighbour = np.where(
            gap_prev <= gap_next,
            np.r_[0, np.arange(len(s) - 1)],
            np.r_[np.arange(1, len(s)), len(s) - 1],
        )
        sigma2[order] = 0.5 * (yy - yy[neighbour]) ** 2
    return sigma2


def _greedy_without_replacement(
    p_treated: np.ndarray, p_control: np.ndarray, caliper: float | None
) -> np.ndarray:
    """One control per treated unit, hardest (highest score) first; -1 when none is left."""
    available = np.ones(len(p_control), dtype=bool)
    matched = np.full(len(p_treated), -1)
    for i in np.argsort(-p_treated, kind="stable"):
        distance = np.where(available, np.abs(p_control - p_treated[i]), np.inf)
        j = int(np.argmin(distance))
        if np.isfinite(distance[j]) and (caliper is None or distance[j] <= caliper):
            matched[i], available[j] = j, False
    return matched


def _matched_counterfactual(
    source: np.ndarray,
    target: np.ndarray,
    y_target: np.ndarray,
    neighbours: int,
    caliper: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Imputed outcome for each source unit, a keep mask, and K_M counts over the target."""
    idx, dist = _nearest(source, target, neighbours)
    within = np.ones_like(dist, dtype=bool) if caliper is None else dist <= caliper
    n_used = within.sum(axis=1)
    keep = n_used > 0
    share = np.where(within, 1.0 / np.maximum(n_used, 1)[:, None], 0.0)
    imputed = (y_target[idx] * share).sum(axis=1)
    # K_M(j) counts uses in units of one full match, i.e. sum of 1/|J(i)|
    k_used = np.bincount(idx[keep].ravel(), weights=share[keep].ravel(), minlength=len(target))
    return imputed, keep, k_used


def _att(
    p: np.ndarray,
    y: np.ndarray,
    d: np.ndarray,
    neighbours: int,
    caliper: float | None,
    replace: bool,
) -> tuple[float, float, np.ndarray, int]:
    t_idx, c_idx = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    if replace:
        imputed, keep, k_used = _matched_counterfactual(
            p[t_idx], p[c_idx], y[c_idx], neighbours, caliper
        )
    else:
        pairs = _greedy_without_replacement(p[t_idx], p[c_idx], caliper)
        keep = pairs >= 0
        imputed = np.where(keep, y[c_idx][np.maximum(pairs, 0)], np.nan)
        k_used = np.bincount(pairs[keep], minlength=len(c_idx)).astype(float)
    n1 = int(keep.sum())
    if n1 == 0:
        raise ValueError("no treated unit has a match within the caliper")
    effect = y[t_idx][keep] - imputed[keep]
    tau = float(effect.mean())
    sigma2 = _own_arm_variance(p, y, d)[c_idx]
    m = 1 if not replace else neighbours
    k_count = k_used * m  # number of times used, each use worth 1/M
    variance = np.sum((effect - tau) ** 2) + np.sum(k_count * (k_count - 1) / m**2 * sigma2)
    weights = np.zeros(len(y))
    weights[t_idx[keep]] = 1.0
    weights[c_idx] = k_used
    return tau, float(np.sqrt(variance) / n1), weights, len(t_idx) - n1


def _ate(
    p: np.ndarray, y: np.ndarray, d: np.ndarray, neighbours: int, caliper: float | None
) -> tuple[float, float, np.ndarray, int]:
    t_idx, c_idx = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    y0_t, keep_t, k_c = _matched_counterfactual(p[t_idx], p[c_idx], y[c_idx], neighbours, caliper)
    y1_c, keep_c, k_t = _matched_counterfactual(p[c_idx], p[t_idx], y[t_idx], neighbours, caliper)
    y1, y0 = y.copy(), y.copy()
    y0[t_idx], y1[c_idx] = y0_t, y1_c
    keep = np.zeros(len(y), dtype=bool)
    keep[t_idx], keep[c_idx] = keep_t, keep_c
    k_used = np.zeros(len(y))
    k_used[c_idx], k_used[t_idx] = k_c, k_t
    n = int(keep.sum())
    if n == 0:
        raise ValueError("no unit has a match within the caliper")
    diff = (y1 - y0)[keep]
    tau = float(diff.mean())
    sigma2 = _own_arm_variance(p, y, d)[keep]
    k = k_used[keep]  # already in units of 1/M per use
    variance = np.sum((diff - tau) ** 2) + np.sum(
        (k**2 + (2 * neighbours - 1) / neighbours * k) * sigma2
    )
    return tau, float(np.sqrt(variance) / n), np.where(keep, 1.0 + k_used, 0.0), len(y) - n


def match(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    covariates: Sequence[str],
    neighbours: int = 1,
    caliper: float | None = None,
    replace: bool = True,
    estimand: Estimand = "ATT",
    propensity_model: PropensityModel = "logit",
) -> MatchingResult:
    """Nearest-neighbour matching on the estimated propensity score.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    outcome, treatment : str
        Outcome and 0/1 treatment columns.
    covariates : sequence of str
        Propensity-model covariates (text columns become dummies).
    neighbours : int
        Matches per unit (``M``), with replacement.
    caliper : float, optional
        Largest allowed absolute propensity-score difference; units without a match inside it
        are dropped and counted in ``n_unmatched``.
    replace : bool
        Match with replacement (default). Without replacement: greedy one-to-one, ATT only.
    estimand : {"ATE", "ATT"}
        Average effect over everyone or over the treated.
    propensity_model : {"logit", "probit"}
        Link of the propensity model.

    Returns
    -------
    MatchingResult
        One term (``ATT`` or ``ATE``). Standard error: Abadie-Imbens (2006) as in Stata
        ``nnmatch`` (conditional variances from one same-arm neighbour), normal reference.
    """
    check_option(estimand, Estimand, "estimand")
    check_option(propensity_model, PropensityModel, "propensity_model")
    if not isinstance(neighbours, int | np.integer) or neighbours < 1:
        raise ValueError(f"neighbours must be a positive integer, got {neighbours!r}")
    if caliper is not None and not caliper > 0:
        raise ValueError(f"caliper must be positive, got {caliper!r}")
    if not replace and (estimand != "ATT" or neighbours != 1):
        raise ValueError("matching without replacement supports only estimand='ATT', neighbours=1")
    covariates = as_list(covariates)
    check_columns(data, [outcome, treatment, *covariates])
    frame = complete_rows(data, [outcome, treatment, *covariates])
    d = check_binary(frame, treatment)
    check_variation(frame, outcome)
    if min(d.sum(), len(d) - d.sum()) < neighbours + 1:
        raise ValueError(f"each arm needs more than {neighbours} units to match")
    ps_fit = fit_propensity(d, design_matrix(frame, covariates), propensity_model)
    p = np.asarray(ps_fit.predict(), dtype=float)
    y = frame[outcome].to_numpy(dtype=float)
    if estimand == "ATT":
        tau, se, weights, dropped = _att(p, y, d, neighbours, caliper, replace)
    else:
        tau, se, weights, dropped = _ate(p, y, d, neighbours, caliper)
    return MatchingResult(
        method=f"Propensity-score matching ({neighbours}-NN, "
        f"{'with' if replace else 'without'} replacement)",
        table=make_table([estimand], [tau], [se]),
        nobs=len(y),
        outcome=outcome,
        se_type="Abadie-Imbens (2006) matching variance (Stata nnmatch)",
        df=None,
        details={"n_treated": int(d.sum()), "n_unmatched": dropped, "caliper": caliper},
        estimand=estimand,
        propensity=p,
        treated=d,
        match_weights=weights,
        n_unmatched=dropped,
    )
