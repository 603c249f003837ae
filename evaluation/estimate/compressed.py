"""Least squares on sufficient statistics computed by the engine ("You Only Compress Once").

When every regressor is discrete (treatment, group, ministry, period, dose band), a regression
on millions of rows depends on the data only through a few numbers per distinct regressor row
("cell"): the count ``n``, the outcome mean and the within-cell sum of squared deviations. The
engine (DuckDB or Spark, through Ibis) computes them with one ``GROUP BY``; numpy then solves a
weighted problem with one row per cell. Point estimates and iid / HC0 / HC1 / HC3 standard
errors are exact (Wong, Lewis and Wardrop 2021, "You Only Compress Once", arXiv 2102.11297).
Cluster-robust (CRV1) errors are exact too when the cluster column is part of the compression
key, because the score of a cluster is the sum of its cells' scores.

Prior art: pyfixest 0.60 ``feols(..., use_compression=True)`` is deprecated, compresses in pandas
(or polars) after the data are in memory, and gives clustered errors only by wild bootstrap;
duckreg (py-econometrics) compresses in the database. This module keeps the database side of
duckreg, gives analytic CRV1 errors with fixest's small-sample convention, and returns the
workbench's own :class:`~evaluation.estimate.RegressionResult`, so a compressed fit and a
full-data :func:`evaluation.estimate.ols` fit are interchangeable in reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import formulaic
import ibis
import numpy as np
import pandas as pd
import statsmodels.api as sm
from ibis.expr.types import Table
from scipy.special import gammaln

from evaluation.estimate.results import RegressionResult, make_table
from evaluation.estimate.validation import (
    VcovType,
    check_cluster_count,
    check_formula,
    check_option,
)

__all__ = ["CompressedData", "compress", "compressed_logit", "compressed_ols"]

_N = "_cell_n"
_MEAN = "_cell_mean"
_SSW = "_cell_ssw"  # sum of squared deviations from the cell mean


@dataclass(frozen=True)
class CompressedData:
    """Sufficient statistics of one outcome by the distinct values of some key columns.

    Attributes
    ----------
    cells : pandas.DataFrame
        One row per distinct key: the key columns, ``_cell_n`` (rows), ``_cell_mean`` (outcome
        mean) and ``_cell_ssw`` (sum of squared deviations of the outcome from that mean).
    outcome : str
        The outcome the statistics describe.
    keys : tuple of str
        The compression key (regressor columns and, when clustering, the cluster column).
    """

    cells: pd.DataFrame
    outcome: str
    keys: tuple[str, ...]

    @property
    def nobs(self) -> int:
        """Rows of the underlying data (complete cases)."""
        return int(self.cells[_N].sum())

    @property
    def ratio(self) -> float:
        """Rows per cell: how much smaller the problem became."""
        return self.nobs / max(len(self.cells), 1)


def compress(data: Table | pd.DataFrame, outcome: str, keys: list[str]) -> CompressedData:
    """Count, mean and within sum of squares of ``outcome`` by ``keys``, computed by the engine.

    Rows with a missing outcome or key are left out (as a full-data fit drops them).

    Parameters
    ----------
    data : ibis Table or pandas.DataFrame
        Row-level data; an Ibis expression is aggregated where it lives (DuckDB, Spark) and
        only the cells reach Python. A data frame is aggregated by an embedded DuckDB.
    outcome : str
        Numeric outcome column.
    keys : list of str
        Discrete columns to compress by.

    Returns
    -------
    CompressedData
        Cells sorted by ``keys``.
    """
    table = ibis.memtable(data) if isinstance(data, pd.DataFrame) else data
    missing = [c for c in [outcome, *keys] if c not in table.columns]
    if missing:
        raise ValueError(f"columns not in the data: {', '.join(missing)}")
    complete = table.filter([table[c].notnull() for c in [outcome, *keys]])
    y = complete[outcome].cast("float64")
    cells = complete.group_by(keys).aggregate(
        **{_N: complete.count(), _MEAN: y.mean(), _SSW: y.var(how="pop") * complete.count()}
    )
    frame = cells.order_by(keys).to_pandas() if keys else cells.to_pandas()
    frame[_SSW] = frame[_SSW].fillna(0.0)  # a one-row cell has no spread
    return CompressedData(cells=frame, outcome=outcome, keys=tuple(keys))


def _split_formula(formula: str) -> tuple[str, str]:
    check_formula(formula)
    if "|" in formula:
        raise ValueError(
            "compressed_ols does not absorb fixed effects ('|'); write a discrete fixed effect "
            "as C(column), or use evaluation.estimate.ols for high-dimensional ones"
        )
    outcome, rhs = (part.strip() for part in formula.split("~", 1))
    return outcome, rhs


def _rhs_columns(rhs: str, columns: list[str]) -> list[str]:
    """Columns of the data named on the right-hand side (what formulaic will need)."""
    needed = formulaic.Formula(rhs).required_variables
    return [c for c in columns if c in needed]


def _design(rhs: str, cells: pd.DataFrame) -> pd.DataFrame:
    matrix = formulaic.model_matrix(rhs, cells, na_action="raise")
    return pd.DataFrame(np.asarray(matrix, dtype=float), columns=list(matrix.columns))


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    bread: np.ndarray  # (X'WX)^-1
    residual_sq: np.ndarray  # sum over a cell's rows of squared residuals
    residual_sum: np.ndarray  # sum over a cell's rows of residuals
    leverage: np.ndarray  # x_c' (X'WX)^-1 x_c, the same for every row of a cell


def _solve(design: np.ndarray, data: CompressedData) -> _Fit:
    n = data.cells[_N].to_numpy(dtype=float)
    mean = data.cells[_MEAN].to_numpy(dtype=float)
    gram = design.T @ (design * n[:, None])
    rank = np.linalg.matrix_rank(gram)
    if rank < gram.shape[0]:
        raise ValueError(
            f"the regressors are collinear (rank {rank} of {gram.shape[0]}); drop a redundant term"
        )
    bread = np.linalg.inv(gram)
    beta = bread @ (design.T @ (n * mean))
    gap = mean - design @ beta  # cell mean minus fitted value
    # sum_i (y_i - f)^2 = SSW + n (ybar - f)^2: no cancellation between large sums
    residual_sq = data.cells[_SSW].to_numpy(dtype=float) + n * gap**2
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    return _Fit(beta, bread, residual_sq, n * gap, leverage)


def _sandwich(fit: _Fit, meat: np.ndarray) -> np.ndarray:
    return fit.bread @ meat @ fit.bread


def _vcov(
    fit: _Fit, design: np.ndarray, data: CompressedData, vcov: str, cluster: str | None
) -> tuple[np.ndarray, float, str, int | None]:
    """Covariance, t degrees of freedom, a description and the number of clusters."""
    nobs, k = data.nobs, design.shape[1]
    if cluster is not None:
        scores = pd.DataFrame(design * fit.residual_sum[:, None])
        by_cluster = scores.groupby(data.cells[cluster].to_numpy()).sum().to_numpy()
        groups = check_cluster_count(by_cluster.shape[0], cluster)
        factor = groups / (groups - 1) * (nobs - 1) / (nobs - k)
        covariance = factor * _sandwich(fit, by_cluster.T @ by_cluster)
        return (
            covariance,
            float(groups - 1),
            f"CRV1 clustered by {cluster} (fixest convention)",
            groups,
        )
    df = float(nobs - k)
    if vcov == "iid":
        sigma2 = fit.residual_sq.sum() / (nobs - k)
        return sigma2 * fit.bread, df, "iid (classical OLS)", None
    if vcov == "HC3":
        weights = fit.residual_sq / (1 - fit.leverage) ** 2
        meat = design.T @ (design * weights[:, None])
        # pyfixest (hence estimate.ols) scales HC3 by N/(N-K) as well; follow it
        return nobs / (nobs - k) * _sandwich(fit, meat), df, "HC3 heteroskedasticity-robust", None
    meat = design.T @ (design * fit.residual_sq[:, None])
    if vcov == "HC0":
        return _sandwich(fit, meat), df, "HC0 heteroskedasticity-robust", None
    return nobs / (nobs - k) * _sandwich(fit, meat), df, "HC1 heteroskedasticity-robust", None


def _compressed_for(
    data: Table | pd.DataFrame | CompressedData, outcome: str, rhs: str, cluster: str | None
) -> CompressedData:
    """Statistics for the formula: given, or computed by the engine with the right key."""
    if isinstance(data, CompressedData):
        if data.outcome != outcome:
            raise ValueError(f"statistics are of {data.outcome!r}, formula asks {outcome!r}")
        compressed = data
    else:
        keys = _rhs_columns(rhs, list(data.columns))
        if cluster is not None and cluster not in keys:
            keys.append(cluster)
        compressed = compress(data, outcome, keys)
    if cluster is not None and cluster not in compressed.keys:
        raise ValueError(f"cluster {cluster!r} must be a compression key")
    return compressed


def compressed_ols(
    data: Table | pd.DataFrame | CompressedData,
    formula: str,
    *,
    vcov: VcovType = "HC1",
    cluster: str | None = None,
) -> RegressionResult:
    """Least squares with discrete regressors, fitted on engine-computed sufficient statistics.

    Gives the same coefficients and standard errors as :func:`evaluation.estimate.ols` on the
    full data (pyfixest; fixest's CRV1 small-sample factor ``G/(G-1) (N-1)/(N-K)`` and
    ``t(G-1)``), while only one row per distinct regressor value (and cluster) reaches Python.

    Parameters
    ----------
    data : ibis Table, pandas.DataFrame or CompressedData
        Row-level data, e.g. ``store.table("enrolments")`` or any Ibis expression built on it;
        or statistics already made by :func:`compress` (keys must include every regressor
        column and the cluster).
    formula : str
        ``"outcome ~ regressors"`` in formulaic / pyfixest syntax, e.g.
        ``"completions ~ treated * C(period) + C(ministry)"``. Every column on the right must
        be discrete: continuous regressors make one cell per row and remove the gain.
    vcov : {"iid", "HC0", "HC1", "HC3"}
        Heteroskedasticity-robust variant when ``cluster`` is None.
    cluster : str, optional
        Column to cluster on (CRV1); it joins the compression key.

    Returns
    -------
    RegressionResult
        ``method="OLS (compressed)"``; ``details`` holds ``n_cells`` and ``compression_ratio``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"y": [1.0, 2.0, 3.0, 5.0], "d": [0, 0, 1, 1]})
    >>> round(compressed_ols(frame, "y ~ d", vcov="iid").coef()["d"], 6)
    2.5
    """
    check_option(vcov, VcovType, "vcov")
    outcome, rhs = _split_formula(formula)
    compressed = _compressed_for(data, outcome, rhs, cluster)
    design_frame = _design(rhs, compressed.cells)
    design = design_frame.to_numpy()
    fit = _solve(design, compressed)
    covariance, df, se_type, groups = _vcov(fit, design, compressed, vcov, cluster)
    table = make_table(list(design_frame.columns), fit.beta, np.sqrt(np.diag(covariance)), df=df)
    return RegressionResult(
        method="OLS (compressed)",
        table=table,
        nobs=compressed.nobs,
        outcome=outcome,
        se_type=se_type,
        df=df,
        vcov=covariance,
        details={
            "n_clusters": groups,
            "n_cells": len(compressed.cells),
            "compression_ratio": compressed.ratio,
        },
        formula=formula,
    )


def compressed_logit(data: Table | pd.DataFrame | CompressedData, formula: str) -> RegressionResult:
    """Logit of a 0/1 outcome on discrete regressors, fitted on engine-computed cell counts.

    With discrete regressors the likelihood depends on the data only through each cell's rows
    and successes, so a binomial GLM on the cells gives the same maximum-likelihood estimates
    and model-based standard errors as a logit on every row (what a propensity model needs).

    Parameters
    ----------
    data : ibis Table, pandas.DataFrame or CompressedData
        Row-level data or statistics from :func:`compress`.
    formula : str
        ``"treated ~ C(group) + C(ministry) + C(gender)"`` (formulaic syntax).

    Returns
    -------
    RegressionResult
        ``method="Logit (compressed)"``, normal reference (``df=None``); ``details`` holds
        ``n_cells``, ``compression_ratio`` and ``log_likelihood`` of the full data.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"t": [0, 1, 1, 0, 1, 1], "d": [0, 0, 0, 1, 1, 1]})
    >>> round(compressed_logit(frame, "t ~ d").coef()["d"], 6)
    0.0
    """
    outcome, rhs = _split_formula(formula)
    compressed = _compressed_for(data, outcome, rhs, None)
    cells = compressed.cells
    share = cells[_MEAN].to_numpy(dtype=float)
    if ((share < 0) | (share > 1)).any():
        raise ValueError(f"{outcome!r} must be 0/1 for a logit")
    n = cells[_N].to_numpy(dtype=float)
    successes = np.rint(n * share)
    design_frame = _design(rhs, cells)
    model = sm.GLM(
        np.column_stack([successes, n - successes]),
        design_frame,
        family=sm.families.Binomial(),
    )
    fit = model.fit()
    # binomial-of-cells and Bernoulli-of-rows log-likelihoods differ by the log binomial
    # coefficients; report the rows' one, which is what a full-data logit prints
    log_binomial = (
        _log_factorial(n) - _log_factorial(successes) - _log_factorial(n - successes)
    ).sum()
    table = make_table(list(design_frame.columns), fit.params, fit.bse, df=None)
    return RegressionResult(
        method="Logit (compressed)",
        table=table,
        nobs=compressed.nobs,
        outcome=outcome,
        se_type="model-based (maximum likelihood)",
        df=None,
        vcov=np.asarray(fit.cov_params()),
        details={
            "n_cells": len(cells),
            "compression_ratio": compressed.ratio,
            "log_likelihood": float(fit.llf - log_binomial),
        },
        formula=formula,
    )


def _log_factorial(values: np.ndarray) -> np.ndarray:
    return gammaln(values + 1)
