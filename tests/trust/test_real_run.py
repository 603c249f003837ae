"""A real chain (synth -> ingest -> Papermill) run twice: determinism, no network, a clean audit.

Run A is the suite's shared chain on ``params/ci.yaml`` (``support.worlds.ci_world``: this process,
``jobs=2``, also checked by ``tests/runner/test_end_to_end.py``). Run B executes the same params
in a child process with ``jobs=1``, its own processed store (so ingest runs again) and a
``sitecustomize`` that refuses every connection that is not loopback or a Unix socket. Papermill
kernels inherit the guard through ``PYTHONPATH``; they talk to their worker over loopback TCP,
which stays allowed. Both runs skip PDF printing (Chromium is outside the guard's sight).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from support.worlds import ci_params, ci_world

from evaluation.data.ingest import ingest, load_salt
from evaluation.run.audit import audit_outputs

pytestmark = pytest.mark.xdist_group("ci-world")  # one worker builds the shared chain
ROOT = Path(__file__).resolve().parents[2]

GUARD = textwrap.dedent(
    '''
    """Refuse non-loopback network use in every Python process of a run, and log attempts."""
    import os
    import socket

    _LOG = os.environ["NLW_NET_LOG"]
    _LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "", None}


    def _note(what):
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(what + "\\n")


    def _local(host):
        return host in _LOCAL or str(host).startswith("127.")


    def _guard(real):
        def guarded(self, address, *args):
            if self.family != getattr(socket, "AF_UNIX", None):
                host = address[0] if isinstance(address, tuple) else address
                if not _local(host):
                    _note(f"blocked {real.__name__} {address!r} in {os.getpid()}")
                    raise OSError(101, "network use blocked by the test guard")
            return real(self, address, *args)
        return guarded


    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)
    _getaddrinfo = socket.getaddrinfo


    def _resolve(host, *args, **kwargs):
        if not _local(host):
            _note(f"blocked getaddrinfo {host!r} in {os.getpid()}")
            raise socket.gaierror(-2, "name resolution blocked by the test guard")
        return _getaddrinfo(host, *args, **kwargs)


    socket.getaddrinfo = _resolve
    with open(os.environ["NLW_NET_LOADED"], "a", encoding="utf-8") as handle:
        handle.write(" ".join(__import__("sys").orig_argv) + "\\n")
    '''
)

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from evaluation.run.runner import run_editions

    summary = run_editions(sys.argv[2:], jobs=1, pdf=False, outputs=Path(sys.argv[1]))
    # Notebooks must succeed; the privacy audit's verdict is tested on its own below.
    print("OK" if all(r.status == "ok" for r in summary.results) else summary.results)
    """
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run A (shared, jobs 2) and run B (child process, jobs 1, network guard), same params."""
    world = ci_world(tmp_path_factory)
    assert all(r.status == "ok" for r in world.summary.results), world.summary.results
    tmp = world.tmp
    guard = tmp / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
        "NLW_NET_LOG": str(tmp / "network.log"),
        "NLW_NET_LOADED": str(tmp / "guard-loaded.log"),
    }
    (tmp / "network.log").write_text("")
    _, params_b = ci_params(tmp, "processed-b")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp / "out-b"), str(params_b)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert child.returncode == 0 and child.stdout.strip().endswith("OK"), child.stderr[-3000:]
    return tmp, world


def _run_dir(tmp: Path, which: str, edition: str = "2024") -> Path:
    """The one run folder of an edition (``latest`` is set only when the audit passes too)."""
    (found,) = [
        p
        for p in (tmp / {"a": "outputs", "b": "out-b"}[which] / edition).iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    ]
    return found


#: Once the one output that differed between identical runs (at 1e-15: pyfixest summed rows in a
#: run-dependent order). The event study now comes from engine moments that are sums of integer
#: counts and their products (evaluation/estimate/moments.py), exact in any order, so it must match.
EVENT_STUDY = "03_impact/tables/event_study.csv"


def _differing(a: Path, b: Path, patterns: tuple[str, ...]) -> tuple[list[Path], list[str]]:
    files = sorted(p.relative_to(a) for pattern in patterns for p in a.glob(pattern))
    assert sorted(p.relative_to(b) for pattern in patterns for p in b.glob(pattern)) == files
    return files, [str(f) for f in files if (a / f).read_bytes() != (b / f).read_bytes()]


def test_findings_tables_and_figures_are_byte_identical_across_runs_and_jobs(runs):
    tmp, _ = runs
    patterns = ("findings.json", "*/findings.json", "*/tables/*.csv", "*/figures/*.png")
    files, different = _differing(_run_dir(tmp, "a"), _run_dir(tmp, "b"), patterns)
    assert len(files) >= 20 and Path(EVENT_STUDY) in files
    assert different == []


def test_the_event_study_table_is_byte_identical_across_runs_and_jobs(runs):
    tmp, _ = runs
    a, b = _run_dir(tmp, "a"), _run_dir(tmp, "b")
    assert (a / EVENT_STUDY).read_bytes() == (b / EVENT_STUDY).read_bytes()


def test_report_pages_are_byte_identical_across_runs_and_jobs(runs):
    # Pages embed their figures as PNG: equal pages mean equal text, tables and figures. The
    # pages carry no clock time (Papermill's timestamps stay in the .ipynb), so no stripping.
    tmp, _ = runs
    files, different = _differing(_run_dir(tmp, "a"), _run_dir(tmp, "b"), ("*.html",))
    assert len(files) >= 5 and Path("03_impact.html") in files
    assert different == []


def test_processed_store_is_byte_identical_across_ingests(runs, tmp_path):
    # Both ingests in this process, so the code and salt are surely the same; threads differ.
    tmp, _ = runs
    one = ingest(tmp / "raw", tmp_path / "one", dataset="x", threads=1).tables
    two = ingest(tmp / "raw", tmp_path / "two", dataset="x", threads=2).tables
    different = sorted(t for t in one if one[t]["sha256"] != two[t]["sha256"])
    assert different == [], {t: _same_rows(tmp_path, t) for t in different}


def _same_rows(tmp_path: Path, table: str) -> str:
    """Say whether two differing Parquet files hold the same rows in another order."""
    import duckdb

    a, b = (tmp_path / side / "x" / f"{table}.parquet" for side in ("one", "two"))
    extra = duckdb.sql(
        f"SELECT count(*) FROM (SELECT * FROM '{a}' EXCEPT ALL SELECT * FROM '{b}')"
    ).fetchone()[0]
    return "same rows, other order" if extra == 0 else f"{extra} rows differ"


def test_findings_workbook_is_byte_identical(runs):
    tmp, _ = runs
    a, b = _run_dir(tmp, "a"), _run_dir(tmp, "b")
    assert (a / "findings.xlsx").read_bytes() == (b / "findings.xlsx").read_bytes()


def _cells(path: Path) -> dict[str, list]:
    book = load_workbook(path, read_only=True)
    return {
        sheet.title: [[c.value for c in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


def test_findings_workbook_cells_are_identical(runs):
    tmp, _ = runs
    a, b = (_cells(_run_dir(tmp, which) / "findings.xlsx") for which in ("a", "b"))
    assert a.keys() == b.keys() and "event_study" in a
    assert [sheet for sheet in a if a[sheet] != b[sheet]] == []


def test_a_full_run_makes_no_network_connection(runs):
    tmp, _ = runs
    assert (tmp / "network.log").read_text() == ""
    loaded = (tmp / "guard-loaded.log").read_text().splitlines()
    # The guard was active in the runner (its forked workers inherit it) and in every kernel.
    # A worker keeps its kernel between notebooks (run.kernels), so at least one kernel
    # started for the run's notebooks, not one per notebook.
    notebooks = json.loads((_run_dir(tmp, "b") / "manifest.json").read_text())["notebooks"]
    assert len(notebooks) >= 5
    assert sum("ipykernel_launcher" in line for line in loaded) >= 1, loaded
    assert any(" -c " in line for line in loaded), loaded


def test_a_real_run_leaks_no_identifier(runs):
    tmp, _ = runs
    report = audit_outputs(tmp / "outputs", raw_dir=tmp / "raw", salt=load_salt())
    leaks = [f for f in report.findings if f.kind not in ("min_cell",)]
    assert leaks == []
    assert report.searched["email"] > 1000 and report.searched["user_key"] > 1000
    assert any("tables/hours_distribution.csv" in t for t in report.tables_checked)


def test_a_real_run_passes_the_whole_audit(runs):
    tmp, _ = runs
    report = audit_outputs(tmp / "outputs", raw_dir=tmp / "raw", salt=load_salt())
    assert report.ok, report.summary()


def test_identifiers_planted_into_a_real_run_are_caught(runs, tmp_path):
    tmp, _ = runs
    # The raw warehouse is written as the platform's Spark jobs write it: Parquet part files.
    detail = pq.read_table(tmp / "raw" / "warehouse" / "user_detail").slice(0, 1).to_pylist()[0]
    user_id, name = detail["user_id"], detail["full_name"]
    email, phone = detail["email"], detail["phone_number"]
    copy = tmp_path / "run"
    shutil.copytree(_run_dir(tmp, "a", "2024"), copy)
    html = copy / "01_participation.html"
    html.write_text(html.read_text().replace("</main>", f"<p>{name}</p></main>"))
    notebook = copy / "01_participation.ipynb"
    data = json.loads(notebook.read_text())
    data["cells"][-1].setdefault("outputs", []).append(
        {"output_type": "stream", "name": "stdout", "text": [f"debug {email} {user_id}\n"]}
    )
    notebook.write_text(json.dumps(data))
    table = next((copy / "01_participation" / "tables").glob("*.csv"))
    table.write_text(table.read_text() + f"phone,{phone}\n")
    report = audit_outputs(copy, raw_dir=tmp / "raw")
    kinds = {(f.file.split("/")[-1], f.kind) for f in report.findings if f.kind != "min_cell"}
    assert {
        ("01_participation.html", "name"),
        ("01_participation.ipynb", "email"),
        ("01_participation.ipynb", "raw_user_id"),
        (table.name, "phone"),
    } <= kinds
