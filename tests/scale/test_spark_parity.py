"""DuckDB and Spark give identical aggregates from the same Ibis expressions on the same store.

One small processed store (synthetic scale 0.002, ingested) and one local Spark session for the
whole module; both live in temporary folders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from evaluation.analysis import describe
from evaluation.core.params import Window
from evaluation.data import backend
from evaluation.data.backend import Store
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

pyspark = pytest.importorskip("pyspark")

# one Spark session per process: keep every Spark test on one xdist worker
pytestmark = pytest.mark.xdist_group("spark")

NLW_2024 = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))
SUM_RTOL = 1e-9  # float sums may add in a different order on the two engines


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A processed store built the way ``make run`` builds one, at scale 0.002."""
    root = tmp_path_factory.mktemp("spark_parity")
    raw = generate(root / "raw", scale=0.002, seed=2024, formats=("warehouse",))
    ingest(raw, root / "processed", dataset="synthetic")
    return root / "processed" / "synthetic"


@pytest.fixture(scope="module")
def spark_store(processed: Path) -> Iterator[Store]:
    """The store opened through ``backend.connect(backend="spark")`` on ``local[2]``."""
    from evaluation.data.spark import spark_backend

    con = spark_backend("local[2]", config={"spark.sql.shuffle.partitions": "2"})
    with pytest.MonkeyPatch.context() as patch:
        # until the lead wires evaluation.data.spark into backend._spark_connection
        patch.setattr(backend, "_spark_connection", lambda *args, **kwargs: con)
        yield backend.connect(processed, backend="spark")


@pytest.fixture(scope="module")
def duckdb_store(processed: Path) -> Store:
    """The same store on the default engine."""
    return backend.connect(processed)


def test_spark_store_lists_the_same_tables(spark_store: Store, duckdb_store: Store) -> None:
    assert spark_store.backend == "spark"
    assert sorted(spark_store.con.list_tables()) == sorted(duckdb_store.con.list_tables())
    assert spark_store.table("enrolments").count().to_pyarrow().as_py() == (
        duckdb_store.table("enrolments").count().to_pyarrow().as_py()
    )


def test_participation_kpis_identical(spark_store: Store, duckdb_store: Store) -> None:
    on_spark = describe.participation_kpis(spark_store, NLW_2024).as_dict()
    on_duckdb = describe.participation_kpis(duckdb_store, NLW_2024).as_dict()
    assert on_duckdb["participants"] > 0  # a vacuous comparison would prove nothing
    hours = on_spark.pop("learning_hours"), on_duckdb.pop("learning_hours")
    assert hours[0] == pytest.approx(hours[1], rel=SUM_RTOL)
    assert on_spark == on_duckdb


def test_daily_completions_identical(spark_store: Store, duckdb_store: Store) -> None:
    on_spark = describe.daily_completions(spark_store, NLW_2024)
    on_duckdb = describe.daily_completions(duckdb_store, NLW_2024)
    assert len(on_duckdb) == 9 and on_duckdb["completions"].sum() > 0
    pd.testing.assert_frame_equal(on_spark, on_duckdb)


def test_ministry_participation_identical(spark_store: Store, duckdb_store: Store) -> None:
    keys = ["ministry", "org_type"]
    on_spark = describe.ministry_participation(spark_store, NLW_2024)
    on_duckdb = describe.ministry_participation(duckdb_store, NLW_2024)
    on_spark = on_spark.sort_values(keys, ignore_index=True)
    on_duckdb = on_duckdb.sort_values(keys, ignore_index=True)
    assert len(on_duckdb) > 10
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False, rtol=SUM_RTOL)


@pytest.mark.slow
def test_person_edition_frame_identical(spark_store: Store, duckdb_store: Store) -> None:
    from evaluation.analysis.panels import person_edition

    on_spark = person_edition(spark_store, NLW_2024)
    on_duckdb = person_edition(duckdb_store, NLW_2024)
    assert on_duckdb["participated"].sum() > 0
    pd.testing.assert_frame_equal(on_spark, on_duckdb, check_dtype=False, rtol=SUM_RTOL)


def test_a_store_given_as_a_uri_is_read_table_by_table_on_spark(
    spark_store: Store, duckdb_store: Store, processed: Path
) -> None:
    # HDFS and object stores cannot be listed from the local filesystem: connect() reads each
    # canonical table by name under the URI (file:// stands in for hdfs:// or s3a:// here)
    remote = backend.connect(processed.resolve().as_uri(), backend="spark")
    assert sorted(remote.con.list_tables()) == sorted(duckdb_store.con.list_tables())
    on_spark = describe.participation_kpis(remote, NLW_2024).as_dict()
    on_duckdb = describe.participation_kpis(duckdb_store, NLW_2024).as_dict()
    assert on_duckdb["participants"] > 0
    hours = on_spark.pop("learning_hours"), on_duckdb.pop("learning_hours")
    assert hours[0] == pytest.approx(hours[1], rel=SUM_RTOL)
    assert on_spark == on_duckdb


def test_a_uri_store_on_duckdb_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="backend='spark'"):
        backend.connect("s3a://bucket/processed/synthetic")


def test_choosing_the_briefs_on_spark_gives_the_cluster_back(
    spark_store: Store, duckdb_store: Store, processed: Path
) -> None:
    # `nlw run` opens the store once itself to choose the units to brief. On a standalone
    # cluster its application kept every core, and the notebook kernels' drivers waited for
    # cores forever (found running 05_ministry_brief on the cluster): it now stops its session.
    # Last in the module: the module's session is stopped here.
    import yaml
    from pyspark.sql import SparkSession

    from evaluation.core.params import validate_params
    from evaluation.run.runner import brief_ministries

    root = Path(__file__).resolve().parents[2]
    raw = yaml.safe_load((root / "params" / "2024.yaml").read_text(encoding="utf-8"))
    raw["data"] = {"raw": "unused", "processed": str(processed.parent), "dataset": "synthetic"}
    raw["brief_min_participants"] = 5
    on_duckdb = brief_ministries(validate_params(raw), root)
    assert SparkSession.getActiveSession() is not None
    on_spark = brief_ministries(validate_params({**raw, "backend": "spark"}), root)
    assert len(on_duckdb) > 5 and on_spark == on_duckdb
    assert SparkSession.getActiveSession() is None
