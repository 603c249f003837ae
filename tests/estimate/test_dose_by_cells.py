"""``estimate.dose_response`` fitted from cell moments equals its fit on every row.

With discrete covariates (03_impact's: tenure in whole days, an earlier edition, Group,
organisation type) the bins-plus-covariates regression compresses to one row per distinct
regressor value; :func:`~evaluation.estimate.compressed.compressed_ols` then gives pyfixest's
estimates (1e-10) and standard errors (1e-8 relative) for every variance convention.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.moments_data import TRAITS, people

from evaluation import estimate


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = people(n=20_000, seed=5)
    rng = np.random.default_rng(6)
    data["tenure_years"] = rng.integers(200, 215, size=len(data)) / 365.25
    hours = np.where(data["treat"] == 1, rng.choice([1.0, 2.5, 4.0, 6.0, 9.0], len(data)), 0.0)
    data["hours"] = hours
    data["y"] = data["y"] + 0.1 * hours
    data["office"] = rng.integers(0, 60, size=len(data))  # clusters
    data.loc[rng.random(len(data)) < 0.03, "y"] = np.nan
    return data


def fit(frame, by_cells, **options):
    return estimate.dose_response(
        frame,
        outcome="y",
        dose="hours",
        covariates=[*TRAITS, "tenure_years"],
        bins=[0.0, np.nextafter(0.0, 1.0), 4.0, 8.0, 10.0],
        by_cells=by_cells,
        **options,
    )


@pytest.mark.parametrize(
    "options", [{"vcov": "HC1"}, {"vcov": "iid"}, {"vcov": "HC3"}, {"cluster": "office"}]
)
def test_cells_equal_rows(frame, options):
    rows, cells = fit(frame, False, **options), fit(frame, True, **options)
    a, b = cells.tidy(), rows.tidy()
    numbers = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    # the terms, bins and counts are the same
    pd.testing.assert_frame_equal(a.drop(columns=numbers), b.drop(columns=numbers))
    assert len(a) == 3
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
    for column in ("std_error", "conf_low", "conf_high"):
        np.testing.assert_allclose(a[column], b[column], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(cells.vcov, rows.vcov, rtol=1e-8, atol=1e-15)
    assert cells.nobs == rows.nobs and cells.df == rows.df


def test_automatic_choice(frame):
    automatic = fit(frame, None).tidy()
    np.testing.assert_array_equal(automatic["estimate"], fit(frame, True).tidy()["estimate"])
    spread = frame.assign(tenure_years=np.random.default_rng(1).normal(size=len(frame)))
    automatic = fit(spread, None).tidy()  # one cell per row: the rows are fitted
    np.testing.assert_array_equal(automatic["estimate"], fit(spread, False).tidy()["estimate"])
