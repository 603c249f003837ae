"""Callaway-Sant'Anna staggered DiD from cohort x period moments computed in the engine.

:func:`evaluation.estimate.staggered_did` (``csdid``) needs the person x period panel in
pandas, which at national scale does not fit (the impact report ran it on a 3 lakh-person
sample). With no covariates, or discrete baseline covariates, every group-time ATT of the doubly
robust estimator (``drdid_panel``, varying base period) depends on the data only through, per
stratum (cohort x covariate cell): the number of people and the mean of each period's outcome.
Its influence function is, for a person in stratum ``k``, ``a_k + c_k' Y`` with ``Y`` the
person's outcomes in every period; so every standard error (group-time, aggregated, the Wald
pre-test) is ``sum_k n_k [(a_k + c_k' m_k)^2 + c_k' S_k c_k]`` with ``S_k`` the stratum's
covariance of the period outcomes. :func:`cohort_moments` computes the counts, sums and sums of
products behind those with ``GROUP BY`` queries over the sparse person x period values (DuckDB
or Spark), and only ``strata x periods^2`` numbers reach Python, for the whole population.

:func:`staggered_did_from_moments` follows ``csdid`` step by step (its preprocessing: cohorts
after the last period become never treated, cohorts treated in the first period are dropped;
not-yet or never treated controls; the propensity logit by the same IRLS on (arm, cell) rows
with frequency weights, capped and trimmed as ``drdid_panel``; the ``n / n_gt`` rescaling; the
aggregations' weight influence functions), and equals it at small scale: estimates to 1e-10,
standard errors to 1e-8 relative (``tests/estimate/test_staggered_moments.py``). Standard errors
are csdid's analytic ones (``bstrap=False``): ``sqrt(mean(IF^2) / n)``, clustered by person.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import ibis
import numpy as np
import pandas as pd
import statsmodels.api as sm
from ibis import _
from ibis.expr.types import Table
from scipy.stats import chi2 as chi2_dist

from evaluation.estimate.results import StaggeredDiDResult, WaldTest, make_table
from evaluation.estimate.validation import StaggeredControl, as_list, check_option

__all__ = ["CohortMoments", "cohort_moments", "staggered_did_from_moments"]

_TERM_PREFIX = {"group": "cohort=", "dynamic": "event_time="}
_AGGREGATES = ("simple", "group", "dynamic")


@dataclass(frozen=True)
class CohortMoments:
    """Per stratum (cohort x covariate cell): people, period means and their covariance.

    Attributes
    ----------
    periods : tuple of int
        The panel's periods, in order.
    strata : pandas.DataFrame
        One row per stratum: ``cohort`` (0 never treated), the covariates and ``n``.
    means : numpy.ndarray
        ``(K, T)`` mean outcome of the stratum's people in each period.
    cov : numpy.ndarray
        ``(K, T, T)`` population covariance (divisor ``n``) of the period outcomes.
    outcome : str
        Name of the outcome.
    covariates : tuple of str
        Baseline covariates (numeric, entering the models linearly as in csdid).
    """

    periods: tuple[int, ...]
    strata: pd.DataFrame
    means: np.ndarray
    cov: np.ndarray
    outcome: str
    covariates: tuple[str, ...] = ()

    @property
    def n(self) -> np.ndarray:
        """People per stratum."""
        return self.strata["n"].to_numpy(dtype=float)

    @property
    def cohort(self) -> np.ndarray:
        """Each stratum's cohort."""
        return self.strata["cohort"].to_numpy()


def cohort_moments(
    values: Table | pd.DataFrame,
    people: Table | pd.DataFrame,
    *,
    periods: Sequence[int],
    outcome: str,
    unit: str = "user_key",
    time: str = "time",
    cohort: str = "cohort",
    covariates: Sequence[str] | None = None,
    buckets: int | None = None,
) -> CohortMoments:
    """Compute :class:`CohortMoments` where the data live.

    Three ``GROUP BY`` queries over the sparse values: people per stratum, sums of each
    period's outcome per stratum, and sums of products of two periods' outcomes per stratum
    (a self-join of each person's non-zero periods, so a person with ``k`` of them adds
    ``k (k + 1) / 2`` rows, not ``T^2``). Periods without a row count as 0 and add nothing.

    The self-join's hash table holds every non-zero person-period; at national scale
    (SĀDHANA Saptah 2026: 17 million people) it does not fit DuckDB's 4 GB, which cannot spill
    it (issue 18: "failed to pin block"). So people are split into ``buckets`` by a hash of
    their id, each bucket is joined alone and the products are added up: a person's products
    never leave their bucket, so the sums are the same (exactly so for count outcomes, whose
    sums are integers).

    Parameters
    ----------
    values : ibis Table or pandas.DataFrame
        ``unit, time, outcome`` rows; a missing person-period counts as 0 (sparse counts).
    people : ibis Table or pandas.DataFrame
        One row per person of the population: ``unit``, ``cohort`` (first treated period, 0
        never) and the covariates.
    periods : sequence of int
        Every period of the panel.
    outcome, unit, time, cohort : str
        Column names.
    covariates : sequence of str, optional
        Discrete numeric baseline covariates; people missing one are left out.
    buckets : int, optional
        People are joined in this many groups; ``None`` chooses one per
        :data:`ROWS_PER_BUCKET` non-zero person-periods (one below that).
    """
    covariates = as_list(covariates)
    periods = sorted(int(p) for p in periods)
    values = ibis.memtable(values) if isinstance(values, pd.DataFrame) else values
    people = ibis.memtable(people) if isinstance(people, pd.DataFrame) else people
    missing = [c for c in (unit, time, outcome) if c not in values.columns]
    missing += [c for c in (unit, cohort, *covariates) if c not in people.columns]
    if missing:
        raise ValueError(f"columns not in the data: {', '.join(missing)}")
    keys = ["cohort", *covariates]
    who = people.select(unit, *covariates, cohort=people[cohort].fill_null(0).cast("int64"))
    if covariates:
        who = who.filter([who[c].notnull() for c in covariates])
    counts = who.group_by(keys).aggregate(n=_.count()).order_by(keys).to_pandas()
    cells = (
        values.filter(values[time].isin(periods))
        .group_by([unit, time])
        .aggregate(y=values[outcome].cast("float64").sum())
    )
    cells = cells.join(who, unit).select(*keys, "y", t=cells[time].cast("int64"), u=cells[unit])
    sums = cells.group_by([*keys, "t"]).aggregate(s=_.y.sum()).to_pandas()
    if buckets is None:
        rows = int(values.filter(values[time].isin(periods)).count().to_pandas())
        buckets = max(1, -(-rows // ROWS_PER_BUCKET))
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        raise ValueError(f"buckets must be a positive integer, got {buckets!r}")
    parts = [_products(cells, keys, bucket, buckets) for bucket in range(buckets)]
    products = pd.concat(parts, ignore_index=True)
    if buckets > 1:
        # as_index=False: a frame (pandas-stubs types the result as a Series)
        products = cast(
            pd.DataFrame, products.groupby([*keys, "t", "t2"], as_index=False)["q"].sum()
        )
    return _from_sums(counts, sums, products, periods, outcome, covariates)


#: Non-zero person-periods joined at once by :func:`cohort_moments` (about 1.5 GB of hash
#: table with 64-character person keys, within DuckDB's default 4 GB with room to spare).
ROWS_PER_BUCKET = 8_000_000


def _products(cells: Table, keys: list[str], bucket: int, buckets: int) -> pd.DataFrame:
    """Sums of products of two periods' outcomes per stratum, for one bucket of people."""
    if buckets > 1:
        cells = cells.filter(((cells.u.hash() % buckets) + buckets) % buckets == bucket)
    other = cells.view().select(u2="u", t2="t", y2="y")
    pairs = cells.join(other, (cells.u == other.u2) & (cells.t <= other.t2))
    return pairs.group_by([*keys, "t", "t2"]).aggregate(q=(_.y * _.y2).sum()).to_pandas()


def _from_sums(
    counts: pd.DataFrame,
    sums: pd.DataFrame,
    products: pd.DataFrame,
    periods: list[int],
    outcome: str,
    covariates: list[str],
) -> CohortMoments:
    """Means and covariances per stratum from its count, sums and sums of products."""
    keys = ["cohort", *covariates]
    index = counts[keys].assign(k=np.arange(len(counts)))
    position = {p: i for i, p in enumerate(periods)}
    size = len(periods)
    total = np.zeros((len(counts), size))
    sums = sums.merge(index, on=keys, how="inner")
    np.add.at(total, (sums["k"].to_numpy(), sums["t"].map(position).to_numpy()), sums["s"])
    cross = np.zeros((len(counts), size, size))
    products = products.merge(index, on=keys, how="inner")
    k = products["k"].to_numpy()
    i = products["t"].map(position).to_numpy()
    j = products["t2"].map(position).to_numpy()
    q = products["q"].to_numpy(dtype=float)
    cross[k, i, j] = q
    cross[k, j, i] = q
    n = counts["n"].to_numpy(dtype=float)
    means = total / n[:, None]
    # centred in float64 from sums that are exact for count outcomes (integers below 2^53)
    cov = cross / n[:, None, None] - np.einsum("ki,kj->kij", means, means)
    strata = counts[keys + ["n"]].reset_index(drop=True)
    return CohortMoments(tuple(periods), strata, means, cov, outcome, tuple(covariates))


@dataclass(frozen=True)
class _Prepared:
    """Strata after csdid's preprocessing."""

    periods: np.ndarray
    cohort: np.ndarray  # per stratum
    design: np.ndarray  # (K, p): intercept and covariates
    n: np.ndarray
    means: np.ndarray
    cov: np.ndarray
    groups: np.ndarray  # treated cohorts with an ATT


def _prepare(moments: CohortMoments) -> _Prepared:
    periods = np.asarray(moments.periods)
    cohort = moments.cohort.astype(np.int64).copy()
    cohort[cohort > periods.max()] = 0  # treated after the panel ends: never treated here
    if not (cohort == 0).any():
        raise ValueError("the staggered DiD from moments needs never-treated people (cohort 0)")
    keep = (cohort == 0) | (cohort > periods[0])  # csdid drops people treated in period one
    groups = np.unique(cohort[keep & (cohort > 0)])
    if len(groups) == 0:
        raise ValueError("no cohort is treated after the first period")
    z = moments.strata.loc[keep, list(moments.covariates)].to_numpy(dtype=float)
    design = np.column_stack([np.ones(int(keep.sum())), z])
    return _Prepared(
        periods,
        cohort[keep],
        design,
        moments.n[keep],
        moments.means[keep],
        moments.cov[keep],
        groups,
    )


def _rows(
    member: np.ndarray, treated: np.ndarray, design: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (arm, covariate cell) rows of the 2x2 sample and each stratum's row."""
    keys = np.column_stack([treated[member], design[member]])
    rows, index = np.unique(keys, axis=0, return_inverse=True)
    return rows, index.ravel()


def _pscore(d: np.ndarray, x: np.ndarray, count: np.ndarray) -> np.ndarray:
    """drdid_panel's propensity logit: statsmodels GLM IRLS, frequency weights = people."""
    if x.shape[1] == 1 and np.sum(count * d) / count.sum() >= 0.999:
        raise ValueError("no overlap: almost everyone in the comparison is treated")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(d, x, family=sm.families.Binomial(), freq_weights=count).fit()
    ps = np.asarray(fit.predict(), dtype=float)
    if np.max(ps) >= 0.999:
        raise ValueError("no overlap: the propensity score reaches 0.999 in some cell")
    return np.minimum(ps, 1 - 1e-6)


def _drdid_cell(
    d: np.ndarray, x: np.ndarray, count: np.ndarray, delta: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """drdid_panel on (arm, cell) rows: the ATT and the influence ``a_r + b_r * dY`` per row.

    ``count`` people per row, ``delta`` their mean outcome change. Means are over the 2x2
    sample's people, as in drdid_panel.
    """
    total = count.sum()
    ps = _pscore(d, x, count)
    control = 1 - d
    trim = np.where(d == 1, True, ps < 0.995)
    gram = x.T @ (x * (count * control)[:, None])
    if np.linalg.matrix_rank(gram) < x.shape[1]:
        raise ValueError("the control outcome regression is singular (a covariate is constant)")
    beta = np.linalg.solve(gram, x.T @ (count * control * delta))
    fitted = x @ beta
    w_treat = trim * d
    w_cont = trim * ps * control / (1 - ps)
    mean_w_treat = np.sum(count * w_treat) / total
    mean_w_cont = np.sum(count * w_cont) / total
    gap = delta - fitted
    eta_treat = np.sum(count * w_treat * gap) / total / mean_w_treat
    eta_cont = np.sum(count * w_cont * gap) / total / mean_w_cont
    xpx_inv = np.linalg.inv(gram / total)
    information = x.T @ (x * (count * ps * (1 - ps))[:, None])
    hessian_n = np.linalg.inv(information) * total
    m1 = (count * w_treat) @ x / total
    m2 = (count * w_cont * (gap - eta_cont)) @ x / total
    m3 = (count * w_cont) @ x / total
    ols_m1, ols_m3, ps_m2 = x @ xpx_inv @ m1, x @ xpx_inv @ m3, x @ hessian_n @ m2
    # per person: r = dY - fitted; score of the logit (d - ps) x; OLS term only for controls
    b = w_treat / mean_w_treat - control * ols_m1 / mean_w_treat
    b = b - (w_cont - control * ols_m3) / mean_w_cont
    const = -w_treat * eta_treat / mean_w_treat
    const = const - (-w_cont * eta_cont + (d - ps) * ps_m2) / mean_w_cont
    return float(eta_treat - eta_cont), const - b * fitted, b


@dataclass(frozen=True)
class _GroupTime:
    """Group-time ATTs and each stratum's influence coefficients."""

    cohort: np.ndarray
    period: np.ndarray
    att: np.ndarray
    post: np.ndarray
    a: np.ndarray  # (K, P)
    c: np.ndarray  # (K, P, T)


def _group_time(prep: _Prepared, control: str) -> _GroupTime:
    periods = prep.periods
    n_total = prep.n.sum()
    k_strata, n_periods = prep.means.shape
    cells: list[tuple[int, int, float, int]] = []
    a_cols, c_cols = [], []
    for g in prep.groups:
        last_pre = int(np.flatnonzero(periods < g)[-1])
        for t_i in range(n_periods - 1):
            now = t_i + 1
            base = last_pre if g <= periods[now] else t_i
            treated = prep.cohort == g
            if control == "never":
                comparison = prep.cohort == 0
            else:
                comparison = (prep.cohort == 0) | ((prep.cohort > periods[now]) & ~treated)
            member = treated | comparison
            d_strata = treated.astype(float)
            rows, index = _rows(member, d_strata, prep.design)
            n_k = prep.n[member]
            change = prep.means[member, now] - prep.means[member, base]
            count = np.bincount(index, weights=n_k, minlength=len(rows))
            delta = np.bincount(index, weights=n_k * change, minlength=len(rows)) / count
            effect, a_row, b_row = _drdid_cell(rows[:, 0], rows[:, 1:], count, delta)
            scale = n_total / count.sum()  # csdid's n / n_gt
            a_col = np.zeros(k_strata)
            b_col = np.zeros(k_strata)
            a_col[member] = scale * a_row[index]
            b_col[member] = scale * b_row[index]
            c_col = np.zeros((k_strata, n_periods))
            c_col[:, now] = b_col
            c_col[:, base] -= b_col
            cells.append((int(g), int(periods[now]), effect, int(g <= periods[now])))
            a_cols.append(a_col)
            c_cols.append(c_col)
    cohort, period, att, post = (np.array(v) for v in zip(*cells, strict=True))
    return _GroupTime(
        cohort, period, att.astype(float), post, np.stack(a_cols, 1), np.stack(c_cols, 1)
    )


@dataclass(frozen=True)
class _Influence:
    """An estimate's influence function in stratum form: ``lam @ IF_gt + omega[stratum]``."""

    estimate: float
    lam: np.ndarray  # (P,)
    omega: np.ndarray  # (K,)


def _sum_squares(prep: _Prepared, gt: _GroupTime, inf: _Influence) -> float:
    alpha = gt.a @ inf.lam + inf.omega
    gamma = np.einsum("kpt,p->kt", gt.c, inf.lam)
    at_mean = alpha + np.einsum("kt,kt->k", gamma, prep.means)
    spread = np.einsum("kt,kts,ks->k", gamma, prep.cov, gamma)
    return float(np.sum(prep.n * (at_mean**2 + spread)))


def _se(prep: _Prepared, gt: _GroupTime, inf: _Influence) -> float:
    """The analytic standard error of csdid, ``sqrt(mean(IF^2) / n)``."""
    return float(np.sqrt(_sum_squares(prep, gt, inf)) / prep.n.sum())


def _weighted(prep: _Prepared, gt: _GroupTime, which: np.ndarray, weight_if: bool) -> _Influence:
    """Cohort-share weighted mean of the cells ``which``, with the weights' influence."""
    n_total = prep.n.sum()
    share = {g: prep.n[prep.cohort == g].sum() / n_total for g in prep.groups}
    pg = np.array([share[g] for g in gt.cohort[which]])
    lam = np.zeros(len(gt.att))
    lam[which] = pg / pg.sum()
    estimate = float(np.sum(gt.att[which] * pg) / pg.sum())
    omega = np.zeros(len(prep.n))
    if weight_if:
        omega = _weight_influence(prep, gt.cohort[which], pg, gt.att[which])
    return _Influence(estimate, lam, omega)


def _weight_influence(
    prep: _Prepared, groups: np.ndarray, pg: np.ndarray, att: np.ndarray
) -> np.ndarray:
    """The ``wif(...) @ att`` of csdid per stratum (it depends on the person's cohort only)."""
    total = pg.sum()
    member = (prep.cohort[:, None] == groups[None, :]).astype(float)
    numerator = member - pg[None, :]
    row_sum = numerator.sum(axis=1)
    wif = numerator / total - np.outer(row_sum, pg / total**2)
    return wif @ att


def _combine(parts: list[_Influence], weights: np.ndarray, omega: np.ndarray) -> _Influence:
    estimate = float(sum(w * p.estimate for w, p in zip(weights, parts, strict=True)))
    lam = sum(w * p.lam for w, p in zip(weights, parts, strict=True))
    total_omega = sum(w * p.omega for w, p in zip(weights, parts, strict=True)) + omega
    return _Influence(estimate, np.asarray(lam), np.asarray(total_omega))


def _aggregate(
    prep: _Prepared, gt: _GroupTime, aggregate: str
) -> tuple[_Influence, list[int], list[_Influence]]:
    """The overall effect and the aggregation's parts (labels and influences)."""
    post = gt.post == 1
    if aggregate == "simple":
        return _weighted(prep, gt, np.flatnonzero(post), True), [], []
    if aggregate == "group":
        parts = [
            _weighted(prep, gt, np.flatnonzero(post & (gt.cohort == g)), False) for g in prep.groups
        ]
        n_total = prep.n.sum()
        pgg = np.array([prep.n[prep.cohort == g].sum() / n_total for g in prep.groups])
        estimates = np.array([p.estimate for p in parts])
        omega = _weight_influence(prep, prep.groups, pgg, estimates)
        overall = _combine(parts, pgg / pgg.sum(), omega)
        return overall, [int(g) for g in prep.groups], parts
    event = gt.period - gt.cohort
    labels = sorted(int(e) for e in np.unique(event))
    parts = [_weighted(prep, gt, np.flatnonzero(event == e), True) for e in labels]
    after = [p for e, p in zip(labels, parts, strict=True) if e >= 0]
    overall = _combine(after, np.full(len(after), 1 / len(after)), np.zeros(len(prep.n)))
    return overall, labels, parts


def _pretrend(prep: _Prepared, gt: _GroupTime) -> WaldTest | None:
    """The Wald pre-test of csdid: ``n att' V^-1 att`` over the pre-treatment cells."""
    pre = np.flatnonzero(gt.post == 0)
    if len(pre) == 0:
        return None
    n_total = prep.n.sum()
    # V = IF' IF / n over the pre cells, from the strata (bilinear in the cells' weights)
    alpha = gt.a[:, pre]  # (K, q)
    at_mean = alpha + np.einsum("kpt,kt->kp", gt.c[:, pre], prep.means)
    spread = gt.c[:, pre] @ prep.cov @ gt.c[:, pre].transpose(0, 2, 1)  # batched, per stratum
    v = (
        np.einsum("k,kp,kq->pq", prep.n, at_mean, at_mean) + np.einsum("k,kpq->pq", prep.n, spread)
    ) / n_total
    if np.linalg.cond(v, 1) * np.finfo(float).eps >= 1:
        return None
    att = gt.att[pre]
    stat = float(n_total * att @ np.linalg.solve(v, att))
    q = len(pre)
    p_value = round(float(1.0 - chi2_dist.cdf(stat, q)), 5)
    terms = tuple(f"ATT({g},{t})" for g, t in zip(gt.cohort[pre], gt.period[pre], strict=True))
    return WaldTest(stat / q, stat, q, None, p_value, terms)


def staggered_did_from_moments(
    moments: CohortMoments,
    *,
    control: StaggeredControl = "notyet",
    aggregate: str = "dynamic",
) -> StaggeredDiDResult:
    """Callaway and Sant'Anna's doubly robust group-time ATTs, aggregated, from moments.

    The same numbers as :func:`evaluation.estimate.staggered_did` with ``method="dr"`` (csdid,
    varying base period, analytic standard errors) on the person x period panel the moments
    summarise.

    Parameters
    ----------
    moments : CohortMoments
        From :func:`cohort_moments`.
    control : {"never", "notyet"}
        Never-treated comparison people, or not yet treated ones as well.
    aggregate : {"simple", "group", "dynamic"}
        As :func:`~evaluation.estimate.staggered_did` (``calendar`` is not built here).

    Returns
    -------
    StaggeredDiDResult
        ``ATT`` first, then the aggregation's parts; ``group_time`` and ``pretrend`` as the
        person-level result.
    """
    check_option(control, StaggeredControl, "control")
    if aggregate not in _AGGREGATES:
        raise ValueError(f"aggregate must be one of {', '.join(_AGGREGATES)}, got {aggregate!r}")
    prep = _prepare(moments)
    gt = _group_time(prep, control)
    p_cells = len(gt.att)
    se_gt = [
        _se(prep, gt, _Influence(0.0, np.eye(p_cells)[j], np.zeros(len(prep.n))))
        for j in range(p_cells)
    ]
    overall, labels, parts = _aggregate(prep, gt, aggregate)
    table = make_table(["ATT"], [overall.estimate], [_se(prep, gt, overall)])
    if parts:
        detail = make_table(
            [f"{_TERM_PREFIX[aggregate]}{k}" for k in labels],
            [p.estimate for p in parts],
            [_se(prep, gt, p) for p in parts],
        )
        table = pd.concat([table, detail], ignore_index=True)
    group_time = pd.DataFrame(
        {
            "cohort": gt.cohort,
            "period": gt.period,
            "estimate": gt.att,
            "std_error": se_gt,
            "post": gt.post,
        }
    )
    n_units = int(prep.n.sum())
    return StaggeredDiDResult(
        method=f"Callaway-Sant'Anna staggered DiD (dr, {control}-treated controls, from moments)",
        table=table,
        nobs=n_units * len(prep.periods),
        outcome=moments.outcome,
        se_type="analytic influence-function SEs clustered by unit (R did, bstrap=FALSE), "
        "from cohort x period moments",
        df=None,
        details={
            "n_units": n_units,
            "cohorts": [int(g) for g in prep.groups],
            "control": control,
            "n_strata": len(prep.n),
        },
        aggregate=aggregate,
        group_time=group_time,
        pretrend=_pretrend(prep, gt),
    )
