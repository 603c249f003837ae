"""``estimate.match`` from cell moments (propensity, bias adjustment) equals the row fit.

03_impact matches on each person's change at national scale (1.32 crore rows): the row fit
built a design matrix of every row for the propensity logit and both arms' regressions
(+4.2 GB at scale 1). With discrete traits people in one cell share a score and a prediction,
so the cells' moments give the same matching (:func:`evaluation.estimate.matching._fit_by_cells`).
Held to the row fit: estimates to 1e-10, standard errors to 1e-8 relative, the same per-row
scores, weights and refusals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.moments_data import TRAITS, people

from evaluation import estimate
from evaluation.estimate.treatment_effects import ROWS_PER_CELL


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    data = people(n=12_000, seed=21)
    rng = np.random.default_rng(5)
    data["tenure_years"] = rng.integers(200, 212, size=len(data)) / 365.25  # whole days
    data.loc[rng.random(len(data)) < 0.05, "y"] = np.nan  # incomplete rows are left out
    return data


COVARIATES = [*TRAITS, "tenure_years"]


def fit(frame: pd.DataFrame, by_cells: bool | None, covariates=COVARIATES, **options):
    return estimate.match(
        frame, outcome="y", treatment="treat", covariates=covariates, by_cells=by_cells, **options
    )


def assert_same(cells, rows) -> None:
    a, b = cells.tidy().iloc[0], rows.tidy().iloc[0]
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-8, atol=0)
    assert cells.nobs == rows.nobs and cells.n_unmatched == rows.n_unmatched
    assert cells.method == rows.method and cells.se_type == rows.se_type
    np.testing.assert_allclose(cells.propensity, rows.propensity, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(cells.treated, rows.treated)
    np.testing.assert_allclose(cells.match_weights, rows.match_weights, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {},  # 03_impact's call: ATT, one neighbour, bias-adjusted
        {"bias_adjust": False},
        {"estimand": "ATE", "neighbours": 2},
        {"caliper": 0.01},
    ],
)
def test_cells_equal_rows(frame, options):
    rows, cells = fit(frame, False, **options), fit(frame, True, **options)
    assert "n_cells" not in rows.details
    assert 0 < cells.details["n_cells"] * ROWS_PER_CELL < cells.nobs  # compressed
    assert_same(cells, rows)


def test_automatic_choice(frame):
    assert "n_cells" in fit(frame, None).details
    spread = frame.assign(score=np.random.default_rng(3).normal(size=len(frame)))
    continuous = fit(spread, None, covariates=[*TRAITS, "score"])  # one cell per row
    assert "n_cells" not in continuous.details
    assert "n_cells" not in fit(frame, None, propensity_model="probit").details


def test_category_columns_and_refusals(frame):
    coded = frame.astype({"group": "category"})
    part = coded[coded["group"] != "C"]  # a level no row has
    assert_same(fit(part, True), fit(part, False))
    with pytest.raises(ValueError, match="needs propensity_model='logit'"):
        fit(frame, True, propensity_model="probit")
    twice = frame.assign(again=frame["tenure_years"] * 2)  # collinear, refused by both
    for by_cells in (True, False):
        with pytest.raises(ValueError, match="collinear"):
            fit(twice, by_cells, covariates=[*COVARIATES, "again"])
