"""scripts/compare_runs.py tells identical runs from different ones (the refactor check)."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("compare_runs", ROOT / "scripts/compare_runs.py")
compare_runs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_runs)


def _run(outputs: Path, run_id: str, *, table: str, seconds: float) -> Path:
    run = outputs / "2024" / run_id
    (run / "01_participation" / "tables").mkdir(parents=True)
    (run / "01_participation" / "tables" / "kpis.csv").write_text(table)
    (run / "01_participation.html").write_text("<p>report</p>")
    manifest = {"edition": "2024", "seconds": seconds, "notebooks": [{"input_hash": run_id}]}
    (run / "manifest.json").write_text(json.dumps(manifest))
    (outputs / "2024" / "latest").symlink_to(run_id)
    (outputs / "index.html").write_text(f'<a href="2024/{run_id}/01_participation.html">')
    return outputs


def test_runs_that_differ_only_in_run_facts_are_identical(tmp_path):
    before = _run(tmp_path / "a", "20261202T104455-2099", table="n\n1\n", seconds=1.0)
    after = _run(tmp_path / "b", "20261202T110102-2621", table="n\n1\n", seconds=9.0)
    assert compare_runs.compare(before, after) == []


def test_a_changed_table_is_named(tmp_path):
    before = _run(tmp_path / "a", "20261202T104455-2099", table="n\n1\n", seconds=1.0)
    after = _run(tmp_path / "b", "20261202T110102-2621", table="n\n2\n", seconds=1.0)
    assert compare_runs.compare(before, after) == ["differs: 2024/01_participation/tables/kpis.csv"]
    assert compare_runs.main([str(before), str(after)]) == 1


def test_a_missing_file_is_named(tmp_path):
    before = _run(tmp_path / "a", "20261202T104455-2099", table="n\n1\n", seconds=1.0)
    after = _run(tmp_path / "b", "20261202T110102-2621", table="n\n1\n", seconds=1.0)
    (after / "2024" / "latest" / "01_participation.html").unlink()
    assert compare_runs.compare(before, after) == ["only before: 2024/01_participation.html"]
