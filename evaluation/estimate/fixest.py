"""The one place that talks to pyfixest: fit ``feols`` and read what the estimators need.

pyfixest 0.60 exposes the coefficient names, the covariance matrix, the number of observations
and the t degrees of freedom only as private attributes of its ``Feols`` object (``_coefnames``,
``_vcov``, ``_N``, ``_df_t``). Reading them here, once, means a pyfixest upgrade that renames
them breaks one module (and ``tests/estimate``'s parity tests say so), not every estimator.

API
---
:func:`vcov_options`
    Our ``vcov`` / ``cluster`` options as pyfixest's ``vcov`` and ``ssc`` arguments, with the
    description the results print.
:func:`feols`
    Fit ``pyfixest.feols`` and return a :class:`FixestFit`: plain NumPy arrays and numbers,
    exactly the values pyfixest computed (no copy is rescaled or re-derived).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyfixest as pf

__all__ = ["FixestFit", "VcovOptions", "feols", "vcov_options"]


@dataclass(frozen=True)
class VcovOptions:
    """How to ask pyfixest for a covariance matrix.

    Attributes
    ----------
    vcov : str or dict
        pyfixest's ``vcov`` argument: ``"iid"``, ``"hetero"``, ``"HC3"`` or ``{"CRV1": column}``.
    ssc : dict, optional
        pyfixest's small-sample correction, or None for its default.
    se_type : str
        What the result says about its standard errors.
    """

    vcov: str | dict[str, str]
    ssc: dict | None
    se_type: str


@dataclass(frozen=True)
class FixestFit:
    """What the estimators read from a pyfixest ``Feols`` fit.

    Attributes
    ----------
    names : list of str
        Coefficient names, in pyfixest's order (collinear terms it dropped are absent).
    coef, se : numpy.ndarray
        Estimates and standard errors, in the order of ``names``.
    vcov : numpy.ndarray
        Covariance of the estimates (with pyfixest's small-sample factors applied).
    nobs : int
        Observations used (after pyfixest's own deletions, e.g. singletons).
    df_t : float
        Degrees of freedom of the t reference (``G-1`` when clustered).
    """

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    nobs: int
    df_t: float


def vcov_options(vcov: str, cluster: str | None) -> VcovOptions:
    """Translate our option names into pyfixest's ``vcov`` and ``ssc`` arguments.

    Parameters
    ----------
    vcov : {"iid", "HC0", "HC1", "HC3"}
        Heteroskedasticity-robust variant, used when ``cluster`` is None.
    cluster : str, optional
        Column to cluster on (CRV1, fixest convention); overrides ``vcov``.

    Returns
    -------
    VcovOptions
    """
    if cluster is not None:
        return VcovOptions(
            {"CRV1": cluster}, None, f"CRV1 clustered by {cluster} (fixest convention)"
        )
    if vcov == "iid":
        return VcovOptions("iid", None, "iid (classical OLS)")
    if vcov == "HC0":
        # pyfixest's "hetero" is HC1; HC0 is HC1 without the N/(N-K) factor
        return VcovOptions("hetero", pf.ssc(k_adj=False), "HC0 heteroskedasticity-robust")
    if vcov == "HC1":
        return VcovOptions("hetero", None, "HC1 heteroskedasticity-robust")
    return VcovOptions("HC3", None, "HC3 heteroskedasticity-robust")


def feols(
    formula: str,
    data: pd.DataFrame,
    *,
    vcov: str | dict[str, str],
    ssc: dict | None = None,
    weights: str | None = None,
) -> FixestFit:
    """Fit ``pyfixest.feols`` and return its estimates as a :class:`FixestFit`.

    Parameters
    ----------
    formula : str
        A pyfixest formula, e.g. ``"y ~ x | unit + time"``.
    data : pandas.DataFrame
        The rows to fit (the caller has already dropped incomplete ones).
    vcov : str or dict
        pyfixest's ``vcov`` argument (see :func:`vcov_options`).
    ssc : dict, optional
        pyfixest's small-sample correction; None leaves pyfixest's default.
    weights : str, optional
        Column of analytic weights.

    Returns
    -------
    FixestFit
    """
    # ssc is passed only when given, so pyfixest's default applies otherwise
    extra = {"ssc": ssc} if ssc is not None else {}
    fit = pf.feols(formula, data=data, vcov=vcov, weights=weights, **extra)
    return FixestFit(
        names=[str(name) for name in fit._coefnames],
        coef=fit.coef().to_numpy(),
        se=fit.se().to_numpy(),
        vcov=np.asarray(fit._vcov),
        nobs=int(fit._N),
        df_t=float(fit._df_t),
    )
