"""One ``connect()`` for the analysis engine: DuckDB embedded by default, Spark when asked.

The library writes its table expressions in Ibis, so the same code runs on either engine.
A relative store path means the same folder wherever the caller runs (a notebook in
``notebooks/``, a script, the CLI): it is resolved against the project root, not the current
directory.

Examples
--------
>>> from evaluation.data import backend
>>> store = backend.connect("data/processed/synthetic")  # doctest: +SKIP
>>> store.tables()  # doctest: +SKIP
['acbp_allocations', 'content', 'enrolments', ..., 'outcomes']
>>> store.table("learners").count().execute()  # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import ibis
from ibis.expr.types import Table

from evaluation.core.contract import TABLES
from evaluation.core.params import project_root

__all__ = ["Store", "connect", "resolve_store_path"]

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

    def tables(self) -> list[str]:
        """The canonical tables this store holds, sorted by name.

        Returns
        -------
        list of str
            Names to pass to :meth:`table` (other tables or views the engine's session may
            hold are left out).
        """
        return sorted(name for name in self.con.list_tables() if name in TABLES)


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
    root: str | Path | None = None,
) -> Store:
    """Open the processed store at ``path`` (a folder of ``<table>.parquet`` files).

    Parameters
    ----------
    path
        ``data/processed/<dataset>``, or for ``backend="spark"`` a URI the cluster reads
        (``hdfs://...``, ``s3a://...``, ``abfss://...``, ``file://...``). A relative path is
        resolved against ``root`` (the project root), so ``"data/processed/synthetic"`` opens
        the same store from ``notebooks/`` as from the repository; an absolute path is used as
        it is.
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
    root
        Folder that relative paths start from. Default:
        :func:`~evaluation.core.params.project_root` (the folder holding ``pyproject.toml``
        above the current directory, else the source tree the library was loaded from).

    Returns
    -------
    Store
        ``store.tables()`` lists its tables, ``store.table(name)`` gives one as Ibis.

    Raises
    ------
    FileNotFoundError
        The folder does not exist, or holds no canonical table; the message gives the
        absolute folder looked in.
    """
    if _is_uri(path):
        return _connect_uri(str(path), backend, spark_master)
    path = resolve_store_path(path, root)
    if not path.is_dir():
        raise FileNotFoundError(
            f"processed store {path} does not exist; build it with `nlw ingest RAW --out "
            f"{path.parent}` (or `make run`, which synthesises and ingests the default data)"
        )
    found = sorted(file for file in path.glob("*.parquet") if file.stem in TABLES)
    if not found:
        raise FileNotFoundError(
            f"processed store {path} holds no canonical table (<table>.parquet){_hint(path)}; "
            "build it with `nlw ingest` (or `make run`)"
        )
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
    for file in found:
        con.read_parquet(file, table_name=file.stem)
    return Store(path=path, con=con, backend=backend)


def resolve_store_path(path: str | Path, root: str | Path | None = None) -> Path:
    """The absolute folder ``connect(path)`` opens: relative paths start at the project root.

    Parameters
    ----------
    path
        A store folder, absolute or relative (``~`` is expanded).
    root
        Start of relative paths; default :func:`~evaluation.core.params.project_root`.

    Returns
    -------
    pathlib.Path
        An absolute path (not checked to exist).

    Examples
    --------
    >>> str(resolve_store_path("data/processed/synthetic", root="/srv/nlw"))
    '/srv/nlw/data/processed/synthetic'
    >>> str(resolve_store_path("/data/store", root="/srv/nlw"))
    '/data/store'
    """
    path = Path(path).expanduser()
    if not path.is_absolute():
        path = Path(root).expanduser() / path if root is not None else project_root() / path
    return path.absolute()


def _hint(path: Path) -> str:
    """``; stores inside it: synthetic, real`` when ``path`` is the processed folder itself."""
    inside = sorted(
        child.name
        for child in path.iterdir()
        if child.is_dir() and any(f.stem in TABLES for f in child.glob("*.parquet"))
    )
    return f"; stores inside it: {', '.join(inside)}" if inside else ""


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
