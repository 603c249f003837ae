"""Small worlds with discrete traits for the moments tests (cell designs, staggered DiD)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Discrete traits of :func:`people`.
TRAITS = ["group", "org_type", "took_part_before"]
#: Periods of :func:`panel`.
PERIODS = list(range(1, 7))


def people(n: int = 6000, seed: int = 3, effect: float = 1.5) -> pd.DataFrame:
    """Persons with three discrete traits; participation and outcome depend on them.

    The planted effect on participants is ``effect``; outcomes are counts plus noise.
    """
    rng = np.random.default_rng(seed)
    group = rng.choice(["A", "B", "C"], size=n, p=[0.5, 0.3, 0.2])
    org = rng.choice(["central", "state"], size=n)
    before = rng.binomial(1, 0.4, size=n)
    index = (
        -0.6 + 0.5 * (group == "B") - 0.4 * (group == "C") + 0.3 * (org == "state") + 0.8 * before
    )
    treat = rng.binomial(1, 1 / (1 + np.exp(-index)))
    base = 2 + 1.0 * (group == "B") + 0.5 * (org == "state") + 1.2 * before
    y = base + effect * treat + rng.normal(0, 2, size=n)
    return pd.DataFrame(
        {"group": group, "org_type": org, "took_part_before": before, "treat": treat, "y": y}
    )


def panel(n: int = 900, seed: int = 5, effect: float = 1.0) -> pd.DataFrame:
    """A balanced person x period panel: cohorts 3 and 5 and never treated (0).

    Joining depends on two discrete traits, which also shift the outcome's trend (so the
    covariates matter); the planted effect is ``effect`` in every treated period.
    """
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(1, 0.5, size=n)
    x2 = rng.integers(0, 3, size=n)
    index = -0.5 + 0.6 * x1 - 0.3 * x2
    joins = rng.random(n) < 1 / (1 + np.exp(-index))
    cohort = np.where(joins, rng.choice([3, 5], size=n), 0)
    level = rng.normal(2, 1, size=n)
    rows = []
    for t in PERIODS:
        trend = 0.2 * t * (1 + 0.5 * x1) + 0.1 * t * x2
        treated = (cohort > 0) & (t >= cohort)
        mean = np.maximum(level + trend + effect * treated, 0.1)
        y = rng.poisson(mean).astype(float)
        rows.append(
            pd.DataFrame(
                {"unit": np.arange(n), "time": t, "y": y, "cohort": cohort, "x1": x1, "x2": x2}
            )
        )
    return pd.concat(rows, ignore_index=True)
