"""Selection-on-observables designs from per-cell moments computed in the engine.

With discrete baseline traits every person in one (arm, trait cell) has the same covariates, so
the propensity logit, IPW, the doubly robust ATT and exact matching depend on the data only
through each cell's count, outcome mean and within sum of squares: one ``GROUP BY`` over the
person table (:func:`evaluation.estimate.compressed.compress`, DuckDB or Spark) instead of a
person-level frame in the driver. Point estimates are sums of cell means; the standard errors
are sums of squared per-person scores, and because each score is ``a_c + b_c * y`` within a
cell, ``sum_i score_i^2 = n_c (a_c + b_c ybar_c)^2 + b_c^2 SSW_c`` needs nothing else.

Each function equals the workbench's person-level estimator on the same rows (estimates to
1e-10, standard errors to 1e-8 relative; ``tests/estimate/test_cell_moments.py``):

- :func:`cell_propensity` - :func:`~evaluation.estimate.treatment_effects.fit_propensity`
  (statsmodels ``Logit``; model-based ML standard errors);
- :func:`cell_ipw` - :func:`~evaluation.estimate.ipw` (logit; Stata ``teffects ipw``
  M-estimation sandwich, ATE or ATT);
- :func:`cell_aipw_att` - :func:`~evaluation.estimate.aipw` with ``estimand="ATT"``
  (Sant'Anna-Zhao influence function, ``n - 1`` divisor as R ``DRDID``);
- :func:`exact_match_att` - :func:`~evaluation.estimate.match` with one neighbour when every
  treated cell has at least three controls and the cells' propensity scores are distinct (then
  nearest-neighbour matching on the score is exact matching on the cell, and the Abadie-Imbens
  variance with two same-arm neighbours reduces to the cell's sample variance).

Covariates are coded as :func:`~evaluation.estimate.treatment_effects.design_matrix` codes
them (text columns become dummies, first level dropped; numbers enter linearly), so the models
are the person-level ones, not saturated cell models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ibis.expr.types import Table

from evaluation.estimate.compressed import _MEAN, _N, _SSW, compress
from evaluation.estimate.design import design_matrix
from evaluation.estimate.results import (
    MatchingResult,
    RegressionResult,
    TreatmentEffectResult,
    make_table,
)
from evaluation.estimate.validation import Estimand, as_list, check_option

__all__ = [
    "ArmCells",
    "arm_cells",
    "cell_scores",
    "cell_aipw_att",
    "cell_ipw",
    "cell_propensity",
    "exact_match_att",
    "row_cells",
]

#: Newton steps stop when no coefficient moves by more than this.
_NEWTON_TOL = 1e-13
_NEWTON_MAX = 100


@dataclass(frozen=True)
class ArmCells:
    """Count, outcome mean and within sum of squares per (arm, trait cell).

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per distinct (treatment, covariates): the key columns and ``_cell_n``,
        ``_cell_mean``, ``_cell_ssw`` (see :class:`~evaluation.estimate.compressed.CompressedData`).
    design : pandas.DataFrame
        Each row's covariate design (``const`` and the coded covariates).
    outcome, treatment : str
        Column names.
    covariates : tuple of str
        The traits.
    """

    frame: pd.DataFrame
    design: pd.DataFrame
    outcome: str
    treatment: str
    covariates: tuple[str, ...]

    @property
    def d(self) -> np.ndarray:
        """Each row's arm (0/1)."""
        return self.frame[self.treatment].to_numpy(dtype=float)

    @property
    def n(self) -> np.ndarray:
        """People per row."""
        return self.frame["_cell_n"].to_numpy(dtype=float)

    @property
    def mean(self) -> np.ndarray:
        """Outcome mean per row."""
        return self.frame["_cell_mean"].to_numpy(dtype=float)

    @property
    def ssw(self) -> np.ndarray:
        """Sum of squared deviations from the row's mean."""
        return self.frame["_cell_ssw"].to_numpy(dtype=float)

    @property
    def x(self) -> np.ndarray:
        """The design as an array."""
        return self.design.to_numpy(dtype=float)

    @property
    def nobs(self) -> int:
        """People in every cell."""
        return int(self.n.sum())

    def squares(self, a: np.ndarray, b: np.ndarray) -> float:
        """``sum_i (a_c + b_c y_i)^2`` over every person, from the cells' moments."""
        return float(np.sum(self.n * (a + b * self.mean) ** 2 + b**2 * self.ssw))


def arm_cells(
    data: Table | pd.DataFrame, *, outcome: str, treatment: str, covariates: Sequence[str]
) -> ArmCells:
    """Per-(arm, cell) moments of ``outcome``, computed where ``data`` lives.

    Rows missing the outcome, the treatment or a covariate are left out (as the person-level
    estimators drop incomplete rows).

    Raises
    ------
    ValueError
        If the treatment is not 0/1, an arm is empty, or the coded covariates are collinear.
    """
    covariates = as_list(covariates)
    if not covariates:
        raise ValueError("cell designs need at least one discrete covariate")
    cells = compress(data, outcome, [treatment, *covariates]).cells
    arms = set(pd.unique(cells[treatment]))
    if not arms <= {0, 1}:
        raise ValueError(f"treatment {treatment!r} must be 0/1, found {sorted(arms)}")
    if arms != {0, 1}:
        raise ValueError(f"treatment {treatment!r} has one arm only ({sorted(arms)})")
    cells = cells.astype({treatment: "int64"})
    design = design_matrix(cells, covariates)
    rank = np.linalg.matrix_rank(design.to_numpy(dtype=float))
    if rank < design.shape[1]:
        raise ValueError(
            f"the coded covariates {covariates} are collinear (rank {rank} of {design.shape[1]})"
        )
    return ArmCells(cells, design, outcome, treatment, tuple(covariates))


def row_cells(
    frame: pd.DataFrame, *, outcome: str, treatment: str, covariates: Sequence[str]
) -> tuple[ArmCells, np.ndarray]:
    """:func:`arm_cells` of complete rows already in memory, and each row's cell.

    The moments are computed with NumPy (two passes: the cell means, then the squared
    deviations from them), so a person-level estimator can hand its rows to the cell
    designs and map the cells' propensity scores back to its rows: ``scores[codes]``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with no missing ``outcome``, ``treatment`` or covariate.
    outcome, treatment : str
        Column names (the treatment 0/1).
    covariates : sequence of str
        The traits.

    Returns
    -------
    cells : ArmCells
        Cells in the order of their sorted keys.
    codes : numpy.ndarray
        Each row's position in ``cells.frame``.
    """
    covariates = as_list(covariates)
    grouped = frame.groupby([treatment, *covariates], sort=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    n = np.bincount(codes)
    y = frame[outcome].to_numpy(dtype=float)
    mean = np.bincount(codes, weights=y) / n
    ssw = np.bincount(codes, weights=(y - mean[codes]) ** 2)
    keys = grouped.size().index.to_frame(index=False)
    cells = keys.assign(**{_N: n, _MEAN: mean, _SSW: ssw}).astype({treatment: "int64"})
    design = design_matrix(cells, covariates)
    return ArmCells(cells, design, outcome, treatment, tuple(covariates)), codes


@dataclass(frozen=True)
class CellLogit:
    """A propensity logit fitted on cells: coefficients, each row's score, information."""

    params: np.ndarray
    p: np.ndarray
    information: np.ndarray  # X' diag(n p (1 - p)) X, the negative Hessian


def _fit_logit(cells: ArmCells) -> CellLogit:
    """Maximum likelihood by Newton's method on the grouped Bernoulli likelihood."""
    x, n, d = cells.x, cells.n, cells.d
    gamma = np.zeros(x.shape[1])
    for _ in range(_NEWTON_MAX):
        p = 1.0 / (1.0 + np.exp(-(x @ gamma)))
        information = x.T @ (x * (n * p * (1 - p))[:, None])
        step = np.linalg.solve(information, x.T @ (n * (d - p)))
        gamma = gamma + step
        if np.max(np.abs(step)) < _NEWTON_TOL * (1 + np.max(np.abs(gamma))):
            break
    else:
        raise ValueError("the propensity logit did not converge; check for separation")
    p = 1.0 / (1.0 + np.exp(-(x @ gamma)))
    if np.any(p >= 1 - 1e-12) or np.any(p <= 1e-12):
        raise ValueError("the propensity logit separates the arms in some cells (scores of 0 or 1)")
    information = x.T @ (x * (n * p * (1 - p))[:, None])
    return CellLogit(gamma, p, information)


def cell_scores(cells: ArmCells) -> np.ndarray:
    """Each cell's propensity score from the logit of :func:`cell_propensity`."""
    return _fit_logit(cells).p


def cell_propensity(cells: ArmCells) -> RegressionResult:
    """The propensity logit of the treatment on the coded covariates, from cell counts.

    Equals :func:`~evaluation.estimate.treatment_effects.fit_propensity` (statsmodels
    ``Logit``) on the person rows: the same coefficients and model-based standard errors
    (inverse information).
    """
    fit = _fit_logit(cells)
    vcov = np.linalg.inv(fit.information)
    table = make_table(list(cells.design.columns), fit.params, np.sqrt(np.diag(vcov)), df=None)
    return RegressionResult(
        method="Propensity logit (from cell counts)",
        table=table,
        nobs=cells.nobs,
        outcome=cells.treatment,
        se_type="model-based (maximum likelihood)",
        df=None,
        vcov=vcov,
        details={"n_cells": len(cells.frame)},
    )


def _effect_result(
    method: str,
    estimand: str,
    cells: ArmCells,
    estimates: list[float],
    errors: list[float],
    se: str,
) -> TreatmentEffectResult:
    terms = [estimand, "POM_control"][: len(estimates)]
    n_treated = int(cells.n[cells.d == 1].sum())
    return TreatmentEffectResult(
        method=method,
        table=make_table(terms, estimates, errors, df=None),
        nobs=cells.nobs,
        outcome=cells.outcome,
        se_type=se,
        df=None,
        details={
            "n_treated": n_treated,
            "n_control": cells.nobs - n_treated,
            "n_cells": len(cells.frame),
        },
        estimand=estimand,
    )


def cell_ipw(cells: ArmCells, *, estimand: Estimand = "ATE") -> TreatmentEffectResult:
    """Hajek IPW (logit) from cell moments, as :func:`evaluation.estimate.ipw`.

    The stacked moments ``[w1 (y - mu1), w0 (y - mu0), (d - p) x]`` of Stata ``teffects ipw``
    are linear in ``y`` within a cell, so the sandwich ``A^-1 B A^-T / n`` is built from the
    cells' counts, means and within sums of squares.
    """
    check_option(estimand, Estimand, "estimand")
    fit = _fit_logit(cells)
    x, n, d, mean = cells.x, cells.n, cells.d, cells.mean
    p = fit.p
    dp = p * (1 - p)  # dp/deta for the logit
    if estimand == "ATE":
        w1, w0 = d / p, (1 - d) / (1 - p)
        dw1, dw0 = -d * dp / p**2, (1 - d) * dp / (1 - p) ** 2
    else:
        w1, w0 = d, (1 - d) * p / (1 - p)
        dw1, dw0 = np.zeros_like(d), (1 - d) * dp / (1 - p) ** 2
    total = n.sum()
    mu1 = np.sum(n * w1 * mean) / np.sum(n * w1)
    mu0 = np.sum(n * w0 * mean) / np.sum(n * w0)
    k = x.shape[1]
    # per-person moment = u_c + v_c y; v is zero for the score rows
    u = np.column_stack([-w1 * mu1, -w0 * mu0, (d - p)[:, None] * x])
    v = np.zeros_like(u)
    v[:, 0], v[:, 1] = w1, w0
    at_mean = u + v * mean[:, None]
    meat = (at_mean.T @ (at_mean * n[:, None]) + v.T @ (v * cells.ssw[:, None])) / total
    jacobian = np.zeros((k + 2, k + 2))
    jacobian[0, 0] = -np.sum(n * w1) / total
    jacobian[1, 1] = -np.sum(n * w0) / total
    jacobian[0, 2:] = (n * dw1 * (mean - mu1)) @ x / total
    jacobian[1, 2:] = (n * dw0 * (mean - mu0)) @ x / total
    jacobian[2:, 2:] = -fit.information / total
    inverse = np.linalg.inv(jacobian)
    covariance = inverse @ meat @ inverse.T / total
    contrast = np.zeros((2, k + 2))
    contrast[0, :2] = [1.0, -1.0]
    contrast[1, 1] = 1.0
    errors = np.sqrt(np.diag(contrast @ covariance @ contrast.T))
    return _effect_result(
        "Inverse probability weighting (logit, from cell moments)",
        estimand,
        cells,
        [mu1 - mu0, mu0],
        list(errors),
        "robust M-estimation sandwich over propensity and effect (Stata teffects ipw "
        "vce(robust)), from cell moments",
    )


def cell_aipw_att(cells: ArmCells) -> TreatmentEffectResult:
    """The doubly robust ATT (Sant'Anna and Zhao 2020) from cell moments.

    As :func:`evaluation.estimate.aipw` with ``estimand="ATT"``: logit propensity, linear
    outcome model on the controls, normalised weights; the standard error is the standard
    deviation (``n - 1`` divisor, R ``DRDID``) of the influence function over ``sqrt(n)``.
    Within a cell the influence function is ``a_c + b_c y``, so its sum of squares comes from
    each cell's count, mean and within sum of squares.
    """
    fit = _fit_logit(cells)
    x, n, d, mean = cells.x, cells.n, cells.d, cells.mean
    p, total = fit.p, n.sum()
    control = 1 - d
    gram = x.T @ (x * (n * control)[:, None])
    beta = np.linalg.solve(gram, x.T @ (n * control * mean))
    fitted = x @ beta
    w_cont = control * p / (1 - p)
    mean_w_treat = np.sum(n * d) / total
    mean_w_cont = np.sum(n * w_cont) / total
    gap = mean - fitted  # mean residual in the cell
    eta_treat = np.sum(n * d * gap) / total / mean_w_treat
    eta_cont = np.sum(n * w_cont * gap) / total / mean_w_cont
    xpx_inv = np.linalg.inv(gram / total)
    hessian_n = np.linalg.inv(fit.information) * total  # cov_params * n
    m1 = (n * d) @ x / total
    m2 = (n * w_cont * (gap - eta_cont)) @ x / total
    m3 = (n * w_cont) @ x / total
    ols_m1 = x @ xpx_inv @ m1  # x_c' (X'X/n)^-1 M1
    ols_m3 = x @ xpx_inv @ m3
    ps_m2 = x @ hessian_n @ m2
    # influence = b * (y - fitted) + const, per arm (see dr_att_influence)
    b = np.where(d == 1, 1 / mean_w_treat, -ols_m1 / mean_w_treat - (w_cont - ols_m3) / mean_w_cont)
    const = np.where(
        d == 1,
        -eta_treat / mean_w_treat - (1 - p) * ps_m2 / mean_w_cont,
        (w_cont * eta_cont + p * ps_m2) / mean_w_cont,
    )
    a = const - b * fitted
    influence_sum = float(np.sum(n * (a + b * mean)))
    squares = cells.squares(a, b) - influence_sum**2 / total
    std_error = float(np.sqrt(squares / (total - 1)) / np.sqrt(total))
    return _effect_result(
        "AIPW doubly robust (logit, from cell moments)",
        "ATT",
        cells,
        [float(eta_treat - eta_cont)],
        [std_error],
        "influence function of the doubly robust ATT (Sant'Anna-Zhao; DRDID convention), "
        "from cell moments",
    )


def exact_match_att(cells: ArmCells) -> MatchingResult:
    """Exact matching on the trait cells: the ATT and its Abadie-Imbens standard error.

    Each participant is compared with the mean of the non-participants in the same cell, so
    the ATT is the cells' differences in means weighted by their participants. The
    Abadie-Imbens (2006) variance, with each control's conditional variance estimated from
    the other controls of its cell, is
    ``[sum_c (SSW1_c + n1_c (diff_c - ATT)^2) + sum_c n1_c (n1_c - 1) s0_c^2 / n0_c] / n1^2``
    with ``s0_c^2`` the controls' sample variance (``n0_c - 1`` divisor). Participants in cells
    without non-participants are dropped and counted in ``n_unmatched``.

    Raises
    ------
    ValueError
        If no participant has a match, or a cell with participants has exactly one control
        (its conditional variance cannot be estimated within the cell: coarsen the cells).
    """
    frame = cells.frame
    keys = list(cells.covariates)
    treated = frame[frame[cells.treatment] == 1]
    controls = frame[frame[cells.treatment] == 0]
    joined = treated.merge(controls, on=keys, how="left", suffixes=("_1", "_0"))
    n0 = joined["_cell_n_0"].fillna(0).to_numpy(dtype=float)
    matched = n0 > 0
    if not matched.any():
        raise ValueError("no participant shares a cell with a non-participant")
    single = matched & (n0 < 2)
    if single.any():
        raise ValueError(
            f"{int(single.sum())} cell(s) with participants have one non-participant only; "
            "their outcome variance cannot be estimated (use coarser cells)"
        )
    part = joined.loc[matched]
    n1 = part["_cell_n_1"].to_numpy(dtype=float)
    n0 = part["_cell_n_0"].to_numpy(dtype=float)
    diff = part["_cell_mean_1"].to_numpy(dtype=float) - part["_cell_mean_0"].to_numpy(dtype=float)
    ssw1 = part["_cell_ssw_1"].to_numpy(dtype=float)
    ssw0 = part["_cell_ssw_0"].to_numpy(dtype=float)
    total_treated = n1.sum()
    att = float(np.sum(n1 * diff) / total_treated)
    spread = np.sum(ssw1 + n1 * (diff - att) ** 2)
    reuse = np.sum(n1 * (n1 - 1) * ssw0 / (n0 * (n0 - 1)))
    std_error = float(np.sqrt(spread + reuse) / total_treated)
    unmatched = int(joined.loc[~matched, "_cell_n_1"].sum())
    return MatchingResult(
        method="Exact matching on trait cells (from cell moments)",
        table=make_table(["ATT"], [att], [std_error]),
        nobs=cells.nobs,
        outcome=cells.outcome,
        se_type="Abadie-Imbens (2006) matching variance, conditional variances within cells",
        df=None,
        details={
            "n_treated": int(total_treated) + unmatched,
            "n_unmatched": unmatched,
            "n_cells": int(matched.sum()),
        },
        estimand="ATT",
        n_unmatched=unmatched,
    )
