"""Diagnostics return plain values with the right content."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.montecarlo import simulate_cross_section, simulate_panel
from evaluation import estimate
from evaluation.analysis import diagnose


@pytest.fixture(scope="module")
def people():
    frame = simulate_cross_section(3000, np.random.default_rng(11))
    frame["ministry"] = np.random.default_rng(12).integers(0, 8, len(frame))
    return frame


@pytest.fixture(scope="module")
def panel():
    frame = simulate_panel(400, 10, np.random.default_rng(13), first_treated=7)
    frame["cohort"] = frame["cohort"]
    return frame


COVS = ["x1", "x2", "group"]


def test_overlap_from_result_and_from_data_agree(people):
    result = estimate.ipw(people, outcome="y", treatment="treated", covariates=COVS)
    from_result = diagnose.overlap(result=result)
    from_data = diagnose.overlap(people, treatment="treated", covariates=COVS)
    pd.testing.assert_frame_equal(from_result.summary, from_data.summary)
    assert from_result.summary["n"].sum() == len(people)
    assert from_result.histogram[["treated", "control"]].to_numpy().sum() == len(people)
    p = result.propensity
    expected = int(((p < 0.1) | (p > 0.9)).sum())
    assert from_result.removed["n_removed"].sum() == expected
    low, high = from_result.common_support
    assert 0 < low < high < 1


def test_overlap_rejects_bad_trim(people):
    with pytest.raises(ValueError, match="trim"):
        diagnose.overlap(people, treatment="treated", covariates=COVS, trim=(0.9, 0.1))


def test_balance_improves_after_weighting_and_matching(people):
    before = diagnose.balance(people, treatment="treated", covariates=COVS)
    assert before["smd_before"].abs().max() > 0.5  # x1 drives selection
    for result in (
        estimate.ipw(people, outcome="y", treatment="treated", covariates=COVS),
        estimate.ipw(people, outcome="y", treatment="treated", covariates=COVS, estimand="ATT"),
        estimate.match(people, outcome="y", treatment="treated", covariates=COVS),
    ):
        after = diagnose.balance(people, treatment="treated", covariates=COVS, result=result)
        assert (after["smd_after"].abs() < after["smd_before"].abs()).all(), result.method
        assert after["balanced"].all(), after


def test_balance_checks_weight_length(people):
    with pytest.raises(ValueError, match="length"):
        diagnose.balance(people, treatment="treated", covariates=COVS, weights=np.ones(3))


def test_pretrends_report(panel, mpdta):
    events = estimate.event_study(panel, outcome="y", unit="unit", time="period", cohort="cohort")
    report = diagnose.pretrends(events)
    assert list(report.coefficients["relative_period"]) == [-6, -5, -4, -3, -2]
    assert report.test is events.pretrend
    assert report.passed
    dynamic = estimate.staggered_did(
        mpdta,
        outcome="lemp",
        unit="countyreal",
        time="year",
        cohort="first.treat",
        aggregate="dynamic",
    )
    # mpdta's e=-3 interval excludes zero (R did prints it with a star)
    assert not diagnose.pretrends(dynamic).passed
    with pytest.raises(ValueError, match="dynamic"):
        diagnose.pretrends(estimate.ols(panel, "y ~ treated"))


def test_placebo_edition_finds_nothing_where_nothing_happened(panel):
    check = diagnose.placebo_edition(
        panel, outcome="y", unit="unit", time="period", cohort="cohort", shift=3
    )
    assert check.passed
    assert abs(check.new_estimate) < 0.1
    assert check.original == pytest.approx(0.5, abs=0.1)


def test_placebo_edition_detects_a_planted_pre_trend(panel):
    # a trend only in treated units before treatment: the fake window should pick it up
    trended = panel.assign(
        y=panel["y"] + np.where(panel["cohort"] > 0, 0.15 * panel["period"], 0.0)
    )
    check = diagnose.placebo_edition(
        trended, outcome="y", unit="unit", time="period", cohort="cohort", shift=3
    )
    assert not check.passed


def test_leave_one_out_tracks_each_group(people):
    table = diagnose.leave_one_out(
        lambda f: estimate.ols(f, "y ~ treated + x1 + x2 + C(group)"),
        people,
        group="ministry",
        term="treated",
    )
    assert table["left_out"].iloc[0] == "(none)"
    assert len(table) == 1 + people["ministry"].nunique()
    assert table["change"].iloc[0] == 0
    assert (table["nobs"].iloc[1:] < len(people)).all()


def test_e_value_matches_vanderweele_ding_formula():
    result = estimate.ols(
        pd.DataFrame({"y": [0.0, 1.0, 2.0, 3.0, 4.0, 6.0], "d": [0, 0, 0, 1, 1, 1]}), "y ~ d"
    )
    value = diagnose.e_value(result, term="d", outcome_sd=2.0)
    rr = np.exp(0.91 * result.coef()["d"] / 2.0)
    assert value.point == pytest.approx(rr + np.sqrt(rr * (rr - 1)))
    assert value.point >= value.interval >= 1
    with pytest.raises(ValueError, match="outcome_sd"):
        diagnose.e_value(result, term="d")


def test_effects_by_group_detects_heterogeneity(people):
    hetero = people.assign(
        y=people["y"] + np.where(people["group"] == "A", 1.5, 0) * people["treated"]
    )

    def fit(frame):
        return estimate.ols(frame, "y ~ treated + x1 + x2")

    equal = diagnose.effects_by_group(fit, people, group="group", term="treated")
    unequal = diagnose.effects_by_group(fit, hetero, group="group", term="treated")
    assert list(equal.table["group"]) == ["A", "B", "C"]
    assert equal.equality.p_value > 0.01
    assert unequal.equality.p_value < 1e-6
    assert unequal.i_squared > equal.i_squared


def test_groups_are_taken_one_at_a_time_as_groupby_yields_them(people):
    """``_groups`` yields what iterating over ``groupby(sort=True, observed=True)`` yields:
    the same values in the same order, each with the same rows, index and dtypes (a
    categorical with an unused level and a missing group included)."""
    frame = people.sample(frac=1.0, random_state=3).copy()
    frame.loc[frame.index[:5], "group"] = None
    as_category = frame.assign(
        group=pd.Categorical(frame["group"], categories=["C", "unused", "A", "B"])
    )
    for data in (frame, as_category):
        expected = list(data.groupby("group", sort=True, observed=True))
        taken = list(diagnose._groups(data, "group", None))
        assert [v for v, _ in taken] == [v for v, _ in expected]
        for (_, got), (_, want) in zip(taken, expected, strict=True):
            pd.testing.assert_frame_equal(got, want)
        only = list(diagnose._groups(data, "group", ["B", "A", "absent"]))
        assert [v for v, _ in only] == [v for v, _ in expected if v in ("A", "B")]


def test_effects_by_group_of_some_values_equals_it_on_their_rows(people):
    def fit(frame):
        return estimate.ols(frame, "y ~ treated + x1 + x2")

    some = diagnose.effects_by_group(fit, people, group="group", term="treated", values=["A", "C"])
    rows = people[people["group"].isin(["A", "C"])]
    filtered = diagnose.effects_by_group(fit, rows, group="group", term="treated")
    pd.testing.assert_frame_equal(some.table, filtered.table)
    assert some.equality == filtered.equality and some.pooled == filtered.pooled


def test_minimum_detectable_effect_two_ways(people):
    design = diagnose.minimum_detectable_effect(n_treated=100, n_control=100, outcome_sd=1.0)
    assert design.multiplier == pytest.approx(2.8016, abs=1e-4)
    assert design.effect == pytest.approx(2.8016 * np.sqrt(0.02), abs=1e-4)
    result = estimate.ols(people, "y ~ treated + x1")
    fitted = diagnose.minimum_detectable_effect(result=result, term="treated")
    assert fitted.effect == pytest.approx(fitted.multiplier * result.se()["treated"])
    with pytest.raises(ValueError):
        diagnose.minimum_detectable_effect(n_treated=100)
