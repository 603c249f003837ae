"""``nlw run`` with ``backend: spark`` on a standalone cluster publishes the DuckDB files.

Every notebook of SĀDHANA Saptah 2026 (the descriptive reports 01_participation and 02_groups;
03_impact with the staggered DiD from cohort moments in the engine, the cell designs and the
person-level frames collected from the engine; 04_years against 2024; the largest unit's brief)
is executed by the runner twice on one small synthetic store (scale 0.002): once on DuckDB,
once with ``backend: spark`` in the params and ``NLW_SPARK_MASTER`` pointing at a master and
two workers started from the pinned pyspark (separate JVM processes, 1 core and 1 GB each).
Every file a reader gets (HTML, CSV, JSON, PNG, the findings workbook) must be byte-identical:
the same numbers, rounded the same way, in the same order. Only the run's ``manifest.json``
(it records the backend) and ``audit.json`` (it names the run folder) differ by design.

Slow (about 10 minutes on 2 cores): ``pytest -n 0 -m slow tests/scale/test_spark_cluster_run.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluation.core.params import load_params
from evaluation.data import spark_cluster
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate
from evaluation.run.runner import run_editions

pytest.importorskip("pyspark")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ["01_participation", "02_groups", "03_impact", "04_years", "05_ministry_brief"]
#: Files of a run that describe the run itself, not what a reader gets.
RUN_FILES = {"manifest.json", "audit.json"}
READER_FILES = {".html", ".csv", ".json", ".png", ".xlsx"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Raw exports and the processed store, built as ``make run`` builds them, at scale 0.002."""
    root = tmp_path_factory.mktemp("cluster_run")
    generate(root / "raw", scale=0.002, seed=2024, formats=("warehouse",))
    ingest(root / "raw", root / "processed", dataset="synthetic")
    return root


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A master and two 1-core, 1 GB workers, stopped after the module."""
    folder = tmp_path_factory.mktemp("standalone_run")
    with spark_cluster.standalone_cluster(2, cores=1, memory="1g", folder=folder) as url:
        yield url


def _params(world: Path, backend: str) -> Path:
    """SĀDHANA Saptah 2026's params on the test world with ``backend``."""
    base = load_params(ROOT / "params" / "2026.yaml")
    path = world / f"2026-{backend}.yaml"
    lines = [
        'edition: "2026"',
        f"title: {json.dumps(base.title)}",
        f'window: {{start: "{base.window.start}", end: "{base.window.end}"}}',
        f"data: {{raw: {world / 'raw'}, processed: {world / 'processed'}, dataset: synthetic,",
        "       synthetic: {scale: 0.002, seed: 2024}}",
        f'previous_edition: "{base.previous_edition}"',
        f"notebooks: [{', '.join(NOTEBOOKS)}]",
        f"backend: {backend}",
        "brief_min_participants: 900",  # the largest unit or two, as params/2026.yaml at 0.004
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _reader_files(run: Path) -> dict[str, bytes]:
    """Every reader-facing file of a run folder, by relative path (not :data:`RUN_FILES`)."""
    return {
        path.relative_to(run).as_posix(): path.read_bytes()
        for path in sorted(run.rglob("*"))
        if path.is_file() and path.suffix in READER_FILES and path.name not in RUN_FILES
    }


def test_nlw_run_on_the_cluster_publishes_the_duckdb_files(
    world: Path, master: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = {}
    for backend in ("duckdb", "spark"):
        # the notebook kernels open their Spark driver on the cluster
        monkeypatch.setenv("NLW_SPARK_MASTER", master)
        summary = run_editions(
            [_params(world, backend)], jobs=1, pdf=False, outputs=tmp_path / backend
        )
        assert summary.ok, [(r.notebook, r.status, r.error) for r in summary.results]
        runs[backend] = tmp_path / backend / "2026" / "latest"
    manifest = json.loads((runs["spark"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["params"]["backend"] == "spark"
    duckdb, spark = _reader_files(runs["duckdb"]), _reader_files(runs["spark"])
    assert sorted(spark) == sorted(duckdb)
    for notebook in NOTEBOOKS:  # every notebook published something (a brief at least one)
        assert any(name.startswith(notebook) for name in duckdb), notebook
    assert [name for name in duckdb if spark[name] != duckdb[name]] == []
