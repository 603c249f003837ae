"""02_groups, 04_years and 05_ministry_brief executed by Papermill on a small synthetic world."""

from __future__ import annotations

import json
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

pytestmark = pytest.mark.xdist_group("runner")
ROOT = Path(__file__).resolve().parents[2]
MIN_CELL = 10
WINDOWS = {
    "2024": {"start": "2024-10-19", "end": "2024-10-27"},
    "2026": {"start": "2026-04-02", "end": "2026-04-10"},
}
# Columns that count persons in the tables these notebooks publish.
COUNT_COLUMN = re.compile(r"^(n|n_.+|count|persons|users|participants|target_met)$")
RUNS = {
    "groups": ("02_groups", "2026", {}),
    "years": ("04_years", "2026", {"previous_edition": "2024"}),
    "years_first": ("04_years", "2024", {}),
    "brief": ("05_ministry_brief", "2026", {"ministry": None}),
}


def _execute(notebook: str, output: Path, parameters: dict) -> None:
    import papermill

    papermill.execute_notebook(
        str(ROOT / "notebooks" / f"{notebook}.ipynb"),
        str(output),
        parameters=parameters,
        kernel_name="nlw",
        progress_bar=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Generate and ingest a world once, then run every notebook (two at a time)."""
    tmp = tmp_path_factory.mktemp("world")
    generate(tmp, scale=0.002, seed=7, formats=("warehouse",))
    ingest(tmp, tmp / "processed", dataset="s")
    data = {
        "raw": str(tmp),
        "processed": str(tmp / "processed"),
        "dataset": "s",
        "synthetic": {"scale": 0.002, "seed": 7},
    }
    folders = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        jobs = []
        for key, (notebook, edition, extra) in RUNS.items():
            folders[key] = tmp / "out" / key
            parameters = {
                "edition": edition,
                "title": f"NLW {edition} (test)",
                "window": WINDOWS[edition],
                "data": data,
                "min_cell": MIN_CELL,
                "seed": 7,
                "output_dir": str(folders[key]),
            } | extra
            jobs.append(pool.submit(_execute, notebook, tmp / f"{key}.ipynb", parameters))
        for job in jobs:
            job.result()
    return folders


def findings(folder: Path) -> dict:
    return json.loads((folder / "findings.json").read_text(encoding="utf-8"))


def assert_no_small_counts(folder: Path, tables: list[str]) -> None:
    for name in tables:
        table = pd.read_csv(folder / "tables" / f"{name}.csv", dtype=str)
        for column in (c for c in table.columns if COUNT_COLUMN.match(c)):
            values = pd.to_numeric(table[column], errors="coerce").dropna()
            small = values[(values >= 0) & (values < MIN_CELL)]
            assert small.empty, f"{name}.{column} publishes counts below {MIN_CELL}: {small}"


def test_groups_notebook_publishes_balance_tests_and_figure(runs):
    found = findings(runs["groups"])
    assert re.match(
        r"Group [ABC] took part most often: \d+% of eligible users",
        found["sentences"]["group_lead"],
    )
    assert {
        "group_rates",
        "balance_participation",
        "balance_group",
        "tests_group",
        "tests_group_values",
        "omnibus_group",
    } <= set(found["tables"])
    assert "group_participation" in found["figures"]
    exact = pd.read_csv(runs["groups"] / "tables" / "tests_group_values.csv")
    assert set(exact["test"]) <= {"chi-square", "Welch t"}
    assert (exact["p_adjusted"].dropna() >= exact["p_value"].dropna()).all(), "Holm never lowers p"
    assert_no_small_counts(runs["groups"], list(found["tables"]))


def test_years_notebook_compares_with_the_previous_edition(runs):
    found = findings(runs["years"])
    assert "of 2024's participants came back" in found["sentences"]["years_lead"]
    assert {
        "kpi_changes",
        "kpi_rate_changes",
        "returning_participants",
        "tests_returning",
        "ministry_rank_changes",
    } <= set(found["tables"])
    assert "ministry_slope" in found["figures"]
    values = {item["key"]: item["value"] for item in found["findings"]}
    assert 0 < values["returned_participants"] and 0 < values["first_time_participants"]
    # the effect in each edition and its change, worded by the difference's interval
    effect = found["sentences"]["years_effect"]
    assert "per person in 2024" in effect and "in 2026" in effect
    assert any(word in effect for word in ("grew", "shrank", "cannot be told apart"))
    assert "edition_effects" in found["tables"]
    low, high = values["effect_change_conf_low"], values["effect_change_conf_high"]
    assert low <= values["effect_change_estimate"] <= high
    assert_no_small_counts(runs["years"], list(found["tables"]))


def test_years_notebook_without_previous_edition_ends_cleanly(runs):
    found = findings(runs["years_first"])
    assert "has no previous edition" in found["sentences"]["years_lead"]
    assert found["tables"] == {} and found["figures"] == {}


def test_ministry_brief_defaults_to_the_largest_ministry(runs):
    found = findings(runs["brief"])
    lead = found["sentences"]["ministry_lead"]
    assert re.match(r"In .+, \d+ of [\d,]+ eligible users took part", lead)
    assert {"ministry_kpis", "ministry_shrinkage", "ministry_leaderboard"} <= set(found["tables"])
    assert "ministry_funnel" in found["figures"]
    assert "ranks" in found["sentences"]["ministry_leaderboard"]
    assert_no_small_counts(runs["brief"], list(found["tables"]))


def test_ministry_brief_leads_with_its_own_pooled_impact(runs):
    found = findings(runs["brief"])
    lead = found["sentences"]["ministry_impact"]
    estimated = re.match(
        r"For staff of (.+), (taking part probably raised|we cannot tell whether taking part "
        r"changed|taking part appears to have lowered) course completions in the 90 days after "
        r"the week.+across all ministries and States -?\d+\.\d\d, .+ Its effect ranks \d+\w\w of "
        r"\d+ ministries and States \(95 % range \d+\w\w to \d+\w\w\)\.$",
        lead,
    )
    assert estimated or re.match(r"For staff of .+, the effect .+ cannot be estimated \(", lead)
    keys = {item["key"] for item in found["findings"]}
    assert ("ministry_impact_effect" in keys) == bool(estimated)
