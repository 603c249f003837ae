"""The impact in every ministry and State, pooled: one estimate per unit, shrunk together.

Each unit (the ``ministry`` column of the person frame: a central ministry or a State/UT) gets
the report's before/after design on its own staff: the difference in differences on the
primary outcome, i.e. participants' mean change (90 days after minus 90 days before the week)
minus non-participants' mean change, with an HC1 standard error (with two periods per person
this is the person-clustered DiD, up to the small-sample factor; the same population rule as
the national designs, :func:`evaluation.analysis.impact.impact_people`). A unit needs at
least ``min_persons`` participants *and* non-participants (the report's ``min_cell``, so no
estimate rests on a group smaller than a publishable cell) and a positive standard error; the
others are kept in the table as "too small to estimate", with the reason, never dropped.

The unit estimates are then pooled by a random-effects meta-analysis
(:func:`evaluation.estimate.pool`, REML by default): the overall effect across units, the
between-unit variance tau^2, I^2, and each unit's shrunk (empirical-Bayes) effect with its
interval. Small units swing by luck; shrinking pulls them towards the overall effect in
proportion to their noise. Ranks come with an interval from draws of the shrunk effects.

Everything here returns numbers with analysis column names; the report words them
(:func:`evaluation.report.sections.impact.unit_effects`,
:func:`evaluation.report.sections.ministry.impact_lead`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import estimate
from evaluation.analysis.impact import PRIMARY
from evaluation.analysis.verdict import Evidence, Interval, decide
from evaluation.estimate.pooling import OVERALL_TERM, TOO_SMALL, PoolMethod

__all__ = [
    "ESTIMATED",
    "RANK_DRAWS",
    "TOO_SMALL",
    "UNKNOWN_UNIT",
    "PooledUnitEffects",
    "UnitStanding",
    "pool_unit_effects",
    "unit_effects",
    "unit_standing",
]

#: Status of a unit whose estimate entered the pooled model.
ESTIMATED = "estimated"
#: The person frame's value for staff whose ministry or State is not known: not a unit.
UNKNOWN_UNIT = "Unknown"
#: Draws of the shrunk effects used to put an interval around each unit's rank.
RANK_DRAWS = 4000

_UNIT_COLUMNS = [
    "unit",
    "participants",
    "non_participants",
    "observed",
    "observed_std_error",
    "status",
    "reason",
]


def unit_effects(
    people: pd.DataFrame,
    *,
    unit: str = "ministry",
    outcome: str = PRIMARY,
    min_persons: int = 10,
) -> pd.DataFrame:
    """Each unit's before/after effect on ``outcome``: the DiD on each person's change.

    Parameters
    ----------
    people : pandas.DataFrame
        The impact population (:func:`evaluation.analysis.impact.impact_people`): ``treat``,
        ``<outcome>_change`` and ``unit``.
    unit : str
        Column naming the units; rows with a missing unit or ``"Unknown"`` belong to none.
    outcome : str
        Outcome with a "before" measure (its change column is used).
    min_persons : int
        Fewest participants and fewest non-participants (with a change) a unit needs.

    Returns
    -------
    pandas.DataFrame
        One row per unit, sorted by name: ``unit, participants, non_participants`` (persons
        with a change in each arm), ``observed`` (participants' mean change minus
        non-participants'), ``observed_std_error`` (HC1), ``status`` (``"estimated"`` or
        ``"too small to estimate"``) and ``reason`` (empty when estimated).

    Examples
    --------
    >>> people = pd.DataFrame(
    ...     {
    ...         "ministry": ["A"] * 4 + ["B"] * 2,
    ...         "treat": [1, 1, 0, 0, 1, 0],
    ...         "completions_90d_change": [3.0, 1.0, 1.0, 0.0, 2.0, 0.0],
    ...     }
    ... )
    >>> table = unit_effects(people, min_persons=2)
    >>> table[["unit", "observed", "status"]].to_numpy().tolist()
    [['A', 1.5, 'estimated'], ['B', nan, 'too small to estimate']]
    """
    change = f"{outcome}_change"
    missing = [c for c in (unit, "treat", change) if c not in people]
    if missing:
        raise ValueError(f"columns not in the person frame: {missing}")
    data = people.loc[
        people[change].notna() & people[unit].notna() & (people[unit] != UNKNOWN_UNIT),
        [unit, "treat", change],
    ]
    # One pass over the frame: per unit and arm, count, mean and sum of squared deviations.
    # The OLS of the change on ``treat`` within a unit is the difference in means, and its HC1
    # variance is (SSD_1 / n_1^2 + SSD_0 / n_0^2) * n / (n - 2) (equal to ``estimate.ols(...,
    # vcov="HC1")``, tests/analysis/test_pooling.py), without a fit per unit.
    arms = data.assign(_arm=(data["treat"] == 1).astype(int)).groupby(
        [unit, "_arm"], sort=True, observed=True
    )[change]
    count = arms.count().unstack("_arm").reindex(columns=[0, 1])
    counts = count.fillna(0).to_numpy(dtype=int)
    means = arms.mean().unstack("_arm").reindex(columns=[0, 1]).to_numpy(dtype=float)
    squares = (arms.var(ddof=0) * arms.count()).unstack("_arm").reindex(columns=[0, 1])
    ssds = squares.to_numpy(dtype=float)
    rows = []
    for position, name in enumerate(count.index):
        n, mean, ssd = counts[position], means[position], ssds[position]
        row = {
            "unit": str(name),
            "participants": int(n[1]),
            "non_participants": int(n[0]),
            "observed": np.nan,
            "observed_std_error": np.nan,
            "status": TOO_SMALL,
            "reason": "",
        }
        short = [
            words
            for count, words in ((n[1], "participants"), (n[0], "non-participants"))
            if count < min_persons
        ]
        if short:
            # no count is given: a count below min_cell must not be published
            row["reason"] = " and ".join(f"fewer than {min_persons} {words}" for words in short)
        elif ssd[0] + ssd[1] == 0 and mean[0] == mean[1]:
            row["reason"] = "no variation in the change"
        else:
            total = n[0] + n[1]
            variance = (ssd[1] / n[1] ** 2 + ssd[0] / n[0] ** 2) * total / (total - 2)
            std_error = float(np.sqrt(variance))
            if np.isfinite(std_error) and std_error > 0:
                row.update(
                    observed=mean[1] - mean[0], observed_std_error=std_error, status=ESTIMATED
                )
            else:
                row["reason"] = "no usable standard error"
        rows.append(row)
    return pd.DataFrame(rows, columns=_UNIT_COLUMNS)


@dataclass(frozen=True)
class PooledUnitEffects:
    """Every unit's effect, pooled by a random-effects model (:func:`pool_unit_effects`).

    Attributes
    ----------
    units : pandas.DataFrame
        Every unit, estimable first by shrunk effect (largest first), then those too small
        by name: the columns of :func:`unit_effects` plus ``estimate``, ``std_error``,
        ``conf_low``, ``conf_high`` (the shrunk effect and its 95 % interval), ``shrinkage``
        (share of the distance to the overall effect removed), ``rank`` (1 = largest shrunk
        effect), ``rank_low`` and ``rank_high`` (95 % interval of the rank); missing for
        units too small to estimate.
    overall : Interval
        The overall effect across units and its 95 % interval.
    prediction : tuple of float
        95 % interval for the true effect in a new unit (overall effect and tau^2).
    tau2, i2 : float
        Between-unit variance and I^2 (percent of the variability due to real differences).
    q_p_value : float
        p-value of Cochran's test that every unit has the same effect.
    method : str
        ``"REML"``, ``"DL"`` or ``"FE"``.
    outcome : str
        The outcome (its change is what each unit's design compares).
    min_persons : int
        Fewest participants and non-participants a unit needs.
    result : PooledResult or None
        The fitted model (:func:`evaluation.estimate.pool`); None when read back from the
        briefs' cache (:mod:`evaluation.analysis.briefs`), which keeps the results only.
    """

    units: pd.DataFrame
    overall: Interval
    prediction: tuple[float, float]
    tau2: float
    i2: float
    q_p_value: float
    method: str
    outcome: str
    min_persons: int
    result: estimate.PooledResult | None

    @property
    def estimated(self) -> pd.DataFrame:
        """The units whose estimate entered the model (a copy)."""
        return self.units[self.units["status"] == ESTIMATED].reset_index(drop=True)

    @property
    def too_small(self) -> pd.DataFrame:
        """The units too small to estimate, with the reason (a copy)."""
        return self.units[self.units["status"] != ESTIMATED].reset_index(drop=True)

    @property
    def tau(self) -> float:
        """Standard deviation of the true effects across units."""
        return float(np.sqrt(self.tau2))


def _rank_intervals(
    estimates: np.ndarray, std_errors: np.ndarray, *, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rank (1 = largest) of each estimate and the 2.5 / 97.5 % quantiles of its drawn rank.

    Draws each unit's true effect from a normal around its shrunk effect with its standard
    error, independently (the units' shared dependence on the overall effect moves them
    together and leaves ranks alone, to first order).
    """
    order = np.argsort(-estimates, kind="stable")
    rank = np.empty(len(estimates), dtype=int)
    rank[order] = np.arange(1, len(estimates) + 1)
    rng = np.random.default_rng(seed)
    drawn = rng.normal(estimates, std_errors, size=(draws, len(estimates)))
    ranks = (-drawn).argsort(axis=1).argsort(axis=1) + 1
    low, high = np.quantile(ranks, [0.025, 0.975], axis=0, method="inverted_cdf")
    return rank, low.astype(int), high.astype(int)


def pool_unit_effects(
    people: pd.DataFrame,
    *,
    unit: str = "ministry",
    outcome: str = PRIMARY,
    min_persons: int = 10,
    method: PoolMethod = "REML",
    seed: int = 0,
    draws: int = RANK_DRAWS,
) -> PooledUnitEffects | None:
    """Unit effects (:func:`unit_effects`) pooled by a random-effects meta-analysis.

    Parameters
    ----------
    people : pandas.DataFrame
        The impact population.
    unit, outcome, min_persons :
        As in :func:`unit_effects`.
    method : {"REML", "DL", "FE"}
        Between-unit variance estimator of :func:`evaluation.estimate.pool`.
    seed : int
        Seed of the draws behind the rank intervals.
    draws : int
        Number of those draws.

    Returns
    -------
    PooledUnitEffects or None
        None when fewer than two units can be estimated (nothing to pool).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> people = pd.DataFrame(
    ...     {
    ...         "ministry": np.repeat(["A", "B", "C", "D"], 60),
    ...         "treat": np.tile([1, 0], 120),
    ...         "completions_90d_change": rng.normal(0, 1, 240),
    ...     }
    ... )
    >>> people.loc[people["treat"] == 1, "completions_90d_change"] += 0.5
    >>> pooled = pool_unit_effects(people)
    >>> len(pooled.estimated), pooled.units["rank"].tolist()
    (4, [1, 2, 3, 4])
    >>> bool(pooled.overall.low < 0.5 < pooled.overall.high)
    True
    """
    table = unit_effects(people, unit=unit, outcome=outcome, min_persons=min_persons)
    usable = table[table["status"] == ESTIMATED]
    if len(usable) < 2:
        return None
    result = estimate.pool(
        usable, estimate="observed", std_error="observed_std_error", label="unit", method=method
    )
    tidy = result.tidy()
    shrunk = tidy[tidy["term"] != OVERALL_TERM].rename(columns={"term": "unit"})
    shrunk = shrunk[["unit", "estimate", "std_error", "conf_low", "conf_high", "shrinkage"]]
    rank, low, high = _rank_intervals(
        shrunk["estimate"].to_numpy(), shrunk["std_error"].to_numpy(), draws=draws, seed=seed
    )
    shrunk = shrunk.assign(rank=rank, rank_low=low, rank_high=high)
    units = table.merge(shrunk, on="unit", how="left")
    for column in ("rank", "rank_low", "rank_high"):
        units[column] = units[column].astype("Int64")
    skipped = set(result.skipped["label"].astype(str))  # e.g. a standard error pool refuses
    if skipped:
        dropped = units["unit"].isin(skipped)
        units.loc[dropped, "status"] = TOO_SMALL
        units.loc[dropped, "reason"] = "no usable standard error"
    units = pd.concat(
        [
            units[units["status"] == ESTIMATED].sort_values(["rank", "unit"]),
            units[units["status"] != ESTIMATED].sort_values("unit"),
        ],
        ignore_index=True,
    )
    overall = tidy.iloc[0]
    return PooledUnitEffects(
        units=units,
        overall=Interval(
            float(overall["estimate"]), float(overall["conf_low"]), float(overall["conf_high"])
        ),
        prediction=result.prediction_interval(),
        tau2=result.tau2,
        i2=result.i2,
        q_p_value=result.q_p_value,
        method=method,
        outcome=outcome,
        min_persons=min_persons,
        result=result,
    )


@dataclass(frozen=True)
class UnitStanding:
    """One unit's place among the pooled units (:func:`unit_standing`).

    Attributes
    ----------
    unit : str
        The unit.
    estimable : bool
        Whether its effect could be estimated; when not, ``reason`` says why and the numbers
        below are None.
    reason : str
        Why it is too small to estimate (empty otherwise).
    effect : Interval or None
        Its shrunk effect and 95 % interval.
    observed : float or None
        Its own estimate before shrinking.
    overall : Interval
        The overall effect across units.
    strength : str or None
        How sure, in the verdict's words (:func:`evaluation.analysis.verdict.decide`), e.g.
        ``"Taking part probably raised"``.
    rank, rank_low, rank_high : int or None
        Its rank by shrunk effect (1 = largest) and the 95 % interval of the rank.
    of : int
        Units with an estimate.
    """

    unit: str
    estimable: bool
    reason: str
    effect: Interval | None
    observed: float | None
    overall: Interval
    strength: str | None
    rank: int | None
    rank_low: int | None
    rank_high: int | None
    of: int


def unit_standing(pooled: PooledUnitEffects, unit: str) -> UnitStanding:
    """Where ``unit`` stands: its shrunk effect, how sure, and its rank with an interval.

    How sure uses the verdict's rule on the unit's shrunk interval alone. A unit's estimate
    rests on one design with no second design to agree with it, so the rule never calls it
    strong: at best "probably" (and the national checks, pre-trends and placebo, are in the
    impact report, not repeated per unit).

    Raises
    ------
    ValueError
        When ``unit`` is not among the pooled units.
    """
    rows = pooled.units[pooled.units["unit"] == unit]
    if rows.empty:
        raise ValueError(f"{unit!r} is not among the units: no staff in the impact population")
    row = rows.iloc[0]
    of = int((pooled.units["status"] == ESTIMATED).sum())
    if row["status"] != ESTIMATED:
        return UnitStanding(
            unit, False, str(row["reason"]), None, None, pooled.overall, None, None, None, None, of
        )
    effect = Interval(float(row["estimate"]), float(row["conf_low"]), float(row["conf_high"]))
    verdict = decide(Evidence(did=effect))
    return UnitStanding(
        unit=unit,
        estimable=True,
        reason="",
        effect=effect,
        observed=float(row["observed"]),
        overall=pooled.overall,
        strength=verdict.strength if verdict is not None else None,
        rank=int(row["rank"]),
        rank_low=int(row["rank_low"]),
        rank_high=int(row["rank_high"]),
        of=of,
    )
