"""Random-effects meta-analysis: pool unit-level estimates and shrink each unit towards them.

The model is metafor's ``rma.uni`` without moderators: unit ``i`` reports an estimate ``y_i``
with sampling variance ``v_i = std_error_i ** 2`` of its true effect ``theta_i``, and the true
effects scatter around the overall effect ``mu`` with between-unit variance ``tau2``::

    y_i = theta_i + e_i,   e_i ~ N(0, v_i)
    theta_i = mu + u_i,    u_i ~ N(0, tau2)

``tau2`` is estimated by REML (Fisher scoring, metafor's algorithm and default convergence
settings) or DerSimonian-Laird (closed form), or fixed at zero (``"FE"``, the common-effect
model). Every number follows metafor's definitions so that results match R's ``rma()``,
``predict()`` and ``blup()`` on the same inputs (tests/estimate/test_pool.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from evaluation.estimate.results import PooledResult, make_table
from evaluation.estimate.validation import check_columns, check_option

__all__ = [
    "pool",
    "PoolMethod",
    "OVERALL_TERM",
    "TOO_SMALL",
    "REML_THRESHOLD",
    "REML_MAX_ITERATIONS",
]

#: ``"REML"`` restricted maximum likelihood (metafor's default), ``"DL"`` DerSimonian-Laird,
#: ``"FE"`` fixed (common) effect: ``tau2 = 0``.
PoolMethod = Literal["REML", "DL", "FE"]

#: The term of the pooled (overall) effect, the first row of ``tidy()``.
OVERALL_TERM = "overall"

#: Status of a unit whose estimate cannot enter the model (no usable standard error).
TOO_SMALL = "too small to estimate"

#: metafor ``rma.uni`` control defaults: Fisher scoring stops when tau^2 changes by less than
#: ``threshold = 10^-5`` and fails after ``maxiter = 100`` iterations; ``tol`` is the margin by
#: which the likelihood at tau^2 = 0 must beat the converged one before tau^2 is reset to 0.
REML_THRESHOLD = 1e-5
REML_MAX_ITERATIONS = 100
_LL0_TOLERANCE = float(np.finfo(float).eps ** 0.25)

_TITLES = {
    "REML": "Random-effects meta-analysis (REML)",
    "DL": "Random-effects meta-analysis (DerSimonian-Laird)",
    "FE": "Fixed-effect meta-analysis",
}
_TAU2_WORDS = {
    "REML": "tau^2 by REML",
    "DL": "tau^2 by DerSimonian-Laird",
    "FE": "tau^2 fixed at 0",
}


@dataclass(frozen=True)
class _Heterogeneity:
    """Cochran's Q test and the I^2 / H^2 statistics (metafor's definitions)."""

    q: float
    df: int
    p_value: float
    typical_variance: float


def _as_numbers(data: pd.DataFrame, column: str) -> np.ndarray:
    values = data[column]
    if values.dtype == object or not pd.api.types.is_numeric_dtype(values):
        converted = pd.to_numeric(values, errors="coerce")
        bad = values.notna() & converted.isna()
        if bad.any():
            shown = list(values[bad].unique()[:5])
            raise ValueError(f"column {column!r} must be numeric, found values {shown}")
        values = converted
    return values.to_numpy(dtype=float)


def _labels(data: pd.DataFrame, label: str | None) -> pd.Series:
    labels = pd.Series(data.index if label is None else data[label].to_numpy(), dtype=object)
    where = "index" if label is None else f"label column {label!r}"
    if labels.isna().any():
        raise ValueError(f"{where} has missing values: every unit needs a name")
    terms = labels.astype(str)
    duplicated = terms[terms.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"{where} names units more than once: {duplicated[:5]}")
    if (terms == OVERALL_TERM).any():
        raise ValueError(f"{where} uses {OVERALL_TERM!r}, the name of the pooled term")
    return labels


def _unusable_reason(estimate: float, std_error: float) -> str | None:
    """Why a unit cannot be pooled, or ``None`` when it can."""
    if np.isnan(estimate):
        return "missing estimate"
    if not np.isfinite(estimate):
        return "infinite estimate"
    if np.isnan(std_error):
        return "missing standard error"
    if not np.isfinite(std_error):
        return "infinite standard error"
    if std_error <= 0:
        return "non-positive standard error"
    return None


def _heterogeneity(y: np.ndarray, v: np.ndarray) -> _Heterogeneity:
    """Q with inverse-variance weights and metafor's 'typical' sampling variance."""
    k = len(y)
    if k < 2:
        return _Heterogeneity(q=0.0, df=0, p_value=1.0, typical_variance=0.0)
    w = 1.0 / v
    sum_w = w.sum()
    mu = (w * y).sum() / sum_w
    q = max(0.0, float((w * (y - mu) ** 2).sum()))
    trace_p = sum_w - (w**2).sum() / sum_w
    return _Heterogeneity(
        q=q,
        df=k - 1,
        p_value=float(stats.chi2.sf(q, k - 1)),
        typical_variance=float((k - 1) / trace_p),
    )


def _projection_traces(v: np.ndarray, tau2: float) -> tuple[np.ndarray, float, float, float]:
    """Weights, their sum, tr(P) and tr(PP) of the intercept-only model at ``tau2``.

    ``P = W - w w' / sum(w)`` with ``W = diag(1 / (v + tau2))``; its traces have closed forms,
    so no k x k matrix is built.
    """
    w = 1.0 / (v + tau2)
    sum_w = w.sum()
    sum_w2 = (w**2).sum()
    trace_p = sum_w - sum_w2 / sum_w
    trace_pp = sum_w2 - 2 * (w**3).sum() / sum_w + (sum_w2 / sum_w) ** 2
    return w, sum_w, float(trace_p), float(trace_pp)


def _restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: float) -> float:
    w = 1.0 / (v + tau2)
    sum_w = w.sum()
    mu = (w * y).sum() / sum_w
    rss = (w * (y - mu) ** 2).sum()
    k = len(y)
    return float(
        -0.5 * (k - 1) * np.log(2 * np.pi)
        - 0.5 * np.log(v + tau2).sum()
        - 0.5 * np.log(sum_w)
        - 0.5 * rss
    )


def _fisher_scoring(y: np.ndarray, v: np.ndarray) -> tuple[float, int, bool]:
    """REML Fisher scoring as metafor runs it: (tau^2, iterations, converged).

    Starts at the Hedges estimate truncated at 0 and steps by ``(y'PPy - tr P) / tr PP``,
    halving a step that would make tau^2 negative, until tau^2 moves by less than
    :data:`REML_THRESHOLD` or :data:`REML_MAX_ITERATIONS` have passed.
    """
    k = len(y)
    hedges = (((y - y.mean()) ** 2).sum() - v.sum() * (1 - 1 / k)) / (k - 1)
    tau2 = max(0.0, float(hedges))
    iterations = 0
    change = REML_THRESHOLD + 1
    while change > REML_THRESHOLD:
        iterations += 1
        if iterations > REML_MAX_ITERATIONS:
            return tau2, REML_MAX_ITERATIONS, False
        w, sum_w, trace_p, trace_pp = _projection_traces(v, tau2)
        mu = (w * y).sum() / sum_w
        ypppy = float(((w * (y - mu)) ** 2).sum())  # y' P P y, since P y = w (y - mu)
        step = (ypppy - trace_p) / trace_pp
        if tau2 == 0.0 and step < 0:
            step = 0.0  # where metafor's step-halving ends (the step underflows to zero)
        while tau2 + step < 0:
            step /= 2
        previous, tau2 = tau2, tau2 + step
        change = abs(previous - tau2)
    return max(0.0, tau2), iterations, True


def _maximise_restricted_likelihood(y: np.ndarray, v: np.ndarray) -> float:
    """tau^2 maximising the restricted likelihood by bounded Brent search on [0, upper]."""
    upper = 10 * (float(np.var(y, ddof=1)) + float(v.max()))
    found = optimize.minimize_scalar(
        lambda tau2: -_restricted_loglik(y, v, tau2),
        bounds=(0.0, upper),
        method="bounded",
        options={"xatol": REML_THRESHOLD * 1e-3},
    )
    tau2 = float(found.x)
    return 0.0 if _restricted_loglik(y, v, 0.0) >= _restricted_loglik(y, v, tau2) else tau2


def _tau2_reml(y: np.ndarray, v: np.ndarray, warnings: list[str]) -> tuple[float, int, str]:
    """REML tau^2 as metafor ``rma.uni(method="REML")`` computes it, and how it was found.

    Fisher scoring first (:func:`_fisher_scoring`). Where it oscillates without converging,
    metafor stops with an error; here the restricted likelihood is then maximised directly
    and a warning says so. Last, metafor's ``ll0check``: tau^2 is reset to 0 when the
    restricted likelihood is higher there by more than its tolerance.
    """
    tau2, iterations, converged = _fisher_scoring(y, v)
    optimiser = "Fisher scoring"
    if not converged:
        tau2 = _maximise_restricted_likelihood(y, v)
        optimiser = "bounded maximisation of the restricted likelihood"
        warnings.append(
            f"REML Fisher scoring did not converge in {REML_MAX_ITERATIONS} iterations (R "
            "metafor stops here with an error); tau^2 maximises the restricted likelihood "
            "by a bounded search instead"
        )
    if tau2 > REML_THRESHOLD:
        at_zero = _restricted_loglik(y, v, 0.0)
        if at_zero - _restricted_loglik(y, v, tau2) > _LL0_TOLERANCE:
            warnings.append("REML stopped at a local maximum; tau^2 set to 0 (as metafor does)")
            tau2 = 0.0
    return tau2, iterations, optimiser


def _tau2_dl(y: np.ndarray, v: np.ndarray, heterogeneity: _Heterogeneity) -> float:
    """DerSimonian-Laird: the method-of-moments estimate from Q, truncated at 0."""
    w = 1.0 / v
    trace_p = w.sum() - (w**2).sum() / w.sum()
    return max(0.0, (heterogeneity.q - heterogeneity.df) / trace_p)


def _tau2_std_error(v: np.ndarray, tau2: float, method: str) -> float:
    """Standard error of tau^2 as metafor computes it (REML: Fisher information; DL: delta)."""
    k = len(v)
    if method == "FE" or k < 2:
        return float("nan")
    if method == "REML":
        _, _, _, trace_pp = _projection_traces(v, tau2)
        return float(np.sqrt(2 / trace_pp))
    _, _, trace_p, trace_pp = _projection_traces(v, 0.0)
    return float(np.sqrt((2 * (k - 1) + 4 * tau2 * trace_p + 2 * tau2**2 * trace_pp) / trace_p**2))


def pool(
    data: pd.DataFrame,
    *,
    estimate: str,
    std_error: str,
    label: str | None = None,
    method: PoolMethod = "REML",
) -> PooledResult:
    """Pool unit-level estimates by a random-effects meta-analysis and shrink each unit.

    The overall effect is the inverse-variance weighted mean with weights
    ``1 / (std_error**2 + tau2)``; its interval is the normal (z) interval, metafor's default
    ``test="z"``. Each unit's row holds the best linear unbiased prediction (BLUP, empirical
    Bayes) of its *true* effect, as metafor's ``blup()``: with ``lambda_i = tau2 / (tau2 + v_i)``,
    the prediction is ``lambda_i * y_i + (1 - lambda_i) * mu`` and its variance
    ``lambda_i * v_i + (1 - lambda_i)**2 * se(mu)**2``; the unit's interval is
    ``pred -/+ z * se`` (metafor's ``pi.lb`` / ``pi.ub``). Noisy units are pulled further
    towards the overall effect; with ``tau2 = 0`` every unit's prediction is the overall effect.

    Units with a missing or infinite estimate, or a missing, infinite, zero or negative
    standard error, cannot enter the model: they are listed in ``result.skipped`` with the status
    ``"too small to estimate"`` and the reason, and named in the summary; they have no row
    in ``tidy()``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per unit (ministry, state, edition...).
    estimate : str
        Column of the units' estimates (e.g. an effect on completions).
    std_error : str
        Column of their standard errors (the sampling variance is its square).
    label : str, optional
        Column naming the units (the ``term`` of each unit row); default: the frame's index.
        Names must be unique, present and not ``"overall"``.
    method : {"REML", "DL", "FE"}
        Estimator of the between-unit variance: restricted maximum likelihood by Fisher
        scoring (metafor's default and convergence settings), DerSimonian-Laird (closed
        form), or ``"FE"`` for a fixed (common) effect with ``tau2 = 0``.

    Returns
    -------
    PooledResult
        ``tidy()`` has the standard columns, the term ``"overall"`` first and then one row
        per pooled unit (its shrunk effect), followed by ``observed``, ``observed_std_error``,
        ``weight`` (percent of the overall effect's weight; empty for ``"overall"``) and
        ``shrinkage`` (``1 - lambda_i``, the share of the distance to the overall effect
        removed). Attributes ``tau2`` (between-unit variance), ``tau2_se``, ``tau``, ``i2``
        (I^2 in percent, as metafor prints it), ``h2``, ``q`` / ``q_df`` / ``q_p_value``
        (Cochran's Q test), ``inputs`` (every unit as given, with its status) and
        ``skipped``.

    Raises
    ------
    ValueError
        On an unknown ``method`` (the message names the allowed options), missing or
        non-numeric columns, duplicate or missing labels, or when no unit can be pooled.

    Notes
    -----
    I^2 and H^2 use metafor's general definitions, ``I2 = 100 * tau2 / (tau2 + s2)`` and
    ``H2 = (tau2 + s2) / s2`` with the "typical" sampling variance
    ``s2 = (k - 1) / (sum(w) - sum(w**2) / sum(w))``, ``w = 1 / v``; for DL they equal the
    textbook ``(Q - df) / Q`` and ``Q / df``, and ``"FE"`` uses those. With one unit
    tau^2 cannot be estimated: it is 0, the overall effect is that unit's estimate, and
    ``details["warnings"]`` says so. REML's Fisher scoring stops when tau^2 moves by less
    than ``1e-5`` (metafor's ``threshold``), so near the boundary it may end a few
    ``1e-6`` above 0, as in R.

    Examples
    --------
    >>> import pandas as pd
    >>> from evaluation import estimate
    >>> units = pd.DataFrame(
    ...     {
    ...         "ministry": ["A", "B", "C", "D", "E"],
    ...         "effect": [0.10, 0.30, 0.35, 0.60, 0.20],
    ...         "se": [0.05, 0.10, 0.08, 0.20, None],
    ...     }
    ... )
    >>> result = estimate.pool(units, estimate="effect", std_error="se", label="ministry")
    >>> result.tidy()["term"].tolist()
    ['overall', 'A', 'B', 'C', 'D']
    >>> overall = result.tidy().iloc[0]
    >>> print(f"{overall.estimate:.3f} [{overall.conf_low:.3f}, {overall.conf_high:.3f}]")
    0.287 [0.111, 0.462]
    >>> print(f"tau2 = {result.tau2:.4f}, I2 = {result.i2:.1f} %")
    tau2 = 0.0217, I2 = 74.0 %
    >>> result.skipped[["label", "status", "reason"]].to_numpy().tolist()
    [['E', 'too small to estimate', 'missing standard error']]
    """
    check_option(method, PoolMethod, "method")
    check_columns(data, [estimate, std_error, label])
    labels = _labels(data, label)
    y_all = _as_numbers(data, estimate)
    se_all = _as_numbers(data, std_error)
    reasons = [_unusable_reason(y, s) for y, s in zip(y_all, se_all, strict=True)]
    usable = np.array([reason is None for reason in reasons])
    inputs = pd.DataFrame(
        {
            "label": labels.to_numpy(),
            "estimate": y_all,
            "std_error": se_all,
            "status": np.where(usable, "pooled", TOO_SMALL),
            "reason": [reason or "" for reason in reasons],
        }
    )
    if not usable.any():
        raise ValueError(
            f"no unit can be pooled: all {len(inputs)} are {TOO_SMALL} "
            "(no finite estimate or no positive finite standard error)"
        )

    y, v = y_all[usable], se_all[usable] ** 2
    k = len(y)
    warnings: list[str] = []
    heterogeneity = _heterogeneity(y, v)
    iterations, optimiser = 0, "closed form"
    if k == 1:
        tau2 = 0.0
        warnings.append("one unit: the between-unit variance cannot be estimated and is set to 0")
    elif method == "REML":
        tau2, iterations, optimiser = _tau2_reml(y, v, warnings)
    elif method == "DL":
        tau2 = _tau2_dl(y, v, heterogeneity)
    else:
        tau2 = 0.0

    w = 1.0 / (v + tau2)
    mu = float((w * y).sum() / w.sum())
    mu_variance = float(1.0 / w.sum())
    keep = tau2 / (tau2 + v)  # metafor's lambda_i: the weight of the unit's own estimate
    blup = keep * y + (1 - keep) * mu
    blup_se = np.sqrt(keep * v + (1 - keep) ** 2 * mu_variance)

    if method == "FE" or k == 1:
        q, df = heterogeneity.q, heterogeneity.df
        i2 = max(0.0, 100 * (q - df) / q) if q > 0 else 0.0
        h2 = q / df if df > 0 else 1.0
    else:
        s2 = heterogeneity.typical_variance
        i2 = 100 * tau2 / (s2 + tau2)
        h2 = tau2 / s2 + 1

    terms = [OVERALL_TERM, *labels[usable].astype(str)]
    table = make_table(
        terms,
        np.r_[mu, blup],
        np.r_[np.sqrt(mu_variance), blup_se],
        df=None,
        extra={
            "observed": np.r_[np.nan, y],
            "observed_std_error": np.r_[np.nan, np.sqrt(v)],
            "weight": np.r_[np.nan, 100 * w / w.sum()],
            "shrinkage": np.r_[np.nan, 1 - keep],
        },
    )
    return PooledResult(
        method=_TITLES[method],
        table=table,
        nobs=k,
        outcome=estimate,
        se_type=f"inverse-variance weights, {_TAU2_WORDS[method]}; normal (z) intervals",
        df=None,
        details={
            "optimiser": optimiser,
            "iterations": iterations,
            "warnings": tuple(warnings),
            "label": label,
        },
        pooling=method,
        tau2=float(tau2),
        tau2_se=_tau2_std_error(v, tau2, method if k > 1 else "FE"),
        i2=float(i2),
        h2=float(h2),
        q=heterogeneity.q,
        q_df=heterogeneity.df,
        q_p_value=heterogeneity.p_value,
        inputs=inputs,
    )
