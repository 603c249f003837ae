"""``estimate.aipw``'s logit ATT fitted from cell moments equals its fit on every row.

At national scale 03_impact fits this ATT about twenty times (each outcome, each Group, each
large ministry, each ministry left out) on a crore of rows; on the rows each fit builds several
n x k matrices. With discrete traits (tenure in whole days is one) the rows compress to cells
and the fit needs only their moments (:mod:`evaluation.estimate.cell_designs`). These tests
hold the automatic choice to the row fit it replaces: estimates to 1e-10, standard errors to
1e-8 relative, the same per-row propensity scores and the same refusals.
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
    data = people(n=20_000, seed=11)
    rng = np.random.default_rng(4)
    # tenure in whole days as 03_impact has it (days / 365.25): a number, entered linearly
    days = rng.integers(200, 215, size=len(data))
    data["tenure_years"] = days / 365.25
    data.loc[rng.random(len(data)) < 0.05, "y"] = np.nan  # incomplete rows are left out
    return data


COVARIATES = [*TRAITS, "tenure_years"]


def fit(frame: pd.DataFrame, by_cells: bool | None, covariates=COVARIATES):
    return estimate.aipw(
        frame,
        outcome="y",
        treatment="treat",
        covariates=covariates,
        estimand="ATT",
        by_cells=by_cells,
    )


def test_cells_equal_rows(frame):
    rows, cells = fit(frame, False), fit(frame, True)
    assert "n_cells" not in rows.details
    assert 0 < cells.details["n_cells"] * ROWS_PER_CELL < cells.nobs  # compressed
    a, b = cells.tidy().iloc[0], rows.tidy().iloc[0]
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-8, atol=0)
    assert cells.nobs == rows.nobs == int(frame["y"].notna().sum())
    assert cells.details["n_treated"] == rows.details["n_treated"]
    assert cells.method == rows.method and cells.se_type == rows.se_type
    # the per-row scores the overlap diagnostics read, in the rows' order
    np.testing.assert_allclose(cells.propensity, rows.propensity, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(cells.treated, rows.treated)


def test_automatic_choice_uses_cells_when_rows_compress(frame):
    assert "n_cells" in fit(frame, None).details


def test_automatic_choice_fits_rows_when_they_do_not(frame):
    spread = frame.assign(score=np.random.default_rng(2).normal(size=len(frame)))
    result = fit(spread, None, covariates=[*TRAITS, "score"])  # one cell per row
    assert "n_cells" not in result.details
    forced = fit(spread, True, covariates=[*TRAITS, "score"])
    np.testing.assert_allclose(
        forced.tidy()["estimate"], result.tidy()["estimate"], rtol=0, atol=1e-10
    )


def test_category_columns_with_unused_levels(frame):
    # a subset of a frame whose text columns are categories keeps levels no row has
    coded = frame.astype({"group": "category", "org_type": "category"})
    part = coded[coded["group"] != "C"]
    assert "C" in part["group"].cat.categories
    plain = frame[frame["group"] != "C"]
    for by_cells in (True, False):
        a, b = fit(part, by_cells).tidy().iloc[0], fit(plain, False).tidy().iloc[0]
        np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(a["std_error"], b["std_error"], rtol=1e-8, atol=0)


def test_refusals_are_the_rows_refusals(frame):
    twin = frame.assign(group_copy=frame["group"])  # the same dummies twice
    for by_cells in (True, False):
        with pytest.raises(ValueError, match="collinear") as caught:
            fit(twin, by_cells, covariates=[*COVARIATES, "group_copy"])
        if by_cells:
            cell_message = str(caught.value)
        else:
            assert str(caught.value) == cell_message
    one_arm = frame.assign(treat=1)
    for by_cells in (True, False):
        with pytest.raises(ValueError, match="treat"):
            fit(one_arm, by_cells)


def test_cells_need_the_logit_att_with_one_covariate_set(frame):
    with pytest.raises(ValueError, match="by_cells"):
        estimate.aipw(
            frame, outcome="y", treatment="treat", covariates=TRAITS, estimand="ATE", by_cells=True
        )
    with pytest.raises(ValueError, match="by_cells"):
        estimate.aipw(
            frame,
            outcome="y",
            treatment="treat",
            covariates=TRAITS,
            propensity_covariates=["group"],
            estimand="ATT",
            by_cells=True,
        )
