"""The real chain on a small synthetic world: synth -> ingest -> Papermill -> HTML, as make run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.worlds import ci_world

pytestmark = pytest.mark.xdist_group("ci-world")  # one worker builds the shared chain
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    """The shared chain on params/ci.yaml (built once per worker, see runner/ci_world.py)."""
    world = ci_world(tmp_path_factory)
    return world.summary, world.tmp, world.params


def test_chain_runs_from_nothing(ci_run):
    summary, tmp, _ = ci_run
    assert summary.ok, [r.error for r in summary.results]
    # the warehouse as the platform's Spark jobs write it: a folder of Parquet part files
    assert (tmp / "raw" / "warehouse" / "user_detail" / "_SUCCESS").is_file()
    assert list((tmp / "raw" / "warehouse" / "user_detail").glob("part-00000-*.snappy.parquet"))
    assert (tmp / "raw" / "ground_truth.json").is_file()
    assert (tmp / "processed" / "synthetic-ci" / "manifest.json").is_file()
    assert not (tmp / "processed" / "synthetic-ci" / "ground_truth.json").exists()
    # and the MDO reports in their mixed code-line variants, cross-checked against it
    assert list((tmp / "raw" / "reports" / "user-report").glob("*/mdoid=*/UserReport.csv"))
    manifest = json.loads((tmp / "processed" / "synthetic-ci" / "manifest.json").read_text())
    assert manifest["cross_check"]["agrees"] is True, manifest["cross_check"]
    assert len(manifest["cross_check"]["checks"]) == 6


def test_kpis_scale_with_the_published_figures(ci_run):
    summary, _, params = ci_run
    scale = params["data"]["synthetic"]["scale"]
    findings = json.loads((summary.run_dirs["2024"] / "findings.json").read_text())
    values = {f["key"]: f["value"] for f in findings["01_participation"]["findings"]}
    # Published NLW 2024 figures (../shared/reference/nlw_2024_published.csv) times the scale;
    # 15 % covers sampling noise at this tiny scale (the synth tests hold scale 1 to 5 %).
    for key, published in {
        "participants": 740_000,
        "target_met": 420_000,
        "course_completions": 3_260_000,
        "course_enrolments": 4_560_000,
    }.items():
        assert values[key] == pytest.approx(published * scale, rel=0.15), key
    assert values["peak_day"] == "2024-10-24"


def test_report_html_names_the_numbers_without_code(ci_run):
    summary, _, _ = ci_run
    page = (summary.run_dirs["2024"] / "01_participation.html").read_text(encoding="utf-8")
    findings = json.loads((summary.run_dirs["2024"] / "findings.json").read_text())
    shown = {f["key"]: f["display"] for f in findings["01_participation"]["findings"]}
    for key in ("participants", "target_met", "course_completions", "peak_daily_completions"):
        assert shown[key] in page, key
    assert "SYNTHETIC DATA" in page
    assert "open_edition" not in page


def test_impact_report_beats_the_naive_comparison_against_planted_truth(ci_run):
    summary, tmp, _ = ci_run
    truth = json.loads((tmp / "raw" / "ground_truth.json").read_text())
    att = truth["editions"]["2024"]["outcomes"]["completions_90d"]["att"]
    findings = json.loads((summary.run_dirs["2024"] / "findings.json").read_text())
    impact = findings["03_impact"]
    did = next(f["value"] for f in impact["findings"] if f["key"] == "impact_did")
    naive = truth["editions"]["2024"]["outcomes"]["completions_90d"]["naive_difference"]
    # The DiD removes what is fixed about a person; it must land nearer the planted truth than
    # the naive participant/non-participant difference (which the generator makes >= 1.5x).
    assert abs(did - att) < abs(naive - att)
    assert impact["sentences"]["impact_verdict"]
