"""The moments behind the cell designs and the staggered DiD are the same on Spark as on DuckDB.

The same Ibis expressions run on a local Spark session (``evaluation.data.spark``) and on
DuckDB, from the same Parquet files; the fitted designs must agree to rounding (sums may add in
another order on the two engines). Run with
``pytest -n 0 -m slow tests/estimate/test_spark_moments.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from support.moments_data import PERIODS, TRAITS, panel, people

from evaluation.estimate.cell_designs import arm_cells, cell_aipw_att, exact_match_att
from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments

pytest.importorskip("pyspark")

# one Spark session per process: keep every Spark test on one xdist worker; a JVM start and
# Spark's planning of the self-join take 1-2 minutes on 2 cores, so the test is a slow one
pytestmark = [pytest.mark.xdist_group("spark"), pytest.mark.slow]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("spark_moments")
    frames = {"people": people(n=3000, seed=4)}
    long = panel(n=600, seed=9)
    frames["values"] = long.loc[long["y"] != 0, ["unit", "time", "y"]]
    frames["units"] = long.drop_duplicates("unit")[["unit", "cohort", "x1", "x2"]]
    paths = {}
    for name, frame in frames.items():
        paths[name] = root / f"{name}.parquet"
        frame.to_parquet(paths[name], index=False)
    return paths


@pytest.fixture(scope="module")
def spark() -> Iterator[ibis.BaseBackend]:
    from evaluation.data.spark import spark_backend

    con = spark_backend("local[2]", config={"spark.sql.shuffle.partitions": "2"})
    yield con


def _tables(con, files: dict[str, Path]) -> dict[str, ibis.Table]:
    return {name: con.read_parquet(str(path)) for name, path in files.items()}


def test_cell_designs_agree(spark, files):
    results = []
    for con in (spark, ibis.duckdb.connect()):
        table = _tables(con, files)["people"]
        cells = arm_cells(table, outcome="y", treatment="treat", covariates=TRAITS)
        results.append(pd.concat([cell_aipw_att(cells).tidy(), exact_match_att(cells).tidy()]))
    on_spark, on_duckdb = results
    np.testing.assert_allclose(on_spark["estimate"], on_duckdb["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(on_spark["std_error"], on_duckdb["std_error"], rtol=1e-8)


def test_staggered_moments_agree(spark, files):
    results = []
    for con in (spark, ibis.duckdb.connect()):
        tables = _tables(con, files)
        moments = cohort_moments(
            tables["values"],
            tables["units"],
            periods=PERIODS,
            outcome="y",
            unit="unit",
            covariates=["x1", "x2"],
        )
        results.append(staggered_did_from_moments(moments, aggregate="dynamic").tidy())
    on_spark, on_duckdb = results
    np.testing.assert_allclose(on_spark["estimate"], on_duckdb["estimate"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(on_spark["std_error"], on_duckdb["std_error"], rtol=1e-8)


def test_people_in_buckets_on_spark_give_duckdb_moments(spark, files):
    """National scale joins people in hash buckets; Spark's hash() must split them the same."""
    found = []
    for con, buckets in ((spark, 3), (ibis.duckdb.connect(), 1)):
        tables = _tables(con, files)
        found.append(
            cohort_moments(
                tables["values"],
                tables["units"],
                periods=PERIODS,
                outcome="y",
                unit="unit",
                buckets=buckets,
            )
        )
    on_spark, on_duckdb = found
    pd.testing.assert_frame_equal(on_spark.strata, on_duckdb.strata, check_dtype=False)
    np.testing.assert_allclose(on_spark.means, on_duckdb.means, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(on_spark.cov, on_duckdb.cov, rtol=1e-10, atol=1e-12)
