"""An edition's numbers on a real standalone Spark cluster equal the DuckDB run.

The slow tests start a master and two workers as separate JVM processes from the pinned pyspark
(``evaluation.data.spark_cluster``, 1 core and 1 GB each, on 127.0.0.1), connect a driver with
``backend="spark"`` and the cluster's ``spark://`` URL, and run on the executors: the
descriptive KPIs of NLW 2024 on a small synthetic store, the cell designs (AIPW, exact
matching) and the staggered DiD from cohort moments, both on the moments worlds of the other
moments tests and on the edition's own store. Counts must be identical; estimates agree to
1e-10 and standard errors to 1e-8 relative (the engines may add in another order). Run with
``pytest -n 0 -m slow tests/scale/test_spark_cluster.py`` (2-3 minutes on 2 cores).

The fast tests check the daemons' command lines and that ``stop`` leaves a process alone that
is not one of the cluster's daemons.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from support.moments_data import PERIODS, TRAITS, panel, people

from evaluation.analysis import describe
from evaluation.analysis.panels import staggered_inputs
from evaluation.core.params import Window
from evaluation.data import backend, spark_cluster
from evaluation.data.backend import Store
from evaluation.data.ingest import ingest
from evaluation.data.spark_cluster import Cluster, master_command, worker_command
from evaluation.data.synth import generate
from evaluation.estimate.cell_designs import arm_cells, cell_aipw_att, exact_match_att
from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments

pytest.importorskip("pyspark")

# one Spark session per process: keep every Spark test on one xdist worker
pytestmark = pytest.mark.xdist_group("spark")

NLW_2024 = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))
ESTIMATE_ATOL = 1e-10
SE_RTOL = 1e-8
SUM_RTOL = 1e-10  # sums of hours: same numbers, possibly another order of addition


# --- fast: command lines and the stop guard ---------------------------------------------------


def test_daemon_command_lines_bind_to_loopback_with_small_workers(tmp_path: Path) -> None:
    home = Path("/opt/spark")
    assert master_command(7077, 8080, home=home) == [
        "/opt/spark/bin/spark-class",
        "org.apache.spark.deploy.master.Master",
        *("--host", "127.0.0.1", "--port", "7077", "--webui-port", "8080"),
    ]
    worker = worker_command(
        "spark://127.0.0.1:7077", 8081, tmp_path, cores=1, memory="512m", home=home
    )
    assert worker == [
        "/opt/spark/bin/spark-class",
        "org.apache.spark.deploy.worker.Worker",
        *("--host", "127.0.0.1", "--webui-port", "8081", "--cores", "1", "--memory", "512m"),
        *("--work-dir", str(tmp_path), "spark://127.0.0.1:7077"),
    ]


def test_stop_leaves_a_process_that_is_not_a_daemon_of_the_cluster_alone(tmp_path: Path) -> None:
    # a recorded id the system has given to another program (here: a plain sleep)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        cluster = Cluster("spark://127.0.0.1:1", "http://127.0.0.1:1", str(tmp_path), (other.pid,))
        (tmp_path / spark_cluster.STATE_FILE).write_text("{}")
        spark_cluster.stop_cluster(cluster, timeout=0.5)
        assert other.poll() is None, "stop_cluster killed a process that was not its daemon"
        assert not (tmp_path / spark_cluster.STATE_FILE).exists()
    finally:
        other.kill()
        other.wait()


def test_a_cluster_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        spark_cluster.start_cluster("/nonexistent", workers=0)


# --- slow: the cluster itself ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Logs, worker folders and the state file of the module's cluster."""
    return tmp_path_factory.mktemp("standalone")


@pytest.fixture(scope="module")
def master(cluster_folder: Path) -> Iterator[str]:
    """``spark://127.0.0.1:<port>`` of a master and two 1-core, 1 GB workers, stopped after."""
    started = time.monotonic()
    with spark_cluster.standalone_cluster(2, cores=1, memory="1g", folder=cluster_folder) as url:
        print(f"cluster up in {time.monotonic() - started:.1f} s at {url}")
        yield url


@pytest.fixture(scope="module")
def spark(master: str) -> Iterator[ibis.BaseBackend]:
    """A driver on the cluster (any earlier session in this process is stopped first)."""
    from pyspark.sql import SparkSession

    from evaluation.data.spark import spark_backend

    earlier = SparkSession.getActiveSession()
    if earlier is not None:  # e.g. the local[2] session of another Spark test module
        earlier.stop()
    config = {"spark.sql.shuffle.partitions": "4", "spark.ui.enabled": "false"}
    con = spark_backend(master, config=config)
    yield con
    # stop the driver before the cluster: its executors would be lost under a running session
    SparkSession.getActiveSession().stop()


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A processed store built the way ``make run`` builds one, at scale 0.002."""
    root = tmp_path_factory.mktemp("spark_cluster")
    raw = generate(root / "raw", scale=0.002, seed=2024, formats=("warehouse",))
    ingest(raw, root / "processed", dataset="synthetic")
    return root / "processed" / "synthetic"


@pytest.fixture(scope="module")
def stores(spark: ibis.BaseBackend, master: str, processed: Path) -> dict[str, Store]:
    """The store through ``backend.connect``: on the cluster (by its URL) and on DuckDB."""
    on_cluster = backend.connect(processed, backend="spark", spark_master=master)
    return {"spark": on_cluster, "duckdb": backend.connect(processed)}


@pytest.fixture(scope="module")
def moments_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The moments worlds as Parquet: persons with discrete traits, a staggered panel."""
    root = tmp_path_factory.mktemp("cluster_moments")
    frames = {"people": people(n=3000, seed=4)}
    long = panel(n=600, seed=9)
    frames["values"] = long.loc[long["y"] != 0, ["unit", "time", "y"]]
    frames["units"] = long.drop_duplicates("unit")[["unit", "cohort", "x1", "x2"]]
    paths = {}
    for name, frame in frames.items():
        paths[name] = root / f"{name}.parquet"
        frame.to_parquet(paths[name], index=False)
    return paths


def _status(cluster_folder: Path) -> dict:
    """The master's ``/json/`` status (its web UI is recorded in the cluster's state file)."""
    ui = json.loads((cluster_folder / spark_cluster.STATE_FILE).read_text())["ui"]
    with urllib.request.urlopen(f"{ui}/json/", timeout=5) as answer:
        return json.load(answer)


@pytest.mark.slow
def test_the_driver_runs_on_two_executors_of_the_cluster(
    spark, master: str, cluster_folder: Path
) -> None:
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    assert session.sparkContext.master == master
    assert session.range(1000).repartition(4).count() == 1000  # work that needs the executors
    status = _status(cluster_folder)
    assert status["aliveworkers"] == 2
    (app,) = status["activeapps"]
    assert app["cores"] == 2  # one core granted on each worker: two executor processes
    # a session on another master cannot be taken silently for this one
    from evaluation.data.spark import spark_session

    with pytest.raises(RuntimeError, match="already runs in this process"):
        spark_session("local[2]")


@pytest.mark.slow
def test_descriptive_kpis_equal_duckdb(stores: dict[str, Store]) -> None:
    on_spark = describe.participation_kpis(stores["spark"], NLW_2024).as_dict()
    on_duckdb = describe.participation_kpis(stores["duckdb"], NLW_2024).as_dict()
    assert on_duckdb["participants"] > 0  # a vacuous comparison would prove nothing
    hours = on_spark.pop("learning_hours"), on_duckdb.pop("learning_hours")
    assert hours[0] == pytest.approx(hours[1], rel=SUM_RTOL)
    assert on_spark == on_duckdb  # counts, the peak day and the daily mean exactly

    daily = [describe.daily_completions(stores[name], NLW_2024) for name in ("spark", "duckdb")]
    assert len(daily[1]) == 9 and daily[1]["completions"].sum() > 0
    pd.testing.assert_frame_equal(*daily)

    weekly = [describe.week_dimensions(stores[name], NLW_2024) for name in ("spark", "duckdb")]
    pd.testing.assert_frame_equal(*weekly)

    keys = ["ministry", "org_type"]
    tables = [
        describe.ministry_participation(stores[name], NLW_2024).sort_values(keys, ignore_index=True)
        for name in ("spark", "duckdb")
    ]
    assert len(tables[1]) > 10
    counts = ["eligible", "participants", "target_met"]
    pd.testing.assert_frame_equal(tables[0][keys + counts], tables[1][keys + counts])
    np.testing.assert_allclose(
        tables[0]["learning_hours"], tables[1]["learning_hours"], rtol=SUM_RTOL
    )


@pytest.mark.slow
def test_cell_designs_equal_duckdb(spark, moments_files: dict[str, Path]) -> None:
    fits, cells = [], []
    for con in (spark, ibis.duckdb.connect()):
        table = con.read_parquet(str(moments_files["people"]))
        arms = arm_cells(table, outcome="y", treatment="treat", covariates=TRAITS)
        keys = ["treat", *TRAITS]
        cells.append(arms.frame.sort_values(keys, ignore_index=True))
        fits.append(pd.concat([cell_aipw_att(arms).tidy(), exact_match_att(arms).tidy()]))
    assert cells[0]["_cell_n"].tolist() == cells[1]["_cell_n"].tolist()  # counts exactly
    assert cells[1]["_cell_n"].sum() == 3000
    on_spark, on_duckdb = fits
    np.testing.assert_allclose(on_spark["estimate"], on_duckdb["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(on_spark["std_error"], on_duckdb["std_error"], rtol=SE_RTOL)


@pytest.mark.slow
def test_staggered_did_from_moments_equals_duckdb(spark, moments_files: dict[str, Path]) -> None:
    results, strata = [], []
    for con in (spark, ibis.duckdb.connect()):
        values = con.read_parquet(str(moments_files["values"]))
        units = con.read_parquet(str(moments_files["units"]))
        moments = cohort_moments(
            values, units, periods=PERIODS, outcome="y", unit="unit", covariates=["x1", "x2"]
        )
        strata.append(moments.strata)
        results.append(staggered_did_from_moments(moments, aggregate="dynamic").tidy())
    pd.testing.assert_frame_equal(*strata, check_dtype=False)  # people per stratum exactly
    on_spark, on_duckdb = results
    assert len(on_duckdb) > 3
    np.testing.assert_allclose(on_spark["estimate"], on_duckdb["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(on_spark["std_error"], on_duckdb["std_error"], rtol=SE_RTOL)


@pytest.mark.slow
def test_the_editions_staggered_did_equals_duckdb(stores: dict[str, Store]) -> None:
    # 03_impact's path: every eligible person of the store, months around NLW 2024
    results, strata = [], []
    for name in ("spark", "duckdb"):
        values, who, periods = staggered_inputs(
            stores[name],
            [NLW_2024],
            first_month=dt.date(2024, 7, 1),
            last_month=dt.date(2025, 1, 1),
        )
        moments = cohort_moments(values, who, periods=periods, outcome="completions")
        strata.append(moments.strata)
        fit = staggered_did_from_moments(moments, control="notyet", aggregate="dynamic")
        results.append(fit.tidy())
    pd.testing.assert_frame_equal(*strata, check_dtype=False)
    assert strata[1]["n"].sum() > 1000
    on_spark, on_duckdb = results
    np.testing.assert_allclose(on_spark["estimate"], on_duckdb["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(on_spark["std_error"], on_duckdb["std_error"], rtol=SE_RTOL)
