"""A PySpark session configured so Ibis expressions give the same answers as on DuckDB.

The library's table expressions are Ibis, so Spark needs no code of its own, only a session set
up the way the expressions assume:

- ``spark.sql.session.timeZone = UTC``: processed timestamps are naive IST wall-clock times;
  with a non-UTC session zone Spark would shift them when it casts to dates and the daily
  series would move by a day at midnight.
- a ``spark.master`` from the caller, ``$NLW_SPARK_MASTER`` or ``local[*]``; on a cluster the
  master is ``yarn``, ``k8s://...`` or ``spark://host:7077`` and the store path must be one
  every executor can read (HDFS, S3, ABFS, a shared mount); see ``docs/cluster.md``. A
  standalone master on this machine (``spark://127.0.0.1:<port>``, started by
  :mod:`evaluation.data.spark_cluster`) also binds the driver to the loopback address, where
  its executors call back.

Nothing here runs unless ``backend: spark`` is asked for; importing this module does not import
PySpark.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import ibis

__all__ = ["DEFAULT_MASTER", "MASTER_VARIABLE", "spark_backend", "spark_session", "stop_session"]

#: Environment variable read when no master is given (e.g. ``yarn`` on a cluster edge node).
MASTER_VARIABLE = "NLW_SPARK_MASTER"
DEFAULT_MASTER = "local[*]"

#: Settings every session gets; callers may override any of them.
BASE_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
}

#: Extra settings for ``local[...]`` masters: a small machine gains nothing from 200 shuffle
#: partitions or the web UI.
LOCAL_CONFIG: dict[str, str] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "2g",
}


#: Extra settings for a standalone master on this machine: the executors connect back to the
#: driver, so it listens where they are (not on whatever address the host name resolves to).
LOOPBACK_CONFIG: dict[str, str] = {
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
LOOPBACK_MASTERS = ("spark://127.0.0.1:", "spark://localhost:")


def resolve_master(master: str | None = None) -> str:
    """The Spark master to use: the argument, else ``$NLW_SPARK_MASTER``, else ``local[*]``."""
    return master or os.environ.get(MASTER_VARIABLE) or DEFAULT_MASTER


def spark_session(
    master: str | None = None,
    *,
    app_name: str = "nlw",
    config: Mapping[str, Any] | None = None,
) -> Any:
    """Get or create the process's SparkSession with the workbench's settings.

    Parameters
    ----------
    master : str, optional
        ``spark.master``; see :func:`resolve_master`.
    app_name : str
        Application name shown by the cluster manager.
    config : mapping, optional
        Extra Spark settings (``spark.executor.memory``, ...); they win over the defaults.

    Returns
    -------
    pyspark.sql.SparkSession
        An active session (an existing one is reused: Spark allows one per process, and its
        static settings such as the master cannot change after it starts).

    Raises
    ------
    RuntimeError
        A session on another master is already running in this process and ``master`` or
        ``$NLW_SPARK_MASTER`` asks for a different one (reusing it would silently run
        elsewhere); stop it first (``session.stop()``) or start a new kernel.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "backend 'spark' needs pyspark: pip install 'ibis-framework[pyspark]'"
        ) from exc
    chosen = resolve_master(master)
    _check_running_master(
        SparkSession.getActiveSession(), chosen, explicit=chosen != DEFAULT_MASTER
    )
    settings = dict(BASE_CONFIG)
    if chosen.startswith("local"):
        settings.update(LOCAL_CONFIG)
    elif chosen.startswith(LOOPBACK_MASTERS):
        settings.update(LOOPBACK_CONFIG)
    settings.update({key: str(value) for key, value in (config or {}).items()})
    builder = SparkSession.builder.master(chosen).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    for key, value in settings.items():
        if session.conf.isModifiable(key):
            session.conf.set(key, value)  # SQL settings also apply to a reused session
    return session


def stop_session() -> bool:
    """Stop this process's SparkSession if one runs; return whether one did.

    A standalone cluster grants an application every free core by default and keeps them
    until its driver stops, so a process that only asks one question (``nlw run`` choosing
    the units to brief) must stop its session, or the notebook kernels' applications wait for
    cores that never come (docs/cluster.md).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - no pyspark, no session
        return False
    session = SparkSession.getActiveSession()
    if session is None:
        return False
    session.stop()
    return True


def _check_running_master(session: Any, chosen: str, *, explicit: bool) -> None:
    """Refuse to hand out a running session on another master than the one asked for."""
    if session is None or not explicit:
        return
    running = session.sparkContext.master
    if running != chosen:
        raise RuntimeError(
            f"a SparkSession on {running} already runs in this process; {chosen} was asked for. "
            "Stop it first (session.stop()) or start a new kernel"
        )


def spark_backend(
    master: str | None = None, *, config: Mapping[str, Any] | None = None
) -> ibis.BaseBackend:
    """An Ibis PySpark backend on :func:`spark_session` (what ``connect(backend="spark")`` uses).

    Examples
    --------
    The one-line hook in :mod:`evaluation.data.backend`::

        def _spark_connection(master=None):
            from evaluation.data.spark import spark_backend
            return spark_backend(master)
    """
    return ibis.pyspark.connect(spark_session(master, config=config))
