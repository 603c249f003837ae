"""Ingest and validate report implausibly fast completions (issue 14: field data quality)."""

import json
from pathlib import Path

from evaluation.data.ingest import ingest, validate
from evaluation.data.ingest.pipeline import ingest_with_summary


def _complete_in_ten_seconds(src: Path) -> None:
    """u-0002 'completes' the two-hour course c1 ten seconds after enrolling."""
    path = src / "warehouse" / "user_enrolments.csv"
    text = path.read_text("utf-8")
    old = "u-0002,b1,c1,2024-10-19 10:00:00,100,completed,2024-10-22 12:00:00,2024-10-22 12:00:00"
    new = "u-0002,b1,c1,2024-10-19 10:00:00,100,completed,2024-10-19 10:00:10,2024-10-19 10:00:10"
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_ingest_counts_them_in_the_manifest_and_warns(warehouse_src, tmp_path):
    _complete_in_ten_seconds(warehouse_src)
    result = ingest_with_summary(warehouse_src, tmp_path / "out")
    quality = result.manifest.quality["fast_completions"]
    assert (quality["total"], quality["organisations"], quality["courses"]) == (1, 1, 1)
    assert quality["top"][0]["content_id"] == "c1"
    assert quality["top"][0]["fast_completions"] == 1
    written = json.loads((tmp_path / "out" / "warehouse_ok" / "manifest.json").read_text())
    assert written["quality"]["fast_completions"]["total"] == 1
    warned = [p for p in result.report.problems if p.rule == "implausibly_fast_completion"]
    assert len(warned) == 1 and warned[0].severity == "warning"
    # o1 holds u-0001 and u-0002 (two completions of c1); u-0004 is in another organisation
    assert warned[0].message.startswith("organisation o1, course c1: 1 of 2 completions came")
    assert result.manifest.warnings["implausibly_fast_completion"] == 1


def test_validate_warns_without_writing_a_store(warehouse_src):
    _complete_in_ten_seconds(warehouse_src)
    report = validate(warehouse_src)
    assert report.ok, "a warning, not an error"
    assert report.rule_counts[("warning", "implausibly_fast_completion")] == 1


def test_none_flagged_in_ordinary_data(warehouse_src, tmp_path):
    manifest = ingest(warehouse_src, tmp_path / "out")
    assert manifest.quality["fast_completions"]["total"] == 0
    assert "implausibly_fast_completion" not in manifest.warnings
