"""Planted truth: on simulated self-selected data the estimators recover the effect.

The simulators live in benchmarks/montecarlo.py (shared with the Monte Carlo). Participation is
self-selected on traits that also raise the outcome, so the naive difference is biased.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.montecarlo import (
    ESTIMATORS,
    PLANTED_EFFECT,
    run,
    simulate_cross_section,
    simulate_panel,
    simulate_staggered_panel,
)
from evaluation import estimate

SEED = 20241019


@pytest.fixture(scope="module")
def people():
    return simulate_cross_section(4000, np.random.default_rng(SEED))


@pytest.fixture(scope="module")
def panel():
    return simulate_panel(600, 8, np.random.default_rng(SEED + 1))


def _covers(result, term, truth=PLANTED_EFFECT):
    row = result.tidy().set_index("term").loc[term]
    return row["conf_low"] <= truth <= row["conf_high"]


def test_naive_difference_misses_the_planted_effect(people, panel):
    naive = estimate.ols(people, "y ~ treated")
    assert not _covers(naive, "treated")
    assert naive.coef()["treated"] > PLANTED_EFFECT + 0.5  # selection inflates it
    post = panel[panel["period"] >= 4]
    assert not _covers(estimate.ols(post, "y ~ treated"), "treated")


@pytest.mark.parametrize("estimand", ["ATE", "ATT"])
@pytest.mark.parametrize(
    "function", [estimate.regression_adjustment, estimate.ipw, estimate.aipw, estimate.match]
)
def test_selection_on_observables_estimators_cover_the_truth(people, function, estimand):
    result = function(
        people,
        outcome="y",
        treatment="treated",
        covariates=["x1", "x2", "group"],
        estimand=estimand,
    )
    assert _covers(result, estimand), result.tidy()


def test_panel_estimators_cover_the_truth(panel):
    ids = {"outcome": "y", "unit": "unit", "time": "period"}
    assert _covers(estimate.did(panel, treatment="treated", **ids), "treated")
    events = estimate.event_study(panel, cohort="cohort", **ids)
    assert _covers(events, "event_time=0")
    assert _covers(events, "event_time=-2", truth=0.0)
    assert not events.pretrend.rejects
    staggered = simulate_staggered_panel(600, 8, np.random.default_rng(SEED + 2))
    assert _covers(estimate.staggered_did(staggered, cohort="cohort", **ids), "ATT")


def test_monte_carlo_smoke_reports_every_estimator():
    summary = run(3, workers=1, n=300, n_units=80)
    assert list(summary["estimator"]) == list(ESTIMATORS)
    assert {"bias", "bias_mc_se", "coverage", "mean_se", "sd_estimate"} <= set(summary.columns)


@pytest.mark.slow
def test_monte_carlo_coverage_and_bias():
    """1000 replications: 93-97 % coverage and |bias| < 3 MC SEs (issue 5's criterion)."""
    summary = run(1000, workers=2).set_index("estimator")
    checked = summary.drop(index="naive difference")
    assert checked["coverage"].between(0.93, 0.97).all(), checked
    assert (checked["bias_in_mc_se"].abs() < 3).all(), checked
    assert summary.loc["naive difference", "coverage"] < 0.5
