"""Planted truth for the pooled ministry and State effects (03_impact, 05_ministry_brief).

The generator plants different effects by unit (``ground_truth.json``, planted multipliers of
the edition's effect): Ministry of Health and Family Welfare 1.8x, Ministry of Finance 1.4x,
Uttar Pradesh 1.5x, Ministry of Railways 0.4x, and no effect at all in the Ministry of Home
Affairs and Madhya Pradesh. Here the whole path runs on generated exports (synth -> ingest ->
the impact population -> :func:`evaluation.analysis.pooling.pool_unit_effects`) and the
pooled, shrunk estimates must put the units where the truth puts them.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from evaluation.analysis.impact import impact_population
from evaluation.analysis.panels import person_edition
from evaluation.analysis.pooling import ESTIMATED, pool_unit_effects, unit_standing
from evaluation.core.params import Window
from evaluation.data.backend import connect
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

WINDOWS = {
    "2024": Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27)),
    "2026": Window(start=dt.date(2026, 4, 2), end=dt.date(2026, 4, 10)),
}
ZERO_EFFECT = ("Ministry of Home Affairs", "Madhya Pradesh")
LARGER = ("Uttar Pradesh",)  # planted 1.5x, and large enough to tell apart
SMALLER = ("Ministry of Railways",)  # planted 0.4x
#: Units whose interval must cover the planted ATT. The truth is the ATT over all of the
#: unit's participants, the estimate is over those registered six months before the week;
#: Railways (0.4x) is only required to sit below the overall effect.
COVERED = ZERO_EFFECT + LARGER + ("Ministry of Finance",)
PLANTED = COVERED + SMALLER


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pooled")
    raw = generate(root / "raw", scale=0.004, seed=7, formats=("warehouse",))
    ingest(raw, root / "processed", dataset="s")
    truth = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))
    return connect(root / "processed" / "s"), truth


def _pooled(store, edition: str):
    earlier = [WINDOWS["2024"]] if edition == "2026" else []
    people = person_edition(store, WINDOWS[edition], earlier_windows=earlier)
    people = impact_population(people, treatment="participated", pre_months=6)
    return pool_unit_effects(people, min_persons=10, seed=1)


@pytest.mark.parametrize("edition", ["2024", "2026"])
def test_pooled_unit_effects_recover_the_planted_units(world, edition):
    store, truth = world
    planted = truth["editions"][edition]["outcomes"]["completions_90d"]["by_ministry"]
    pooled = _pooled(store, edition)
    assert pooled is not None
    units = pooled.units.set_index("unit")
    overall = pooled.overall
    assert overall.low > 0, "taking part raised completions overall"
    assert pooled.tau2 > 0 and pooled.i2 > 50, "planted effects differ by unit"
    for unit in PLANTED:
        assert units.at[unit, "status"] == ESTIMATED, unit
    for unit in ZERO_EFFECT:
        row = units.loc[unit]
        assert planted[unit]["att"] == 0.0
        # below the overall effect, and clearly: the whole interval under the overall's
        assert row["conf_high"] < overall.low, (unit, row.to_dict(), overall)
        assert row["conf_low"] <= 0.0 <= row["conf_high"], (unit, row.to_dict())
        standing = unit_standing(pooled, unit)
        assert standing.strength == "We cannot tell whether taking part changed"
        assert standing.rank_high == standing.of, "could be the last"
    for unit in LARGER:
        row = units.loc[unit]
        assert row["conf_low"] > overall.estimate, (unit, row.to_dict(), overall)
    for unit in SMALLER:
        row = units.loc[unit]
        assert 0 < row["conf_low"] and row["estimate"] < overall.estimate, (unit, row.to_dict())
    covered = {
        unit: units.at[unit, "conf_low"] <= planted[unit]["att"] <= units.at[unit, "conf_high"]
        for unit in COVERED
    }
    assert all(covered.values()), (covered, units.loc[list(COVERED)], planted)
    # 1.8x, but with few participants: listed (estimated or too small), never dropped
    assert "Ministry of Health and Family Welfare" in units.index


def test_units_too_small_are_listed_with_the_reason(world):
    store, _ = world
    pooled = _pooled(store, "2024")
    small = pooled.too_small
    assert len(small) > 0 and small["reason"].str.startswith("fewer than 10").all()
    assert small["estimate"].isna().all() and small["rank"].isna().all()
    everyone = pd.concat([pooled.estimated, small])
    assert len(everyone) == len(pooled.units), "no unit dropped"
