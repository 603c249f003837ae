"""Planted truth on the workbench's own synthetic exports: the report's designs recover it.

The generator writes ``ground_truth.json`` (the exact sample ATT of each outcome, never read by
the analysis path). Here the whole analysis path runs on generated exports: ``nlw synth`` ->
ingest -> ``panel.person_edition`` -> the designs 03_impact reports
(``analysis.impact.outcome_designs`` and ``panel_designs``). Every primary design's 95 %
interval must cover the planted effect and the naive difference must not.

The fast test uses one fixed draw; the slow Monte Carlo repeats the whole chain over many
generator seeds and checks interval coverage and bias (``pytest -m slow``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis.editions import edition_effects
from evaluation.analysis.impact import impact_population, outcome_designs, panel_designs
from evaluation.analysis.panels import person_edition
from evaluation.core.params import Params, Window
from evaluation.data.backend import connect
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

WINDOWS = {
    "2024": Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27)),
    "2026": Window(start=dt.date(2026, 4, 2), end=dt.date(2026, 4, 10)),
}
PRIMARY = "completions_90d"


def _sadhana_2026() -> Params:
    """Params of the 2026 edition, with 2024 as its previous edition."""
    return Params.model_validate(
        {
            "edition": "2026",
            "window": {"start": "2026-04-02", "end": "2026-04-10"},
            "previous_edition": "2024",
        }
    )


def _world(root: Path, *, scale: float, seed: int) -> tuple[object, dict]:
    raw = generate(root / "raw", scale=scale, seed=seed)
    ingest(raw, root / "processed")
    truth = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))
    return connect(root / "processed" / "raw"), truth


def _people(store, edition: str) -> pd.DataFrame:
    earlier = [WINDOWS["2024"]] if edition == "2026" else []
    people = person_edition(store, WINDOWS[edition], earlier_windows=earlier)
    return impact_population(people, treatment="participated", pre_months=6)


def _interval(result, term: str) -> tuple[float, float, float]:
    row = result.tidy().set_index("term").loc[term]
    return float(row["estimate"]), float(row["conf_low"]), float(row["conf_high"])


def primary_intervals(store, edition: str) -> dict[str, tuple[float, float, float]]:
    """(estimate, low, high) of every design on the primary outcome, as 03_impact runs them."""
    people = _people(store, edition)
    designs = outcome_designs(people, PRIMARY, matching=True)
    did, study = panel_designs(store, WINDOWS[edition], people, pre_months=6, post_months=6)
    return {
        "naive": _interval(designs["naive"], "treat"),
        "did": _interval(did, "treated"),
        "aipw_change": _interval(designs["aipw_change"], "ATT"),
        "matching_change": _interval(designs["matching_change"], "ATT"),
        "pretrend_p": (study.pretrend.p_value, np.nan, np.nan),
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    return _world(tmp_path_factory.mktemp("planted"), scale=0.004, seed=7)


@pytest.mark.parametrize("edition", ["2024", "2026"])
def test_primary_designs_cover_the_planted_effect_and_naive_does_not(world, edition):
    store, truth = world
    att = truth["editions"][edition]["outcomes"][PRIMARY]["att"]
    found = primary_intervals(store, edition)
    naive, low, high = found["naive"]
    assert not low <= att <= high and naive > 1.4 * att, (att, found["naive"])
    for design in ("did", "aipw_change", "matching_change"):
        estimate, low, high = found[design]
        assert low <= att <= high, (design, att, found[design])
    assert found["pretrend_p"][0] > 0.05  # untreated outcomes move in parallel by construction


def test_each_editions_effect_and_their_difference_cover_the_planted_truth(world):
    """2026 is planted with a smaller effect than 2024; the clustered difference recovers it."""
    store, truth = world
    att = {year: truth["editions"][year]["outcomes"][PRIMARY]["att"] for year in WINDOWS}
    result = edition_effects(
        _people(store, "2024"), _people(store, "2026"), editions=("2024", "2026")
    )
    rows = {row["row"]: row for row in result.table.to_dict("records")}
    for row, year in (("earlier", "2024"), ("later", "2026")):
        assert rows[row]["conf_low"] <= att[year] <= rows[row]["conf_high"], (year, rows[row])
    gap = rows["difference"]
    assert gap["conf_low"] <= att["2026"] - att["2024"] <= gap["conf_high"], (att, gap)
    assert att["2026"] < att["2024"] and gap["estimate"] < 0
    assert result.persons_in_both > 1000  # many people are in both editions: clustered


@pytest.mark.parametrize("outcome", ["learning_hours_90d", "assessment_score"])
def test_secondary_outcomes_with_a_before_measure_are_recovered(world, outcome):
    store, truth = world
    att = truth["editions"]["2024"]["outcomes"][outcome]["att"]
    people = _people(store, "2024")
    people = people[people[outcome].notna()]
    results = outcome_designs(people, outcome)
    _, low, high = _interval(results["aipw_change"], "ATT")
    assert low <= att <= high, (outcome, att, low, high)
    _, low, high = _interval(results["naive"], "treat")
    assert not low <= att <= high


def test_report_staggered_did_from_moments_equals_the_person_level_fit(world):
    """03_impact's staggered DiD (engine moments, everyone) equals csdid on the person x month
    panel of the same people (estimate.staggered_did), month by month."""
    from evaluation.analysis.impact import staggered_effects
    from evaluation.analysis.panels import staggered_panel
    from evaluation.estimate import staggered_did

    store, _ = world
    params = _sadhana_2026()
    effects = staggered_effects(store, params)
    assert effects is not None and not effects.sampled
    panel = staggered_panel(
        store,
        [WINDOWS["2024"], WINDOWS["2026"]],
        first_month=dt.date(2024, 4, 1),
        last_month=dt.date(2026, 7, 1),  # the data end on 31 July 2026: no later month
    )
    assert effects.population == panel["user_key"].nunique()
    person = staggered_did(
        panel,
        outcome="completions",
        unit="user_key",
        time="time",
        cohort="cohort",
        control="notyet",
        method="dr",
        aggregate="dynamic",
    )
    ours = effects.result.tidy().set_index("term")
    theirs = person.tidy().set_index("term").loc[ours.index]
    np.testing.assert_allclose(ours["estimate"], theirs["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours["std_error"], theirs["std_error"], rtol=1e-8)


@pytest.mark.slow
def test_monte_carlo_over_generator_seeds(tmp_path: Path):
    """40 independent draws of the whole chain: coverage near 95 %, bias near zero.

    With 40 draws a design with true 95 % coverage falls below 85 % with probability ~1.5 %;
    the bias bound is three Monte Carlo standard errors. About 10 minutes on 2 cores.
    """
    rows = []
    for seed in range(100, 140):
        store, truth = _world(tmp_path / str(seed), scale=0.002, seed=seed)
        for edition in ("2024", "2026"):
            att = truth["editions"][edition]["outcomes"][PRIMARY]["att"]
            for design, (estimate, low, high) in primary_intervals(store, edition).items():
                if design != "pretrend_p":
                    rows.append((seed, edition, design, estimate - att, low <= att <= high))
    runs = pd.DataFrame(rows, columns=["seed", "edition", "design", "error", "covers"])
    summary = runs.groupby("design").agg(
        bias=("error", "mean"),
        sd=("error", "std"),
        n=("error", "size"),
        coverage=("covers", "mean"),
    )
    print(summary)
    assert summary.loc["naive", "coverage"] == 0
    for design in ("did", "aipw_change", "matching_change"):
        row = summary.loc[design]
        assert row["coverage"] >= 0.85, summary
        assert abs(row["bias"]) <= 3 * row["sd"] / np.sqrt(row["n"]), summary


def test_subgroup_fits_that_do_not_converge_are_counted_not_printed(world, monkeypatch, recwarn):
    """03_impact's heterogeneity says in words how many subgroup fits did not converge; no
    warning reaches the output cells (issue 17: no logging noise in cells)."""
    import warnings

    from evaluation.analysis.impact import group_effects
    from evaluation.estimate import treatment_effects

    real = treatment_effects.fit_propensity

    def never_converges(*args, **kwargs):
        result = real(*args, **kwargs)
        warnings.warn("propensity model did not converge; check for separation", stacklevel=2)
        return result

    monkeypatch.setattr(treatment_effects, "fit_propensity", never_converges)
    store, _ = world
    people = _people(store, "2024")
    effects = group_effects(people, ["A", "B", "C"], min_cell=10)
    fits = len(effects.by_group.table) + (
        len(effects.by_ministry.table) if effects.by_ministry is not None else 0
    )
    assert effects.unconverged >= fits > 0
    assert not [w for w in recwarn if "did not converge" in str(w.message)]


def test_two_editions_of_a_few_columns_equal_the_whole(world):
    """04_years stacks only the columns it reads; the rows and values are the whole frame's,
    and text columns stay categories (shared levels) through the stacking."""
    from evaluation.analysis.populations import two_editions

    store, _ = world
    params = _sadhana_2026()
    whole = two_editions(store, params)
    few = two_editions(store, params, columns=["participated", "ministry"])
    pd.testing.assert_frame_equal(few, whole[["user_key", "participated", "ministry", "edition"]])
    assert isinstance(whole["ministry"].dtype, pd.CategoricalDtype)
    assert set(whole["edition"]) == {"2024", "2026"}


def test_effects_across_editions_for_every_outcome(world):
    """04_years compares every outcome with a before measure; the primary row is the verdict's
    comparison and covers the planted change between editions."""
    from evaluation.analysis.editions import compare_editions_by_outcome, edition_effects

    store, truth = world
    params = _sadhana_2026()
    results = compare_editions_by_outcome(store, params)
    assert [r.outcome for r in results] == [
        "completions_90d",
        "learning_hours_90d",
        "assessment_score",
    ]
    primary = edition_effects(
        _people(store, "2024"), _people(store, "2026"), editions=("2024", "2026")
    )
    pd.testing.assert_frame_equal(results[0].table, primary.table)
    planted = (
        truth["editions"]["2026"]["outcomes"][PRIMARY]["att"]
        - truth["editions"]["2024"]["outcomes"][PRIMARY]["att"]
    )
    gap = results[0].table.set_index("row").loc["difference"]
    assert gap["conf_low"] <= planted <= gap["conf_high"]


def test_event_study_stops_where_the_data_end(world):
    """The generated data end on 31 July 2026: after SĀDHANA Saptah (to 10 April) three full
    30-day months are covered (to 9 July); month +3 would count 22 days. NLW 2024 has all six."""
    from evaluation.analysis.panels import complete_post_periods

    store, _ = world
    assert complete_post_periods(store, WINDOWS["2026"], 6) == 3
    assert complete_post_periods(store, WINDOWS["2024"], 6) == 6
    people = _people(store, "2026")
    _, study = panel_designs(store, WINDOWS["2026"], people, pre_months=6, post_months=6)
    assert sorted(study.tidy()["relative_period"].tolist()) == [-6, -5, -4, -3, -2, 0, 1, 2]
    # The staggered DiD's calendar months end in July 2026 too: its equality test above
    # compares with csdid on a panel ending in July (ending in October, 2026's cohort would
    # add its empty months +4 and +5 and the two would differ there).
