"""A standalone Spark cluster on this machine: one master and workers as separate JVM processes.

It runs the daemons that ship inside the pinned ``pyspark`` wheel (``bin/spark-class``), bound
to ``127.0.0.1`` on free ports, each worker with a small number of cores and a small memory,
logs and work folders in one folder. It needs Java 17 and nothing from the network. The driver
(a notebook kernel, a test, ``nlw run``) then connects with ``spark://127.0.0.1:<port>``, and
the executors, not the driver, run the Ibis expressions: the same code path as on a real
cluster, with real shuffles between processes. See ``docs/cluster.md``, "A standalone cluster
on one machine".

Examples
--------
In Python (the cluster stops when the block ends)::

    from evaluation.data import backend
    from evaluation.data.spark_cluster import standalone_cluster

    with standalone_cluster(workers=2) as master:
        store = backend.connect("data/processed/synthetic", backend="spark", spark_master=master)

From a shell (the daemons keep running until ``stop``)::

    python -m evaluation.data.spark_cluster start --folder /tmp/nlw-spark
    export NLW_SPARK_MASTER=spark://127.0.0.1:<port>   # printed by start
    python -m evaluation.data.spark_cluster stop --folder /tmp/nlw-spark
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "Cluster",
    "ClusterError",
    "master_command",
    "standalone_cluster",
    "start_cluster",
    "stop_cluster",
    "worker_command",
]

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
#: Heap of the master and worker daemons themselves (Spark's default is 1 GB each); executors
#: get their own JVMs with the worker's ``--memory``.
DAEMON_MEMORY = "256m"
#: The file in the cluster folder that ``stop`` reads (process ids and the master URL).
STATE_FILE = "cluster.json"


class ClusterError(RuntimeError):
    """The cluster did not start (a daemon exited, or workers did not register in time)."""


@dataclass(frozen=True)
class Cluster:
    """A running standalone cluster: where to connect and which processes to stop.

    Attributes
    ----------
    master : str
        ``spark://127.0.0.1:<port>``, the driver's ``spark.master``.
    ui : str
        The master's web UI; ``<ui>/json/`` lists the registered workers.
    folder : str
        Logs (``logs/``), worker folders (``work/``) and :data:`STATE_FILE`.
    pids : tuple of int
        Master first, then workers.
    """

    master: str
    ui: str
    folder: str
    pids: tuple[int, ...]


def spark_home() -> Path:
    """The Spark distribution inside the installed ``pyspark`` wheel (``bin/``, ``jars/``)."""
    try:
        import pyspark
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ClusterError("a standalone cluster needs pyspark (ibis-framework[pyspark])") from exc
    return Path(pyspark.__file__).resolve().parent


def master_command(port: int, ui_port: int, home: Path | None = None) -> list[str]:
    """The command line of the master daemon, bound to :data:`HOST`.

    Examples
    --------
    >>> " ".join(master_command(7077, 8080, home=Path("/spark")))
    '/spark/bin/spark-class org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 7077 \
--webui-port 8080'
    """
    home = home or spark_home()
    return [
        str(home / "bin" / "spark-class"),
        MASTER_CLASS,
        *("--host", HOST, "--port", str(port), "--webui-port", str(ui_port)),
    ]


def worker_command(
    master: str,
    ui_port: int,
    work_dir: Path,
    *,
    cores: int = 1,
    memory: str = "1g",
    home: Path | None = None,
) -> list[str]:
    """The command line of one worker daemon: ``cores`` cores and ``memory`` for its executors.

    Examples
    --------
    >>> command = worker_command("spark://127.0.0.1:7077", 8081, Path("/w"), home=Path("/spark"))
    >>> command[2:]
    ['--host', '127.0.0.1', '--webui-port', '8081', '--cores', '1', '--memory', '1g', \
'--work-dir', '/w', 'spark://127.0.0.1:7077']
    """
    home = home or spark_home()
    return [
        str(home / "bin" / "spark-class"),
        WORKER_CLASS,
        *("--host", HOST, "--webui-port", str(ui_port)),
        *("--cores", str(cores), "--memory", memory, "--work-dir", str(work_dir)),
        master,
    ]


def free_port() -> int:
    """A TCP port on :data:`HOST` that nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def alive_workers(ui: str) -> int:
    """How many workers the master at web UI ``ui`` lists as ``ALIVE`` (0 if it does not answer)."""
    try:
        with urllib.request.urlopen(f"{ui}/json/", timeout=5) as answer:
            status = json.load(answer)
    except (OSError, urllib.error.URLError, ValueError):
        return 0
    return sum(1 for worker in status.get("workers", []) if worker.get("state") == "ALIVE")


def start_cluster(
    folder: str | Path,
    *,
    workers: int = 2,
    cores: int = 1,
    memory: str = "1g",
    timeout: float = 120.0,
) -> Cluster:
    """Start a master and ``workers`` workers; return once every worker has registered.

    Parameters
    ----------
    folder
        Where logs, worker folders and :data:`STATE_FILE` go (created if missing).
    workers, cores, memory
        Number of workers, and the cores and executor memory each offers (``"1g"``, ``"512m"``).
    timeout
        Seconds to wait for the workers to register with the master.

    Returns
    -------
    Cluster
        The master URL and the daemons' process ids (also written to ``folder/cluster.json``).

    Raises
    ------
    ClusterError
        A daemon exited or the workers did not register in time; the started daemons are
        stopped and the message names the log to read.
    """
    if workers < 1 or cores < 1:
        raise ValueError(f"need at least one worker and one core, got {workers=} {cores=}")
    folder = Path(folder).absolute()
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    (folder / "conf").mkdir(exist_ok=True)  # empty: no site spark-defaults.conf leaks in
    env = _daemon_environment(folder)
    port, ui_port = free_port(), free_port()
    master, ui = f"spark://{HOST}:{port}", f"http://{HOST}:{ui_port}"
    processes = [_launch(master_command(port, ui_port), folder / "logs" / "master.log", env)]
    for index in range(workers):
        work = folder / "work" / f"worker-{index + 1}"
        work.mkdir(parents=True, exist_ok=True)
        command = worker_command(master, free_port(), work, cores=cores, memory=memory)
        processes.append(_launch(command, folder / "logs" / f"worker-{index + 1}.log", env))
    cluster = Cluster(master, ui, str(folder), tuple(process.pid for process in processes))
    (folder / STATE_FILE).write_text(json.dumps(asdict(cluster), indent=2) + "\n")
    try:
        _wait_for_workers(cluster, processes, workers, timeout)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: Cluster, *, timeout: float = 30.0) -> None:
    """Stop the workers, then the master (SIGTERM, then SIGKILL after ``timeout`` seconds).

    A process id that no longer belongs to one of this cluster's daemons (it exited, and the
    system may have given the number to another program) is left alone.
    """
    for pid in reversed(cluster.pids):  # workers first: the master outlives its workers
        if _is_daemon(pid, cluster.folder):
            _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_is_daemon(p, cluster.folder) for p in cluster.pids):
        time.sleep(0.2)
    for pid in cluster.pids:
        if _is_daemon(pid, cluster.folder):
            _signal_group(pid, signal.SIGKILL)
    (Path(cluster.folder) / STATE_FILE).unlink(missing_ok=True)


@contextmanager
def standalone_cluster(
    workers: int = 2,
    *,
    cores: int = 1,
    memory: str = "1g",
    folder: str | Path | None = None,
    timeout: float = 120.0,
) -> Iterator[str]:
    """A standalone cluster for the length of a ``with`` block; yields the master URL.

    Parameters
    ----------
    workers, cores, memory, timeout
        As in :func:`start_cluster`.
    folder
        Logs and work folders; default a temporary folder removed afterwards.

    Yields
    ------
    str
        ``spark://127.0.0.1:<port>``: give it to ``backend.connect(spark_master=...)`` or
        ``$NLW_SPARK_MASTER``. Stop the driver's SparkSession before the block ends, or its
        executors are lost under it.
    """
    with tempfile.TemporaryDirectory(prefix="nlw-spark-") as scratch:
        cluster = start_cluster(
            folder or scratch, workers=workers, cores=cores, memory=memory, timeout=timeout
        )
        try:
            yield cluster.master
        finally:
            stop_cluster(cluster)


def _daemon_environment(folder: Path) -> dict[str, str]:
    """Spark's launch variables: this wheel, loopback only, small daemons, nothing site-wide."""
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_CONF_DIR=str(folder / "conf"),
        SPARK_LOCAL_IP=HOST,
        SPARK_DAEMON_MEMORY=DAEMON_MEMORY,
        SPARK_WORKER_DIR=str(folder / "work"),
        # executors start Python workers (for Python functions) with the driver's interpreter
        PYSPARK_PYTHON=sys.executable,
    )
    if shutil.which("java", path=env.get("PATH")) is None and "JAVA_HOME" not in env:
        raise ClusterError("a standalone cluster needs Java 17 (`java` on PATH or $JAVA_HOME)")
    return env


def _launch(command: Sequence[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start one daemon in a session of its own (Ctrl-C in the caller's terminal misses it)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=log.parent.parent,
            start_new_session=True,
        )


def _wait_for_workers(
    cluster: Cluster, processes: list[subprocess.Popen[bytes]], workers: int, timeout: float
) -> None:
    """Poll the master's ``/json/`` until ``workers`` are ALIVE; fail fast if a daemon exits."""
    logs = ["master.log"] + [f"worker-{i}.log" for i in range(1, workers + 1)]
    deadline = time.monotonic() + timeout
    while alive_workers(cluster.ui) < workers:
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                raise ClusterError(
                    f"{log.removesuffix('.log')} exited with code {process.returncode}; "
                    f"see {Path(cluster.folder) / 'logs' / log}"
                )
        if time.monotonic() > deadline:
            raise ClusterError(
                f"{alive_workers(cluster.ui)} of {workers} workers registered with "
                f"{cluster.master} in {timeout:.0f} s; see {Path(cluster.folder) / 'logs'}"
            )
        time.sleep(0.5)


def _is_daemon(pid: int, folder: str) -> bool:
    """Whether ``pid`` is still a Spark daemon of the cluster in ``folder`` (not a reused id).

    The daemons carry ``SPARK_CONF_DIR=<folder>/conf`` in their environment, which a process
    that merely got the same number would not.
    """
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    if state in (b"Z", b"X"):  # exited; collect it if it is our child
        _reap(pid)
        return False
    ours = f"SPARK_CONF_DIR={Path(folder) / 'conf'}".encode()
    is_spark = MASTER_CLASS.encode() in command or WORKER_CLASS.encode() in command
    return is_spark and ours in environ


def _reap(pid: int) -> None:
    """Collect an exited child so it does not stay a zombie (no-op if it is not our child)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _signal_group(pid: int, sig: signal.Signals) -> None:
    """Signal the daemon's process group (``spark-class`` and the JVM it runs)."""
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m evaluation.data.spark_cluster start|stop|status --folder DIR``."""
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.data.spark_cluster",
        description="A standalone Spark cluster on this machine (docs/cluster.md).",
    )
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "nlw-spark")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1, help="cores per worker")
    parser.add_argument("--memory", default="1g", help="executor memory per worker")
    args = parser.parse_args(argv)
    state = args.folder / STATE_FILE
    running = _read_state(state) if state.exists() else None
    if args.action == "start":
        if running and any(_is_daemon(pid, running.folder) for pid in running.pids):
            parser.error(f"a cluster already runs from {args.folder} ({running.master}); stop it")
        cluster = start_cluster(
            args.folder, workers=args.workers, cores=args.cores, memory=args.memory
        )
        print(f"export NLW_SPARK_MASTER={cluster.master}  # web UI {cluster.ui}")
    elif running is None:
        print(f"no cluster recorded in {state}", file=sys.stderr)
        return 1
    elif args.action == "stop":
        stop_cluster(running)
        print(f"stopped {running.master}")
    else:
        print(f"{running.master}: {alive_workers(running.ui)} workers alive (web UI {running.ui})")
    return 0


def _read_state(path: Path) -> Cluster:
    """The cluster that ``start`` recorded in ``path``."""
    state = json.loads(path.read_text())
    return Cluster(state["master"], state["ui"], state["folder"], tuple(state["pids"]))


if __name__ == "__main__":
    sys.exit(main())
