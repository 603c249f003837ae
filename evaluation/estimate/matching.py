"""Nearest-neighbour matching on the propensity score with an Abadie-Imbens standard error.

The standard error is Abadie and Imbens' (2006) large-sample variance for matching estimators as
implemented in Stata's ``nnmatch`` (Abadie, Drukker, Herr and Imbens 2004): it accounts for units
being reused as matches (``K_M``) and estimates the conditional outcome variance by matching each
unit to its nearest neighbour in its own arm. It treats the estimated propensity score as known
(no Abadie-Imbens 2016 adjustment), which the Monte Carlo in ``benchmarks/montecarlo.py`` checks.
By default matched outcomes are regression bias-adjusted (Abadie and Imbens 2011).

Inputs are checked as for the other selection-on-observables estimators
(:func:`evaluation.estimate.treatment_effects.checked_rows`, :mod:`evaluation.estimate.checks`):
a ``ValueError`` names an all-missing, constant or collinear covariate, a treatment with one arm
or arms that do not overlap, before the propensity model is fitted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.estimate.cell_designs import ArmCells
from evaluation.estimate.results import MatchingResult, make_table
from evaluation.estimate.treatment_effects import (
    checked_design,
    checked_rows,
    fit_checked_propensity,
    scores_by_cells,
)
from evaluation.estimate.validation import (
    Estimand,
    PropensityModel,
    as_list,
    check_columns,
    check_option,
)

__all__ = ["match"]


#: Same-arm neighbours behind each conditional-variance estimate (Stata teffects: nn(2)).
VARIANCE_NEIGHBOURS = 2


def _within_radius(
    source: np.ndarray, sorted_target: np.ndarray, radius: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Half-open ranges ``[lo, hi)`` of sorted targets within ``radius`` of each source."""
    # a relative slack so that exact ties survive floating-point subtraction
    slack = radius * (1 + 1e-9) + 1e-14
    lo = np.searchsorted(sorted_target, source - slack, side="left")
    hi = np.searchsorted(sorted_target, source + slack, side="right")
    return lo, hi


def _kth_distance(source: np.ndarray, sorted_target: np.ndarray, k: int) -> np.ndarray:
    """Distance from each source to its ``k``-th nearest sorted target."""
    pos = np.searchsorted(sorted_target, source)
    offsets = np.arange(-k, k)
    candidates = np.clip(pos[:, None] + offsets[None, :], 0, len(sorted_target) - 1)
    distance = np.abs(sorted_target[candidates] - source[:, None])
    # clipping can repeat an edge candidate; repeated entries are masked before ranking
    repeated = np.zeros_like(distance, dtype=bool)
    repeated[:, 1:] = candidates[:, 1:] == candidates[:, :-1]
    distance[repeated] = np.inf
    return np.sort(distance, axis=1)[:, k - 1]


def _own_arm_variance(score: np.ndarray, y: np.ndarray, arm: np.ndarray) -> np.ndarray:
    """Conditional variance sigma^2(X_i, W_i) from the nearest same-arm units (ties kept).

    With ``J`` same-arm neighbours (``VARIANCE_NEIGHBOURS``, more when tied) the estimate is
    ``J / (J + 1) * (Y_i - mean of the neighbours' Y)^2`` (Abadie and Imbens 2006, eq. 14).
    """
    sigma2 = np.zeros(len(y))
    for value in (0, 1):
        idx = np.flatnonzero(arm == value)
        if len(idx) < 2:
            continue
        order = idx[np.argsort(score[idx], kind="stable")]
        s, yy = score[order], y[order]
        k = min(VARIANCE_NEIGHBOURS + 1, len(s))  # +1: the unit itself is at distance 0
        lo, hi = _within_radius(s, s, _kth_distance(s, s, k))
        csum = np.r_[0.0, np.cumsum(yy)]
        j = hi - lo - 1
        neighbour_mean = (csum[hi] - csum[lo] - yy) / j
        sigma2[order] = j / (j + 1) * (yy - neighbour_mean) ** 2
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
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Imputed outcome per source unit, a keep mask, and match weights over the target.

    Every target tied with the ``neighbours``-th nearest is used, each with weight
    ``w = 1 / |J(i)|`` (as Stata's ``teffects psmatch``). Returns ``K(j) = sum w`` and
    ``sum w^2`` per target (without ties these are ``K_M(j) / M`` and ``K_M(j) / M^2``).
    """
    order = np.argsort(target, kind="stable")
    sorted_target = target[order]
    radius = _kth_distance(source, sorted_target, min(neighbours, len(target)))
    if caliper is not None:
        radius = np.minimum(radius, caliper)
    lo, hi = _within_radius(source, sorted_target, radius)
    count = hi - lo
    keep = count > 0
    csum = np.r_[0.0, np.cumsum(y_target[order])]
    imputed = np.where(keep, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
    # spread 1/|J(i)| over each matched range with a difference array
    share = np.where(keep, 1.0 / np.maximum(count, 1), 0.0)
    return imputed, keep, _spread(share, lo, hi, order), _spread(share**2, lo, hi, order)


def _spread(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Sum ``values[i]`` over every sorted target in ``[lo[i], hi[i])``, in original order."""
    delta = np.zeros(len(order) + 1)
    np.add.at(delta, lo, values)
    np.add.at(delta, hi, -values)
    totals = np.zeros(len(order))
    totals[order] = np.cumsum(delta)[:-1]
    return totals


def _att(
    p: np.ndarray,
    y: np.ndarray,
    d: np.ndarray,
    neighbours: int,
    caliper: float | None,
    replace: bool,
    mu: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[float, float, np.ndarray, int]:
    t_idx, c_idx = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    # bias adjustment: Y_j + mu0(X_i) - mu0(X_j), i.e. add mu0(X_i) - mean of matched mu0
    mu0 = mu[0] if mu is not None else np.zeros(len(y))
    if replace:
        imputed, keep, k_used, k_squares = _matched_counterfactual(
            p[t_idx], p[c_idx], y[c_idx], neighbours, caliper
        )
        matched_mu0 = _matched_counterfactual(p[t_idx], p[c_idx], mu0[c_idx], neighbours, caliper)[
            0
        ]
    else:
        pairs = _greedy_without_replacement(p[t_idx], p[c_idx], caliper)
        keep = pairs >= 0
        imputed = np.where(keep, y[c_idx][np.maximum(pairs, 0)], np.nan)
        matched_mu0 = mu0[c_idx][np.maximum(pairs, 0)]
        k_used = np.bincount(pairs[keep], minlength=len(c_idx)).astype(float)
        k_squares = k_used
    imputed = imputed + mu0[t_idx] - matched_mu0
    n1 = int(keep.sum())
    if n1 == 0:
        raise ValueError("no treated unit has a match within the caliper")
    effect = y[t_idx][keep] - imputed[keep]
    tau = float(effect.mean())
    sigma2 = _own_arm_variance(p, y, d)[c_idx]
    # Abadie-Imbens PATT variance: sum (effect - tau)^2 + sum (K^2 - sum w^2) sigma^2
    variance = np.sum((effect - tau) ** 2) + np.sum((k_used**2 - k_squares) * sigma2)
    weights = np.zeros(len(y))
    weights[t_idx[keep]] = 1.0
    weights[c_idx] = k_used
    return tau, float(np.sqrt(variance) / n1), weights, len(t_idx) - n1


def _ate(
    p: np.ndarray,
    y: np.ndarray,
    d: np.ndarray,
    neighbours: int,
    caliper: float | None,
    mu: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[float, float, np.ndarray, int]:
    t_idx, c_idx = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
    mu0, mu1 = mu if mu is not None else (np.zeros(len(y)), np.zeros(len(y)))
    y0_t, keep_t, k_c, sq_c = _matched_counterfactual(
        p[t_idx], p[c_idx], y[c_idx], neighbours, caliper
    )
    y1_c, keep_c, k_t, sq_t = _matched_counterfactual(
        p[c_idx], p[t_idx], y[t_idx], neighbours, caliper
    )
    y0_t = (
        y0_t
        + mu0[t_idx]
        - _matched_counterfactual(p[t_idx], p[c_idx], mu0[c_idx], neighbours, caliper)[0]
    )
    y1_c = (
        y1_c
        + mu1[c_idx]
        - _matched_counterfactual(p[c_idx], p[t_idx], mu1[t_idx], neighbours, caliper)[0]
    )
    y1, y0 = y.copy(), y.copy()
    y0[t_idx], y1[c_idx] = y0_t, y1_c
    keep = np.zeros(len(y), dtype=bool)
    keep[t_idx], keep[c_idx] = keep_t, keep_c
    k_used, k_squares = np.zeros(len(y)), np.zeros(len(y))
    k_used[c_idx], k_used[t_idx] = k_c, k_t
    k_squares[c_idx], k_squares[t_idx] = sq_c, sq_t
    n = int(keep.sum())
    if n == 0:
        raise ValueError("no unit has a match within the caliper")
    diff = (y1 - y0)[keep]
    tau = float(diff.mean())
    sigma2 = _own_arm_variance(p, y, d)[keep]
    k, k_sq = k_used[keep], k_squares[keep]
    # Abadie-Imbens PATE variance: sum (effect - tau)^2 + sum (K^2 + 2K - sum w^2) sigma^2
    variance = np.sum((diff - tau) ** 2) + np.sum((k**2 + 2 * k - k_sq) * sigma2)
    return tau, float(np.sqrt(variance) / n), np.where(keep, 1.0 + k_used, 0.0), len(y) - n


def _arm_regressions(x: np.ndarray, y: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictions for every row from linear outcome regressions fitted in each arm."""
    predictions = []
    for arm in (0, 1):
        beta = np.linalg.lstsq(x[d == arm], y[d == arm], rcond=None)[0]
        predictions.append(x @ beta)
    return predictions[0], predictions[1]


def _fit_by_cells(
    frame: pd.DataFrame,
    outcome: str,
    treatment: str,
    covariates: list[str],
    bias_adjust: bool,
    required: bool,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None, int] | None:
    """Each row's propensity score, arm predictions and the cells' count, or None.

    None (fit the rows instead) as :func:`scores_by_cells` decides.
    """
    fitted = scores_by_cells(frame, outcome, treatment, covariates, required=required)
    if fitted is None:
        return None
    cells, codes, scores = fitted
    predictions = _cell_arm_regressions(cells) if bias_adjust else None
    mu = None if predictions is None else (predictions[0][codes], predictions[1][codes])
    return scores[codes], mu, len(cells.frame)


def _cell_arm_regressions(cells: ArmCells) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_arm_regressions` from cell means: each cell's prediction in each arm.

    Within a cell every row has the same covariates, so least squares on the rows of an arm
    and least squares on its cells' means weighted by their counts solve the same normal
    equations (and ``lstsq`` picks the same minimum-norm solution of them).
    """
    x, n, d, mean = cells.x, cells.n, cells.d, cells.mean
    predictions = []
    for arm in (0, 1):
        rows = d == arm
        root = np.sqrt(n[rows])
        beta = np.linalg.lstsq(x[rows] * root[:, None], mean[rows] * root, rcond=None)[0]
        predictions.append(x @ beta)
    return predictions[0], predictions[1]


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
    bias_adjust: bool = True,
    by_cells: bool | None = None,
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
    bias_adjust : bool
        Abadie and Imbens' (2011) regression bias adjustment (default): each matched outcome
        ``Y_j`` becomes ``Y_j + mu_w(X_i) - mu_w(X_j)`` with ``mu_w`` a linear regression of the
        outcome on ``covariates`` in arm ``w``. It removes the finite-sample bias from imperfect
        matches (4-6 Monte Carlo SEs without it in ``benchmarks/montecarlo.py``). ``False``
        reproduces Stata's ``teffects psmatch``.

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
    frame, d = checked_rows(data, outcome=outcome, treatment=treatment, covariates=covariates)
    if min(d.sum(), len(d) - d.sum()) < neighbours + 1:
        raise ValueError(f"each arm needs more than {neighbours} units to match")
    if by_cells and propensity_model != "logit":
        raise ValueError("by_cells needs propensity_model='logit'")
    fitted = None
    if propensity_model == "logit" and by_cells is not False:
        fitted = _fit_by_cells(frame, outcome, treatment, covariates, bias_adjust, bool(by_cells))
    if fitted is None:
        design = checked_design(frame, covariates, d)
        ps_fit = fit_checked_propensity(d, design, propensity_model, covariates)
        p = np.asarray(ps_fit.predict(), dtype=np.float64)
        y = frame[outcome].to_numpy(dtype=float)
        mu = _arm_regressions(design.to_numpy(), y, d) if bias_adjust else None
        del design
    else:
        p, mu, n_cells = fitted
        y = frame[outcome].to_numpy(dtype=float)
    del frame
    if estimand == "ATT":
        tau, se, weights, dropped = _att(p, y, d, neighbours, caliper, replace, mu)
    else:
        tau, se, weights, dropped = _ate(p, y, d, neighbours, caliper, mu)
    return MatchingResult(
        method=f"Propensity-score matching ({neighbours}-NN, "
        f"{'with' if replace else 'without'} replacement)",
        table=make_table([estimand], [tau], [se]),
        nobs=len(y),
        outcome=outcome,
        se_type="Abadie-Imbens (2006) matching variance (Stata nnmatch)"
        + (", Abadie-Imbens (2011) bias-adjusted" if bias_adjust else ""),
        df=None,
        details={
            "n_treated": int(d.sum()),
            "n_unmatched": dropped,
            "caliper": caliper,
            "bias_adjust": bias_adjust,
            **({"n_cells": n_cells} if fitted is not None else {}),
        },
        estimand=estimand,
        propensity=p,
        treated=d,
        match_weights=weights,
        n_unmatched=dropped,
    )
