"""Monte Carlo of the impact estimators on small simulated data with a planted effect.

Self-selection is built in: the people (or units) who take part differ in ways that also move
the outcome, so the naive treated-minus-untreated difference is biased while each estimator,
under its own assumptions, is not. For every estimator the run reports the bias (with its Monte
Carlo standard error), the coverage of the nominal 95 % interval, the mean standard error and the
standard deviation of the estimates.

Run ``python -m benchmarks.montecarlo --reps 1000`` (two worker processes by default).

Measured 2026-11-28, 1000 replications, n = 500 people / 200 units x 6 periods, seed 7:
coverage 92.6 % (IPW ATT) to 96.6 % (matching ATE), every |bias| < 1.8 Monte Carlo SEs, naive
difference bias +0.95 with 0 % coverage. IPW ATT's sandwich SE runs ~10 % below the Monte Carlo
SD at this n (heavy weights), hence its slight under-coverage; with seed 20241019 it covered
93.7 %. Without the matching bias adjustment, matching bias was 4-6 Monte Carlo SEs.
"""

from __future__ import annotations

import argparse
import multiprocessing
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "PLANTED_EFFECT",
    "simulate_cross_section",
    "simulate_panel",
    "simulate_staggered_panel",
    "ESTIMATORS",
    "run_replication",
    "summarise",
    "run",
    "main",
]

#: The effect planted in every simulated data set.
PLANTED_EFFECT = 0.5


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def simulate_cross_section(
    n: int, rng: np.random.Generator, effect: float = PLANTED_EFFECT
) -> pd.DataFrame:
    """People who self-select into the week on traits that also raise the outcome.

    ``x1`` (e.g. prior engagement) raises both the chance of taking part and the outcome, so the
    naive difference overstates ``effect``; selection is logistic in ``x1``, ``x2`` and group,
    and the outcome is linear in them, so RA, IPW, AIPW and matching are all consistent.
    """
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    group = rng.choice(["A", "B", "C"], size=n, p=[0.2, 0.5, 0.3])
    group_shift = np.select([group == "A", group == "B"], [0.4, 0.0], -0.3)
    treated = (rng.random(n) < _expit(-0.3 + 0.9 * x1 + 0.4 * x2 + group_shift)).astype(int)
    y = 1.0 + 1.0 * x1 + 0.5 * x2 + group_shift + effect * treated + rng.normal(size=n)
    return pd.DataFrame({"y": y, "treated": treated, "x1": x1, "x2": x2, "group": group})


def simulate_panel(
    n_units: int,
    n_periods: int,
    rng: np.random.Generator,
    effect: float = PLANTED_EFFECT,
    first_treated: int | None = None,
) -> pd.DataFrame:
    """A unit-by-period panel; units with a high fixed level select into one treatment date.

    Parallel trends hold (selection is on the level ``alpha``, not the trend), so TWFE DiD and
    the event study are unbiased while a naive post-period comparison is not.
    """
    first_treated = first_treated or n_periods // 2
    alpha = rng.normal(size=n_units)
    treated_unit = rng.random(n_units) < _expit(-0.3 + 1.2 * alpha)
    cohort = np.where(treated_unit, first_treated, 0)
    return _panel_outcomes(alpha, cohort, n_periods, rng, effect)


def simulate_staggered_panel(
    n_units: int, n_periods: int, rng: np.random.Generator, effect: float = PLANTED_EFFECT
) -> pd.DataFrame:
    """Staggered adoption: units select into one of three start dates or never, on ``alpha``."""
    alpha = rng.normal(size=n_units)
    adopter = rng.random(n_units) < _expit(-0.2 + 1.0 * alpha)
    starts = np.array([3, 4, 5]) if n_periods >= 6 else np.array([2, 3])
    cohort = np.where(adopter, rng.choice(starts, size=n_units), 0)
    return _panel_outcomes(alpha, cohort, n_periods, rng, effect)


def _panel_outcomes(
    alpha: np.ndarray, cohort: np.ndarray, n_periods: int, rng: np.random.Generator, effect: float
) -> pd.DataFrame:
    n_units = len(alpha)
    unit = np.repeat(np.arange(n_units), n_periods)
    period = np.tile(np.arange(1, n_periods + 1), n_units)
    cohort_long = np.repeat(cohort, n_periods)
    treated_now = ((cohort_long > 0) & (period >= cohort_long)).astype(int)
    common_trend = 0.1 * period
    y = (
        np.repeat(alpha, n_periods)
        + common_trend
        + effect * treated_now
        + rng.normal(scale=0.5, size=len(unit))
    )
    return pd.DataFrame(
        {"y": y, "unit": unit, "period": period, "cohort": cohort_long, "treated": treated_now}
    )


@dataclass(frozen=True)
class Draw:
    """One estimate from one replication."""

    estimator: str
    estimate: float
    std_error: float
    conf_low: float
    conf_high: float


def _row(name: str, result: object, term: str) -> Draw:
    tidy = result.tidy().set_index("term").loc[term]
    return Draw(name, tidy["estimate"], tidy["std_error"], tidy["conf_low"], tidy["conf_high"])


def _naive(frame: pd.DataFrame) -> Draw:
    from evaluation import estimate

    return _row("naive difference", estimate.ols(frame, "y ~ treated"), "treated")


def _cross_section_draws(rng: np.random.Generator, n: int) -> list[Draw]:
    from evaluation import estimate

    frame = simulate_cross_section(n, rng)
    common = {"outcome": "y", "treatment": "treated", "covariates": ["x1", "x2", "group"]}
    return [
        _naive(frame),
        _row("IPW ATE", estimate.ipw(frame, **common), "ATE"),
        _row("IPW ATT", estimate.ipw(frame, **common, estimand="ATT"), "ATT"),
        _row("AIPW ATE", estimate.aipw(frame, **common), "ATE"),
        _row("AIPW ATT", estimate.aipw(frame, **common, estimand="ATT"), "ATT"),
        _row("matching ATT", estimate.match(frame, **common), "ATT"),
        _row("matching ATE", estimate.match(frame, **common, estimand="ATE"), "ATE"),
    ]


def _panel_draws(rng: np.random.Generator, n_units: int) -> list[Draw]:
    from evaluation import estimate

    panel = simulate_panel(n_units, 6, rng)
    staggered = simulate_staggered_panel(n_units, 6, rng)
    ids = {"outcome": "y", "unit": "unit", "time": "period"}
    events = estimate.event_study(panel, cohort="cohort", **ids)
    return [
        _row("TWFE DiD", estimate.did(panel, treatment="treated", **ids), "treated"),
        _row("event study (e=0)", events, "event_time=0"),
        _row("event study (e=-2, truth 0)", events, "event_time=-2"),
        _row("staggered DiD", estimate.staggered_did(staggered, cohort="cohort", **ids), "ATT"),
    ]


def run_replication(seed: int, n: int = 500, n_units: int = 200) -> list[Draw]:
    """One replication: fresh cross-section and panels drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _cross_section_draws(rng, n) + _panel_draws(rng, n_units)


#: Estimators covered, for documentation and tests.
ESTIMATORS: tuple[str, ...] = (
    "naive difference",
    "IPW ATE",
    "IPW ATT",
    "AIPW ATE",
    "AIPW ATT",
    "matching ATT",
    "matching ATE",
    "TWFE DiD",
    "event study (e=0)",
    "event study (e=-2, truth 0)",
    "staggered DiD",
)


def _truth(estimator: str) -> float:
    return 0.0 if "truth 0" in estimator else PLANTED_EFFECT


def summarise(draws: list[Draw]) -> pd.DataFrame:
    """Bias, its Monte Carlo standard error, 95 % coverage and SE calibration per estimator."""
    frame = pd.DataFrame([d.__dict__ for d in draws])
    frame["truth"] = frame["estimator"].map(_truth)
    frame["error"] = frame["estimate"] - frame["truth"]
    frame["covered"] = (frame["conf_low"] <= frame["truth"]) & (
        frame["truth"] <= frame["conf_high"]
    )
    grouped = frame.groupby("estimator", sort=False)
    summary = pd.DataFrame(
        {
            "reps": grouped.size(),
            "truth": grouped["truth"].first(),
            "bias": grouped["error"].mean(),
            "bias_mc_se": grouped["error"].std(ddof=1) / np.sqrt(grouped.size()),
            "coverage": grouped["covered"].mean(),
            "mean_se": grouped["std_error"].mean(),
            "sd_estimate": grouped["estimate"].std(ddof=1),
        }
    )
    summary["bias_in_mc_se"] = summary["bias"] / summary["bias_mc_se"]
    return summary.reset_index()


def run(
    reps: int,
    *,
    seed: int = 20241019,
    workers: int = 2,
    n: int = 500,
    n_units: int = 200,
    progress: Callable[[int], None] | None = None,
) -> pd.DataFrame:
    """Run ``reps`` replications (seeds ``seed + r``) and summarise them."""
    seeds = [seed + r for r in range(reps)]
    draws: list[Draw] = []
    if workers <= 1:
        results = (run_replication(s, n, n_units) for s in seeds)
        for done, batch in enumerate(results, 1):
            draws.extend(batch)
            if progress:
                progress(done)
    else:
        # spawn, not fork: forking a process that already runs BLAS / numba threads can deadlock
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            batches = pool.map(run_replication, seeds, [n] * reps, [n_units] * reps, chunksize=10)
            for done, batch in enumerate(batches, 1):
                draws.extend(batch)
                if progress and done % 50 == 0:
                    progress(done)
    return summarise(draws)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    """Command-line entry point: print (and optionally write) the summary table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20241019)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--n", type=int, default=500, help="people per cross-section")
    parser.add_argument("--units", type=int, default=200, help="units per panel")
    parser.add_argument("--out", default=None, help="optional CSV path for the summary")
    args = parser.parse_args(argv)
    summary = run(
        args.reps,
        seed=args.seed,
        workers=args.workers,
        n=args.n,
        n_units=args.units,
        progress=lambda done: print(f"  {done} replications done", flush=True),
    )
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(summary.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if args.out:
        summary.to_csv(args.out, index=False)
    return summary


if __name__ == "__main__":
    main()
