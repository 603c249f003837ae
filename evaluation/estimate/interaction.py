"""Least squares on two 0/1 indicators and their product, clustered, from cell sums.

``y = b0 + b1 a + b2 b + b3 a b`` is saturated in the four ``(a, b)`` cells: its fit is the
cells' means and each row's residual is its distance from its cell's mean. The CRV1 sandwich
needs each cluster's score, the sum over its rows of ``x_r e_r``; since ``x_r`` depends only on
the row's cell, that is the cluster's residual sum in each cell times the cell's design row:
four sums per cluster, one ``np.bincount``. The result equals :func:`evaluation.estimate.ols`
(pyfixest, fixest's CRV1 convention: ``G/(G-1) (N-1)/(N-K)``, ``t(G-1)``) on the same rows
(``tests/estimate/test_interaction.py``), without a model's copies of the data: at national
scale 04_years compares two editions' 2.4 crore rows, and each pyfixest fit took 5 GB more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation.estimate import checks
from evaluation.estimate.results import RegressionResult, make_table
from evaluation.estimate.validation import (
    check_binary,
    check_cluster_count,
    check_columns,
    check_variation,
)

__all__ = ["interaction_ols"]

#: The design row of each cell ``2 a + b``: constant, a, b, a * b.
_CELL_DESIGN = np.array([[1, 0, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=float)


def interaction_ols(
    data: pd.DataFrame, *, outcome: str, first: str, second: str, cluster: str
) -> RegressionResult:
    """OLS of ``outcome ~ first * second`` (two 0/1 columns), standard errors clustered.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation; rows missing a used column are left out.
    outcome : str
        Numeric outcome.
    first, second : str
        0/1 indicators (e.g. took part, the later edition).
    cluster : str
        Cluster column (e.g. the person, who may appear in both editions).

    Returns
    -------
    RegressionResult
        Terms ``Intercept``, ``first``, ``second``, ``first:second`` (pyfixest's names), CRV1
        standard errors and their covariance, t reference with ``G - 1`` degrees of freedom.

    Raises
    ------
    ValueError
        A missing column, an indicator that is not 0/1, an empty cell, an outcome without
        variation or too few clusters.
    """
    check_columns(data, [outcome, first, second, cluster])
    roles = {outcome: "outcome", first: "regressor", second: "regressor", cluster: "cluster"}
    frame = checks.complete_cases(data[list(roles)], roles)
    check_variation(frame, outcome)
    cell = 2 * check_binary(frame, first).astype(np.int64) + check_binary(frame, second)
    counts = np.bincount(cell, minlength=4)
    if (counts == 0).any():
        raise ValueError(f"every combination of {first!r} and {second!r} needs rows")
    y = frame[outcome].to_numpy(dtype=float)
    means = np.bincount(cell, weights=y, minlength=4) / counts
    residuals = y - means[cell]
    codes, uniques = pd.factorize(frame[cluster])
    n_clusters = check_cluster_count(len(uniques), cluster)
    del frame, y
    sums = np.bincount(4 * codes + cell, weights=residuals, minlength=4 * n_clusters)
    scores = sums.reshape(n_clusters, 4) @ _CELL_DESIGN  # each cluster's score
    bread = np.linalg.inv(_CELL_DESIGN.T @ (counts[:, None] * _CELL_DESIGN))
    coef = bread @ _CELL_DESIGN.T @ (counts * means)
    n, k = int(counts.sum()), _CELL_DESIGN.shape[1]
    factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
    vcov = factor * bread @ (scores.T @ scores) @ bread
    terms = ["Intercept", first, second, f"{first}:{second}"]
    return RegressionResult(
        method="OLS (saturated in two indicators, from cell sums)",
        table=make_table(terms, coef, np.sqrt(np.diag(vcov)), df=n_clusters - 1),
        nobs=n,
        outcome=outcome,
        se_type=f"CRV1 clustered by {cluster} (fixest convention)",
        df=n_clusters - 1,
        vcov=vcov,
        details={"n_clusters": n_clusters},
        formula=f"{outcome} ~ {first} * {second}",
    )
