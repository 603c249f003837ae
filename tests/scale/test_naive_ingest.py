"""The benchmark's pandas ingest does the workbench's work: its speed ratio compares like with like.

`make bench` times `nlw ingest` against :mod:`benchmarks.naive_ingest` (issue 18, item 6). The
ratio means something only if the pandas path reads the same files, keeps and rejects the same
rows and hashes ids to the same keys; these tests hold it to that on both platform shapes.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from benchmarks.naive_ingest import naive_ingest
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

SALT = "naive-ingest-test-salt-0123456789"
PERIOD = (date(2019, 1, 1), datetime(2026, 12, 31))


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("naive")
    parquet = generate(
        root / "parquet", scale=0.001, seed=5, formats=("warehouse",), warehouse_format="parquet"
    )
    reports = generate(root / "reports", scale=0.001, seed=5, formats=("reports",))
    # One impossible row in one report file: progress 250 % (rule progress_out_of_range).
    first = sorted((reports / "reports" / "user-enrollment-report").rglob("*.csv"))[0]
    rows = list(csv.reader(first.open(encoding="utf-8-sig", newline="")))
    column = rows[0].index("Content_Progress_Percentage")
    rows[1][column] = "250"
    with first.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return {"parquet": parquet, "reports": reports}


def _both(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NLW_SALT", SALT)
    period = (PERIOD[0], PERIOD[1].date())
    manifest = ingest(src, tmp_path / "ours", dataset="x", data_period=period)
    naive = naive_ingest(src, tmp_path / "naive", salt=SALT.encode(), period=PERIOD)
    return manifest, naive


@pytest.mark.parametrize("shape", ["parquet", "reports"])
def test_pandas_path_keeps_the_rows_the_workbench_keeps(
    shape: str, worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, naive = _both(worlds[shape], tmp_path, monkeypatch)
    ours = {name: s["rows_kept"] for name, s in manifest.sources.items() if name != "outcomes"}
    assert {name: f["kept"] for name, f in naive.items()} == ours
    assert all(f["unparsed"] == 0 for f in naive.values())


def test_pandas_path_rejects_the_impossible_row(
    worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest, naive = _both(worlds["reports"], tmp_path, monkeypatch)
    assert manifest.sources["consumption_report"]["rejected"] == {"progress_out_of_range": 1}
    assert naive["consumption_report"]["rejected"] == 1


def test_pandas_path_hashes_ids_to_the_workbench_keys(
    worlds: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _both(worlds["parquet"], tmp_path, monkeypatch)
    ours = pd.read_parquet(tmp_path / "ours" / "x" / "learners.parquet")["user_key"]
    theirs = pd.read_parquet(tmp_path / "naive" / "user_detail.parquet")["user_id"]
    assert set(theirs) == set(ours)
    assert len(ours) > 100
