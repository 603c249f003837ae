"""Who differs: comparisons of groups, editions (years) and ministries.

Every function here is pure: person-level pandas frames in (one row per person x edition),
tidy pandas frames or small frozen dataclasses out, no I/O. Column names are arguments with
the workbench's defaults (``group``, ``ministry``, ``participated``, ``target_met``,
``learning_hours``, ``karma_points``, ``edition``, ``user_key``).

Conventions shared by all functions

* Confidence intervals are two-sided at level ``1 - alpha`` (``alpha=0.05``).
* Differences are always ``level - reference`` (groups) or ``later - earlier`` (editions).
* A *family* of tests is every row of one returned table; adjusted p-values (Holm by default,
  or Benjamini-Hochberg) are computed across that family with
  :func:`statsmodels.stats.multitest.multipletests` and reported next to the raw ones.
* An outcome whose non-missing values are all 0/1 is a *share*: it is compared with a
  chi-square test and a difference of proportions (Newcombe's hybrid score interval); any other
  outcome is a *mean*: Welch's t-test (or Mann-Whitney) with its interval.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.nonparametric import rank_compare_2indep
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from evaluation.core.vocabulary import SMD_THRESHOLD

__all__ = [
    "NLW_SIZE_BANDS",
    "SMD_THRESHOLD",
    "Adjustment",
    "EditionDesign",
    "FunnelMethod",
    "OmnibusTest",
    "PairwiseTest",
    "RankMethod",
    "ReturnSummary",
    "ShrinkageMethod",
    "ShrinkageResult",
    "SizeBand",
    "adjust_pvalues",
    "balance_table",
    "balance_wide",
    "compare_editions",
    "funnel_flags",
    "funnel_limits",
    "label_participant_history",
    "leaderboard",
    "omnibus_tests",
    "pairwise_tests",
    "rank_changes",
    "returning_participants",
    "shrink_rates",
    "size_band",
    "unit_rates",
]

Adjustment = Literal["holm", "fdr_bh", "none"]
PairwiseTest = Literal["welch", "mann_whitney"]
OmnibusTest = Literal["anova", "kruskal"]
ShrinkageMethod = Literal["marginal_ml", "moments"]
FunnelMethod = Literal["exact", "normal"]
EditionDesign = Literal["independent", "paired"]
PairScheme = Literal["reference", "all"]
RankMethod = Literal["bootstrap", "posterior"]

# Bounds on log(alpha), log(beta) of the beta-binomial prior: the upper bound stands for
# "no detectable between-unit variation" (complete pooling) and keeps the optimiser finite.
_LOG_PRIOR_BOUNDS = (-8.0, 18.0)


def _check_option(value: object, allowed: object, name: str) -> None:
    """Raise a clear ``ValueError`` when ``value`` is not one of a ``Literal``'s options."""
    options = get_args(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {options}, got {value!r}")


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns not in frame: {missing}; frame has {list(frame.columns)}")


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")


def _values(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Non-missing values of a column as float64."""
    return pd.to_numeric(frame[column], errors="coerce").dropna().to_numpy(dtype=float)


def _split_values(frame: pd.DataFrame, column: str, masks: dict) -> dict[Hashable, np.ndarray]:
    """:func:`_values` of ``column`` in the rows of each mask (one per level), in row order.

    Slices the one column, never the frame: at national scale a row filter on the person
    frame copies all of its columns (several GB) to read one.
    """
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    split = {}
    for level, mask in masks.items():
        chosen = values[mask]
        split[level] = chosen[~np.isnan(chosen)]
    return split


def _level_masks(frame: pd.DataFrame, by: str, levels: Sequence[Hashable]) -> dict:
    """For each level of ``by``, which rows hold it (a boolean array)."""
    return {level: (frame[by] == level).to_numpy(dtype=bool) for level in levels}


def _position(table: pd.DataFrame, column: str) -> int:
    """The integer position of ``column`` in ``table`` (its labels are unique)."""
    return list(table.columns).index(column)


def _is_share(values: np.ndarray) -> bool:
    """Tell whether every value is 0 or 1 (a person-level indicator)."""
    return values.size > 0 and bool(np.isin(values, (0.0, 1.0)).all())


def adjust_pvalues(
    pvalues: Sequence[float] | pd.Series | np.ndarray, method: Adjustment = "holm"
) -> np.ndarray:
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    pvalues : sequence of float, pandas.Series or numpy.ndarray
        Raw p-values; missing values (NaN) are left missing and do not count in the family.
    method : {"holm", "fdr_bh", "none"}
        Holm's step-down (family-wise error) or Benjamini-Hochberg (false discovery rate).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    _check_option(method, Adjustment, "method")
    raw = np.asarray(pvalues, dtype=float)
    adjusted = raw.copy()
    finite = ~np.isnan(raw)
    if method != "none" and finite.any():
        adjusted[finite] = multipletests(raw[finite], method=method)[1]
    return adjusted


# --------------------------------------------------------------------------------------------
# Balance
# --------------------------------------------------------------------------------------------


def balance_table(
    frame: pd.DataFrame,
    *,
    by: str = "group",
    covariates: Sequence[str],
    reference: Hashable | None = None,
    smd_threshold: float = SMD_THRESHOLD,
) -> pd.DataFrame:
    """Means, SDs, standardised mean differences and variance ratios by level of ``by``.

    In the spirit of DIME's ``iebaltab`` and R's ``cobalt::bal.tab``: every level is compared
    with one reference level.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame.
    by : str
        Categorical column defining the groups (``"group"``, ``"participated"``, ...).
    covariates : sequence of str
        Numeric covariates or outcomes to describe (0/1 columns are treated as binary).
    reference : hashable, optional
        Level the others are compared with; default the first level in sorted order.
    smd_threshold : float
        ``|smd|`` above which a row is flagged ``imbalanced``.

    Returns
    -------
    pandas.DataFrame
        One row per covariate x level: ``variable, level, reference, n, mean, sd, smd,
        variance_ratio, imbalanced``.

    Notes
    -----
    ``smd = (mean_level - mean_reference) / sqrt((sd_level**2 + sd_reference**2) / 2)``, the
    pooled-SD convention of Austin (2009) and cobalt, with sample (n - 1) variances; for 0/1
    variables this is the difference in proportions over ``sqrt((p1 q1 + p0 q0) / 2)`` up to
    the n - 1 factor. ``variance_ratio = var_level / var_reference`` is reported for
    continuous variables only (as cobalt does): it is not informative for binary ones.
    Reference rows carry ``smd = 0`` and ``variance_ratio = 1``.
    """
    _check_columns(frame, [by, *covariates])
    levels = sorted(frame[by].dropna().unique().tolist())
    if len(levels) < 2:
        raise ValueError(f"{by!r} needs at least two levels to compare, found {levels}")
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise ValueError(f"reference {reference!r} is not a level of {by!r}: {levels}")
    rows = []
    masks = _level_masks(frame, by, levels)
    for variable in covariates:
        binary = _is_share(_values(frame, variable))
        split = _split_values(frame, variable, masks)
        for level in levels:
            rows.append(
                _balance_row(variable, level, reference, split[level], split[reference], binary)
            )
    table = pd.DataFrame(rows)
    table["imbalanced"] = table["smd"].abs() > smd_threshold
    return table


def balance_wide(balance: pd.DataFrame) -> pd.DataFrame:
    """One row per variable, as in ``iebaltab``: n, mean and SD per level, SMD and VR vs reference.

    Parameters
    ----------
    balance : pandas.DataFrame
        Output of :func:`balance_table`.

    Returns
    -------
    pandas.DataFrame
        Indexed by variable, with columns ``n_<level>, mean_<level>, sd_<level>`` for every
        level and ``smd_<level>, variance_ratio_<level>`` for every non-reference level, in
        the order of the levels.
    """
    _check_columns(balance, ["variable", "level", "reference", "n", "mean", "sd", "smd"])
    levels = list(dict.fromkeys(balance["level"]))
    reference = balance["reference"].iloc[0]
    wide = balance.pivot(index="variable", columns="level")
    columns = {}
    for level in levels:
        for stat in ("n", "mean", "sd"):
            columns[f"{stat}_{level}"] = wide[(stat, level)]
    for level in levels:
        if level != reference:
            columns[f"smd_{level}"] = wide[("smd", level)]
            columns[f"variance_ratio_{level}"] = wide[("variance_ratio", level)]
    order = list(dict.fromkeys(balance["variable"]))
    return pd.DataFrame(columns).loc[order]


def _balance_row(
    variable: str,
    level: Hashable,
    reference: Hashable,
    values: np.ndarray,
    ref_values: np.ndarray,
    binary: bool,
) -> dict[str, object]:
    mean, sd = _mean_sd(values)
    ref_mean, ref_sd = _mean_sd(ref_values)
    pooled_sd = np.sqrt((sd**2 + ref_sd**2) / 2)
    smd = (mean - ref_mean) / pooled_sd if pooled_sd > 0 else np.nan
    ratio = np.nan if binary or ref_sd == 0 else sd**2 / ref_sd**2
    return {
        "variable": variable,
        "level": level,
        "reference": reference,
        "n": int(values.size),
        "mean": mean,
        "sd": sd,
        "smd": smd,
        "variance_ratio": ratio,
    }


def _mean_sd(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return np.nan, np.nan
    sd = float(np.std(values, ddof=1)) if values.size > 1 else np.nan
    return float(np.mean(values)), sd


# --------------------------------------------------------------------------------------------
# Tests between groups
# --------------------------------------------------------------------------------------------


def pairwise_tests(
    frame: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    by: str = "group",
    reference: Hashable | None = None,
    pairs: PairScheme = "reference",
    test: PairwiseTest = "welch",
    adjust: Adjustment = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Two-group tests with effect sizes and intervals, adjusted across the family.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame.
    outcomes : sequence of str
        Outcome columns; 0/1 columns are shares, others means (see module notes).
    by : str
        Categorical column defining the groups.
    reference : hashable, optional
        With ``pairs="reference"``, the level every other level is compared with (default:
        first sorted level).
    pairs : {"reference", "all"}
        Compare each level with the reference, or every pair of levels.
    test : {"welch", "mann_whitney"}
        Test for mean outcomes. Shares always use the chi-square test.
    adjust : {"holm", "fdr_bh", "none"}
        Multiple-testing adjustment across all rows of the result (one family).
    alpha : float
        One minus the confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per outcome x pair: ``outcome, level, reference, n_level, n_reference,
        value_level, value_reference, estimate, estimate_name, conf_low, conf_high, test,
        statistic, p_value, p_adjusted, effect_size, effect_size_name``.

    Notes
    -----
    * Welch: ``estimate`` is the difference in means with Welch's interval
      (:func:`scipy.stats.ttest_ind`, ``equal_var=False``); ``effect_size`` is Hedges' g
      (pooled SD, small-sample corrected).
    * Mann-Whitney: the p-value is scipy's two-sided Mann-Whitney U; ``estimate`` is the
      probability of superiority ``P(level > reference) + P(tie) / 2`` with the
      Brunner-Munzel interval of :func:`statsmodels.stats.nonparametric.rank_compare_2indep`;
      ``effect_size`` is the rank-biserial correlation ``2 P - 1``.
    * Shares: ``estimate`` is the difference of proportions with Newcombe's hybrid score
      interval; the p-value is Pearson's chi-square on the 2 x 2 table without continuity
      correction; ``effect_size`` is Cohen's h.
    * A pair with fewer than two persons on a side gets a row of missing statistics (test
      "not tested ...") that does not count in the adjusted family.
    """
    _check_option(pairs, PairScheme, "pairs")
    _check_option(test, PairwiseTest, "test")
    _check_option(adjust, Adjustment, "adjust")
    _check_alpha(alpha)
    _check_columns(frame, [by, *outcomes])
    rows = []
    chosen = _level_pairs(frame, by, reference, pairs)
    levels: set[Any] = {level for pair in chosen for level in pair}
    masks = _level_masks(frame, by, sorted(levels))
    for outcome in outcomes:
        share = _is_share(_values(frame, outcome))
        split = _split_values(frame, outcome, masks)
        for level, ref in chosen:
            x, y = split[level], split[ref]
            row = {"outcome": outcome, "level": level, "reference": ref}
            row |= {"n_level": x.size, "n_reference": y.size}
            row |= _compare_two(x, y, share=share, test=test, alpha=alpha)
            rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(
        _position(table, "p_value") + 1,
        "p_adjusted",
        adjust_pvalues(table["p_value"], adjust),
    )
    return table


def _level_pairs(
    frame: pd.DataFrame, by: str, reference: Hashable | None, pairs: PairScheme
) -> list[tuple[Hashable, Hashable]]:
    levels = sorted(frame[by].dropna().unique().tolist())
    if len(levels) < 2:
        raise ValueError(f"{by!r} needs at least two levels to compare, found {levels}")
    if pairs == "all":
        return [(b, a) for a, b in itertools.combinations(levels, 2)]
    reference = levels[0] if reference is None else reference
    if reference not in levels:
        raise ValueError(f"reference {reference!r} is not a level of {by!r}: {levels}")
    return [(level, reference) for level in levels if level != reference]


def _compare_two(
    x: np.ndarray, y: np.ndarray, *, share: bool, test: PairwiseTest, alpha: float
) -> dict[str, object]:
    if x.size < 2 or y.size < 2:
        return _not_tested(x, y, share)
    if share:
        return _share_test(x, y, alpha)
    if test == "welch":
        return _welch_test(x, y, alpha)
    return _mann_whitney_test(x, y, alpha)


def _not_tested(x: np.ndarray, y: np.ndarray, share: bool) -> dict[str, object]:
    """A row of missing statistics for a pair with fewer than two persons on a side.

    Its p-value is missing, so it does not count in the family when p-values are adjusted.
    """
    return {
        "value_level": x.mean() if x.size else np.nan,
        "value_reference": y.mean() if y.size else np.nan,
        "estimate": np.nan,
        "estimate_name": "difference in shares" if share else "difference in means",
        "conf_low": np.nan,
        "conf_high": np.nan,
        "test": "not tested (fewer than 2 persons in a group)",
        "statistic": np.nan,
        "p_value": np.nan,
        "effect_size": np.nan,
        "effect_size_name": "",
    }


def _welch_test(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, object]:
    result = stats.ttest_ind(x, y, equal_var=False)
    interval = result.confidence_interval(confidence_level=1 - alpha)
    return {
        "value_level": x.mean(),
        "value_reference": y.mean(),
        "estimate": x.mean() - y.mean(),
        "estimate_name": "difference in means",
        "conf_low": float(interval.low),
        "conf_high": float(interval.high),
        "test": "Welch t",
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "effect_size": _hedges_g(x, y),
        "effect_size_name": "Hedges' g",
    }


def _hedges_g(x: np.ndarray, y: np.ndarray) -> float:
    n1, n2 = x.size, y.size
    pooled_var = ((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2)
    if pooled_var == 0:
        return np.nan
    correction = 1 - 3 / (4 * (n1 + n2) - 9)
    return float(correction * (x.mean() - y.mean()) / np.sqrt(pooled_var))


def _mann_whitney_test(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, object]:
    result = stats.mannwhitneyu(x, y, alternative="two-sided")
    superiority = float(result.statistic) / (x.size * y.size)
    low, high = rank_compare_2indep(x, y).conf_int(alpha=alpha)
    return {
        "value_level": float(np.median(x)),
        "value_reference": float(np.median(y)),
        "estimate": superiority,
        "estimate_name": "P(level > reference)",
        "conf_low": float(low),
        "conf_high": float(high),
        "test": "Mann-Whitney U",
        "statistic": float(result.statistic),
        "p_value": float(result.pvalue),
        "effect_size": 2 * superiority - 1,
        "effect_size_name": "rank-biserial r",
    }


def _share_test(x: np.ndarray, y: np.ndarray, alpha: float) -> dict[str, object]:
    k1, k2 = int(x.sum()), int(y.sum())
    n1, n2 = x.size, y.size
    p1, p2 = k1 / n1, k2 / n2
    low, high = confint_proportions_2indep(
        k1, n1, k2, n2, method="newcomb", compare="diff", alpha=alpha
    )
    statistic, p_value = _chi_square([[k1, n1 - k1], [k2, n2 - k2]])
    return {
        "value_level": p1,
        "value_reference": p2,
        "estimate": p1 - p2,
        "estimate_name": "difference in shares",
        "conf_low": float(low),
        "conf_high": float(high),
        "test": "chi-square",
        "statistic": statistic,
        "p_value": p_value,
        "effect_size": float(2 * np.arcsin(np.sqrt(p1)) - 2 * np.arcsin(np.sqrt(p2))),
        "effect_size_name": "Cohen's h",
    }


def _chi_square(table: Sequence[Sequence[int]]) -> tuple[float, float]:
    """Pearson chi-square without continuity correction; NaN when a margin is empty."""
    counts = np.asarray(table, dtype=float)
    if (counts.sum(axis=0) == 0).any() or (counts.sum(axis=1) == 0).any():
        return np.nan, np.nan
    result = stats.chi2_contingency(counts, correction=False)
    return float(result.statistic), float(result.pvalue)


def omnibus_tests(
    frame: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    by: str = "group",
    test: OmnibusTest = "anova",
    adjust: Adjustment = "holm",
) -> pd.DataFrame:
    """One test per outcome of "no difference across all levels of ``by``" (e.g. A, B, C).

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame.
    outcomes : sequence of str
        Outcome columns; 0/1 columns are shares.
    by : str
        Categorical column with two or more levels.
    test : {"anova", "kruskal"}
        One-way ANOVA or Kruskal-Wallis for mean outcomes; shares use chi-square.
    adjust : {"holm", "fdr_bh", "none"}
        Adjustment across the outcomes (one family).

    Returns
    -------
    pandas.DataFrame
        ``outcome, test, n, k_levels, statistic, df, p_value, p_adjusted, effect_size,
        effect_size_name``.

    Notes
    -----
    Effect sizes: eta squared ``SS_between / SS_total`` for ANOVA; epsilon squared
    ``H / (n - 1)`` for Kruskal-Wallis (Tomczak and Tomczak 2014); Cramer's V for shares.
    """
    _check_option(test, OmnibusTest, "test")
    _check_option(adjust, Adjustment, "adjust")
    _check_columns(frame, [by, *outcomes])
    levels = sorted(frame[by].dropna().unique().tolist())
    if len(levels) < 2:
        raise ValueError(f"{by!r} needs at least two levels to compare, found {levels}")
    rows = []
    masks = _level_masks(frame, by, levels)
    for outcome in outcomes:
        samples = list(_split_values(frame, outcome, masks).values())
        share = _is_share(np.concatenate(samples))
        row = {"outcome": outcome} | _omnibus_row(samples, share=share, test=test)
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(
        _position(table, "p_value") + 1,
        "p_adjusted",
        adjust_pvalues(table["p_value"], adjust),
    )
    return table


def _omnibus_row(samples: list[np.ndarray], *, share: bool, test: OmnibusTest) -> dict:
    n = int(sum(sample.size for sample in samples))
    k = len(samples)
    if share:
        counts = [[sample.sum(), sample.size - sample.sum()] for sample in samples]
        statistic, p_value = _chi_square(counts)
        effect = np.sqrt(statistic / n) if n else np.nan  # Cramer's V: min(k-1, 1) = 1
        name, effect_name, df = "chi-square", "Cramer's V", k - 1
    elif test == "anova":
        statistic, p_value = stats.f_oneway(*samples)
        effect, name, effect_name, df = _eta_squared(samples), "ANOVA F", "eta squared", k - 1
    else:
        statistic, p_value = stats.kruskal(*samples)
        effect = statistic / (n - 1)
        name, effect_name, df = "Kruskal-Wallis H", "epsilon squared", k - 1
    return {
        "test": name,
        "n": n,
        "k_levels": k,
        "statistic": float(statistic),
        "df": df,
        "p_value": float(p_value),
        "effect_size": float(effect),
        "effect_size_name": effect_name,
    }


def _eta_squared(samples: list[np.ndarray]) -> float:
    pooled = np.concatenate(samples)
    grand = pooled.mean()
    between = sum(sample.size * (sample.mean() - grand) ** 2 for sample in samples)
    total = ((pooled - grand) ** 2).sum()
    return float(between / total) if total > 0 else np.nan


# --------------------------------------------------------------------------------------------
# Ministries: rates, shrinkage, funnel limits, leaderboard, rank changes
# --------------------------------------------------------------------------------------------


def unit_rates(
    frame: pd.DataFrame,
    *,
    unit: str = "ministry",
    outcome: str = "participated",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Share of persons with ``outcome == 1`` in each unit, with Wilson intervals.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame; ``outcome`` is 0/1.
    unit : str
        Column naming the unit (ministry, department, MDO).
    outcome : str
        0/1 indicator (``participated``, ``target_met``, ...).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    pandas.DataFrame
        ``unit, n, count, rate, conf_low, conf_high`` sorted by unit; ``n`` counts persons with
        a non-missing outcome. The unit column keeps its own name.

    Examples
    --------
    >>> people = pd.DataFrame({"ministry": ["a"] * 4, "participated": [1, 1, 0, 1]})
    >>> unit_rates(people)[["n", "count", "rate"]].values.tolist()
    [[4.0, 3.0, 0.75]]
    """
    _check_alpha(alpha)
    _check_columns(frame, [unit, outcome])
    values = pd.to_numeric(frame[outcome], errors="coerce")
    if not _is_share(values.dropna().to_numpy(dtype=float)):
        raise ValueError(f"{outcome!r} must be a 0/1 indicator to compute rates")
    grouped = values.groupby(frame[unit], observed=True, sort=True)
    table = pd.DataFrame({"n": grouped.count(), "count": grouped.sum()}).reset_index()
    table["rate"] = table["count"] / table["n"]
    low, high = proportion_confint(table["count"], table["n"], alpha=alpha, method="wilson")
    table["conf_low"], table["conf_high"] = np.asarray(low), np.asarray(high)
    return table


@dataclass(frozen=True)
class ShrinkageResult:
    """Empirical-Bayes (beta-binomial) shrunken rates and the fitted prior.

    Attributes
    ----------
    table : pandas.DataFrame
        The input rates plus ``rate_shrunk, shrunk_low, shrunk_high, shrinkage_weight,
        rank_raw, rank_shrunk``.
    prior_alpha, prior_beta : float
        Parameters of the fitted Beta prior of true unit rates.
    method : str
        ``"marginal_ml"`` or ``"moments"``.
    """

    table: pd.DataFrame
    prior_alpha: float
    prior_beta: float
    method: str

    @property
    def prior_mean(self) -> float:
        """Mean of the fitted prior: the rate every unit is pulled towards."""
        return self.prior_alpha / (self.prior_alpha + self.prior_beta)

    @property
    def prior_strength(self) -> float:
        """``alpha + beta``: how many persons' worth of evidence the prior is worth."""
        return self.prior_alpha + self.prior_beta

    def __str__(self) -> str:
        return (
            f"Beta-binomial shrinkage ({self.method}): prior mean {self.prior_mean:.4f}, "
            f"worth {self.prior_strength:,.1f} persons; {len(self.table)} units"
        )

    def _repr_html_(self) -> str:
        return f"<p>{self}</p>" + self.table.to_html(index=False, float_format="{:.4f}".format)


def shrink_rates(
    rates: pd.DataFrame,
    *,
    count: str = "count",
    n: str = "n",
    method: ShrinkageMethod = "marginal_ml",
    alpha: float = 0.05,
) -> ShrinkageResult:
    """Shrink unit rates towards the overall rate with a beta-binomial empirical-Bayes model.

    Each unit's true rate is taken to be drawn from ``Beta(a, b)``; ``a`` and ``b`` are
    estimated from all units, and each unit's rate is replaced by its posterior mean
    ``(count + a) / (n + a + b)``. A unit of 40 persons moves a lot towards the overall rate,
    a unit of 40 000 hardly at all, so small units are no longer ranked first by luck.

    Parameters
    ----------
    rates : pandas.DataFrame
        One row per unit with a count of successes and a number of persons (the output of
        :func:`unit_rates`).
    count, n : str
        Column names of successes and persons.
    method : {"marginal_ml", "moments"}
        ``"marginal_ml"`` maximises the beta-binomial marginal likelihood of all units'
        counts (scipy L-BFGS-B on ``log a, log b``, started at the moments estimate);
        ``"moments"`` matches the mean and the between-unit variance of the rates.
    alpha : float
        One minus the probability of the equal-tailed posterior interval.

    Returns
    -------
    ShrinkageResult
        Table with ``rate_shrunk, shrunk_low, shrunk_high``, ``shrinkage_weight`` (the
        weight ``(a + b) / (n + a + b)`` given to the prior mean) and ``rank_raw`` /
        ``rank_shrunk`` (1 = highest rate), and the fitted prior.

    Notes
    -----
    Moments: ``m = sum(count) / sum(n)``; the between-unit variance of true rates is the
    variance of the observed rates minus their average binomial sampling variance,
    ``tau2 = var(rate) - m (1 - m) mean(1 / n)``; then ``a + b = m (1 - m) / tau2 - 1``. If
    ``tau2 <= 0`` (no variation beyond chance) the prior strength is set to ``exp(18)``,
    i.e. complete pooling. At least two units are needed.
    """
    _check_option(method, ShrinkageMethod, "method")
    _check_alpha(alpha)
    _check_columns(rates, [count, n])
    successes = rates[count].to_numpy(dtype=float)
    trials = rates[n].to_numpy(dtype=float)
    if len(rates) < 2 or (trials <= 0).any() or (successes < 0).any() or (successes > trials).any():
        raise ValueError("need >= 2 units with n > 0 and 0 <= count <= n to fit a prior")
    prior_a, prior_b = _moments_prior(successes, trials)
    if method == "marginal_ml":
        prior_a, prior_b = _marginal_ml_prior(successes, trials, start=(prior_a, prior_b))
    table = rates.copy()
    post_a, post_b = successes + prior_a, trials - successes + prior_b
    table["rate_shrunk"] = post_a / (post_a + post_b)
    table["shrunk_low"] = stats.beta.ppf(alpha / 2, post_a, post_b)
    table["shrunk_high"] = stats.beta.ppf(1 - alpha / 2, post_a, post_b)
    table["shrinkage_weight"] = (prior_a + prior_b) / (trials + prior_a + prior_b)
    table["rank_raw"] = _descending_rank(successes / trials)
    table["rank_shrunk"] = _descending_rank(table["rate_shrunk"].to_numpy())
    return ShrinkageResult(table, float(prior_a), float(prior_b), method)


def _descending_rank(values: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest value; ties share the best rank."""
    return stats.rankdata(-np.asarray(values, dtype=float), method="min").astype(int)


def _moments_prior(successes: np.ndarray, trials: np.ndarray) -> tuple[float, float]:
    mean = successes.sum() / trials.sum()
    mean = min(max(mean, 1e-6), 1 - 1e-6)
    observed_var = np.var(successes / trials, ddof=1)
    tau2 = observed_var - mean * (1 - mean) * np.mean(1 / trials)
    max_strength = np.exp(_LOG_PRIOR_BOUNDS[1])
    strength = mean * (1 - mean) / tau2 - 1 if tau2 > 0 else max_strength
    strength = float(np.clip(strength, 1e-3, max_strength))
    return mean * strength, (1 - mean) * strength


def _marginal_ml_prior(
    successes: np.ndarray, trials: np.ndarray, *, start: tuple[float, float]
) -> tuple[float, float]:
    def negative_log_likelihood(log_params: np.ndarray) -> float:
        a, b = np.exp(log_params)
        # The binomial coefficient does not depend on (a, b) and is left out.
        return -float(
            np.sum(special.betaln(successes + a, trials - successes + b) - special.betaln(a, b))
        )

    bounds = [_LOG_PRIOR_BOUNDS, _LOG_PRIOR_BOUNDS]
    x0 = np.clip(np.log(start), *_LOG_PRIOR_BOUNDS)
    fit = optimize.minimize(negative_log_likelihood, x0, method="L-BFGS-B", bounds=bounds)
    a, b = np.exp(fit.x)
    return float(a), float(b)


def funnel_limits(
    n: Sequence[float] | np.ndarray,
    *,
    target: float,
    coverages: Sequence[float] = (0.95, 0.998),
    method: FunnelMethod = "exact",
) -> pd.DataFrame:
    """Control limits of a funnel plot for a proportion (Spiegelhalter 2005).

    Parameters
    ----------
    n : sequence of float
        Unit sizes (persons) at which to compute the limits.
    target : float
        The rate every unit would have if only chance varied (usually the overall rate).
    coverages : sequence of float
        Central coverage of each pair of limits (0.95 ~ 2 SD, 0.998 ~ 3 SD).
    method : {"exact", "normal"}
        ``"exact"``: binomial quantiles with Spiegelhalter's interpolation between integer
        counts; ``"normal"``: ``target +- z sqrt(target (1 - target) / n)``, clipped to [0, 1].

    Notes
    -----
    Exact limits: with ``r`` the smallest count whose binomial CDF ``F(r)`` reaches ``p`` and
    ``a = (F(r) - p) / (F(r) - F(r - 1))``, the limit is ``(r + 1/2 - a) / n``. Spiegelhalter
    (2005, appendix) writes ``(r - a) / n``, which spreads the mass of count ``r`` over
    ``(r - 1, r]`` and so shifts both limits down by ``1 / (2n)``: at ``target = 0.5`` and
    ``n = 10`` it flags 8 of 10 above the 95 % limit although ``P(Y >= 8) = 0.055``. Centring
    the mass on ``r`` keeps the limits symmetric and each tail at or below its nominal size.

    Returns
    -------
    pandas.DataFrame
        ``n`` plus ``lower_<c>`` and ``upper_<c>`` per coverage, where ``<c>`` is the coverage
        in per cent without the point (``lower_95``, ``upper_998``).
    """
    _check_option(method, FunnelMethod, "method")
    if not 0 < target < 1:
        raise ValueError(f"target must be in (0, 1), got {target}")
    sizes = np.asarray(n, dtype=float)
    if (sizes <= 0).any():
        raise ValueError("unit sizes must be positive")
    table = pd.DataFrame({"n": sizes})
    for coverage in coverages:
        if not 0 < coverage < 1:
            raise ValueError(f"coverage must be in (0, 1), got {coverage}")
        tail = (1 - coverage) / 2
        suffix = _coverage_suffix(coverage)
        table[f"lower_{suffix}"] = _funnel_bound(sizes, target, tail, method)
        table[f"upper_{suffix}"] = _funnel_bound(sizes, target, 1 - tail, method)
    return table


def _coverage_suffix(coverage: float) -> str:
    return f"{coverage * 100:g}".replace(".", "")


def _funnel_bound(sizes: np.ndarray, target: float, p: float, method: FunnelMethod) -> np.ndarray:
    if method == "normal":
        z = stats.norm.ppf(p)
        return np.clip(target + z * np.sqrt(target * (1 - target) / sizes), 0, 1)
    whole = np.round(sizes)
    quantile = stats.binom.ppf(p, whole, target)
    cdf_at = stats.binom.cdf(quantile, whole, target)
    cdf_below = stats.binom.cdf(quantile - 1, whole, target)
    step = np.where(cdf_at > cdf_below, (cdf_at - p) / (cdf_at - cdf_below), 0.0)
    # The probability mass at count r is spread over (r - 1/2, r + 1/2], hence the + 0.5.
    return np.clip((quantile + 0.5 - step) / whole, 0, 1)


def funnel_flags(
    rates: pd.DataFrame,
    *,
    n: str = "n",
    rate: str = "rate",
    target: float | None = None,
    coverages: Sequence[float] = (0.95, 0.998),
    method: FunnelMethod = "exact",
) -> pd.DataFrame:
    """Place each unit inside or outside the funnel limits at its own size.

    Parameters
    ----------
    rates : pandas.DataFrame
        One row per unit with its size and rate (e.g. :func:`unit_rates`).
    n, rate : str
        Column names of size and rate.
    target : float, optional
        Centre of the funnel; default the pooled rate ``sum(rate * n) / sum(n)``.
    coverages, method
        As in :func:`funnel_limits`.

    Returns
    -------
    pandas.DataFrame
        ``rates`` plus ``target``, the limits, and ``position_<c>`` in
        ``{"above", "within", "below"}`` per coverage.
    """
    _check_columns(rates, [n, rate])
    sizes = rates[n].to_numpy(dtype=float)
    values = rates[rate].to_numpy(dtype=float)
    centre = float(np.sum(values * sizes) / np.sum(sizes)) if target is None else target
    limits = funnel_limits(sizes, target=centre, coverages=coverages, method=method)
    table = rates.copy()
    table["target"] = centre
    for coverage in coverages:
        suffix = _coverage_suffix(coverage)
        low = limits[f"lower_{suffix}"].to_numpy()
        high = limits[f"upper_{suffix}"].to_numpy()
        table[f"lower_{suffix}"], table[f"upper_{suffix}"] = low, high
        position = np.where(values > high, "above", np.where(values < low, "below", "within"))
        table[f"position_{suffix}"] = position
    return table


@dataclass(frozen=True)
class SizeBand:
    """One size band of the NLW leaderboard: organisations with ``low <= users <= high``."""

    label: str
    low: int
    high: float


#: Size bands of the platform's NLW MDO leaderboard, in the order the job tests them (the
#: first match wins): ``NationalLearningWeekModel.scala`` (KB-iGOT/sunbird-core-dataproducts
#: 4.8.18) sets ``XL`` above 50,000 users, then ``between(10000, 50000)`` L,
#: ``between(1000, 10000)`` M, ``between(500, 1000)`` S, otherwise XS (docs/real-exports.md
#: section 16). ``between`` is inclusive, so 10,000 users is L and 1,000 is M.
NLW_SIZE_BANDS: tuple[SizeBand, ...] = (
    SizeBand("XL", 50001, np.inf),
    SizeBand("L", 10000, 50000),
    SizeBand("M", 1000, 10000),
    SizeBand("S", 500, 1000),
    SizeBand("XS", 0, np.inf),
)


def size_band(
    users: Sequence[float] | np.ndarray | pd.Series, bands: Sequence[SizeBand] = NLW_SIZE_BANDS
) -> np.ndarray:
    """Label of the first band whose range holds each user count (the job's ``when`` chain).

    Examples
    --------
    >>> size_band([499, 500, 1000, 10000, 50000, 50001]).tolist()
    ['XS', 'S', 'M', 'L', 'L', 'XL']
    """
    counts = np.asarray(users, dtype=float)
    labels = np.full(counts.shape, "", dtype=object)
    for band in bands:
        labels[(labels == "") & (counts >= band.low) & (counts <= band.high)] = band.label
    return labels


def leaderboard(
    frame: pd.DataFrame,
    *,
    unit: str = "mdo_id",
    points: str = "karma_points",
    last_credit: str = "last_credit_date",
    org_type: str = "org_type",
    bands: Sequence[SizeBand] = NLW_SIZE_BANDS,
) -> pd.DataFrame:
    """Rank units as the platform's NLW leaderboard job does.

    The rule of ``NationalLearningWeekModel.scala`` (docs/real-exports.md section 16): each
    unit's users are counted (all users, with or without points) to set its size band; within
    a band, units are ranked by the karma points their users were credited in the week (a
    total, not per user), ties going to the unit whose last credit came earlier; the rank is a
    row number (1, 2, 3, ... with no shared ranks). Central and state organisations share the
    bands, as in the job. When totals tie, units with no credit at all come after those with
    one (the job leaves that order to Spark); remaining ties are broken by the unit's name so
    the table is reproducible.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame of one edition, one row per user, with ``points`` credited in the
        week (0 for users who earned none) and the time of their ``last_credit`` in the week
        (missing for users with none).
    unit : str
        The ranked unit (``mdo_id`` as on the platform, or ``ministry``).
    points, last_credit : str
        Columns of the points credited in the week and of the last credit's time.
    org_type : str
        Column holding ``"central"`` or ``"state"`` (kept to say what each unit is).
    bands : sequence of SizeBand
        Bands in the order they are tested (default: the job's).

    Returns
    -------
    pandas.DataFrame
        ``unit, org_type, users, total_points, points_per_user, last_credit_date, size_band,
        rank`` in band order (XL first), then rank.
    """
    _check_columns(frame, [unit, points, last_credit, org_type])
    earned = pd.to_numeric(frame[points], errors="coerce").fillna(0)
    grouped = frame.assign(_points=earned).groupby(unit, observed=True)
    table = pd.DataFrame(
        {
            "org_type": grouped[org_type].first(),
            "users": grouped.size(),
            "total_points": grouped["_points"].sum(),
            "last_credit_date": grouped[last_credit].max(),
        }
    )
    table.index.name = "unit"
    table = table.reset_index()
    table["points_per_user"] = table["total_points"] / table["users"]
    table["size_band"] = size_band(table["users"], bands)
    order = {band.label: position for position, band in enumerate(bands)}
    table = table.assign(
        _band=table["size_band"].map(order), _none=table["last_credit_date"].isna()
    ).sort_values(
        ["_band", "total_points", "_none", "last_credit_date", "unit"],
        ascending=[True, False, True, True, True],
    )
    table["rank"] = table.groupby("size_band").cumcount() + 1
    columns = ["unit", "org_type", "users", "total_points", "points_per_user"]
    return table[[*columns, "last_credit_date", "size_band", "rank"]].reset_index(drop=True)


def rank_changes(
    frame: pd.DataFrame,
    *,
    unit: str = "ministry",
    outcome: str = "participated",
    edition: str = "edition",
    editions: tuple[Hashable, Hashable],
    method: RankMethod = "bootstrap",
    n_boot: int = 1000,
    seed: int = 20241019,
    alpha: float = 0.05,
    min_n: int = 1,
) -> pd.DataFrame:
    """Rank of each unit in two editions, the change, and intervals for all three.

    Units are ranked by the mean of ``outcome`` (highest = rank 1, ties share the best
    rank) among units present with at least ``min_n`` persons in both editions.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame with rows of both editions.
    unit, outcome, edition : str
        Column names.
    editions : tuple
        ``(earlier, later)`` edition values.
    method : {"bootstrap", "posterior"}
        ``"bootstrap"``: persons are resampled within unit and edition (for a 0/1 outcome
        exactly and cheaply as a binomial draw of the unit's count); ranks use the observed
        means. ``"posterior"`` (0/1 outcomes only): each edition's rates get the
        beta-binomial empirical-Bayes prior of :func:`shrink_rates` (marginal ML); ranks
        use the shrunk rates and the intervals come from draws of the posterior Beta of
        every unit. Prefer it when some units are small: a bootstrap of 40 of 40 persons
        has no spread at all, a posterior does.
    n_boot : int
        Replicates (bootstrap samples or posterior draws).
    seed : int
        Seed of :func:`numpy.random.default_rng`; same seed, same intervals.
    alpha : float
        One minus the coverage of the percentile intervals.
    min_n : int
        Smallest number of persons a unit needs in each edition to be ranked.

    Returns
    -------
    pandas.DataFrame
        ``unit, n_1, n_2, value_1, value_2, rank_1, rank_1_low, rank_1_high, rank_2,
        rank_2_low, rank_2_high, rank_change, change_low, change_high``; ``rank_change =
        rank_1 - rank_2`` so a positive change means the unit moved up.
    """
    _check_option(method, RankMethod, "method")
    _check_columns(frame, [unit, outcome, edition])
    _check_alpha(alpha)
    if n_boot < 10:
        raise ValueError(f"n_boot must be at least 10, got {n_boot}")
    samples = _unit_samples(frame, unit, outcome, edition, editions, min_n)
    if len(samples) < 2:
        raise ValueError("need at least two units present in both editions to rank")
    rng = np.random.default_rng(seed)
    units = sorted(samples)
    binary = _is_share(np.concatenate([v for pair in samples.values() for v in pair]))
    if method == "posterior" and not binary:
        raise ValueError(f"method='posterior' needs a 0/1 outcome; {outcome!r} is not")
    observed, replicates = [], []
    for position in (0, 1):
        sample_list = [samples[u][position] for u in units]
        if method == "posterior":
            centre, draws = _posterior_rates(sample_list, n_boot, rng)
        else:
            centre = np.array([sample.mean() for sample in sample_list])
            draws = _bootstrap_means(sample_list, n_boot, rng, binary)
        observed.append(centre)
        replicates.append(draws)
    return _rank_table(units, samples, observed, replicates, alpha)


def _posterior_rates(
    samples: list[np.ndarray], n_draws: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Shrunk rates and posterior draws, shape (n_draws, n_units), under the EB prior."""
    counts = pd.DataFrame(
        {"n": [sample.size for sample in samples], "count": [sample.sum() for sample in samples]}
    )
    fit = shrink_rates(counts)
    post_a = counts["count"].to_numpy() + fit.prior_alpha
    post_b = (counts["n"] - counts["count"]).to_numpy() + fit.prior_beta
    draws = rng.beta(post_a, post_b, size=(n_draws, len(samples)))
    return fit.table["rate_shrunk"].to_numpy(), draws


def _unit_samples(
    frame: pd.DataFrame,
    unit: str,
    outcome: str,
    edition: str,
    editions: tuple[Hashable, Hashable],
    min_n: int,
) -> dict[Any, tuple[np.ndarray, np.ndarray]]:
    if len(editions) != 2:
        raise ValueError(f"editions must be a pair (earlier, later), got {editions!r}")
    samples: dict[Any, tuple[np.ndarray, np.ndarray]] = {}
    for name, rows in frame.groupby(unit, observed=True, sort=True):
        first = _values(rows[rows[edition] == editions[0]], outcome)
        second = _values(rows[rows[edition] == editions[1]], outcome)
        if first.size >= min_n and second.size >= min_n:
            samples[name] = (first, second)
    return samples


def _bootstrap_means(
    samples: list[np.ndarray], n_boot: int, rng: np.random.Generator, binary: bool
) -> np.ndarray:
    """Bootstrap replicates of each sample's mean, shape (n_boot, n_units)."""
    columns = []
    for sample in samples:
        if binary:
            draws = rng.binomial(sample.size, sample.mean(), size=n_boot) / sample.size
        else:
            draws = _resampled_means(sample, n_boot, rng)
        columns.append(draws)
    return np.column_stack(columns)


# Largest number of resampled values held in memory at once (about 40 MB of int64 indices).
_RESAMPLE_BLOCK = 5_000_000


def _resampled_means(sample: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_boot`` resamples, drawn in blocks so large units do not exhaust memory."""
    per_block = max(1, _RESAMPLE_BLOCK // sample.size)
    means = []
    for start in range(0, n_boot, per_block):
        size = min(per_block, n_boot - start)
        means.append(sample[rng.integers(0, sample.size, size=(size, sample.size))].mean(axis=1))
    return np.concatenate(means)


def _rank_table(
    units: list[Hashable],
    samples: dict[Hashable, tuple[np.ndarray, np.ndarray]],
    observed: list[np.ndarray],
    replicates: list[np.ndarray],
    alpha: float,
) -> pd.DataFrame:
    ranks = [stats.rankdata(-values, method="min") for values in observed]
    boot_ranks = [stats.rankdata(-values, method="min", axis=1) for values in replicates]
    quantiles = [alpha / 2, 1 - alpha / 2]
    table = pd.DataFrame({"unit": units})
    table["n_1"] = [samples[u][0].size for u in units]
    table["n_2"] = [samples[u][1].size for u in units]
    table["value_1"], table["value_2"] = observed
    for position in (0, 1):
        label = f"rank_{position + 1}"
        low, high = np.quantile(boot_ranks[position], quantiles, axis=0)
        table[label] = ranks[position].astype(int)
        table[f"{label}_low"], table[f"{label}_high"] = low, high
    change = boot_ranks[0] - boot_ranks[1]
    table["rank_change"] = table["rank_1"] - table["rank_2"]
    table["change_low"], table["change_high"] = np.quantile(change, quantiles, axis=0)
    return table


# --------------------------------------------------------------------------------------------
# Editions (years)
# --------------------------------------------------------------------------------------------


def compare_editions(
    frame: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    edition: str = "edition",
    editions: tuple[Hashable, Hashable],
    design: EditionDesign = "independent",
    user: str = "user_key",
    adjust: Adjustment = "holm",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each KPI in two editions, the change (later - earlier) and its interval.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame with rows of both editions, outcomes defined identically.
    outcomes : sequence of str
        KPI columns; 0/1 columns are shares, others means.
    edition : str
        Column holding the edition.
    editions : tuple
        ``(earlier, later)``.
    design : {"independent", "paired"}
        ``"independent"`` treats the two editions' persons as separate samples (Newcombe
        interval and chi-square for shares, Welch for means). ``"paired"`` keeps only persons
        present in both editions (matched on ``user``) and uses within-person changes: a
        paired t interval for means, and for shares the Wald interval of a difference of
        paired proportions with McNemar's chi-square test.
    user : str
        Person key, used by the paired design.
    adjust : {"holm", "fdr_bh", "none"}
        Adjustment across the outcomes (one family).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    pandas.DataFrame
        ``outcome, edition_1, edition_2, n_1, n_2, value_1, value_2, change, conf_low,
        conf_high, test, p_value, p_adjusted``.

    Notes
    -----
    Totals such as the number of participants or completions are censuses of the platform:
    their change between editions is exact and has no sampling interval. Compare them as
    person-level shares or means (participants per registered user, hours per person),
    which is what this function does. Most registered users appear in both editions, so
    their outcomes are positively correlated and the independent design's intervals are
    usually wider than the paired ones; the paired design drops persons present in only one
    edition (new registrants, leavers), so report which one a figure uses.
    """
    _check_option(design, EditionDesign, "design")
    _check_option(adjust, Adjustment, "adjust")
    _check_alpha(alpha)
    _check_columns(frame, [edition, *outcomes] + ([user] if design == "paired" else []))
    if len(editions) != 2:
        raise ValueError(f"editions must be a pair (earlier, later), got {editions!r}")
    # the columns used, before the rows: a row filter copies every column it keeps
    frame = frame[
        list(dict.fromkeys([edition, *outcomes, *([user] if design == "paired" else [])]))
    ]
    earlier = frame[frame[edition] == editions[0]]
    later = frame[frame[edition] == editions[1]]
    rows = []
    for outcome in outcomes:
        if design == "paired":
            row = _paired_change(earlier, later, outcome, user, alpha)
        else:
            row = _independent_change(earlier, later, outcome, alpha)
        rows.append({"outcome": outcome, "edition_1": editions[0], "edition_2": editions[1]} | row)
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_pvalues(table["p_value"], adjust)
    return table


def _independent_change(
    earlier: pd.DataFrame, later: pd.DataFrame, outcome: str, alpha: float
) -> dict[str, object]:
    before, after = _values(earlier, outcome), _values(later, outcome)
    share = _is_share(np.concatenate([before, after]))
    result = _compare_two(after, before, share=share, test="welch", alpha=alpha)
    return {
        "n_1": before.size,
        "n_2": after.size,
        "value_1": result["value_reference"],
        "value_2": result["value_level"],
        "change": result["estimate"],
        "conf_low": result["conf_low"],
        "conf_high": result["conf_high"],
        "test": result["test"],
        "p_value": result["p_value"],
    }


def _paired_change(
    earlier: pd.DataFrame, later: pd.DataFrame, outcome: str, user: str, alpha: float
) -> dict[str, object]:
    merged = pd.merge(
        earlier[[user, outcome]], later[[user, outcome]], on=user, suffixes=("_1", "_2")
    ).dropna()
    if merged[user].duplicated().any():
        raise ValueError(f"{user!r} must identify one row per person and edition")
    before = merged[f"{outcome}_1"].to_numpy(dtype=float)
    after = merged[f"{outcome}_2"].to_numpy(dtype=float)
    if before.size < 2:
        raise ValueError(f"fewer than 2 persons are present in both editions for {outcome!r}")
    if _is_share(np.concatenate([before, after])):
        low, high, test, p_value = _paired_share_interval(before, after, alpha)
    else:
        result = stats.ttest_rel(after, before)
        interval = result.confidence_interval(confidence_level=1 - alpha)
        low, high, test, p_value = interval.low, interval.high, "paired t", result.pvalue
    return {
        "n_1": before.size,
        "n_2": after.size,
        "value_1": before.mean(),
        "value_2": after.mean(),
        "change": after.mean() - before.mean(),
        "conf_low": float(low),
        "conf_high": float(high),
        "test": test,
        "p_value": float(p_value),
    }


def _paired_share_interval(
    before: np.ndarray, after: np.ndarray, alpha: float
) -> tuple[float, float, str, float]:
    n = before.size
    gained = float(np.sum((before == 0) & (after == 1)))
    lost = float(np.sum((before == 1) & (after == 0)))
    change = (gained - lost) / n
    se = np.sqrt(max(gained + lost - (gained - lost) ** 2 / n, 0.0)) / n
    z = stats.norm.ppf(1 - alpha / 2)
    both = float(np.sum((before == 1) & (after == 1)))
    table = [[both, lost], [gained, n - both - lost - gained]]
    p_value = mcnemar(table, exact=False, correction=False).pvalue if gained + lost else 1.0
    return change - z * se, change + z * se, "McNemar", float(p_value)


@dataclass(frozen=True)
class ReturnSummary:
    """How many participants of an earlier edition came back, and who was new.

    Attributes
    ----------
    earlier_participants : int
        Persons who participated in the earlier edition.
    returned : int
        Of those, persons who participated again in the later edition.
    return_rate, return_conf_low, return_conf_high : float
        ``returned / earlier_participants`` with its Wilson interval.
    later_participants : int
        Persons who participated in the later edition.
    first_time : int
        Later participants who had not participated in the earlier edition.
    """

    earlier_participants: int
    returned: int
    return_rate: float
    return_conf_low: float
    return_conf_high: float
    later_participants: int
    first_time: int

    @property
    def first_time_share(self) -> float:
        """Share of the later edition's participants who were new."""
        return self.first_time / self.later_participants if self.later_participants else np.nan

    def as_dict(self) -> dict[str, float]:
        """Plain values, including the derived share, for findings and tables."""
        values = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return values | {"first_time_share": self.first_time_share}

    def __str__(self) -> str:
        return (
            f"{self.returned:,} of {self.earlier_participants:,} earlier participants came back "
            f"({100 * self.return_rate:.1f} %, 95 % CI {100 * self.return_conf_low:.1f} to "
            f"{100 * self.return_conf_high:.1f} %); {self.first_time:,} of "
            f"{self.later_participants:,} later participants were new."
        )

    def _repr_html_(self) -> str:
        frame = pd.Series(self.as_dict(), name="value").to_frame()
        return f"<p>{self}</p>" + frame.to_html()


def _participant_sets(
    frame: pd.DataFrame,
    user: str,
    edition: str,
    participated: str,
    editions: Sequence[Hashable],
) -> list[set]:
    _check_columns(frame, [user, edition, participated])
    took_part = frame[pd.to_numeric(frame[participated], errors="coerce") == 1]
    return [set(took_part.loc[took_part[edition] == value, user]) for value in editions]


def returning_participants(
    frame: pd.DataFrame,
    *,
    editions: tuple[Hashable, Hashable],
    user: str = "user_key",
    edition: str = "edition",
    participated: str = "participated",
    alpha: float = 0.05,
) -> ReturnSummary:
    """Count returning and first-time participants between two editions.

    Parameters
    ----------
    frame : pandas.DataFrame
        Person-level frame with rows of both editions.
    editions : tuple
        ``(earlier, later)``.
    user, edition, participated : str
        Column names; ``participated`` is 0/1.
    alpha : float
        One minus the confidence level of the return-rate interval (Wilson).

    Returns
    -------
    ReturnSummary
    """
    _check_alpha(alpha)
    if len(editions) != 2:
        raise ValueError(f"editions must be a pair (earlier, later), got {editions!r}")
    earlier, later = _participant_sets(frame, user, edition, participated, editions)
    returned = len(earlier & later)
    if earlier:
        low, high = proportion_confint(returned, len(earlier), alpha=alpha, method="wilson")
        rate = returned / len(earlier)
    else:
        low = high = rate = np.nan
    return ReturnSummary(
        earlier_participants=len(earlier),
        returned=returned,
        return_rate=rate,
        return_conf_low=float(low),
        return_conf_high=float(high),
        later_participants=len(later),
        first_time=len(later - earlier),
    )


def label_participant_history(
    frame: pd.DataFrame,
    *,
    current: Hashable,
    previous: Sequence[Hashable],
    user: str = "user_key",
    edition: str = "edition",
    participated: str = "participated",
    column: str = "participant_history",
) -> pd.DataFrame:
    """Rows of the ``current`` edition's participants, labelled first-time or returning.

    A participant is ``"returning"`` if they participated in any of the ``previous``
    editions, else ``"first_time"``. The result feeds :func:`pairwise_tests` with
    ``by=column`` to compare the two kinds of participants.

    Returns
    -------
    pandas.DataFrame
        The current edition's participant rows plus the ``column`` label.
    """
    sets = _participant_sets(frame, user, edition, participated, [current, *previous])
    earlier = set().union(*sets[1:])
    rows = frame[
        (frame[edition] == current) & (pd.to_numeric(frame[participated], errors="coerce") == 1)
    ].copy()
    rows[column] = np.where(rows[user].isin(earlier), "returning", "first_time")
    return rows
