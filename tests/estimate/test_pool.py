"""estimate.pool: parity with R metafor on the BCG trials, planted truth, edge cases.

The R calls and their printed output, with the repository and path each value comes from, are
in reference/metafor_dat_bcg.md; the data (13 rows of metafor's ``dat.bcg`` with escalc's log
risk ratios ``yi`` and variances ``vi``) in reference/dat_bcg.csv.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

from evaluation import estimate
from evaluation.estimate import TIDY_COLUMNS, PooledResult
from evaluation.estimate.pooling import REML_THRESHOLD, TOO_SMALL

REFERENCE = Path(__file__).resolve().parent / "reference"
#: metafor prints 4 decimals: a value matches when it rounds to the printed one
PRINTED_4DP = 5e-5
#: ... and I^2 (percent) and H^2 with 2 decimals in its model summary
PRINTED_2DP = 5e-3
Z95 = stats.norm.ppf(0.975)

# --- R metafor references (reference/metafor_dat_bcg.md) ---------------------------------
# dat <- escalc(measure="RR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)
# metadat docs/reference/dat.bcg.html: the printed yi, vi
ESCALC_YI = [-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120, -0.4694]
ESCALC_YI += [-1.3713, -0.3394, 0.4459, -0.0173]
ESCALC_VI = [0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564, 0.0730]
ESCALC_VI += [0.0124, 0.5325, 0.0714]

# rma(yi, vi, data=dat, method="REML")   metafor docs/reference/rma.uni.html
REML = {
    "estimate": -0.7145,
    "std_error": 0.1798,
    "statistic": -3.9744,
    "conf_low": -1.0669,
    "conf_high": -0.3622,
}
REML_TAU2, REML_TAU2_SE, REML_TAU = 0.3132, 0.1664, 0.5597
REML_I2, REML_H2 = 92.22, 12.86  # printed "92.22%", "12.86"
Q, Q_DF = 152.2330, 12
# predict(res, transf=exp)   metadat docs/reference/dat.bcg.html: pred ci.lb ci.ub pi.lb pi.ub
REML_PREDICT_EXP = (0.4894, 0.3441, 0.6962, 0.1546, 1.5490)
# blup(res, transf=exp)   metafor docs/reference/blup.html: pred pi.lb pi.ub per trial
REML_BLUP_EXP = [
    (0.4492, 0.2012, 1.0032),
    (0.2860, 0.1431, 0.5716),
    (0.3727, 0.1590, 0.8740),
    (0.2471, 0.1887, 0.3236),
    (0.7502, 0.4958, 1.1352),
    (0.4563, 0.3883, 0.5362),
    (0.2882, 0.1400, 0.5936),
    (1.0029, 0.8871, 1.1338),
    (0.6024, 0.3911, 0.9279),
    (0.2873, 0.1775, 0.4651),
    (0.7021, 0.5665, 0.8702),
    (0.7522, 0.3064, 1.8469),
    (0.8635, 0.5359, 1.3915),
]
# ranef(res)   metafor docs/reference/ranef.html: pred se pi.lb pi.ub of u_i = theta_i - mu
REML_RANEF = [
    (-0.0857, 0.4092, -0.8877, 0.7163),
    (-0.5372, 0.3638, -1.2501, 0.1758),
    (-0.2724, 0.4296, -1.1144, 0.5696),
    (-0.6834, 0.2176, -1.1099, -0.2568),
    (0.4272, 0.2606, -0.0835, 0.9378),
    (-0.0700, 0.1942, -0.4506, 0.3105),
    (-0.5294, 0.3759, -1.2662, 0.2073),
    (0.7174, 0.1882, 0.3485, 1.0863),
    (0.2077, 0.2665, -0.3146, 0.7300),
    (-0.5326, 0.2837, -1.0886, 0.0234),
    (0.3609, 0.2046, -0.0401, 0.7618),
    (0.4298, 0.4491, -0.4504, 1.3100),
    (0.5678, 0.2821, 0.0149, 1.1207),
]
# rma(yi, vi, data=dat, method="DL")
#   metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r
DL = {"estimate": -0.7141, "conf_low": -1.0644, "conf_high": -0.3638, "statistic": -3.9952}
DL_TAU2, DL_I2 = 0.3088, 92.1173
DL_PREDICT_EXP = (0.4896, 0.3449, 0.6950)
#   metafor tests/testthat/test_misc_confint.r: round(confint(res, fixed=TRUE, transf=exp), 4)
DL_CONFINT_ESTIMATES = (0.4896, 0.3088, 0.5557, 92.1173, 12.6861)  # exp(mu), tau2, tau, I2, H2
# rma(yi, vi, data=dat, method="EE")
#   metafor tests/testthat/test_misc_metan_vs_rma.uni_with_dat.bcg.r
FE = {"estimate": -0.4303, "conf_low": -0.5097, "conf_high": -0.3509, "statistic": -10.6247}
FE_PREDICT_EXP = (0.6503, 0.6007, 0.7040)


@pytest.fixture(scope="module")
def bcg() -> pd.DataFrame:
    frame = pd.read_csv(REFERENCE / "dat_bcg.csv")
    frame["sei"] = np.sqrt(frame["vi"])
    return frame


@pytest.fixture(scope="module")
def reml(bcg) -> PooledResult:
    return estimate.pool(bcg, estimate="yi", std_error="sei", label="trial")


def _row(result: PooledResult, term: str = "overall") -> pd.Series:
    return result.tidy().set_index("term").loc[term]


# --- the references themselves ----------------------------------------------------------
def test_reference_values_are_those_printed_in_the_reference_file():
    text = (REFERENCE / "metafor_dat_bcg.md").read_text("utf-8")
    four_decimals = [
        *REML.values(),
        REML_TAU2,
        REML_TAU2_SE,
        REML_TAU,
        Q,
        *REML_PREDICT_EXP,
        *DL.values(),
        DL_TAU2,
        DL_I2,
        *DL_PREDICT_EXP,
        *DL_CONFINT_ESTIMATES,
        *FE.values(),
        *FE_PREDICT_EXP,
    ]
    missing = [v for v in four_decimals if f"{v:.4f}" not in text]
    missing += [v for v in (REML_I2, REML_H2) if f"{v:.2f}" not in text]
    for number, rows in (("blup", REML_BLUP_EXP), ("ranef", REML_RANEF)):
        for trial, row in enumerate(rows, start=1):
            pattern = rf"#>\s+{trial}\s+" + r"\s+".join(re.escape(f"{x:.4f}") for x in row)
            if not re.search(pattern, text):
                missing.append((number, trial, row))
    assert missing == []


def test_reference_data_are_dat_bcg_with_escalc_log_risk_ratios(bcg):
    assert len(bcg) == 13 and bcg["trial"].tolist() == list(range(1, 14))
    treated, control = bcg["tpos"] + bcg["tneg"], bcg["cpos"] + bcg["cneg"]
    yi = np.log((bcg["tpos"] / treated) / (bcg["cpos"] / control))
    vi = 1 / bcg["tpos"] - 1 / treated + 1 / bcg["cpos"] - 1 / control
    np.testing.assert_allclose(bcg["yi"], yi, rtol=1e-15)
    np.testing.assert_allclose(bcg["vi"], vi, rtol=1e-15)
    np.testing.assert_allclose(bcg["yi"], ESCALC_YI, atol=PRINTED_4DP)
    np.testing.assert_allclose(bcg["vi"], ESCALC_VI, atol=PRINTED_4DP)


# --- parity with R metafor -----------------------------------------------------------------
def test_reml_matches_metafor_rma(reml):
    overall = _row(reml)
    for column, expected in REML.items():
        assert overall[column] == pytest.approx(expected, abs=PRINTED_4DP), column
    assert reml.tau2 == pytest.approx(REML_TAU2, abs=PRINTED_4DP)
    assert reml.tau2_se == pytest.approx(REML_TAU2_SE, abs=PRINTED_4DP)
    assert reml.tau == pytest.approx(REML_TAU, abs=PRINTED_4DP)
    assert reml.i2 == pytest.approx(REML_I2, abs=PRINTED_2DP)
    assert reml.h2 == pytest.approx(REML_H2, abs=PRINTED_2DP)
    assert reml.q == pytest.approx(Q, abs=PRINTED_4DP)
    assert reml.q_df == Q_DF
    assert reml.q_p_value < 1e-4  # printed "p-val < .0001"
    assert overall["p_value"] < 1e-4
    assert reml.nobs == 13 and reml.pooling == "REML"
    assert reml.details["optimiser"] == "Fisher scoring" and reml.details["warnings"] == ()


def test_reml_average_and_prediction_interval_match_metafor_predict(reml):
    overall = _row(reml)
    low, high = reml.prediction_interval()
    got = np.exp([overall["estimate"], overall["conf_low"], overall["conf_high"], low, high])
    np.testing.assert_allclose(got, REML_PREDICT_EXP, atol=PRINTED_4DP)


def test_reml_unit_rows_are_metafor_blups(reml):
    units = reml.tidy().iloc[1:]
    assert units["term"].tolist() == [str(t) for t in range(1, 14)]
    got = np.exp(units[["estimate", "conf_low", "conf_high"]].to_numpy())
    np.testing.assert_allclose(got, REML_BLUP_EXP, atol=PRINTED_4DP)


def test_reml_blups_minus_the_overall_effect_are_metafor_ranef(reml):
    table = reml.tidy()
    overall, units = table.iloc[0], table.iloc[1:]
    expected = np.array(REML_RANEF)
    np.testing.assert_allclose(
        units["estimate"] - overall["estimate"], expected[:, 0], atol=PRINTED_4DP
    )
    # ranef's se from the same pieces: lambda = 1 - shrinkage, v = observed se^2, se(mu)^2
    keep = 1 - units["shrinkage"].to_numpy()
    v = units["observed_std_error"].to_numpy() ** 2
    se_u = np.sqrt(keep * v + keep**2 * overall["std_error"] ** 2)
    np.testing.assert_allclose(se_u, expected[:, 1], atol=PRINTED_4DP)


def test_dl_matches_metafor(bcg):
    result = estimate.pool(bcg, estimate="yi", std_error="sei", label="trial", method="DL")
    overall = _row(result)
    for column, expected in DL.items():
        assert overall[column] == pytest.approx(expected, abs=PRINTED_4DP), column
    assert result.tau2 == pytest.approx(DL_TAU2, abs=PRINTED_4DP)
    assert result.i2 == pytest.approx(DL_I2, abs=PRINTED_4DP)
    exp_mu = np.exp([overall["estimate"], overall["conf_low"], overall["conf_high"]])
    np.testing.assert_allclose(exp_mu, DL_PREDICT_EXP, atol=PRINTED_4DP)
    got = (exp_mu[0], result.tau2, result.tau, result.i2, result.h2)
    np.testing.assert_allclose(got, DL_CONFINT_ESTIMATES, atol=PRINTED_4DP)
    assert result.q == pytest.approx(Q, abs=PRINTED_4DP)
    # DL is the textbook closed form: I^2 = (Q - df) / Q
    assert result.i2 == pytest.approx(100 * (result.q - 12) / result.q, rel=1e-12)


def test_dl_equals_statsmodels_combine_effects(bcg):
    # statsmodels' DerSimonian-Laird ("chi2" method of moments): same formula, all digits
    result = estimate.pool(bcg, estimate="yi", std_error="sei", method="DL")
    other = combine_effects(bcg["yi"].to_numpy(), bcg["vi"].to_numpy(), method_re="chi2")
    assert result.tau2 == pytest.approx(other.tau2, rel=1e-12)
    assert _row(result)["estimate"] == pytest.approx(other.mean_effect_re, rel=1e-12)
    assert _row(result)["std_error"] == pytest.approx(other.sd_eff_w_re, rel=1e-12)
    assert result.i2 == pytest.approx(100 * other.i2, rel=1e-12)


def test_fe_matches_metafor_equal_effects(bcg):
    result = estimate.pool(bcg, estimate="yi", std_error="sei", label="trial", method="FE")
    overall = _row(result)
    for column, expected in FE.items():
        assert overall[column] == pytest.approx(expected, abs=PRINTED_4DP), column
    exp_mu = np.exp([overall["estimate"], overall["conf_low"], overall["conf_high"]])
    np.testing.assert_allclose(exp_mu, FE_PREDICT_EXP, atol=PRINTED_4DP)
    assert result.tau2 == 0 and np.isnan(result.tau2_se)
    # with tau^2 = 0 nothing is unit-specific: every unit's prediction is the common effect
    units = result.tidy().iloc[1:]
    assert (units["estimate"] == overall["estimate"]).all() and (units["shrinkage"] == 1).all()


def test_intervals_are_normal_z_and_follow_alpha(reml):
    table = reml.tidy()
    np.testing.assert_allclose(table["conf_low"], table["estimate"] - Z95 * table["std_error"])
    ninety = reml.tidy(alpha=0.10)
    z90 = stats.norm.ppf(0.95)
    np.testing.assert_allclose(ninety["conf_high"], table["estimate"] + z90 * table["std_error"])
    low90, high90 = reml.prediction_interval(0.10)
    low95, high95 = reml.prediction_interval()
    assert low95 < low90 < high90 < high95


# --- planted truth ----------------------------------------------------------------------
PLANTED_MU, PLANTED_TAU2 = 0.30, 0.0225


def _simulate_units(rng: np.random.Generator, k: int, tau2: float) -> pd.DataFrame:
    std_error = rng.uniform(0.05, 0.30, k)
    truth = PLANTED_MU + rng.normal(0.0, np.sqrt(tau2), k)
    return pd.DataFrame(
        {
            "unit": [f"unit {i:03d}" for i in range(k)],
            "effect": truth + rng.normal(0.0, std_error),
            "se": std_error,
            "truth": truth,
        }
    )


def test_planted_between_unit_variance_and_unit_effects_are_recovered():
    units = _simulate_units(np.random.default_rng(20241019), 400, PLANTED_TAU2)
    result = estimate.pool(units, estimate="effect", std_error="se", label="unit")
    overall = _row(result)
    assert overall["conf_low"] <= PLANTED_MU <= overall["conf_high"]
    assert abs(result.tau2 - PLANTED_TAU2) < 2 * result.tau2_se
    shrunk = result.tidy().iloc[1:]
    truth = units["truth"].to_numpy()
    # shrinking towards the overall effect predicts each unit's truth better than its own estimate
    shrunk_error = np.mean((shrunk["estimate"].to_numpy() - truth) ** 2)
    raw_error = np.mean((units["effect"].to_numpy() - truth) ** 2)
    assert shrunk_error < 0.6 * raw_error
    covered = (shrunk["conf_low"].to_numpy() <= truth) & (truth <= shrunk["conf_high"].to_numpy())
    assert 0.90 <= covered.mean() <= 0.99  # nominal 95 %; binomial sd with 400 units ~ 1.1 pts
    # the noisiest units are pulled hardest towards the overall effect
    assert np.corrcoef(shrunk["observed_std_error"], shrunk["shrinkage"])[0, 1] > 0.9


def test_repeated_draws_recover_tau2_and_cover_the_overall_effect():
    rng = np.random.default_rng(7)
    reps = 100
    tau2, covered = np.empty(reps), np.empty(reps, dtype=bool)
    for rep in range(reps):
        result = estimate.pool(
            _simulate_units(rng, 30, PLANTED_TAU2), estimate="effect", std_error="se"
        )
        overall = _row(result)
        tau2[rep] = result.tau2
        covered[rep] = overall["conf_low"] <= PLANTED_MU <= overall["conf_high"]
    monte_carlo_se = tau2.std(ddof=1) / np.sqrt(reps)
    assert abs(tau2.mean() - PLANTED_TAU2) < 3 * monte_carlo_se
    # z intervals with 30 units run slightly below 95 %; far below would be a bug
    assert 0.88 <= covered.mean() <= 0.99


def test_no_planted_heterogeneity_gives_small_tau2_and_i2():
    units = _simulate_units(np.random.default_rng(3), 50, 0.0)
    result = estimate.pool(units, estimate="effect", std_error="se", label="unit")
    assert result.tau2 < 0.005 and result.i2 < 25
    assert result.q_p_value > 0.05
    assert _row(result)["conf_low"] <= PLANTED_MU <= _row(result)["conf_high"]


# --- edge cases -------------------------------------------------------------------------
def test_one_unit_is_its_own_overall_effect_with_tau2_zero():
    one = pd.DataFrame({"ministry": ["Railways"], "effect": [0.4], "se": [0.1]})
    for method in ("REML", "DL", "FE"):
        result = estimate.pool(
            one, estimate="effect", std_error="se", label="ministry", method=method
        )
        table = result.tidy()
        assert table["term"].tolist() == ["overall", "Railways"]
        np.testing.assert_allclose(table["estimate"], [0.4, 0.4])
        np.testing.assert_allclose(table["std_error"], [0.1, 0.1])
        assert result.tau2 == 0 and result.i2 == 0 and result.h2 == 1
        assert (result.q, result.q_df, result.q_p_value) == (0, 0, 1)
        assert "cannot be estimated" in result.details["warnings"][0]
        assert "cannot be estimated" in result.summary()


@pytest.mark.parametrize("method", ["REML", "DL"])
def test_identical_estimates_put_tau2_on_the_zero_boundary(method):
    units = pd.DataFrame({"effect": [0.2, 0.2, 0.2, 0.2], "se": [0.1, 0.2, 0.15, 0.3]})
    result = estimate.pool(units, estimate="effect", std_error="se", method=method)
    assert result.tau2 == 0 and result.i2 == 0 and result.q == pytest.approx(0, abs=1e-12)
    table = result.tidy()
    np.testing.assert_allclose(table["estimate"], 0.2)
    # with tau^2 = 0 each unit's shrunk effect is the overall one, with its standard error
    np.testing.assert_allclose(table["std_error"], table["std_error"].iloc[0])
    w = 1 / units["se"] ** 2
    assert table["std_error"].iloc[0] == pytest.approx(1 / np.sqrt(w.sum()))


def test_less_scatter_than_sampling_error_gives_tau2_at_the_boundary():
    units = pd.DataFrame(
        {"effect": [0.10, 0.14, 0.12, 0.08, 0.13, 0.11], "se": [0.05, 0.06, 0.05, 0.07, 0.06, 0.05]}
    )
    dl = estimate.pool(units, estimate="effect", std_error="se", method="DL")
    reml = estimate.pool(units, estimate="effect", std_error="se", method="REML")
    fe = estimate.pool(units, estimate="effect", std_error="se", method="FE")
    assert dl.q < dl.q_df and dl.tau2 == 0 and dl.i2 == 0
    # metafor's Fisher scoring stops once tau^2 moves by less than 1e-5
    assert 0 <= reml.tau2 < REML_THRESHOLD
    assert _row(reml)["estimate"] == pytest.approx(_row(fe)["estimate"], abs=1e-4)
    assert _row(dl)["estimate"] == pytest.approx(_row(fe)["estimate"], rel=1e-12)


def _independent_restricted_loglik(y: np.ndarray, v: np.ndarray, tau2: np.ndarray) -> np.ndarray:
    """REML log-likelihood (up to a constant) at each of the ``tau2`` values."""
    marginal = v[None, :] + tau2[:, None]
    w = 1 / marginal
    mu = (w * y).sum(axis=1, keepdims=True) / w.sum(axis=1, keepdims=True)
    return -0.5 * (
        np.log(marginal).sum(axis=1) + np.log(w.sum(axis=1)) + (w * (y - mu) ** 2).sum(axis=1)
    )


def test_reml_where_fisher_scoring_oscillates_still_maximises_the_likelihood():
    # metafor's Fisher scoring oscillates on these units (R stops with "did not converge")
    units = pd.DataFrame(
        {
            "effect": [-0.15, 0.06, 0.18, 0.02, -0.24, -0.17, 0.27, 0.0],
            "se": [0.26, 0.21, 0.03, 0.34, 0.04, 0.33, 0.33, 0.37],
        }
    )
    result = estimate.pool(units, estimate="effect", std_error="se")
    assert "did not converge" in result.details["warnings"][0]
    assert "did not converge" in result.summary()
    y, v = units["effect"].to_numpy(), units["se"].to_numpy() ** 2
    grid = np.linspace(0, 0.5, 50001)
    best = grid[np.argmax(_independent_restricted_loglik(y, v, grid))]
    assert result.tau2 > 0.01 and result.tau2 == pytest.approx(best, abs=2e-5)


def test_units_too_small_to_estimate_are_listed_not_dropped(bcg):
    extra = pd.DataFrame(
        {
            "trial": [14, 15, 16, 17, 18],
            "yi": [-0.3, 0.1, -0.2, np.nan, 0.4],
            "sei": [np.nan, 0.0, -0.1, 0.2, np.inf],
        }
    )
    units = pd.concat([bcg[["trial", "yi", "sei"]], extra], ignore_index=True)
    result = estimate.pool(units, estimate="yi", std_error="sei", label="trial")
    reference = estimate.pool(bcg, estimate="yi", std_error="sei", label="trial")
    pd.testing.assert_frame_equal(result.tidy(), reference.tidy())
    assert result.nobs == 13
    skipped = result.skipped
    assert skipped["label"].tolist() == [14, 15, 16, 17, 18]
    assert (skipped["status"] == TOO_SMALL).all()
    assert skipped["reason"].tolist() == [
        "missing standard error",
        "non-positive standard error",
        "non-positive standard error",
        "missing estimate",
        "infinite standard error",
    ]
    assert len(result.inputs) == 18 and (result.inputs["status"] == "pooled").sum() == 13
    assert "Too small to estimate (5): 14 (missing standard error)" in result.summary()
    assert "Too small to estimate" in result._repr_html_()


def test_unit_names_are_escaped_in_html():
    units = pd.DataFrame(
        {
            "ministry": ["Coal & Mines", "Law <Justice>", "Steel", "Textiles"],
            "effect": [0.1, 0.3, 0.2, np.inf],
            "se": [0.05, 0.1, 0.08, 0.1],
        }
    )
    result = estimate.pool(units, estimate="effect", std_error="se", label="ministry")
    page = result._repr_html_()
    assert "Coal &amp; Mines" in page and "Law &lt;Justice&gt;" in page
    assert "Textiles (infinite estimate)" in page and "<Justice>" not in page


def test_no_poolable_unit_is_an_error():
    units = pd.DataFrame({"effect": [0.1, 0.2], "se": [np.nan, 0.0]})
    with pytest.raises(ValueError, match="too small to estimate"):
        estimate.pool(units, estimate="effect", std_error="se")


@pytest.mark.parametrize("method", ["ML", "reml", "PM", ""])
def test_unknown_method_is_a_value_error_naming_the_options(bcg, method):
    with pytest.raises(ValueError, match=r"method must be one of 'REML', 'DL', 'FE'"):
        estimate.pool(bcg, estimate="yi", std_error="sei", method=method)


def test_bad_inputs_are_value_errors(bcg):
    with pytest.raises(ValueError, match="unknown column"):
        estimate.pool(bcg, estimate="log_rr", std_error="sei")
    with pytest.raises(ValueError, match="must be numeric"):
        estimate.pool(bcg, estimate="author", std_error="sei")
    with pytest.raises(ValueError, match="more than once"):
        estimate.pool(bcg, estimate="yi", std_error="sei", label="author")
    named = bcg.assign(name=["overall", *map(str, range(12))])
    with pytest.raises(ValueError, match="'overall'"):
        estimate.pool(named, estimate="yi", std_error="sei", label="name")
    with pytest.raises(ValueError, match="missing values"):
        estimate.pool(
            bcg.assign(name=[None, *range(12)]), estimate="yi", std_error="sei", label="name"
        )
    with pytest.raises(ValueError, match="DataFrame"):
        estimate.pool(bcg.to_dict(), estimate="yi", std_error="sei")


# --- the shared result language ---------------------------------------------------------
def test_pooled_result_speaks_the_shared_language(bcg, reml):
    tidy = reml.tidy()
    assert tuple(tidy.columns[:7]) == TIDY_COLUMNS
    assert list(tidy.columns[7:]) == ["observed", "observed_std_error", "weight", "shrinkage"]
    assert tidy["term"].iloc[0] == "overall" and reml.headline["term"] == "overall"
    assert tidy["weight"].iloc[1:].sum() == pytest.approx(100)
    pd.testing.assert_series_equal(reml.coef(), tidy.set_index("term")["estimate"])
    pd.testing.assert_series_equal(reml.se(), tidy.set_index("term")["std_error"])
    assert (reml.confint(0.10)["conf_low"] > reml.confint()["conf_low"]).all()
    for text in (reml.summary(), reml._repr_html_()):
        assert reml.method in text and "tau^2 = 0.3132" in text and "I^2 = 92.22 %" in text
    assert "<table" in reml._repr_html_()
    # unlabelled units are named by the frame's index
    unlabelled = estimate.pool(bcg, estimate="yi", std_error="sei")
    assert unlabelled.tidy()["term"].tolist() == ["overall", *map(str, range(13))]


def test_pooled_result_is_immutable(reml):
    with pytest.raises(dataclasses.FrozenInstanceError):
        reml.tau2 = 0.0  # type: ignore[misc]
    table, skipped = reml.tidy(), reml.skipped
    table.loc[0, "estimate"] = 99.0
    skipped.loc[:, "reason"] = "changed"
    assert reml.coef()["overall"] == pytest.approx(REML["estimate"], abs=PRINTED_4DP)
    with pytest.raises(TypeError):
        reml.details["warnings"] = ("changed",)  # type: ignore[index]


def test_docstring_example_runs():
    import doctest

    import evaluation.estimate.pooling as pooling

    assert doctest.testmod(pooling).failed == 0
