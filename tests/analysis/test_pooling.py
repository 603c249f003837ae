"""Unit effects and their pooling (:mod:`evaluation.analysis.pooling`) on hand-built frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.analysis import pooling

CHANGE = "completions_90d_change"


def unit_rows(unit: str, treated: list[float], others: list[float]) -> list[dict]:
    return [{"ministry": unit, "treat": 1, CHANGE: v} for v in treated] + [
        {"ministry": unit, "treat": 0, CHANGE: v} for v in others
    ]


def test_unit_effect_is_the_difference_in_mean_changes_with_hc1_by_hand():
    people = pd.DataFrame(unit_rows("A", [3.0, 1.0], [1.0, 0.0]))
    row = pooling.unit_effects(people, min_persons=2).iloc[0]
    assert row["observed"] == pytest.approx(1.5)  # (3 + 1) / 2 - (1 + 0) / 2
    # HC0: sum of squared residuals / n^2 per arm = 2 / 4 + 0.5 / 4; HC1: times n / (n - 2) = 2
    assert row["observed_std_error"] == pytest.approx(np.sqrt(2 * (2 / 4 + 0.5 / 4)))
    assert (row["participants"], row["non_participants"], row["status"]) == (2, 2, "estimated")


def test_units_too_small_are_kept_with_the_reason_and_no_count_in_it():
    people = pd.DataFrame(
        unit_rows("A", [3.0, 1.0, 2.0], [1.0, 0.0, 0.5])
        + unit_rows("Few takers", [1.0], [0.0, 1.0, 2.0])
        + unit_rows("Nobody", [], [])
        + unit_rows("Flat", [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
        + unit_rows("Unknown", [5.0] * 5, [0.0] * 5)
        + unit_rows("Tiny", [1.0], [2.0])
    )
    people.loc[len(people)] = {"ministry": "A", "treat": 1, CHANGE: np.nan}  # no "before"
    table = pooling.unit_effects(people, min_persons=3).set_index("unit")
    assert list(table.index) == ["A", "Few takers", "Flat", "Tiny"], "Unknown is no unit"
    assert table.at["A", "participants"] == 3, "a person without a change is not counted"
    assert table.at["Few takers", "reason"] == "fewer than 3 participants"
    assert table.at["Flat", "reason"] == "no variation in the change"
    both = "fewer than 3 participants and fewer than 3 non-participants"
    assert table.at["Tiny", "reason"] == both
    assert (table.drop(index="A")["status"] == pooling.TOO_SMALL).all()
    assert table.drop(index="A")["observed"].isna().all()


def planted_units(seed: int = 3) -> pd.DataFrame:
    """Six units, 200 staff each, half took part; true effects 0, 0.2, ..., 1.0."""
    rng = np.random.default_rng(seed)
    frames = []
    for k, effect in enumerate(np.linspace(0.0, 1.0, 6)):
        treat = np.tile([1, 0], 100)
        change = rng.normal(0.0, 1.0, 200) + effect * treat
        frames.append(pd.DataFrame({"ministry": f"U{k}", "treat": treat, CHANGE: change}))
    frames.append(pd.DataFrame({"ministry": "Small", "treat": [1, 0, 0], CHANGE: [1.0, 0, 0]}))
    return pd.concat(frames, ignore_index=True)


def test_pooling_matches_estimate_pool_on_the_unit_table():
    people = planted_units()
    pooled = pooling.pool_unit_effects(people, min_persons=10, seed=5)
    table = pooling.unit_effects(people, min_persons=10)
    direct = estimate.pool(
        table[table["status"] == "estimated"],
        estimate="observed",
        std_error="observed_std_error",
        label="unit",
    )
    overall = direct.tidy().iloc[0]
    assert pooled.overall.estimate == pytest.approx(overall["estimate"])
    assert pooled.overall.low == pytest.approx(overall["conf_low"])
    assert pooled.tau2 == pytest.approx(direct.tau2) and pooled.i2 == pytest.approx(direct.i2)
    shrunk = direct.tidy().set_index("term")["estimate"]
    units = pooled.units.set_index("unit")
    for unit in shrunk.index.drop("overall"):
        assert units.at[unit, "estimate"] == pytest.approx(shrunk[unit])


def test_ranks_follow_the_shrunk_effects_with_intervals_around_them():
    pooled = pooling.pool_unit_effects(planted_units(), min_persons=10, seed=5)
    estimated = pooled.estimated
    assert estimated["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert estimated["estimate"].is_monotonic_decreasing
    assert (estimated["rank_low"] <= estimated["rank"]).all()
    assert (estimated["rank"] <= estimated["rank_high"]).all()
    assert estimated.iloc[0]["unit"] == "U5" and estimated.iloc[-1]["unit"] == "U0"
    # shrinkage pulls every unit towards the overall effect, never past it
    toward = (estimated["estimate"] - pooled.overall.estimate).abs()
    assert (toward <= (estimated["observed"] - pooled.overall.estimate).abs() + 1e-12).all()
    assert pooled.too_small["unit"].tolist() == ["Small"], "listed last, never dropped"
    again = pooling.pool_unit_effects(planted_units(), min_persons=10, seed=5)
    assert again.units["rank_high"].tolist() == pooled.units["rank_high"].tolist(), "seeded"


def test_nothing_to_pool_with_fewer_than_two_units():
    people = pd.DataFrame(unit_rows("A", [3.0, 1.0], [1.0, 0.0]) + unit_rows("B", [1.0], [0.0]))
    assert pooling.pool_unit_effects(people, min_persons=2) is None


def test_unit_standing_words_how_sure_with_the_verdict_rule():
    pooled = pooling.pool_unit_effects(planted_units(), min_persons=10, seed=5)
    top = pooling.unit_standing(pooled, "U5")
    assert top.strength == "Taking part probably raised", "one design: never 'strong'"
    assert (top.rank, top.of) == (1, 6) and top.effect.low > 0
    zero = pooling.unit_standing(pooled, "U0")
    assert zero.effect.low <= 0 <= zero.effect.high
    assert zero.strength == "We cannot tell whether taking part changed"
    small = pooling.unit_standing(pooled, "Small")
    assert not small.estimable and small.effect is None and small.rank is None
    assert small.reason == "fewer than 10 participants and fewer than 10 non-participants"
    with pytest.raises(ValueError, match="'Nowhere' is not among the units"):
        pooling.unit_standing(pooled, "Nowhere")


def test_unit_effects_equal_an_ols_fit_with_hc1_in_each_unit():
    people = planted_units(seed=8)
    table = pooling.unit_effects(people, min_persons=10).set_index("unit")
    for unit in ["U0", "U3", "U5"]:
        fit = estimate.ols(people[people["ministry"] == unit], f"{CHANGE} ~ treat", vcov="HC1")
        assert table.at[unit, "observed"] == pytest.approx(fit.coef()["treat"], rel=1e-12)
        assert table.at[unit, "observed_std_error"] == pytest.approx(fit.se()["treat"], rel=1e-10)
