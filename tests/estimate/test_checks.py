"""Estimator input checks: each bad design is refused with a ValueError that names it.

Before ``evaluation.estimate.checks`` these failed far from their cause: a constant covariate
as ``LinAlgError: Singular matrix`` inside statsmodels, an all-missing one as ``KeyError: 'pop
from an empty set'``, a DiD covariate missing everywhere as a panic inside pyfixest, collinear
or separating covariates as a "did not converge" warning and a meaningless estimate.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.analysis.impact import BASELINE
from evaluation.estimate import checks
from evaluation.estimate.treatment_effects import design_matrix

N = 600


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    """A person frame shaped like the impact report's: its baseline columns, a change outcome."""
    rng = np.random.default_rng(17)
    tenure = rng.uniform(0.5, 3.5, N)
    group = rng.choice(["A", "B", "C"], N)
    org_type = rng.choice(["central", "state"], N)
    treat = (rng.random(N) < 1 / (1 + np.exp(-(tenure - 2)))).astype(int)
    return pd.DataFrame(
        {
            "tenure_years": tenure,
            # 0 for every person: 2024 has no earlier edition (the example)
            "took_part_before": np.zeros(N, dtype=int),
            "group": group,
            "org_type": org_type,
            "treat": treat,
            "completions_90d_change": 0.8 * treat + 0.3 * tenure + rng.normal(size=N),
            "x": rng.normal(size=N),
            "unit": np.arange(N) // 2,
            "period": np.arange(N) % 2,
            "hours": np.where(treat == 1, rng.gamma(2.0, 2.0, N), 0.0),
        }
    )


def _raises(message: str):
    """``pytest.raises`` for exactly this message (no regex surprises)."""
    return pytest.raises(ValueError, match=f"^{re.escape(message)}$")


SELECTION_ON_OBSERVABLES = [
    pytest.param(lambda d, **kw: estimate.aipw(d, **kw), id="aipw-ATE"),
    pytest.param(lambda d, **kw: estimate.aipw(d, **kw, estimand="ATT"), id="aipw-ATT"),
    pytest.param(lambda d, **kw: estimate.ipw(d, **kw), id="ipw"),
    pytest.param(lambda d, **kw: estimate.regression_adjustment(d, **kw), id="ra"),
    pytest.param(lambda d, **kw: estimate.match(d, **kw), id="match"),
]


# -- the example ---------------------------------------------------------------------


@pytest.mark.parametrize("fit", SELECTION_ON_OBSERVABLES)
def test_the_reports_baseline_list_with_a_constant_covariate_names_it(people, fit):
    # the report's own list, unfiltered: took_part_before is 0 for everyone
    assert "took_part_before" in BASELINE
    with _raises("covariate 'took_part_before' is constant (0 for every row); drop it"):
        fit(
            people,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=BASELINE,
        )


def test_dropping_the_named_covariate_is_the_fix(people):
    kept = [c for c in BASELINE if c != "took_part_before"]
    result = estimate.aipw(
        people, outcome="completions_90d_change", treatment="treat", covariates=kept
    )
    assert np.isfinite(result.coef()["ATE"]) and np.isfinite(result.se()["ATE"])


def test_a_constant_covariate_is_named_by_dose_response_and_did_too(people):
    message = "covariate 'took_part_before' is constant (0 for every row); drop it"
    with _raises(message):
        estimate.dose_response(
            people, outcome="completions_90d_change", dose="hours", covariates=BASELINE
        )
    panel = people.assign(d=people["treat"] * people["period"])
    with _raises(message):
        estimate.did(
            panel,
            outcome="completions_90d_change",
            treatment="d",
            unit="unit",
            time="period",
            covariates=["x", "took_part_before"],
        )


def test_several_constant_covariates_are_all_named(people):
    frame = people.assign(level=1.5)
    with _raises(
        "covariates 'took_part_before' and 'level' are constant ('took_part_before' is 0, "
        "'level' is 1.5 in every row); drop them"
    ):
        estimate.ipw(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "took_part_before", "level"],
        )


def test_a_constant_text_covariate_adds_no_column_and_is_allowed(people):
    # estimators fitted on one ministry keep working: org_type is one value inside it
    one_type = people.assign(org_type="central")
    kwargs = {"outcome": "completions_90d_change", "treatment": "treat"}
    with_it = estimate.aipw(one_type, **kwargs, covariates=["tenure_years", "org_type"])
    without = estimate.aipw(one_type, **kwargs, covariates=["tenure_years"])
    assert with_it.coef()["ATE"] == pytest.approx(without.coef()["ATE"], rel=1e-12)


# -- collinear ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fit", SELECTION_ON_OBSERVABLES)
def test_collinear_covariates_are_named_with_the_dependency(people, fit):
    frame = people.assign(x_scaled=2 * people["x"] + 1)
    with _raises(
        "covariates 'x_scaled' and 'x' are collinear: 'x_scaled' is a linear combination of "
        "the intercept and 'x'; drop one of them"
    ):
        fit(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "x_scaled"],
        )


def test_a_dummy_collinear_with_a_numeric_covariate_is_named_by_level(people):
    frame = people.assign(is_b=(people["group"] == "B").astype(float))
    with _raises(
        "covariates 'group' and 'is_b' are collinear: 'group' = 'B' is a linear combination of "
        "'is_b'; drop one of them"
    ):
        estimate.aipw(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "is_b", "group"],
        )


def test_collinear_dose_response_covariates_are_named(people):
    frame = people.assign(tenure_months=12 * people["tenure_years"])
    with _raises(
        "covariates 'tenure_months' and 'tenure_years' are collinear: 'tenure_months' is a "
        "linear combination of 'tenure_years'; drop one of them"
    ):
        estimate.dose_response(
            frame,
            outcome="completions_90d_change",
            dose="hours",
            covariates=["tenure_years", "tenure_months"],
        )


def test_highly_correlated_but_distinct_covariates_pass(people):
    rng = np.random.default_rng(3)
    frame = people.assign(x_noisy=people["x"] + 0.01 * rng.normal(size=N))
    assert frame["x"].corr(frame["x_noisy"]) > 0.9999
    result = estimate.aipw(
        frame,
        outcome="completions_90d_change",
        treatment="treat",
        covariates=["x", "x_noisy", "tenure_years"],
    )
    assert np.isfinite(result.se()["ATE"])


def test_check_collinear_on_a_design_and_on_chosen_rows():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 4.0, 6.0, 9.0]})
    design = design_matrix(frame, ["a", "b"])
    checks.check_collinear(design, ["a", "b"])  # the last row breaks b = 2 a
    with _raises(
        "covariates 'b' and 'a' are collinear in the first rows: 'b' is a linear combination "
        "of 'a'; drop one of them"
    ):
        checks.check_collinear(
            design, ["a", "b"], rows=np.array([True, True, True, False]), where=" in the first rows"
        )


# -- a model fitted within one arm ------------------------------------------------------------


def test_regression_adjustment_names_a_covariate_constant_among_the_treated(people):
    # varies overall, but the treated arm's outcome model cannot estimate its coefficient
    frame = people.assign(mentor=np.where(people["treat"] == 1, 0.0, people["period"]))
    with _raises(
        "covariate 'mentor' is constant among the treated rows (0 for every row); drop it"
    ):
        estimate.regression_adjustment(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "mentor"],
        )


def test_aipw_att_checks_the_control_arm_it_fits_the_outcome_model_in(people):
    frame = people.assign(mentor=np.where(people["treat"] == 0, 0.0, people["period"]))
    with _raises(
        "covariate 'mentor' is constant among the control rows (0 for every row); drop it"
    ):
        estimate.aipw(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "mentor"],
            estimand="ATT",
        )


def test_a_level_absent_from_one_arm_is_named(people):
    # the treated are in groups A and B only; the controls in all three
    treated_group = np.where(people["period"] == 0, "A", "B")
    frame = people.assign(group=np.where(people["treat"] == 1, treated_group, people["group"]))
    with _raises(
        "covariate 'group' is never 'C' among the treated rows (its dummy is 0 for every row); "
        "drop it or leave those rows out"
    ):
        estimate.regression_adjustment(
            frame, outcome="completions_90d_change", treatment="treat", covariates=["group"]
        )


# -- all missing -----------------------------------------------------------------------------


@pytest.mark.parametrize("fit", SELECTION_ON_OBSERVABLES)
def test_an_all_missing_covariate_is_named(people, fit):
    with _raises(f"covariate 'z' is missing in every row ({N} of {N}); drop it"):
        fit(
            people.assign(z=np.nan),
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "z"],
        )


def test_an_all_missing_column_is_named_by_ols_dose_and_did(people):
    frame = people.assign(z=np.nan)
    message = f"covariate 'z' is missing in every row ({N} of {N}); drop it"
    with _raises(message):
        estimate.ols(frame, "completions_90d_change ~ treat + z")
    with _raises(message):
        estimate.dose_response(
            frame, outcome="completions_90d_change", dose="hours", covariates=["z"]
        )
    with _raises(message):  # was a panic inside pyfixest's demeaning
        estimate.did(
            frame.assign(d=frame["treat"] * frame["period"]),
            outcome="completions_90d_change",
            treatment="d",
            unit="unit",
            time="period",
            covariates=["z"],
        )
    outcome_message = (
        f"outcome 'completions_90d_change' is missing in every row ({N} of {N}); choose a "
        "column that has values"
    )
    with _raises(outcome_message):
        estimate.ols(frame.assign(completions_90d_change=np.nan), "completions_90d_change ~ x")


def test_listwise_deletion_leaving_no_row_says_which_columns_are_missing(people):
    half = people.index < N // 2
    frame = people.assign(a=np.where(half, 1.0, np.nan), b=np.where(half, np.nan, 2.0))
    with _raises(
        "no row has a value in every one of 'a', 'b', 'completions_90d_change' and 'treat': "
        f"listwise deletion leaves none of the {N} rows (missing: 'a' in 300, 'b' in 300); drop "
        "a covariate or fill its missing values"
    ):
        estimate.aipw(
            frame, outcome="completions_90d_change", treatment="treat", covariates=["a", "b"]
        )


# -- one arm ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fit", SELECTION_ON_OBSERVABLES)
def test_a_treatment_with_one_arm_is_named(people, fit):
    with _raises(
        f"treatment 'treat' has one arm (no variation): all {N} rows used are treated (1), "
        "none are controls (0); an effect needs treated and control rows"
    ):
        fit(
            people.assign(treat=1),
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x"],
        )


def test_one_arm_left_after_missing_values_says_rows_were_dropped(people):
    controls_missing = people.assign(x=people["x"].where(people["treat"] == 1))
    treated = int(people["treat"].sum())
    with _raises(
        f"treatment 'treat' has one arm (no variation): all {treated} rows used are treated "
        f"(1), none are controls (0); {N - treated} rows with a missing value were left out "
        "first; an effect needs treated and control rows"
    ):
        estimate.aipw(
            controls_missing,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x"],
        )


def test_did_names_a_treatment_the_fixed_effects_absorb(people):
    kwargs = {"outcome": "completions_90d_change", "unit": "unit", "time": "period"}
    by_unit = people.assign(d=people["unit"] % 2)  # treated in both periods or in neither
    with _raises(
        "treatment 'd' never changes within a unit of 'unit': every unit is treated in all its "
        "periods or in none, so the unit fixed effects absorb it; a DiD needs units observed "
        "before and after treatment"
    ):
        estimate.did(by_unit, treatment="d", **kwargs)
    everyone_at_once = people.assign(d=people["period"])
    with _raises(
        "treatment 'd' is the same for every unit in each period of 'period': no unit is a "
        "control while others are treated, so the period fixed effects absorb it; a DiD needs "
        "untreated units in the treated periods"
    ):
        estimate.did(everyone_at_once, treatment="d", **kwargs)


def test_did_names_a_covariate_fixed_within_units(people):
    panel = people.assign(d=people["treat"] * people["period"], cohort_size=people["unit"] % 7)
    with _raises(
        "covariate 'cohort_size' does not vary within any unit of 'unit': the unit fixed effects "
        "absorb it; drop it (a DiD's controls must change over time)"
    ):
        estimate.did(
            panel,
            outcome="completions_90d_change",
            treatment="d",
            unit="unit",
            time="period",
            covariates=["x", "cohort_size"],
        )


# -- no overlap ------------------------------------------------------------------------------


@pytest.mark.parametrize("fit", SELECTION_ON_OBSERVABLES)
def test_a_covariate_that_separates_the_arms_is_named(people, fit):
    frame = people.assign(score=np.where(people["treat"] == 1, 10.0, 0.0) + people["period"])
    with _raises(
        "no overlap: covariate 'score' separates the arms (treated rows from 10 to 11, control "
        "rows from 0 to 1: every treated row has score > 1); the arms have nothing in common to "
        "compare on: keep rows where both arms occur or rethink the comparison"
    ):
        fit(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "score"],
        )


def test_a_text_covariate_with_no_value_in_both_arms_is_named(people):
    frame = people.assign(track=np.where(people["treat"] == 1, "fast", "slow"))
    with _raises(
        "no overlap: covariate 'track' separates the arms (treated rows have 'fast', control "
        "rows 'slow'; no value occurs in both): keep rows where both arms occur or rethink the "
        "comparison"
    ):
        estimate.ipw(
            frame,
            outcome="completions_90d_change",
            treatment="treat",
            covariates=["x", "track"],
        )


def test_covariates_that_separate_the_arms_only_together_are_caught_by_the_scores():
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=400), rng.normal(size=400)
    treat = (a + b > 0).astype(int)  # neither a nor b alone separates the arms
    frame = pd.DataFrame({"a": a, "b": b, "treat": treat, "y": treat + rng.normal(size=400)})
    checks.check_separation(frame, treat, ["a", "b"])  # passes: ranges overlap one by one
    with pytest.raises(ValueError) as caught:
        estimate.aipw(frame, outcome="y", treatment="treat", covariates=["a", "b"])
    message = str(caught.value)
    assert message.startswith("no overlap: the propensity scores of treated rows (")
    assert message.endswith(
        "do not overlap: covariates 'a' and 'b' together predict the treatment perfectly; keep "
        "rows where both arms occur or use fewer covariates"
    )


def test_the_overlap_check_itself_on_scores():
    treated = np.array([1, 1, 0, 0])
    checks.check_propensity_overlap(np.array([0.6, 0.4, 0.5, 0.3]), treated, ["x"])
    with _raises(
        "no overlap: the propensity scores of treated rows (0.9 to 0.95) and control rows "
        "(0.1 to 0.2) do not overlap: covariates 'x' together predict the treatment perfectly; "
        "keep rows where both arms occur or use fewer covariates"
    ):
        checks.check_propensity_overlap(np.array([0.9, 0.95, 0.1, 0.2]), treated, ["x"])
