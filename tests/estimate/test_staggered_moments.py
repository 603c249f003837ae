"""The Callaway-Sant'Anna DiD from cohort x period moments equals csdid on the panel.

The person-level fit is :func:`evaluation.estimate.staggered_did` (csdid, doubly robust,
varying base period, analytic standard errors: ``sqrt(mean(IF^2) / n)``); the moments version
reads only per-(cohort, covariate cell) counts, period means and covariances computed by DuckDB
through Ibis. Tolerances: estimates 1e-10 (absolute), standard errors 1e-8 (relative).
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest
from support.moments_data import PERIODS, panel

from evaluation import estimate
from evaluation.estimate import staggered_moments
from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return panel()


def moments_of(frame: pd.DataFrame, covariates: list[str], buckets: int | None = None):
    values = frame.loc[frame["y"] != 0, ["unit", "time", "y"]]  # sparse, as the store's counts
    people = frame.drop_duplicates("unit")[["unit", "cohort", *covariates]]
    return cohort_moments(
        ibis.memtable(values),
        ibis.memtable(people),
        periods=PERIODS,
        outcome="y",
        unit="unit",
        covariates=covariates,
        buckets=buckets,
    )


@pytest.mark.parametrize("covariates", [[], ["x1", "x2"]], ids=["plain", "covariates"])
def test_people_joined_in_buckets_give_the_same_moments(data, covariates):
    """National scale joins people in buckets; the moments must not change (count outcome)."""
    data = data.assign(y=np.round(data["y"] * 3))  # integer outcomes, like completions
    whole = moments_of(data, covariates, buckets=1)
    for buckets in (2, 7):
        split = moments_of(data, covariates, buckets=buckets)
        pd.testing.assert_frame_equal(split.strata, whole.strata)
        np.testing.assert_array_equal(split.means, whole.means)
        np.testing.assert_array_equal(split.cov, whole.cov)


def test_the_bucket_count_follows_the_non_zero_person_periods(data, monkeypatch):
    """buckets=None: one bucket per ROWS_PER_BUCKET non-zero person-periods, same moments."""
    data = data.assign(y=np.round(data["y"] * 3))
    whole = moments_of(data, [], buckets=1)
    rows = int((data["y"] != 0).sum())
    calls = []
    real = staggered_moments._products
    monkeypatch.setattr(staggered_moments, "_products", lambda *a: calls.append(a[-1]) or real(*a))
    monkeypatch.setattr(staggered_moments, "ROWS_PER_BUCKET", rows // 4)
    chosen = moments_of(data, [])
    assert calls and set(calls) == {-(-rows // (rows // 4))} and len(calls) == calls[0] >= 4
    np.testing.assert_array_equal(chosen.cov, whole.cov)


@pytest.mark.parametrize("buckets", [0, -1, 1.5, True])
def test_bad_bucket_count_is_refused(data, buckets):
    with pytest.raises(ValueError, match="buckets"):
        moments_of(data, [], buckets=buckets)


def assert_same(cell: pd.DataFrame, person: pd.DataFrame) -> None:
    np.testing.assert_allclose(cell["estimate"], person["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(cell["std_error"], person["std_error"], rtol=1e-8, atol=0)


@pytest.mark.parametrize("covariates", [[], ["x1", "x2"]], ids=["plain", "covariates"])
@pytest.mark.parametrize("control", ["notyet", "never"])
def test_equals_csdid(data, covariates, control):
    moments = moments_of(data, covariates)
    for aggregate in ("dynamic", "simple", "group"):
        person = estimate.staggered_did(
            data,
            outcome="y",
            unit="unit",
            time="time",
            cohort="cohort",
            control=control,
            method="dr",
            covariates=covariates,
            aggregate=aggregate,
        )
        cell = staggered_did_from_moments(moments, control=control, aggregate=aggregate)
        assert list(cell.tidy()["term"]) == list(person.tidy()["term"])
        assert_same(cell.tidy(), person.tidy())
        gt_cell, gt_person = cell.group_time, person.group_time
        assert list(gt_cell["cohort"]) == list(gt_person["cohort"])
        assert list(gt_cell["period"]) == list(gt_person["period"])
        assert_same(gt_cell, gt_person)
    assert cell.pretrend is not None and person.pretrend is not None
    assert cell.pretrend.statistic == pytest.approx(person.pretrend.statistic, rel=1e-8)
    assert cell.pretrend.p_value == person.pretrend.p_value
    assert cell.details["n_units"] == person.details["n_units"]


def test_late_and_first_period_cohorts_follow_csdid(data):
    # a cohort after the last period counts as never treated; one treated in period 1 is dropped
    frame = data.copy()
    frame.loc[frame["unit"] % 17 == 0, "cohort"] = 9
    frame.loc[frame["unit"] % 23 == 0, "cohort"] = 1
    person = estimate.staggered_did(
        frame,
        outcome="y",
        unit="unit",
        time="time",
        cohort="cohort",
        control="notyet",
        aggregate="dynamic",
    )
    cell = staggered_did_from_moments(moments_of(frame, []), control="notyet")
    assert_same(cell.tidy(), person.tidy())
    # the person-level result counts the units it was given; csdid dropped the period-1 cohort
    dropped = frame.loc[frame["cohort"] == 1, "unit"].nunique()
    assert cell.details["n_units"] == person.details["n_units"] - dropped == 860


def test_needs_never_treated():
    frame = panel(n=200)
    frame = frame[frame["cohort"] > 0]
    with pytest.raises(ValueError, match="never-treated"):
        staggered_did_from_moments(moments_of(frame, []))


def test_planted_effect_is_covered():
    # the planted effect is 1.0 in every treated period; the event-time ATT covers it
    result = staggered_did_from_moments(moments_of(panel(n=6000, seed=8), ["x1", "x2"]))
    low, high = result.confint().iloc[0]
    assert low < 1.0 < high
    pre = result.tidy().query("term == 'event_time=-2'").iloc[0]
    assert pre["conf_low"] < 0 < pre["conf_high"]


def test_monte_carlo_panel_equality_and_planted_effect():
    # the Monte Carlo's staggered simulator (benchmarks/montecarlo.py): continuous outcome,
    # cohorts 3-5 selected on the unit effect; planted effect PLANTED_EFFECT in treated periods
    from benchmarks.montecarlo import PLANTED_EFFECT, simulate_staggered_panel

    frame = simulate_staggered_panel(800, 8, np.random.default_rng(20241019))
    frame = frame.rename(columns={"period": "time"})
    person = estimate.staggered_did(
        frame, outcome="y", unit="unit", time="time", cohort="cohort", aggregate="simple"
    )
    moments = cohort_moments(
        frame[["unit", "time", "y"]],
        frame.drop_duplicates("unit")[["unit", "cohort"]],
        periods=range(1, 9),
        outcome="y",
        unit="unit",
    )
    cell = staggered_did_from_moments(moments, control="never", aggregate="simple")
    assert_same(cell.tidy(), person.tidy())
    low, high = cell.confint().iloc[0]
    assert low < PLANTED_EFFECT < high
