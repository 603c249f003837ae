"""Dose response: how the outcome moves with the amount of treatment (e.g. hours learned)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evaluation.estimate import checks
from evaluation.estimate.compressed import compress, compressed_ols
from evaluation.estimate.design import design_matrix
from evaluation.estimate.fixest import FixestFit, feols, vcov_options
from evaluation.estimate.results import DoseResponseResult, make_table
from evaluation.estimate.treatment_effects import ROWS_PER_CELL
from evaluation.estimate.validation import (
    VcovType,
    as_list,
    check_clusters,
    check_columns,
    check_option,
    check_variation,
)

__all__ = ["dose_response", "DoseMethod", "dose_bins"]

DoseMethod = Literal["bins", "linear"]


def dose_bins(dose: pd.Series, bins: int | Sequence[float] | None) -> np.ndarray:
    """Bin edges: zero dose on its own, then quantiles of the positive doses.

    Parameters
    ----------
    dose : pandas.Series
        Non-negative doses.
    bins : int or sequence of float, optional
        Number of quantile bins of positive dose (default 4), or explicit edges.

    Returns
    -------
    numpy.ndarray
        Increasing edges; bins are ``[edge_k, edge_k+1)`` with the last one closed.
    """
    if bins is not None and not isinstance(bins, int):
        edges = np.unique(np.asarray(bins, dtype=float))
        if len(edges) < 3:
            raise ValueError("explicit bins need at least three edges (two bins)")
        return edges
    n_bins = 4 if bins is None else bins
    if n_bins < 1:
        raise ValueError(f"bins must be positive, got {bins!r}")
    positive = dose[dose > 0]
    quantiles = np.quantile(positive, np.linspace(0, 1, n_bins + 1)) if len(positive) else []
    lowest = 0.0 if (dose == 0).any() else float(dose.min())
    # zero gets its own bin: [0, tiny) holds exactly the untreated
    zero_edge = [0.0, np.nextafter(0.0, 1.0)] if (dose == 0).any() else [lowest]
    return np.unique(np.r_[zero_edge, quantiles[1:] if len(quantiles) else []])


def _bin_labels(edges: np.ndarray) -> list[str]:
    labels = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        labels.append(
            "0" if low == 0 and high <= np.nextafter(0.0, 1.0) else f"[{low:g}, {high:g}]"
        )
    return labels


def dose_response(
    data: pd.DataFrame,
    *,
    outcome: str,
    dose: str,
    covariates: Sequence[str] | None = None,
    method: DoseMethod = "bins",
    bins: int | Sequence[float] | None = None,
    vcov: VcovType = "HC1",
    cluster: str | None = None,
    by_cells: bool | None = None,
) -> DoseResponseResult:
    """Covariate-adjusted dose response by linear regression.

    ``method="bins"`` regresses the outcome on indicators of dose bins (zero dose alone, then
    quantile bins of positive dose, or the given edges) plus covariates; each term is the mean
    difference from the lowest bin holding covariates fixed. ``method="linear"`` fits one
    slope per unit of dose. Both are descriptive unless dose is as good as random given the
    covariates.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person.
    outcome, dose : str
        Outcome and non-negative dose columns (e.g. hours learned in the week).
    covariates : sequence of str, optional
        Adjustment covariates (text columns become dummies).
    method : {"bins", "linear"}
        Binned step function or a straight line.
    bins : int or sequence of float, optional
        Quantile bins of positive dose (default 4) or explicit edges.
    vcov : {"iid", "HC0", "HC1", "HC3"}
        Robust variant when not clustering.
    cluster : str, optional
        Cluster column (CRV1, fixest convention).
    by_cells : bool, optional
        Fit from the moments of each distinct row of regressors (and cluster)
        (:func:`~evaluation.estimate.compressed.compressed_ols`), which equals the fit on
        every row in a fraction of the memory. ``None`` (default): when the rows are at least
        :data:`~evaluation.estimate.treatment_effects.ROWS_PER_CELL` times the cells (discrete
        covariates: at national scale the row fit took 10 GB more); ``True``: always;
        ``False``: never.

    Returns
    -------
    DoseResponseResult
        Terms ``dose=<bin>`` (with ``dose_low``, ``dose_high``, ``n``) or ``dose`` (slope).

    Raises
    ------
    ValueError
        A column missing in every row, a constant or collinear covariate
        (:mod:`evaluation.estimate.checks`), a dose or outcome without variation, a negative
        dose, too few clusters.
    """
    check_option(method, DoseMethod, "method")
    check_option(vcov, VcovType, "vcov")
    covariates = as_list(covariates)
    check_columns(data, [outcome, dose, cluster, *covariates])
    roles = {c: "covariate" for c in covariates}
    roles.update({outcome: "outcome", dose: "dose", **({cluster: "cluster"} if cluster else {})})
    frame = checks.complete_cases(data, roles)
    check_variation(frame, dose)
    check_variation(frame, outcome)
    if (frame[dose] < 0).any():
        raise ValueError(f"dose column {dose!r} has negative values")
    n_clusters = check_clusters(frame, cluster)
    checks.check_constant(frame, covariates)
    design = design_matrix(frame, covariates)
    checks.check_collinear(design, covariates)
    controls = design.drop(columns="const")
    work = pd.DataFrame({"y_": frame[outcome].to_numpy(dtype=float)})
    for i, column in enumerate(controls.columns):
        work[f"x{i}_"] = controls[column].to_numpy()
    if cluster is not None:
        work["cluster_"] = frame[cluster].to_numpy()
    extra: dict[str, list]
    if method == "linear":
        work["dose_"] = frame[dose].to_numpy(dtype=float)
        regressors, terms, extra, reference = ["dose_"], ["dose"], {}, "zero dose (slope)"
    else:
        regressors, terms, extra, reference = _add_bins(work, frame[dose], bins)
    rhs = " + ".join([*regressors, *[f"x{i}_" for i in range(controls.shape[1])]])
    options = vcov_options(vcov, "cluster_" if cluster else None)
    cell_fit = _fit(work, f"y_ ~ {rhs}", vcov, "cluster_" if cluster else None, by_cells)
    fit: _CellFit | FixestFit = (
        cell_fit
        if cell_fit is not None
        else feols(f"y_ ~ {rhs}", work, vcov=options.vcov, ssc=options.ssc)
    )
    keep = [i for i, n in enumerate(fit.names) if n in regressors]
    kept_terms = [terms[regressors.index(fit.names[i])] for i in keep]
    table = make_table(
        kept_terms,
        fit.coef[keep],
        fit.se[keep],
        df=fit.df_t,
        extra={k: [v[regressors.index(fit.names[i])] for i in keep] for k, v in extra.items()},
    )
    return DoseResponseResult(
        method=f"Dose response ({method})",
        table=table,
        nobs=fit.nobs,
        outcome=outcome,
        se_type=options.se_type.replace("cluster_", cluster or ""),
        df=fit.df_t,
        vcov=fit.vcov[np.ix_(keep, keep)],
        details={"n_clusters": n_clusters, "dose": dose},
        reference=reference,
    )


@dataclass(frozen=True)
class _CellFit:
    """What :func:`dose_response` reads of a fit, from a compressed OLS (as pyfixest names it)."""

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    df_t: float
    vcov: np.ndarray
    nobs: int


def _fit(
    work: pd.DataFrame, formula: str, vcov: VcovType, cluster: str | None, by_cells: bool | None
) -> _CellFit | None:
    """The regression from cell moments, or None (fit the rows) when cells would not pay."""
    if by_cells is False:
        return None
    keys = [c for c in work.columns if c != "y_"]
    cells = compress(work, "y_", keys)
    if not by_cells and len(cells.cells) * ROWS_PER_CELL > cells.nobs:
        return None
    result = compressed_ols(cells, formula, vcov=vcov, cluster=cluster)
    table = result.tidy()
    return _CellFit(
        names=table["term"].tolist(),
        coef=table["estimate"].to_numpy(),
        se=table["std_error"].to_numpy(),
        df_t=float(result.df) if result.df is not None else np.inf,
        vcov=np.asarray(result.vcov),
        nobs=result.nobs,
    )


def _add_bins(
    work: pd.DataFrame, dose: pd.Series, bins: int | Sequence[float] | None
) -> tuple[list[str], list[str], dict[str, list], str]:
    edges = dose_bins(dose, bins)
    labels = _bin_labels(edges)
    codes = np.clip(
        np.searchsorted(edges, dose.to_numpy(dtype=float), side="right") - 1, 0, len(labels) - 1
    )
    regressors, terms, lows, highs, counts = [], [], [], [], []
    for k in range(1, len(labels)):
        name = f"bin{k}_"
        work[name] = (codes == k).astype(float)
        regressors.append(name)
        terms.append(f"dose={labels[k]}")
        lows.append(float(edges[k]))
        highs.append(float(edges[k + 1]))
        counts.append(int((codes == k).sum()))
    extra: dict[str, list] = {"dose_low": lows, "dose_high": highs, "n": counts}
    return regressors, terms, extra, f"dose={labels[0]}"
