"""Cell-moment designs equal their person-level fits (issue 18 part 2).

Each person-level fit is the workbench's own estimator on the same rows; the cell version
reads only the per-(arm, trait cell) moments computed by DuckDB through Ibis. Tolerances:
estimates 1e-10 (absolute), standard errors 1e-8 (relative).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from support.moments_data import TRAITS, people

from evaluation import estimate
from evaluation.estimate.cell_designs import (
    arm_cells,
    cell_aipw_att,
    cell_ipw,
    cell_propensity,
    exact_match_att,
)
from evaluation.estimate.treatment_effects import design_matrix, fit_propensity


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return people()


@pytest.fixture(scope="module")
def cells(frame: pd.DataFrame):
    # through the engine: an Ibis table on DuckDB, as at national scale
    return arm_cells(ibis.memtable(frame), outcome="y", treatment="treat", covariates=TRAITS)


def close(cell: pd.Series, person: pd.Series) -> None:
    np.testing.assert_allclose(cell["estimate"], person["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(cell["std_error"], person["std_error"], rtol=1e-8, atol=0)


def test_propensity_equals_person_logit(frame, cells):
    person = fit_propensity(frame["treat"].to_numpy(), design_matrix(frame, TRAITS), "logit")
    cell = cell_propensity(cells)
    np.testing.assert_allclose(cell.coef().to_numpy(), person.params.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(cell.se().to_numpy(), person.bse.to_numpy(), rtol=1e-8)
    assert list(cell.coef().index) == list(person.params.index)
    assert cell.details["n_cells"] == 24


@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
def test_ipw_equals_person_ipw(frame, cells, estimand):
    person = estimate.ipw(
        frame, outcome="y", treatment="treat", covariates=TRAITS, estimand=estimand
    ).tidy()
    cell = cell_ipw(cells, estimand=estimand).tidy()
    for row in range(2):  # the effect and the control potential-outcome mean
        close(cell.iloc[row], person.iloc[row])


def test_aipw_att_equals_person_aipw(frame, cells):
    person = estimate.aipw(
        frame, outcome="y", treatment="treat", covariates=TRAITS, estimand="ATT", by_cells=False
    ).tidy()
    cell = cell_aipw_att(cells).tidy()
    close(cell.iloc[0], person.iloc[0])


@pytest.mark.parametrize("bias_adjust", [True, False])
def test_exact_matching_equals_person_matching(frame, cells, bias_adjust):
    person = estimate.match(
        frame, outcome="y", treatment="treat", covariates=TRAITS, bias_adjust=bias_adjust
    )
    # nearest-neighbour matching on the score is exact matching only if cells' scores differ
    assert pd.Series(person.propensity).round(12).nunique() == 12
    close(exact_match_att(cells).tidy().iloc[0], person.tidy().iloc[0])


def test_exact_matching_by_hand():
    # two cells; ATT = (2*1 + 1*3)/3; variance from within-cell spreads (module docstring)
    frame = pd.DataFrame(
        {
            "c": ["a"] * 5 + ["b"] * 4,
            "treat": [1, 1, 0, 0, 0, 1, 0, 0, 0],
            "y": [3.0, 5.0, 2.0, 3.0, 4.0, 7.0, 3.0, 4.0, 5.0],
        }
    )
    result = exact_match_att(arm_cells(frame, outcome="y", treatment="treat", covariates=["c"]))
    # cell a: treated mean 4, control mean 3 (diff 1); cell b: 7 - 4 = 3
    att = (2 * 1 + 1 * 3) / 3
    spread = (2 + 2 * (1 - att) ** 2) + (0 + 1 * (3 - att) ** 2)
    reuse = 2 * 1 * 2 / (3 * 2)  # cell a: n1 (n1-1) SSW0 / (n0 (n0-1)); cell b: n1 = 1 adds 0
    assert result.coef()["ATT"] == pytest.approx(att, abs=1e-12)
    assert result.se()["ATT"] == pytest.approx(np.sqrt(spread + reuse) / 3, rel=1e-12)


def test_exact_matching_counts_cells_without_controls():
    frame = pd.DataFrame(
        {"c": ["a"] * 4 + ["b"], "treat": [1, 0, 0, 0, 1], "y": [3.0, 2.0, 3.0, 4.0, 9.0]}
    )
    result = exact_match_att(arm_cells(frame, outcome="y", treatment="treat", covariates=["c"]))
    assert result.n_unmatched == 1
    assert result.coef()["ATT"] == pytest.approx(0.0, abs=1e-12)


def test_one_control_in_a_cell_is_refused():
    frame = pd.DataFrame(
        {"c": ["a", "a", "b", "b", "b"], "treat": [1, 0, 1, 0, 0], "y": [1.0, 2, 3, 4, 6]}
    )
    with pytest.raises(ValueError, match="one non-participant only"):
        exact_match_att(arm_cells(frame, outcome="y", treatment="treat", covariates=["c"]))


def test_one_arm_is_refused():
    frame = pd.DataFrame({"c": ["a", "b"], "treat": [1, 1], "y": [1.0, 2.0]})
    with pytest.raises(ValueError, match="one arm"):
        arm_cells(frame, outcome="y", treatment="treat", covariates=["c"])


def test_planted_effect_is_covered():
    # the planted ATT is 1.5; each design's 95 % interval covers it on a fresh draw
    cells = arm_cells(people(n=20000, seed=11), outcome="y", treatment="treat", covariates=TRAITS)
    for result in (cell_ipw(cells, estimand="ATT"), cell_aipw_att(cells), exact_match_att(cells)):
        low, high = result.confint().iloc[0]
        assert low < 1.5 < high, result.method
        assert abs(result.coef().iloc[0] - 1.5) < 0.15
