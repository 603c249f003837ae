"""Linear estimators on pyfixest: OLS, two-way fixed-effects DiD and the event study.

Clustered standard errors follow fixest / reghdfe: CRV1 with the small-sample factor
``G/(G-1) * (N-1)/(N-K)`` where fixed effects nested in the clusters do not count in ``K``, and a
t reference distribution with ``G-1`` degrees of freedom.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from evaluation.estimate import checks
from evaluation.estimate.fixest import FixestFit, feols, vcov_options
from evaluation.estimate.results import (
    DiDResult,
    EventStudyResult,
    RegressionResult,
    WaldTest,
    make_table,
)
from evaluation.estimate.treatment_effects import design_matrix
from evaluation.estimate.validation import (
    VcovType,
    as_list,
    check_binary,
    check_clusters,
    check_columns,
    check_ever_treated,
    check_formula,
    check_option,
    check_period_columns,
    check_variation,
)

__all__ = ["ols", "did", "event_study"]

# names in a formula that are functions, keywords or operators rather than columns
_FORMULA_WORDS = {"C", "I", "i", "np", "log", "exp", "sqrt", "ref", "reference", "Treatment"}
_IDENTIFIER = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)(?!\s*\()")


def _formula_columns(formula: str) -> list[str]:
    """Plain column names used in a formula (function names and keywords left out)."""
    names = []
    for name in _IDENTIFIER.findall(formula):
        if name not in _FORMULA_WORDS and not name.startswith("np."):
            names.append(name)
    return list(dict.fromkeys(names))


def _formula_roles(formula: str, cluster: str | None, weights: str | None) -> dict[str, str]:
    """Each column of ``formula`` (and the cluster and weights) with its role in messages."""
    lhs, _, rhs = formula.partition("~")
    regressors, _, absorbed = rhs.partition("|")
    roles = {c: "fixed effect" for c in _formula_columns(absorbed)}
    roles.update({c: "covariate" for c in _formula_columns(regressors)})
    roles.update({c: "outcome" for c in _formula_columns(lhs)})
    roles.update(
        {**({cluster: "cluster"} if cluster else {}), **({weights: "weights"} if weights else {})}
    )
    return roles


def _table_from_fit(fit: FixestFit, rename: dict[str, str] | None = None) -> pd.DataFrame:
    terms = [(rename or {}).get(n, n) for n in fit.names]
    return make_table(terms, fit.coef, fit.se, df=fit.df_t)


def ols(
    data: pd.DataFrame,
    formula: str,
    *,
    vcov: VcovType = "HC1",
    cluster: str | None = None,
    weights: str | None = None,
) -> RegressionResult:
    """Least squares with robust or clustered standard errors (pyfixest ``feols``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    formula : str
        A pyfixest formula, e.g. ``"y ~ x1 + x2"`` or ``"y ~ x | unit + time"`` to absorb
        fixed effects.
    vcov : {"iid", "HC0", "HC1", "HC3"}
        Heteroskedasticity-robust variant when ``cluster`` is None. ``HC1`` (default) is Stata's
        ``vce(robust)``; ``HC0`` applies no small-sample factor.
    cluster : str, optional
        Column to cluster on; gives CRV1 (fixest / Stata ``vce(cluster)``), overriding ``vcov``.
    weights : str, optional
        Column of analytic (precision) weights.

    Returns
    -------
    RegressionResult
        One term per coefficient; t reference with the residual (or ``G-1``) degrees of freedom.

    Raises
    ------
    ValueError
        A formula column missing in every row, or no row complete in all of them
        (:func:`evaluation.estimate.checks.complete_cases`); an outcome without variation.
        Constant or collinear terms are not refused here: pyfixest drops them and warns,
        naming them, and the result has no row for them.

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation import estimate
    >>> frame = pd.DataFrame({"y": [1.0, 2.1, 2.9, 4.2, 5.1, 5.8], "x": [1, 2, 3, 4, 5, 6]})
    >>> float(round(estimate.ols(frame, "y ~ x").coef()["x"], 2))
    0.98
    """
    check_option(vcov, VcovType, "vcov")
    columns = _formula_columns(formula)
    check_columns(data, [*columns, cluster, weights])
    check_formula(formula)
    n_clusters = check_clusters(data, cluster)
    options = vcov_options(vcov, cluster)
    frame = checks.complete_cases(data, _formula_roles(formula, cluster, weights))
    check_variation(frame, formula.split("~")[0].strip())
    fit = feols(formula, frame, vcov=options.vcov, ssc=options.ssc, weights=weights)
    return RegressionResult(
        method="OLS",
        table=_table_from_fit(fit),
        nobs=fit.nobs,
        outcome=formula.split("~")[0].strip(),
        se_type=options.se_type,
        df=fit.df_t,
        vcov=fit.vcov,
        details={"n_clusters": n_clusters, "weights": weights},
        formula=formula,
    )


def _panel_frame(
    data: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    covariates: list[str],
    cluster: str,
    extra: dict[str, str],
) -> pd.DataFrame:
    """Copy the needed columns under formula-safe names (``first.treat`` breaks formulas)."""
    source = {"y_": outcome, "unit_": unit, "time_": time, "cluster_": cluster, **extra}
    source.update({f"x{i}_": c for i, c in enumerate(covariates)})
    frame = pd.DataFrame({safe: data[col].to_numpy() for safe, col in source.items()})
    return frame.dropna().reset_index(drop=True)


def _panel_roles(
    outcome: str,
    unit: str,
    time: str,
    cluster: str,
    covariates: list[str],
    **more: str,
) -> dict[str, str]:
    """Columns of a panel estimator and their roles in messages (``more``: role=column)."""
    roles = {c: "covariate" for c in covariates}
    roles.update({column: role for role, column in more.items()})
    roles.update({outcome: "outcome", unit: "unit", time: "time", cluster: "cluster"})
    return roles


def _check_panel_covariates(
    data: pd.DataFrame, roles: dict[str, str], treatment: str, unit: str, covariates: list[str]
) -> None:
    """Constant, collinear (with the treatment too) and unit-invariant covariates of a DiD."""
    frame = checks.complete_cases(data, roles)
    checks.check_constant(frame, covariates)
    regressors = [treatment, *covariates]
    checks.check_collinear(design_matrix(frame, regressors), regressors)
    checks.check_within_units(frame, covariates, unit)


def did(
    data: pd.DataFrame,
    *,
    outcome: str,
    treatment: str,
    unit: str,
    time: str,
    covariates: Sequence[str] | None = None,
    cluster: str | None = None,
) -> DiDResult:
    """Two-way fixed-effects difference in differences.

    Fits ``outcome ~ treatment + covariates | unit + time``. Under parallel trends and a
    treatment effect that is constant across cohorts and time, the coefficient on ``treatment``
    is the ATT; with staggered adoption and dynamic effects use :func:`staggered_did`.

    Parameters
    ----------
    data : pandas.DataFrame
        A unit-by-period panel.
    outcome : str
        Outcome column.
    treatment : str
        0/1 column, 1 for a treated unit in a period at or after its treatment.
    unit, time : str
        Panel identifiers (absorbed as fixed effects).
    covariates : sequence of str, optional
        Time-varying controls.
    cluster : str, optional
        Cluster column; defaults to ``unit``.

    Returns
    -------
    DiDResult
        First term is ``treatment``. Standard errors: CRV1 clustered by ``cluster`` with the
        fixest small-sample convention (unit effects nested in clusters not counted), t(G-1).

    Raises
    ------
    ValueError
        Before pyfixest runs (:mod:`evaluation.estimate.checks`): a column missing in every
        row, a treatment with one arm, or one the unit or period fixed effects absorb (no unit
        switches, or every unit has the same status in each period), a constant or collinear
        covariate, or one that never changes within a unit.
    """
    covariates = as_list(covariates)
    cluster = cluster or unit
    check_columns(data, [outcome, treatment, unit, time, cluster, *covariates])
    roles = _panel_roles(outcome, unit, time, cluster, covariates, treatment=treatment)
    checks.check_not_all_missing(data, roles)
    checks.check_arms(data, treatment)
    check_binary(data, treatment)
    check_variation(data, outcome)
    n_clusters = check_clusters(data, cluster)
    checks.check_panel_treatment(data, treatment, unit, time)
    if covariates:
        _check_panel_covariates(data, roles, treatment, unit, covariates)
    frame = _panel_frame(data, outcome, unit, time, covariates, cluster, {"d_": treatment})
    checks.check_rows_left(frame, data, list(roles))
    rhs = " + ".join(["d_", *[f"x{i}_" for i in range(len(covariates))]])
    fit = feols(f"y_ ~ {rhs} | unit_ + time_", frame, vcov={"CRV1": "cluster_"})
    rename = {"d_": treatment, **{f"x{i}_": c for i, c in enumerate(covariates)}}
    return DiDResult(
        method="Two-way fixed-effects DiD",
        table=_table_from_fit(fit, rename),
        nobs=fit.nobs,
        outcome=outcome,
        se_type=f"CRV1 clustered by {cluster} (fixest convention), t({n_clusters - 1})",
        df=fit.df_t,
        vcov=fit.vcov,
        details={"n_clusters": n_clusters, "n_units": int(frame["unit_"].nunique())},
        n_clusters=n_clusters,
    )


def _relative_period(frame: pd.DataFrame, window: tuple[int, int] | None) -> pd.Series:
    """Periods since treatment for treated units (NaN for never treated), endpoints binned."""
    treated = frame["cohort_"].fillna(0) > 0
    rel = (frame["time_"] - frame["cohort_"]).where(treated)
    if window is not None:
        rel = rel.clip(lower=window[0], upper=window[1])
    return rel


def _event_label(k: int) -> str:
    return f"ev_m{-k}" if k < 0 else f"ev_p{k}"


def _check_event_inputs(
    data: pd.DataFrame, time: str, cohort: str, window: tuple[int, int] | None
) -> None:
    check_period_columns(data, [time, cohort])
    if window is not None and (len(window) != 2 or window[0] >= window[1]):
        raise ValueError(f"window must be (low, high) with low < high, got {window!r}")
    check_ever_treated(data, cohort)


def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    reference: int = -1,
    window: tuple[int, int] | None = None,
    cluster: str | None = None,
) -> EventStudyResult:
    """Two-way fixed-effects event study with one coefficient per period relative to treatment.

    Fits ``outcome ~ sum_k 1[time - cohort = k] | unit + time`` over treated units' relative
    periods ``k`` (never-treated units have every indicator at zero), omitting ``reference``.
    With ``window=(low, high)`` relative periods beyond the window are binned into its endpoints.

    Parameters
    ----------
    data : pandas.DataFrame
        A unit-by-period panel with a numeric ``time``.
    outcome, unit, time : str
        Outcome and panel identifiers.
    cohort : str
        First treated period of the unit; 0 or missing for never treated.
    reference : int
        Omitted relative period (default -1, the period before treatment).
    window : (int, int), optional
        Relative periods to report; outside periods are binned into the endpoints.
    cluster : str, optional
        Cluster column; defaults to ``unit``.

    Returns
    -------
    EventStudyResult
        Terms ``event_time=k`` with a ``relative_period`` column, and ``pretrend``, a joint Wald
        test (F form, t(G-1) denominator) that every pre-treatment coefficient is zero. Standard
        errors: CRV1 clustered by ``cluster`` (fixest convention).
    """
    cluster = cluster or unit
    check_columns(data, [outcome, unit, time, cohort, cluster])
    roles = _panel_roles(outcome, unit, time, cluster, [])
    checks.check_not_all_missing(data, roles)
    _check_event_inputs(data, time, cohort, window)
    check_variation(data, outcome)
    n_clusters = check_clusters(data, cluster)
    # never-treated units may carry a missing cohort: make it 0 before listwise deletion
    filled = data.assign(**{cohort: data[cohort].fillna(0)})
    frame = _panel_frame(filled, outcome, unit, time, [], cluster, {"cohort_": cohort})
    checks.check_rows_left(frame, data, list(roles))
    rel = _relative_period(frame, window)
    periods = sorted(int(k) for k in rel.dropna().unique() if int(k) != reference)
    if reference not in set(rel.dropna().astype(int)):
        raise ValueError(f"reference period {reference} is not observed for any treated unit")
    for k in periods:
        frame[_event_label(k)] = (rel == k).astype(float)
    fit = feols(
        f"y_ ~ {' + '.join(_event_label(k) for k in periods)} | unit_ + time_",
        frame,
        vcov={"CRV1": "cluster_"},
    )
    return _event_result(fit, periods, reference, outcome, cluster, n_clusters)


def _event_result(
    fit: FixestFit,
    periods: list[int],
    reference: int,
    outcome: str,
    cluster: str,
    n_clusters: int,
) -> EventStudyResult:
    by_label = {_event_label(k): k for k in periods}
    kept = [by_label[n] for n in fit.names]
    table = make_table(
        [f"event_time={k}" for k in kept],
        fit.coef,
        fit.se,
        df=fit.df_t,
        extra={"relative_period": kept},
    )
    vcov = fit.vcov
    pre = [i for i, k in enumerate(kept) if k < 0]
    pretrend = None
    if pre:
        pretrend = WaldTest.from_coefficients(
            fit.coef[pre],
            vcov[np.ix_(pre, pre)],
            tuple(table["term"].iloc[pre]),
            fit.df_t,
        )
    dropped = sorted(set(periods) - set(kept))
    return EventStudyResult(
        method="Event study (two-way fixed effects)",
        table=table,
        nobs=fit.nobs,
        outcome=outcome,
        se_type=f"CRV1 clustered by {cluster} (fixest convention), t({n_clusters - 1})",
        df=fit.df_t,
        vcov=vcov,
        details={"n_clusters": n_clusters, "collinear_periods_dropped": dropped},
        pretrend=pretrend,
        reference=reference,
        n_clusters=n_clusters,
    )
