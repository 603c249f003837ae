"""Tests of evaluation.analysis.compare against hand-computed values and scipy / statsmodels.

Reference values were computed by hand (shown in comments) on tiny fixtures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats
from statsmodels.stats.proportion import proportion_confint

from evaluation.analysis import compare

TIGHT = 1e-10  # same arithmetic, different code path
HAND = 1e-4  # hand computation rounded to 4+ digits


def two_groups() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["A"] * 3 + ["B"] * 3,
            "hours": [1.0, 2.0, 3.0, 2.0, 4.0, 6.0],
            "met": [1, 0, 0, 1, 1, 0],
        }
    )


# ----------------------------------------------------------------------------- balance


def test_balance_table_hand_values():
    table = compare.balance_table(two_groups(), by="group", covariates=["hours", "met"])
    hours_b = table.query("variable == 'hours' and level == 'B'").iloc[0]
    # A: mean 2, sd 1; B: mean 4, sd 2; smd = 2 / sqrt((1 + 4) / 2); vr = 4 / 1
    assert hours_b["mean"] == pytest.approx(4.0)
    assert hours_b["sd"] == pytest.approx(2.0)
    assert hours_b["smd"] == pytest.approx(2 / np.sqrt(2.5), abs=TIGHT)
    assert hours_b["variance_ratio"] == pytest.approx(4.0)
    assert bool(hours_b["imbalanced"])
    met_b = table.query("variable == 'met' and level == 'B'").iloc[0]
    # binary: A 1/3 (var 1/3), B 2/3 (var 1/3): smd = (1/3) / sqrt(1/3); no variance ratio
    assert met_b["smd"] == pytest.approx((1 / 3) / np.sqrt(1 / 3), abs=TIGHT)
    assert np.isnan(met_b["variance_ratio"])
    reference = table.query("level == 'A'")
    assert (reference["smd"] == 0).all()


def test_balance_wide_has_one_row_per_variable():
    table = compare.balance_table(two_groups(), by="group", covariates=["hours", "met"])
    wide = compare.balance_wide(table)
    assert wide.index.tolist() == ["hours", "met"]
    assert list(wide.columns) == [
        "n_A", "mean_A", "sd_A", "n_B", "mean_B", "sd_B", "smd_B", "variance_ratio_B"
    ]  # fmt: skip
    assert wide.loc["hours", "mean_B"] == pytest.approx(4.0)
    assert wide.loc["hours", "smd_B"] == pytest.approx(2 / np.sqrt(2.5))


def test_balance_table_rejects_unknown_reference():
    with pytest.raises(ValueError, match="reference"):
        compare.balance_table(two_groups(), by="group", covariates=["hours"], reference="Z")


def test_balance_table_needs_two_levels():
    frame = two_groups().assign(group="A")
    with pytest.raises(ValueError, match="two levels"):
        compare.balance_table(frame, by="group", covariates=["hours"])


# ----------------------------------------------------------------------------- pairwise


def test_welch_matches_scipy_and_hand_hedges_g():
    row = compare.pairwise_tests(two_groups(), outcomes=["hours"]).iloc[0]
    reference = stats.ttest_ind([2.0, 4.0, 6.0], [1.0, 2.0, 3.0], equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert row["estimate"] == pytest.approx(2.0)
    assert row["conf_low"] == pytest.approx(interval.low, abs=TIGHT)
    assert row["conf_high"] == pytest.approx(interval.high, abs=TIGHT)
    assert row["p_value"] == pytest.approx(reference.pvalue, abs=TIGHT)
    # pooled var (2*1 + 2*4)/4 = 2.5; d = 2/sqrt(2.5); J = 1 - 3/(4*6 - 9) = 0.8
    assert row["effect_size"] == pytest.approx(0.8 * 2 / np.sqrt(2.5), abs=TIGHT)


def test_mann_whitney_probability_of_superiority_by_hand():
    frame = pd.DataFrame({"group": ["A"] * 3 + ["B"] * 3, "x": [0.0, 0.5, 4.0, 1.0, 2.0, 3.0]})
    row = compare.pairwise_tests(frame, outcomes=["x"], test="mann_whitney").iloc[0]
    # B beats A in 6 of 9 pairs
    assert row["estimate"] == pytest.approx(6 / 9)
    assert row["effect_size"] == pytest.approx(2 * 6 / 9 - 1)
    assert row["conf_low"] < row["estimate"] < row["conf_high"]
    expected = stats.mannwhitneyu([1.0, 2.0, 3.0], [0.0, 0.5, 4.0], alternative="two-sided")
    assert row["p_value"] == pytest.approx(expected.pvalue)


def test_share_chi_square_and_newcombe_by_hand():
    frame = pd.DataFrame(
        {"group": ["A"] * 50 + ["B"] * 50, "met": [1] * 20 + [0] * 30 + [1] * 30 + [0] * 20}
    )
    row = compare.pairwise_tests(frame, outcomes=["met"]).iloc[0]
    assert row["test"] == "chi-square"
    assert row["estimate"] == pytest.approx(0.2)
    # expected 25 in each cell, observed 30/20: chi2 = 4 * 25 / 25 = 4
    assert row["statistic"] == pytest.approx(4.0)
    assert row["p_value"] == pytest.approx(stats.chi2.sf(4.0, 1))
    # Newcombe (1998) method 10 from the two Wilson intervals
    low_b, high_b = proportion_confint(30, 50, method="wilson")
    low_a, high_a = proportion_confint(20, 50, method="wilson")
    assert row["conf_low"] == pytest.approx(
        0.2 - np.sqrt((0.6 - low_b) ** 2 + (high_a - 0.4) ** 2), abs=TIGHT
    )
    assert row["conf_high"] == pytest.approx(
        0.2 + np.sqrt((high_b - 0.6) ** 2 + (0.4 - low_a) ** 2), abs=TIGHT
    )
    assert row["effect_size"] == pytest.approx(
        2 * np.arcsin(np.sqrt(0.6)) - 2 * np.arcsin(0.4**0.5)
    )


def test_pairwise_all_pairs_and_family_adjustment():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"group": np.repeat(["A", "B", "C"], 40), "hours": rng.normal(size=120).round(3)}
    )
    table = compare.pairwise_tests(frame, outcomes=["hours"], pairs="all", adjust="holm")
    assert list(zip(table["level"], table["reference"], strict=True)) == [
        ("B", "A"),
        ("C", "A"),
        ("C", "B"),
    ]
    np.testing.assert_allclose(table["p_adjusted"], compare.adjust_pvalues(table["p_value"]))
    assert (table["p_adjusted"] >= table["p_value"]).all()


def test_pair_with_a_single_person_is_reported_but_not_tested():
    frame = pd.concat([two_groups(), pd.DataFrame({"group": ["C"], "hours": [9.0], "met": [1]})])
    table = compare.pairwise_tests(frame, outcomes=["hours"])
    lonely = table.set_index("level").loc["C"]
    assert lonely["test"].startswith("not tested")
    assert np.isnan(lonely["p_value"]) and np.isnan(lonely["p_adjusted"])
    assert lonely["value_level"] == 9.0
    # the family holds only the tested pair: its adjusted p equals its raw p
    tested = table.set_index("level").loc["B"]
    assert tested["p_adjusted"] == pytest.approx(tested["p_value"])


def test_adjust_pvalues_holm_and_bh_by_hand():
    # Holm: sorted .01,.03,.04 -> .03, .06, .04 -> monotone .03, .06, .06
    np.testing.assert_allclose(
        compare.adjust_pvalues([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06]
    )
    # BH: .01*3/1=.03, .03*3/2=.045, .04*3/3=.04 -> monotone from the top .03, .04, .04
    np.testing.assert_allclose(
        compare.adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh"), [0.03, 0.04, 0.04]
    )
    adjusted = compare.adjust_pvalues([0.01, np.nan, 0.03], "holm")
    assert np.isnan(adjusted[1])
    np.testing.assert_allclose(adjusted[[0, 2]], [0.02, 0.03])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test": "t"}, "test must be"),
        ({"adjust": "bonf"}, "adjust must be"),
        ({"alpha": 1}, "alpha"),
    ],
)
def test_pairwise_rejects_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare.pairwise_tests(two_groups(), outcomes=["hours"], **kwargs)


def test_pairwise_rejects_missing_column():
    with pytest.raises(ValueError, match="not in frame"):
        compare.pairwise_tests(two_groups(), outcomes=["nope"])


# ----------------------------------------------------------------------------- omnibus


def three_groups() -> pd.DataFrame:
    return pd.DataFrame(
        {"group": np.repeat(["A", "B", "C"], 3), "x": [1.0, 2, 3, 4, 5, 6, 7, 8, 9]}
    )


def test_anova_eta_squared_by_hand_and_scipy():
    row = compare.omnibus_tests(three_groups(), outcomes=["x"]).iloc[0]
    # grand mean 5; between 3*(9+0+9)=54; total 60
    assert row["effect_size"] == pytest.approx(0.9)
    expected = stats.f_oneway([1, 2, 3], [4, 5, 6], [7, 8, 9])
    assert row["statistic"] == pytest.approx(expected.statistic)  # 27
    assert row["statistic"] == pytest.approx(27.0)
    assert row["p_value"] == pytest.approx(expected.pvalue)


def test_kruskal_epsilon_squared():
    row = compare.omnibus_tests(three_groups(), outcomes=["x"], test="kruskal").iloc[0]
    h = stats.kruskal([1, 2, 3], [4, 5, 6], [7, 8, 9]).statistic
    assert row["statistic"] == pytest.approx(h)
    assert row["effect_size"] == pytest.approx(h / 8)


def test_omnibus_share_uses_chi_square_and_cramers_v():
    frame = pd.DataFrame(
        {"group": np.repeat(["A", "B", "C"], 10), "met": [1] * 10 + [0] * 10 + [1] * 5 + [0] * 5}
    )
    row = compare.omnibus_tests(frame, outcomes=["met"]).iloc[0]
    table = [[10, 0], [0, 10], [5, 5]]
    expected = stats.chi2_contingency(table, correction=False)
    assert row["statistic"] == pytest.approx(expected.statistic)  # 20
    assert row["effect_size"] == pytest.approx(np.sqrt(expected.statistic / 30))
    assert row["df"] == 2


# ----------------------------------------------------------------------------- rates


def test_unit_rates_wilson_by_hand():
    frame = pd.DataFrame({"ministry": ["m"] * 4 + ["n"] * 2, "participated": [1, 1, 0, 1, 0, 0]})
    table = compare.unit_rates(frame).set_index("ministry")
    z = stats.norm.ppf(0.975)
    k, n = 3, 4
    centre = (k + z**2 / 2) / (n + z**2)
    half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
    assert table.loc["m", "rate"] == 0.75
    assert table.loc["m", "conf_low"] == pytest.approx(centre - half, abs=TIGHT)
    assert table.loc["m", "conf_high"] == pytest.approx(centre + half, abs=TIGHT)
    assert table.loc["n", "conf_low"] == pytest.approx(0.0, abs=TIGHT)


def test_unit_rates_rejects_non_binary_outcome():
    frame = pd.DataFrame({"ministry": ["m"] * 2, "participated": [0.5, 1.0]})
    with pytest.raises(ValueError, match="0/1"):
        compare.unit_rates(frame)


def ministry_rates() -> pd.DataFrame:
    """30 ministries of 300-3200 persons with rates 0.450-0.566, and a 40-person one at 0.65.

    The tiny ministry's 26 of 40 is 1.8 binomial SDs above the pooled rate: luck, not merit.
    """
    sizes = [300 + 100 * i for i in range(30)]
    counts = [round((0.45 + 0.004 * i) * size) for i, size in enumerate(sizes)]
    return pd.DataFrame(
        {
            "ministry": ["tiny"] + [f"m{i:02d}" for i in range(30)],
            "n": [40, *sizes],
            "count": [26, *counts],
        }
    ).assign(rate=lambda t: t["count"] / t["n"])


@pytest.mark.parametrize("method", ["marginal_ml", "moments"])
def test_shrinkage_pulls_small_units_towards_the_mean(method):
    result = compare.shrink_rates(ministry_rates(), method=method)
    table = result.table.set_index("ministry")
    prior_mean = result.prior_mean
    # every shrunk rate lies between the raw rate and the prior mean
    low = np.minimum(table["rate"], prior_mean)
    high = np.maximum(table["rate"], prior_mean)
    assert ((table["rate_shrunk"] >= low - TIGHT) & (table["rate_shrunk"] <= high + TIGHT)).all()
    # the weight on the prior falls with size (rows are in increasing size)
    assert table["shrinkage_weight"].is_monotonic_decreasing
    # the 40-person ministry is first on raw rates but not after shrinkage
    assert table["rate"].idxmax() == "tiny"
    assert table["rate_shrunk"].idxmax() == "m29"
    moved = (table["rate"] - table["rate_shrunk"]).abs()
    assert moved["tiny"] > 5 * moved["m29"]
    assert (table["shrunk_low"] < table["rate_shrunk"]).all()
    assert (table["rate_shrunk"] < table["shrunk_high"]).all()
    assert table.loc["tiny", "rank_raw"] == 1
    assert table.loc["tiny", "rank_shrunk"] > 1
    assert table.loc["m29", "rank_shrunk"] == 1


def test_moments_prior_by_hand():
    rates = ministry_rates()
    result = compare.shrink_rates(rates, method="moments")
    p = rates["count"] / rates["n"]
    mean = rates["count"].sum() / rates["n"].sum()
    tau2 = p.var(ddof=1) - mean * (1 - mean) * (1 / rates["n"]).mean()
    strength = mean * (1 - mean) / tau2 - 1
    assert result.prior_mean == pytest.approx(mean, abs=TIGHT)
    assert result.prior_strength == pytest.approx(strength, rel=1e-9)
    tiny = result.table.iloc[0]
    assert tiny["rate_shrunk"] == pytest.approx((26 + mean * strength) / (40 + strength), rel=1e-9)


def beta_binomial_loglik(a: float, b: float, k: np.ndarray, n: np.ndarray) -> float:
    return float(np.sum(special.betaln(k + a, n - k + b) - special.betaln(a, b)))


def test_marginal_ml_maximises_likelihood_and_recovers_prior():
    rng = np.random.default_rng(11)
    sizes = rng.integers(20, 400, size=300)
    true_rates = rng.beta(20, 30, size=300)
    counts = rng.binomial(sizes, true_rates)
    rates = pd.DataFrame({"n": sizes, "count": counts})
    fit = compare.shrink_rates(rates)
    k, n = counts.astype(float), sizes.astype(float)
    best = beta_binomial_loglik(fit.prior_alpha, fit.prior_beta, k, n)
    for da, db in [(1.05, 1.0), (0.95, 1.0), (1.0, 1.05), (1.0, 0.95)]:
        assert best >= beta_binomial_loglik(fit.prior_alpha * da, fit.prior_beta * db, k, n)
    moments = compare.shrink_rates(rates, method="moments")
    assert best >= beta_binomial_loglik(moments.prior_alpha, moments.prior_beta, k, n)
    assert fit.prior_mean == pytest.approx(0.4, abs=0.02)
    assert fit.prior_strength == pytest.approx(50, rel=0.35)


def test_shrinkage_with_no_extra_variation_pools_completely():
    rates = pd.DataFrame({"n": [100, 100, 100], "count": [50, 50, 50]})
    result = compare.shrink_rates(rates, method="moments")
    assert result.table["rate_shrunk"].to_numpy() == pytest.approx([0.5] * 3)
    assert result.table["shrinkage_weight"].min() > 0.99


def test_shrinkage_rejects_impossible_counts():
    with pytest.raises(ValueError, match="count <= n"):
        compare.shrink_rates(pd.DataFrame({"n": [10, 10], "count": [11, 2]}))


# ----------------------------------------------------------------------------- funnel


def test_funnel_normal_limits_by_hand():
    limits = compare.funnel_limits([100], target=0.5, method="normal").iloc[0]
    z95 = stats.norm.ppf(0.975)
    assert limits["lower_95"] == pytest.approx(0.5 - z95 * 0.05, abs=TIGHT)
    assert limits["upper_95"] == pytest.approx(0.5 + z95 * 0.05, abs=TIGHT)
    z998 = stats.norm.ppf(0.999)
    assert limits["upper_998"] == pytest.approx(0.5 + z998 * 0.05, abs=TIGHT)


def test_funnel_exact_limits_approach_normal_and_are_symmetric_at_half():
    exact = compare.funnel_limits([20, 100, 10000], target=0.5)
    normal = compare.funnel_limits([20, 100, 10000], target=0.5, method="normal")
    np.testing.assert_allclose(exact["lower_95"] + exact["upper_95"], 1.0, atol=1e-9)
    assert exact["upper_998"].iloc[2] == pytest.approx(normal["upper_998"].iloc[2], abs=1e-3)
    widths = (exact["upper_95"] - exact["lower_95"]).to_numpy()
    assert (np.diff(widths) < 0).all()


def test_funnel_exact_interpolation_by_hand():
    # n = 10, target 0.5, p = 0.975: ppf = 8, F(8) = 1013/1024, F(7) = 968/1024
    # alpha = (F(8) - .975) / (F(8) - F(7)); limit = (8 + 1/2 - alpha) / 10 = 0.8175
    f8, f7 = 1013 / 1024, 968 / 1024
    expected = (8.5 - (f8 - 0.975) / (f8 - f7)) / 10
    limits = compare.funnel_limits([10], target=0.5, coverages=(0.95,)).iloc[0]
    assert limits["upper_95"] == pytest.approx(expected, abs=TIGHT)
    # 8 of 10 (P(Y >= 8) = 0.055) is inside; 9 of 10 (P(Y >= 9) = 0.011) is outside
    assert 0.8 < limits["upper_95"] < 0.9
    assert 0.1 < limits["lower_95"] < 0.2


def test_funnel_flags_positions():
    rates = pd.DataFrame({"n": [1000, 1000, 1000], "rate": [0.9, 0.5, 0.1]})
    flagged = compare.funnel_flags(rates, target=0.5)
    assert flagged["position_998"].tolist() == ["above", "within", "below"]
    pooled = compare.funnel_flags(rates)
    assert pooled["target"].iloc[0] == pytest.approx(0.5)


def test_funnel_rejects_bad_target():
    with pytest.raises(ValueError, match="target"):
        compare.funnel_limits([10], target=1.0)


# ----------------------------------------------------------------------------- leaderboard


def test_size_band_follows_the_jobs_when_chain():
    # NationalLearningWeekModel.scala: > 50000 XL, between(10000, 50000) L, between(1000, 10000)
    # M, between(500, 1000) S, otherwise XS; `between` is inclusive and the first match wins.
    users = [0, 1, 499, 500, 999, 1000, 9999, 10000, 50000, 50001]
    assert compare.size_band(users).tolist() == [
        "XS", "XS", "XS", "S", "S", "M", "M", "L", "L", "XL",
    ]  # fmt: skip


def _credits(*days: str | None) -> list:
    return [pd.Timestamp(f"2024-10-{d}") if d else pd.NaT for d in days]


def test_leaderboard_ranks_total_points_and_the_earlier_last_credit_wins_ties():
    frame = pd.DataFrame(
        {
            "mdo_id": ["a", "a", "a", "b", "b", "c", "s1"],
            "karma_points": [10, 0, 5, 5, 10, None, 20],
            "last_credit_date": _credits("20", None, "21", "19", "20", None, "25"),
            "org_type": ["central"] * 6 + ["state"],
        }
    )
    board = compare.leaderboard(frame).set_index("unit")
    # s1 20 points; a and b 15 each, b's last credit (20 Oct) before a's (21 Oct); c none.
    # Central and state organisations share the band, as in the job.
    assert board["rank"].to_dict() == {"s1": 1, "b": 2, "a": 3, "c": 4}
    assert board.loc["a", "total_points"] == 15
    assert board.loc["a", "users"] == 3, "every user counts, with or without points"
    assert board.loc["a", "points_per_user"] == pytest.approx(5.0)
    assert board.loc["a", "last_credit_date"] == pd.Timestamp("2024-10-21")
    assert set(board["size_band"]) == {"XS"}


def test_leaderboard_ranks_each_band_apart_by_all_users():
    frame = pd.DataFrame(
        {
            "mdo_id": ["big"] * 500 + ["small"],
            "karma_points": [0.0] * 500 + [1.0],
            "last_credit_date": [pd.NaT] * 500 + _credits("20"),
            "org_type": ["central"] * 501,
        }
    )
    board = compare.leaderboard(frame).set_index("unit")
    assert board.loc["big", "size_band"] == "S" and board.loc["small", "size_band"] == "XS"
    assert board.loc["big", "rank"] == 1 and board.loc["small", "rank"] == 1
    assert board.index.tolist() == ["big", "small"], "larger bands first"


def test_leaderboard_names_a_missing_column():
    frame = pd.DataFrame({"mdo_id": ["a"], "karma_points": [1], "org_type": ["central"]})
    with pytest.raises(ValueError, match="last_credit_date"):
        compare.leaderboard(frame)


# ----------------------------------------------------------------------------- rank changes


def rank_frame() -> pd.DataFrame:
    rows = []
    # 2024: a > b > c clearly; 2025: c > a > b clearly (large units: tight intervals)
    shares = {2024: {"a": 0.8, "b": 0.5, "c": 0.2}, 2025: {"a": 0.5, "b": 0.2, "c": 0.8}}
    for edition, by_unit in shares.items():
        for unit, share in by_unit.items():
            ones = int(share * 500)
            rows += [(edition, unit, 1)] * ones + [(edition, unit, 0)] * (500 - ones)
    return pd.DataFrame(rows, columns=["edition", "ministry", "participated"])


def test_rank_changes_point_values_and_tight_intervals():
    table = compare.rank_changes(rank_frame(), editions=(2024, 2025), n_boot=200).set_index("unit")
    assert table["rank_1"].tolist() == [1, 2, 3]
    assert table["rank_2"].tolist() == [2, 3, 1]
    assert table["rank_change"].tolist() == [-1, -1, 2]
    assert (table["change_low"] == table["rank_change"]).all()
    assert (table["change_high"] == table["rank_change"]).all()


def test_rank_changes_are_seeded_and_cover_the_observed_rank():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "edition": np.repeat([2024, 2025], 600),
            "ministry": np.tile(np.repeat(list("pqrstu"), 100), 2),
            "hours": rng.exponential(2, 1200),
        }
    )
    kwargs = {"outcome": "hours", "editions": (2024, 2025), "n_boot": 100}
    first = compare.rank_changes(frame, seed=1, **kwargs)
    second = compare.rank_changes(frame, seed=1, **kwargs)
    pd.testing.assert_frame_equal(first, second)
    assert (first["rank_1_low"] <= first["rank_1_high"]).all()
    assert (first["change_low"] <= first["change_high"]).all()
    assert not first.equals(compare.rank_changes(frame, seed=2, **kwargs))


def test_posterior_rank_intervals_give_small_units_spread():
    # 30 ministries of 300-3200 persons around 0.51, and one of 10 persons with 10 of 10
    rates = ministry_rates().iloc[1:]
    units = [("tiny", 10, 10), *zip(rates["ministry"], rates["n"], rates["count"], strict=True)]
    rows = [
        (edition, name, value)
        for edition in (2024, 2025)
        for name, n, count in units
        for value in np.repeat([1, 0], [count, n - count])
    ]
    frame = pd.DataFrame(rows, columns=["edition", "ministry", "participated"])
    kwargs = {"editions": (2024, 2025), "n_boot": 400}
    boot = compare.rank_changes(frame, **kwargs).set_index("unit")
    # a bootstrap of 10 of 10 is always 10 of 10: first, with no uncertainty at all
    assert boot.loc["tiny", "rank_1"] == 1
    assert boot.loc["tiny", "rank_1_low"] == boot.loc["tiny", "rank_1_high"] == 1
    post = compare.rank_changes(frame, method="posterior", **kwargs).set_index("unit")
    assert post.loc["tiny", "value_1"] < 0.6  # shrunk towards the others
    assert post.loc["tiny", "rank_1"] > 1
    assert post.loc["tiny", "rank_1_high"] - post.loc["tiny", "rank_1_low"] >= 10
    assert post.loc["m29", "rank_1"] == 1


def test_posterior_ranks_need_a_binary_outcome():
    frame = rank_frame().assign(participated=lambda t: t["participated"] * 2.5)
    with pytest.raises(ValueError, match="0/1"):
        compare.rank_changes(frame, editions=(2024, 2025), method="posterior", n_boot=50)


def test_resampling_in_blocks_gives_the_same_draws_as_one_block(monkeypatch):
    sample = np.arange(50, dtype=float)
    whole = compare._resampled_means(sample, 40, np.random.default_rng(3))
    monkeypatch.setattr(compare, "_RESAMPLE_BLOCK", 120)  # 2 resamples per block
    blocks = compare._resampled_means(sample, 40, np.random.default_rng(3))
    # numpy draws the same stream of indices whatever the block shape: same seed, same result
    np.testing.assert_array_equal(blocks, whole)


# ----------------------------------------------------------------------------- editions


def edition_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_key": ["u1", "u2", "u3", "u4", "u5", "u1", "u2", "u3", "u4", "u5", "u6"],
            "edition": [2024] * 5 + [2025] * 6,
            "participated": [1, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1],
            "hours": [4.0, 2, 0, 0, 5, 6, 0, 3, 1, 7, 2],
        }
    )


def test_compare_editions_independent_matches_welch_and_newcombe():
    frame = edition_frame()
    table = compare.compare_editions(
        frame, outcomes=["participated", "hours"], editions=(2024, 2025)
    ).set_index("outcome")
    hours_24 = frame.query("edition == 2024")["hours"]
    hours_25 = frame.query("edition == 2025")["hours"]
    welch = stats.ttest_ind(hours_25, hours_24, equal_var=False)
    assert table.loc["hours", "change"] == pytest.approx(hours_25.mean() - hours_24.mean())
    assert table.loc["hours", "conf_low"] == pytest.approx(welch.confidence_interval().low)
    assert table.loc["participated", "value_1"] == pytest.approx(3 / 5)
    assert table.loc["participated", "value_2"] == pytest.approx(5 / 6)
    assert table.loc["participated", "test"] == "chi-square"
    assert (table["p_adjusted"] >= table["p_value"]).all()


def test_compare_editions_paired_by_hand():
    table = compare.compare_editions(
        edition_frame(), outcomes=["participated", "hours"], editions=(2024, 2025), design="paired"
    ).set_index("outcome")
    # u1..u5: before 1,1,0,0,1 after 1,0,1,1,1 -> gained 2, lost 1, change 1/5
    share = table.loc["participated"]
    assert share["n_1"] == 5
    assert share["change"] == pytest.approx(0.2)
    se = np.sqrt(3 - 1 / 5) / 5
    z = stats.norm.ppf(0.975)
    assert share["conf_low"] == pytest.approx(0.2 - z * se, abs=TIGHT)
    assert share["conf_high"] == pytest.approx(0.2 + z * se, abs=TIGHT)
    # McNemar without correction: (2 - 1)^2 / 3
    assert share["p_value"] == pytest.approx(stats.chi2.sf(1 / 3, 1))
    paired_t = stats.ttest_rel([6.0, 0, 3, 1, 7], [4.0, 2, 0, 0, 5])
    assert table.loc["hours", "p_value"] == pytest.approx(paired_t.pvalue)


def test_returning_participants_by_hand():
    summary = compare.returning_participants(edition_frame(), editions=(2024, 2025))
    # 2024 participants u1, u2, u5; 2025 u1, u3, u4, u5, u6
    assert summary.earlier_participants == 3
    assert summary.returned == 2
    assert summary.return_rate == pytest.approx(2 / 3)
    low, high = proportion_confint(2, 3, method="wilson")
    assert (summary.return_conf_low, summary.return_conf_high) == pytest.approx((low, high))
    assert summary.later_participants == 5
    assert summary.first_time == 3
    assert summary.as_dict()["first_time_share"] == pytest.approx(0.6)


def test_results_print_themselves():
    summary = compare.returning_participants(edition_frame(), editions=(2024, 2025))
    assert str(summary).startswith("2 of 3 earlier participants came back (66.7 %")
    assert "3 of 5 later participants were new" in str(summary)
    assert "<table" in summary._repr_html_()
    shrunk = compare.shrink_rates(ministry_rates(), method="moments")
    assert str(shrunk).startswith("Beta-binomial shrinkage (moments): prior mean 0.5")
    assert "rate_shrunk" in shrunk._repr_html_()


def test_label_participant_history():
    labelled = compare.label_participant_history(edition_frame(), current=2025, previous=[2024])
    labels = dict(zip(labelled["user_key"], labelled["participant_history"], strict=True))
    assert labels == {
        "u1": "returning",
        "u3": "first_time",
        "u4": "first_time",
        "u5": "returning",
        "u6": "first_time",
    }


def test_compare_editions_rejects_bad_design():
    with pytest.raises(ValueError, match="design"):
        compare.compare_editions(
            edition_frame(), outcomes=["hours"], editions=(2024, 2025), design="matched"
        )
