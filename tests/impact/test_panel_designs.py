"""The report's DiD and event study from engine moments equal the full person x period fits."""

from __future__ import annotations

import datetime as dt

import ibis
import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.analysis.impact import impact_population, naive_difference, panel_designs
from evaluation.analysis.panels import period_values, person_edition, person_period
from evaluation.core.params import Window
from evaluation.data.backend import connect
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate
from evaluation.estimate.moments import group_moments

WINDOW = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))


@pytest.fixture(scope="module")
def store_and_people(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("designs")
    ingest(generate(root / "raw", scale=0.002, seed=3), root / "processed")
    store = connect(root / "processed" / "raw")
    people = impact_population(
        person_edition(store, WINDOW), treatment="participated", pre_months=6
    )
    return store, people


def _full_fits(store, people: pd.DataFrame):
    """The reference: pyfixest on every person x period row (the report's former path)."""
    periods = person_period(store, WINDOW, people.assign(participated=people["treat"]))
    two = periods[periods["period"].between(-3, 2)].assign(
        phase=lambda d: (d["period"] >= 0).astype("int64")
    )
    two = two.groupby(["user_key", "phase"], as_index=False).agg(
        completions=("completions", "sum"), participated=("participated", "first")
    )
    two["treated"] = two["participated"] * two["phase"]
    ids = {"outcome": "completions", "unit": "user_key", "cluster": "user_key"}
    did = estimate.did(two, treatment="treated", time="phase", **ids)
    monthly = periods.assign(
        time=periods["period"] + 7, cohort=np.where(periods["participated"] == 1, 7, 0)
    )
    study = estimate.event_study(monthly, time="time", cohort="cohort", reference=-1, **ids)
    return did, study


def test_moments_equal_the_full_two_way_fixed_effects_fits(store_and_people):
    store, people = store_and_people
    full_did, full_study = _full_fits(store, people)
    did, study = panel_designs(store, WINDOW, people, pre_months=6, post_months=6)
    assert did.coef().iloc[0] == pytest.approx(full_did.coef().iloc[0], abs=1e-12)
    assert did.se().iloc[0] == pytest.approx(full_did.se().iloc[0], rel=1e-10)
    assert did.nobs == full_did.nobs and did.n_clusters == full_did.n_clusters
    ours, theirs = study.tidy(), full_study.tidy()
    assert list(ours["term"]) == list(theirs["term"])
    np.testing.assert_allclose(ours["estimate"], theirs["estimate"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["std_error"], theirs["std_error"], rtol=1e-10)
    np.testing.assert_allclose(ours["conf_low"], theirs["conf_low"], rtol=1e-9)
    assert study.pretrend.statistic == pytest.approx(full_study.pretrend.statistic, rel=1e-9)
    assert study.pretrend.p_value == pytest.approx(full_study.pretrend.p_value, rel=1e-8)


def test_one_group_only_is_a_clear_error(store_and_people):
    store, people = store_and_people
    values = period_values(store, WINDOW)
    nobody = ibis.memtable(people[["user_key"]].assign(treat=0))
    with pytest.raises(ValueError, match="treated .* and comparison"):
        group_moments(values, nobody, periods=[-1, 0], reference=-1, outcome="completions")
    with pytest.raises(ValueError, match="reference period 5"):
        group_moments(values, nobody, periods=[-1, 0], reference=5, outcome="completions")


def test_naive_difference_from_arm_moments_equals_the_row_fit():
    # 03_impact's naive design is fitted from each arm's moments (no n x k design at national
    # scale); it must be estimate.ols's HC1 fit on the rows, term, interval and p-value alike
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"treat": rng.integers(0, 2, 5_000)})
    frame["y"] = 0.4 * frame["treat"] + rng.gamma(1.5, 1.0 + frame["treat"], len(frame))
    frame.loc[rng.random(len(frame)) < 0.1, "y"] = np.nan
    cells = naive_difference(frame, "y").tidy().set_index("term")
    rows = estimate.ols(frame, "y ~ treat", vcov="HC1").tidy().set_index("term")
    assert list(cells.index) == list(rows.index) == ["Intercept", "treat"]
    for column in ("estimate", "conf_low", "conf_high"):
        np.testing.assert_allclose(cells[column], rows[column], rtol=0, atol=1e-10)
    np.testing.assert_allclose(cells["std_error"], rows["std_error"], rtol=1e-8)
    np.testing.assert_allclose(cells["p_value"], rows["p_value"], rtol=1e-8, atol=1e-300)
    assert naive_difference(frame, "y").nobs == int(frame["y"].notna().sum())
