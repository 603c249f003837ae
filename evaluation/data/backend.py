"""One ``connect()`` for the analysis engine: DuckDB embedded by default, Spark when asked.

The library writes its table expressions in Ibis, so the same code runs on either engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import ibis
from ibis.expr.types import Table

from evaluation.core.contract import TABLES

__all__ = ["Store", "connect"]

Backend = Literal["duckdb", "spark"]


@dataclass(frozen=True)
class Store:
    """A processed dataset opened on an engine: ``store.table("enrolments")`` is an Ibis table."""

    path: Path
    con: ibis.BaseBackend
    backend: Backend

    def table(self, name: str) -> Table:
        """The canonical table ``name`` as an Ibis expression."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; known: {', '.join(TABLES)}")
        return self.con.table(name)

    def has(self, name: str) -> bool:
        """Whether the store holds table ``name``."""
        return name in self.con.list_tables()


#: DuckDB memory limit of one connection when nothing else is said.
DEFAULT_MEMORY_LIMIT = "4GB"
#: Environment variable that overrides :data:`DEFAULT_MEMORY_LIMIT` (e.g. ``2GB``).
MEMORY_LIMIT_ENV = "NLW_DUCKDB_MEMORY_LIMIT"
#: The engine memory, in GB, that ``nlw run`` shares among notebook kernels running at once
#: (each kernel's pandas frames come on top; see docs/scale.md).
ENGINE_MEMORY_GB = 4


def connect(
    path: str | Path,
    *,
    backend: Backend = "duckdb",
    memory_limit: str | None = None,
    threads: int | None = None,
    spark_master: str | None = None,
) -> Store:
    """Open the processed store at ``path`` (a folder of ``<table>.parquet`` files).

    Parameters
    ----------
    path
        ``data/processed/<dataset>``, or for ``backend="spark"`` a URI the cluster reads
        (``hdfs://...``, ``s3a://...``, ``abfss://...``, ``file://...``).
    backend
        ``"duckdb"`` (embedded, out-of-core) or ``"spark"`` (PySpark session from the environment).
    memory_limit
        DuckDB's memory limit; above it DuckDB spills to a temporary folder. Default:
        ``$NLW_DUCKDB_MEMORY_LIMIT`` (``nlw run`` sets it to share
        :data:`ENGINE_MEMORY_GB` among the kernels running at once), else
        :data:`DEFAULT_MEMORY_LIMIT`.
    threads
        DuckDB worker threads (default: all cores).
    spark_master
        Spark master URL for ``backend="spark"`` (default: ``$NLW_SPARK_MASTER`` or
        ``local[*]``; see docs/cluster.md).
    """
    if _is_uri(path):
        return _connect_uri(str(path), backend, spark_master)
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"processed store {path} does not exist; run `nlw ingest` first")
    if backend == "duckdb":
        memory_limit = memory_limit or os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT
        con = ibis.duckdb.connect(
            memory_limit=memory_limit, **({"threads": threads} if threads else {})
        )
        # Hand freed memory back to the system promptly: a notebook kernel keeps running (and
        # holding what DuckDB's allocator kept) while the next kernel starts (docs/scale.md,
        # "Measured choices in the code").
        con.raw_sql("SET allocator_flush_threshold = '16MB'")
        con.raw_sql("SET allocator_background_threads = true")
    elif backend == "spark":
        con = _spark_connection(spark_master)
    else:
        raise ValueError(f"backend must be 'duckdb' or 'spark', got {backend!r}")
    for file in sorted(path.glob("*.parquet")):
        if file.stem in TABLES:
            con.read_parquet(file, table_name=file.stem)
    return Store(path=path, con=con, backend=backend)


def _is_uri(path: str | Path) -> bool:
    """``hdfs://``, ``s3a://``, ``abfss://``, ``file://`` ...: a store the engine reads itself."""
    return isinstance(path, str) and "://" in path


def _connect_uri(uri: str, backend: Backend, spark_master: str | None) -> Store:
    """Open a store that lives where only the cluster can list it (HDFS, object stores).

    The local filesystem cannot list such a folder, so each canonical table is read by name,
    ``<uri>/<table>.parquet``, and tables that are not there are skipped. Only Spark: the
    embedded engine would need network extensions to read object stores, and nothing at run
    time fetches from the network.
    """
    if backend != "spark":
        raise ValueError(
            f"store {uri} is a URI: open it with backend='spark' (DuckDB reads local folders)"
        )
    con = _spark_connection(spark_master)
    root = uri.rstrip("/")
    found = 0
    for name in TABLES:
        try:
            con.read_parquet(f"{root}/{name}.parquet", table_name=name)
            found += 1
        except Exception as error:  # Spark raises AnalysisException (PATH_NOT_FOUND)
            if "PATH_NOT_FOUND" not in str(error) and "does not exist" not in str(error):
                raise
    if not found:
        raise FileNotFoundError(f"processed store {uri} holds no canonical table")
    return Store(path=Path(root.split("://", 1)[1]), con=con, backend=backend)


def _spark_connection(master: str | None = None) -> ibis.BaseBackend:  # pragma: no cover
    from evaluation.data.spark import spark_backend

    return spark_backend(master)
