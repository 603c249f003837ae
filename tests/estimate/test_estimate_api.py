"""The shared result language and option validation of every estimator."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.estimate import TIDY_COLUMNS


@pytest.fixture(scope="module")
def cross_section() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 600
    x = rng.normal(size=n)
    group = rng.choice(["A", "B", "C"], size=n)
    treated = (rng.random(n) < 1 / (1 + np.exp(-0.8 * x))).astype(int)
    hours = np.where(treated == 1, rng.gamma(2.0, 2.0, n), 0.0)
    y = 1.0 + 2.0 * treated + x + (group == "B") + rng.normal(size=n)
    ministry = rng.integers(0, 20, n)
    return pd.DataFrame(
        {"y": y, "x": x, "group": group, "treated": treated, "hours": hours, "ministry": ministry}
    )


def _all_results(cross_section, mpdta):
    common = {"outcome": "y", "treatment": "treated", "covariates": ["x", "group"]}
    return [
        estimate.ols(cross_section, "y ~ treated + x"),
        estimate.did(mpdta, outcome="lemp", treatment="post", unit="countyreal", time="year"),
        estimate.event_study(
            mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat"
        ),
        estimate.regression_adjustment(cross_section, **common),
        estimate.ipw(cross_section, **common),
        estimate.aipw(cross_section, **common),
        estimate.aipw(cross_section, **common, estimand="ATT"),
        estimate.match(cross_section, **common),
        estimate.dose_response(cross_section, outcome="y", dose="hours", covariates=["x"]),
    ]


def test_every_result_speaks_the_same_language(cross_section, mpdta):
    for result in _all_results(cross_section, mpdta):
        tidy = result.tidy()
        assert tuple(tidy.columns[:7]) == TIDY_COLUMNS, result.method
        assert result.nobs > 0 and isinstance(result.method, str) and result.method
        pd.testing.assert_series_equal(
            result.coef(), tidy.set_index("term")["estimate"], check_names=False
        )
        ci90, ci95 = result.confint(0.10), result.confint()
        assert (ci90["conf_low"] > ci95["conf_low"]).all()
        np.testing.assert_allclose(ci95["conf_low"].to_numpy(), tidy["conf_low"].to_numpy())
        assert result.method in result.summary()
        assert "<table" in result._repr_html_()


def test_results_are_immutable(cross_section):
    result = estimate.ols(cross_section, "y ~ treated + x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.nobs = 3
    tidy = result.tidy()
    tidy.loc[0, "estimate"] = 99.0
    assert result.tidy().loc[0, "estimate"] != 99.0
    with pytest.raises(TypeError):
        result.details["n_clusters"] = 5
    with pytest.raises(ValueError):
        result.vcov[0, 0] = 1.0


def test_ols_vcov_variants_order_as_theory_says(cross_section):
    se = {
        v: estimate.ols(cross_section, "y ~ treated + x", vcov=v).se()["treated"]
        for v in ("iid", "HC0", "HC1", "HC3")
    }
    n, k = len(cross_section), 3
    assert se["HC1"] == pytest.approx(se["HC0"] * np.sqrt(n / (n - k)), rel=1e-10)
    assert se["HC3"] > se["HC0"]
    clustered = estimate.ols(cross_section, "y ~ treated + x", cluster="ministry")
    assert clustered.df == 19
    assert "CRV1" in clustered.se_type


def test_event_study_matches_pyfixest_i_syntax_and_has_pretrend(mpdta):
    import pyfixest as pf

    result = estimate.event_study(
        mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first.treat"
    )
    # never treated coded into the reference period: all their indicators are zero
    frame = mpdta.assign(
        rel=np.where(mpdta["first.treat"] > 0, mpdta["year"] - mpdta["first.treat"], -1)
    )
    fit = pf.feols(
        "lemp ~ i(rel, ref=-1) | countyreal + year",
        data=frame,
        vcov={"CRV1": "countyreal"},
    )
    np.testing.assert_allclose(
        np.sort(result.coef().to_numpy()), np.sort(fit.coef().to_numpy()), rtol=1e-8
    )
    assert result.pretrend is not None
    assert result.pretrend.df_num == 3
    assert 0 < result.pretrend.p_value < 1
    assert list(result.tidy()["relative_period"]) == [-4, -3, -2, 0, 1, 2, 3]


def test_event_study_window_bins_endpoints(mpdta):
    result = estimate.event_study(
        mpdta,
        outcome="lemp",
        unit="countyreal",
        time="year",
        cohort="first.treat",
        window=(-2, 2),
    )
    assert list(result.tidy()["relative_period"]) == [-2, 0, 1, 2]


def test_staggered_options_run_and_name_terms(mpdta):
    result = estimate.staggered_did(
        mpdta,
        outcome="lemp",
        unit="countyreal",
        time="year",
        cohort="first.treat",
        control="notyet",
        method="reg",
        covariates=["lpop"],
        aggregate="group",
    )
    assert list(result.tidy()["term"]) == ["ATT", "cohort=2004", "cohort=2006", "cohort=2007"]
    assert {"cohort", "period", "estimate"} <= set(result.group_time.columns)


def test_staggered_did_accepts_string_unit_keys(mpdta):
    # person keys in the workbench are hashes (strings); csdid itself wants numeric ids
    options = {"outcome": "lemp", "time": "year", "cohort": "first.treat"}
    numeric = estimate.staggered_did(mpdta, unit="countyreal", **options)
    keyed = mpdta.assign(key="k" + mpdta["countyreal"].astype(str))
    hashed = estimate.staggered_did(keyed, unit="key", **options)
    pd.testing.assert_frame_equal(numeric.tidy(), hashed.tidy())


def test_dose_response_bins_and_linear(cross_section):
    binned = estimate.dose_response(cross_section, outcome="y", dose="hours", bins=3)
    assert len(binned.tidy()) == 3
    assert binned.reference == "dose=0"
    assert binned.tidy()["n"].sum() == (cross_section["hours"] > 0).sum()
    linear = estimate.dose_response(
        cross_section, outcome="y", dose="hours", covariates=["x"], method="linear"
    )
    assert list(linear.tidy()["term"]) == ["dose"]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda d: estimate.ols(d, "y ~ nope"), "unknown column"),
        (lambda d: estimate.ols(d, "y ~ x", vcov="HC2"), "vcov must be one of"),
        (lambda d: estimate.ols(d.assign(g=1), "y ~ x", cluster="g"), "too few clusters"),
        (lambda d: estimate.ipw(d, outcome="y", treatment="x", covariates=["x"]), "binary"),
        (
            lambda d: estimate.ipw(d, outcome="y", treatment="group", covariates=["x"]),
            "binary 0/1, found values",
        ),
        (
            lambda d: estimate.ipw(d.assign(t=1), outcome="y", treatment="t", covariates=["x"]),
            "no variation",
        ),
        (
            lambda d: estimate.aipw(
                d, outcome="y", treatment="treated", covariates=["x"], estimand="ATC"
            ),
            "estimand must be one of",
        ),
        (
            lambda d: estimate.ipw(
                d, outcome="y", treatment="treated", covariates=["x"], propensity_model="cauchit"
            ),
            "propensity_model",
        ),
        (
            lambda d: estimate.match(
                d, outcome="y", treatment="treated", covariates=["x"], neighbours=0
            ),
            "neighbours",
        ),
        (
            lambda d: estimate.match(
                d,
                outcome="y",
                treatment="treated",
                covariates=["x"],
                replace=False,
                estimand="ATE",
            ),
            "without replacement",
        ),
        (lambda d: estimate.dose_response(d, outcome="y", dose="hours", method="spline"), "method"),
        (lambda d: estimate.ols(d.assign(y=1.0), "y ~ x"), "no variation"),
    ],
)
def test_bad_options_raise_clear_value_errors(cross_section, call, message):
    with pytest.raises(ValueError, match=message):
        call(cross_section)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"control": "sometimes"}, "control must be one of"),
        ({"method": "ols"}, "method must be one of"),
        ({"aggregate": "cohort"}, "aggregate must be one of"),
        ({"cohort": "missing_col"}, "unknown column"),
    ],
)
def test_staggered_did_validates_options(mpdta, kwargs, message):
    args = {"outcome": "lemp", "unit": "countyreal", "time": "year", "cohort": "first.treat"}
    with pytest.raises(ValueError, match=message):
        estimate.staggered_did(mpdta, **{**args, **kwargs})


def test_did_rejects_non_binary_treatment_and_few_clusters(mpdta):
    with pytest.raises(ValueError, match="binary"):
        estimate.did(mpdta, outcome="lemp", treatment="lpop", unit="countyreal", time="year")
    with pytest.raises(ValueError, match="too few clusters"):
        estimate.did(
            mpdta.assign(state=mpdta["countyreal"] // 10000 % 3),
            outcome="lemp",
            treatment="post",
            unit="countyreal",
            time="year",
            cluster="state",
        )


def test_docstring_examples_run():
    import doctest

    import evaluation.estimate.regression as regression

    assert doctest.testmod(regression).failed == 0


def test_did_with_covariates_equals_pyfixest(mpdta):
    import pyfixest as pf

    frame = mpdta.assign(lpop_trend=mpdta["lpop"] * (mpdta["year"] - 2003))
    result = estimate.did(
        frame,
        outcome="lemp",
        treatment="post",
        unit="countyreal",
        time="year",
        covariates=["lpop_trend"],
    )
    fit = pf.feols(
        "lemp ~ post + lpop_trend | countyreal + year", data=frame, vcov={"CRV1": "countyreal"}
    )
    assert list(result.tidy()["term"]) == ["post", "lpop_trend"]
    np.testing.assert_allclose(result.coef().to_numpy(), fit.coef().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(result.se().to_numpy(), fit.se().to_numpy(), rtol=1e-10)
