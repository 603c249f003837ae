"""Immutable result objects shared by every estimator.

One base class, :class:`EstimateResult`, holds a coefficient table and speaks the small language
every result speaks (``tidy``, ``coef``, ``se``, ``confint``, ``nobs``, ``method``, ``summary``,
``_repr_html_``). Families add what only they know (a pre-trend test, propensity scores, matched
pairs) as extra read-only fields. A different variance estimator gives a new result; nothing is
ever mutated after construction.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "TIDY_COLUMNS",
    "EstimateResult",
    "RegressionResult",
    "DiDResult",
    "EventStudyResult",
    "StaggeredDiDResult",
    "TreatmentEffectResult",
    "MatchingResult",
    "DoseResponseResult",
    "PooledResult",
    "WaldTest",
    "make_table",
]

#: The first columns of every ``tidy()`` frame, in this order.
TIDY_COLUMNS = (
    "term",
    "estimate",
    "std_error",
    "statistic",
    "p_value",
    "conf_low",
    "conf_high",
)


def _critical_value(alpha: float, df: float | None) -> float:
    """Two-sided critical value from Student's t (``df``) or the normal (``df is None``)."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha!r}")
    if df is None or not np.isfinite(df):
        return float(stats.norm.ppf(1 - alpha / 2))
    return float(stats.t.ppf(1 - alpha / 2, df))


def _p_values(statistic: np.ndarray, df: float | None) -> np.ndarray:
    if df is None or not np.isfinite(df):
        return 2 * stats.norm.sf(np.abs(statistic))
    return 2 * stats.t.sf(np.abs(statistic), df)


def make_table(
    terms: list[str] | pd.Index,
    estimates: np.ndarray | list[float],
    std_errors: np.ndarray | list[float],
    *,
    df: float | None = None,
    alpha: float = 0.05,
    extra: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Build a tidy coefficient table with the canonical columns.

    Parameters
    ----------
    terms, estimates, std_errors
        One entry per coefficient.
    df : float, optional
        Degrees of freedom of the t reference distribution; ``None`` uses the normal.
    alpha : float
        One minus the confidence level of ``conf_low`` / ``conf_high``.
    extra : mapping, optional
        Extra columns appended after the canonical ones.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIDY_COLUMNS` followed by the ``extra`` columns.
    """
    estimate = np.asarray(estimates, dtype=float)
    std_error = np.asarray(std_errors, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimate / std_error
    crit = _critical_value(alpha, df)
    table = pd.DataFrame(
        {
            "term": [str(t) for t in terms],
            "estimate": estimate,
            "std_error": std_error,
            "statistic": statistic,
            "p_value": _p_values(statistic, df),
            "conf_low": estimate - crit * std_error,
            "conf_high": estimate + crit * std_error,
        }
    )
    for name, values in (extra or {}).items():
        table[name] = values
    return table


@dataclass(frozen=True)
class WaldTest:
    """A joint Wald test that a set of coefficients are all zero.

    Attributes
    ----------
    statistic : float
        F form of the statistic (chi-square statistic divided by ``df_num``).
    chi2 : float
        The chi-square form of the statistic.
    df_num : int
        Number of restrictions.
    df_denom : float or None
        Denominator degrees of freedom of the F reference (``None``: chi-square reference).
    p_value : float
        p-value from the F (or chi-square) reference distribution.
    terms : tuple of str
        The coefficients tested.
    """

    statistic: float
    chi2: float
    df_num: int
    df_denom: float | None
    p_value: float
    terms: tuple[str, ...]

    @classmethod
    def from_coefficients(
        cls,
        estimates: np.ndarray,
        vcov: np.ndarray,
        terms: tuple[str, ...],
        df_denom: float | None,
    ) -> WaldTest:
        """Test ``estimates == 0`` jointly given their covariance matrix."""
        beta = np.asarray(estimates, dtype=float)
        # pinv rather than inv: pre-period dummies can be nearly collinear in small panels
        chi2 = float(beta @ np.linalg.pinv(np.asarray(vcov, dtype=float)) @ beta)
        q = len(beta)
        if df_denom is None or not np.isfinite(df_denom):
            return cls(chi2 / q, chi2, q, None, float(stats.chi2.sf(chi2, q)), terms)
        f_stat = chi2 / q
        return cls(f_stat, chi2, q, float(df_denom), float(stats.f.sf(f_stat, q, df_denom)), terms)

    @property
    def rejects(self) -> bool:
        """Whether the test rejects at the 5 % level."""
        return bool(self.p_value < 0.05)


@dataclass(frozen=True)
class EstimateResult:
    """Base result of every estimator: an immutable coefficient table plus metadata.

    Attributes
    ----------
    method : str
        Short name of the estimator, e.g. ``"TWFE DiD"``.
    table : pandas.DataFrame
        Coefficient table (see :meth:`tidy`); treat it as read-only, ``tidy()`` returns a copy.
    nobs : int
        Number of observations used.
    outcome : str
        Name of the outcome variable.
    se_type : str
        Which standard errors were used, in words (e.g. ``"CRV1 clustered by unit"``).
    df : float or None
        Degrees of freedom of the t reference distribution (``None``: normal reference).
    vcov : numpy.ndarray or None
        Covariance matrix of the estimates in ``table`` order (when available).
    details : Mapping
        Read-only extra facts (counts, warnings, settings) a report may show.
    """

    method: str
    table: pd.DataFrame
    nobs: int
    outcome: str
    se_type: str
    df: float | None = None
    vcov: np.ndarray | None = field(default=None, repr=False, compare=False)
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        missing = [c for c in TIDY_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"result table lacks columns {missing}")
        table = self.table.reset_index(drop=True).copy()
        object.__setattr__(self, "table", table)
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
        if self.vcov is not None:
            vcov = np.array(self.vcov, dtype=float)
            vcov.setflags(write=False)
            object.__setattr__(self, "vcov", vcov)

    # -- the shared small language -------------------------------------------------------
    def tidy(self, alpha: float = 0.05) -> pd.DataFrame:
        """Coefficient table with the canonical columns (see :data:`TIDY_COLUMNS`) first.

        Parameters
        ----------
        alpha : float
            One minus the confidence level of the interval columns.

        Returns
        -------
        pandas.DataFrame
            A copy; extra, family-specific columns follow the canonical ones.
        """
        table = self.table.copy()
        low, high = self._interval(alpha)
        table["conf_low"], table["conf_high"] = low, high
        return table

    def _interval(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        crit = _critical_value(alpha, self.df)
        est = self.table["estimate"].to_numpy()
        se = self.table["std_error"].to_numpy()
        return est - crit * se, est + crit * se

    def coef(self) -> pd.Series:
        """Point estimates indexed by term."""
        return self.table.set_index("term")["estimate"].copy()

    def se(self) -> pd.Series:
        """Standard errors indexed by term."""
        return self.table.set_index("term")["std_error"].copy()

    def pvalue(self) -> pd.Series:
        """Two-sided p-values indexed by term."""
        return self.table.set_index("term")["p_value"].copy()

    def confint(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals with columns ``conf_low`` and ``conf_high`` indexed by term."""
        low, high = self._interval(alpha)
        return pd.DataFrame(
            {"conf_low": low, "conf_high": high}, index=self.table["term"].to_numpy()
        )

    @property
    def headline(self) -> pd.Series:
        """The first row of the table: the estimate a report leads with."""
        return self.table.iloc[0].copy()

    # -- presentation ----------------------------------------------------------------------
    def _header_lines(self) -> list[str]:
        lines = [
            f"{self.method}",
            f"Outcome: {self.outcome}    Observations: {self.nobs:,}",
            f"Standard errors: {self.se_type}",
        ]
        return lines

    def summary(self) -> str:
        """A plain-text summary: header lines and the coefficient table."""
        body = self.tidy().to_string(index=False, float_format=lambda v: f"{v:.6g}")
        return "\n".join([*self._header_lines(), "", body])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        header = "<br>".join(self._header_lines())
        table = self.tidy().to_html(index=False, float_format=lambda v: f"{v:.6g}", border=0)
        return f"<div><p><strong>{header}</strong></p>{table}</div>"


@dataclass(frozen=True)
class RegressionResult(EstimateResult):
    """Result of :func:`evaluation.estimate.ols`."""

    formula: str = ""


@dataclass(frozen=True)
class DiDResult(EstimateResult):
    """Result of :func:`evaluation.estimate.did` (two-way fixed effects)."""

    n_clusters: int | None = None


@dataclass(frozen=True)
class EventStudyResult(EstimateResult):
    """Result of :func:`evaluation.estimate.event_study`.

    Attributes
    ----------
    pretrend : WaldTest or None
        Joint test that every pre-treatment coefficient is zero (``None`` without pre-periods).
    reference : int
        The omitted relative period.
    n_clusters : int or None
        Number of clusters behind the standard errors.
    """

    pretrend: WaldTest | None = None
    reference: int = -1
    n_clusters: int | None = None

    def _header_lines(self) -> list[str]:
        lines = super()._header_lines()
        lines.append(f"Reference period: {self.reference}")
        if self.pretrend is not None:
            lines.append(
                f"Pre-trend joint test: F({self.pretrend.df_num}, {self.pretrend.df_denom}) = "
                f"{self.pretrend.statistic:.3f}, p = {self.pretrend.p_value:.4f}"
            )
        return lines


@dataclass(frozen=True)
class StaggeredDiDResult(EstimateResult):
    """Result of :func:`evaluation.estimate.staggered_did` (Callaway and Sant'Anna).

    Attributes
    ----------
    aggregate : str
        Aggregation of the group-time effects (simple / group / dynamic / calendar).
    group_time : pandas.DataFrame
        The underlying ATT(g, t) table (group, time, estimate, std_error).
    pretrend : WaldTest or None
        The package's Wald pre-test of parallel trends over pre-treatment ATT(g, t).
    """

    aggregate: str = "simple"
    group_time: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    pretrend: WaldTest | None = None


@dataclass(frozen=True)
class TreatmentEffectResult(EstimateResult):
    """Result of :func:`regression_adjustment`, :func:`ipw` and :func:`aipw`.

    Attributes
    ----------
    estimand : str
        ``"ATE"`` or ``"ATT"``.
    propensity : numpy.ndarray or None
        Estimated propensity scores (``None`` for regression adjustment).
    treated : numpy.ndarray
        The 0/1 treatment indicator the scores belong to.
    """

    estimand: str = "ATE"
    propensity: np.ndarray | None = field(default=None, repr=False, compare=False)
    treated: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class MatchingResult(TreatmentEffectResult):
    """Result of :func:`evaluation.estimate.match`.

    Attributes
    ----------
    match_weights : numpy.ndarray
        How often each row is used (treated rows count 1 when matched, 0 when dropped).
    n_unmatched : int
        Rows dropped for want of a match within the caliper.
    """

    match_weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    n_unmatched: int = 0


@dataclass(frozen=True)
class DoseResponseResult(EstimateResult):
    """Result of :func:`evaluation.estimate.dose_response`.

    Attributes
    ----------
    reference : str
        The reference dose level every term is compared with.
    """

    reference: str = ""


@dataclass(frozen=True)
class PooledResult(EstimateResult):
    """Result of :func:`evaluation.estimate.pool` (random-effects meta-analysis).

    The table's first row, term ``"overall"``, is the pooled effect; each further row is one
    unit's shrunk (BLUP, empirical-Bayes) effect with its interval.

    Attributes
    ----------
    pooling : str
        Estimator of the between-unit variance: ``"REML"``, ``"DL"`` or ``"FE"``.
    tau2 : float
        Between-unit variance of the true effects (0 for ``"FE"`` and for one unit).
    tau2_se : float
        Its standard error as metafor reports it (NaN for ``"FE"`` and for one unit).
    i2 : float
        I^2 in percent (0-100), as metafor prints it: the share of the total variability
        due to between-unit variance.
    h2 : float
        H^2, total over sampling variability.
    q, q_df, q_p_value : float, int, float
        Cochran's Q test of homogeneity (inverse-variance weights, chi-square reference).
    inputs : pandas.DataFrame
        Every unit as given: ``label``, ``estimate``, ``std_error``, ``status`` (``"pooled"``
        or ``"too small to estimate"``) and ``reason``.
    """

    pooling: str = "REML"
    tau2: float = float("nan")
    tau2_se: float = float("nan")
    i2: float = float("nan")
    h2: float = float("nan")
    q: float = float("nan")
    q_df: int = 0
    q_p_value: float = float("nan")
    inputs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "inputs", self.inputs.reset_index(drop=True).copy())

    @property
    def tau(self) -> float:
        """Standard deviation of the true effects across units (square root of ``tau2``)."""
        return float(np.sqrt(self.tau2))

    @property
    def skipped(self) -> pd.DataFrame:
        """Units too small to estimate (no usable standard error), with the reason; a copy."""
        return self.inputs[self.inputs["status"] != "pooled"].reset_index(drop=True)

    def prediction_interval(self, alpha: float = 0.05) -> tuple[float, float]:
        """Interval for the true effect of a new unit: ``mu -/+ z * sqrt(tau2 + se(mu)^2)``.

        metafor's ``predict()`` ``pi.lb`` / ``pi.ub`` (normal reference).
        """
        overall = self.table.iloc[0]
        half = _critical_value(alpha, None) * np.sqrt(self.tau2 + overall["std_error"] ** 2)
        return float(overall["estimate"] - half), float(overall["estimate"] + half)

    def _header_lines(self) -> list[str]:
        lines = [
            f"{self.method}",
            f"Outcome: {self.outcome}    Units pooled: {self.nobs:,}",
            f"Standard errors: {self.se_type}",
            f"tau^2 = {self.tau2:.4g} (SE {self.tau2_se:.4g}), tau = {self.tau:.4g}, "
            f"I^2 = {self.i2:.2f} %, H^2 = {self.h2:.2f}",
            f"Heterogeneity: Q({self.q_df}) = {self.q:.4f}, p = {self.q_p_value:.4g}",
        ]
        skipped = self.skipped
        if len(skipped):
            names = ", ".join(
                f"{row.label} ({row.reason})" for row in skipped.itertuples(index=False)
            )
            lines.append(f"Too small to estimate ({len(skipped)}): {names}")
        lines.extend(f"Warning: {text}" for text in self.details.get("warnings", ()))
        return lines

    def _repr_html_(self) -> str:
        # unit names are data (ministries, states): escape them
        header = "<br>".join(html.escape(line) for line in self._header_lines())
        table = self.tidy().to_html(index=False, float_format=lambda v: f"{v:.6g}", border=0)
        return f"<div><p><strong>{header}</strong></p>{table}</div>"
