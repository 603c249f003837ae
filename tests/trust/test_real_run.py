"""A real chain (synth -> ingest -> Papermill) run twice: determinism, no network, a clean audit.

Run A executes in this process with ``jobs=1``; run B executes in a child process with ``jobs=2``,
its own processed store (so ingest runs again) and a ``sitecustomize`` that refuses every
connection that is not loopback or a Unix socket. Papermill kernels inherit the guard through
``PYTHONPATH``; they talk to their worker over loopback TCP, which stays allowed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from evaluation.audit import audit_outputs
from evaluation.ingest import ingest, load_salt
from evaluation.run import run_editions

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("runner")]
ROOT = Path(__file__).resolve().parents[2]
EDITIONS = ("2024", "2024b")

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
    from evaluation.run import run_editions

    summary = run_editions(sys.argv[2:], jobs=2, pdf=False, outputs=Path(sys.argv[1]))
    # Notebooks must succeed; the privacy audit's verdict is tested on its own below.
    print("OK" if all(r.status == "ok" for r in summary.results) else summary.results)
    """
)


def _params(tmp: Path, processed: str) -> list[Path]:
    base = yaml.safe_load((ROOT / "params" / "ci.yaml").read_text())
    paths = []
    for edition in EDITIONS:
        params = dict(base, edition=edition)
        params["data"] = base["data"] | {"raw": str(tmp / "raw"), "processed": str(tmp / processed)}
        path = tmp / f"{processed}-{edition}.yaml"
        path.write_text(yaml.safe_dump(params))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("real")
    first = run_editions(_params(tmp, "processed-a"), jobs=1, pdf=False, outputs=tmp / "out-a")
    assert all(r.status == "ok" for r in first.results), [r.error for r in first.results]
    guard = tmp / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]),
        "NLW_NET_LOG": str(tmp / "network.log"),
        "NLW_NET_LOADED": str(tmp / "guard-loaded.log"),
    }
    (tmp / "network.log").write_text("")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp / "out-b"), *map(str, _params(tmp, "processed-b"))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert child.returncode == 0 and child.stdout.strip().endswith("OK"), child.stderr[-3000:]
    return tmp, first


def _run_dir(tmp: Path, which: str, edition: str) -> Path:
    """The one run folder of an edition (``latest`` is set only when the audit passes too)."""
    (found,) = [
        p
        for p in (tmp / f"out-{which}" / edition).iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    ]
    return found


@pytest.mark.xfail(
    strict=False,
    reason="03_impact/tables/event_study.csv (and the xlsx built from it) differ in the last "
    "digits (1e-15) between runs A and B in some runs: order-dependent float sums over a "
    "processed store whose row order follows DuckDB threads (see the ingest test); fix the "
    "ingest ORDER BY, then make this strict",
)
@pytest.mark.parametrize("edition", EDITIONS)
def test_findings_tables_and_figures_are_byte_identical_across_runs_and_jobs(runs, edition):
    tmp, _ = runs
    a, b = _run_dir(tmp, "a", edition), _run_dir(tmp, "b", edition)
    files = sorted(
        p.relative_to(a)
        for pattern in ("findings.json", "*/findings.json", "*/tables/*.csv", "*/figures/*.png")
        for p in a.glob(pattern)
    )
    assert len(files) >= 5
    assert sorted(p.relative_to(b) for p in b.glob("*/tables/*.csv")) == [
        f for f in files if f.parent.name == "tables"
    ]
    different = [str(f) for f in files if (a / f).read_bytes() != (b / f).read_bytes()]
    assert different == []


@pytest.mark.xfail(
    strict=True,
    reason="ingest.pipeline._write_table copies each canonical table without ORDER BY, so row "
    "order follows DuckDB's threads (learners, event_attendance, acbp_allocations, outcomes "
    "differ with threads=1 vs 2: same rows, other order); fix: COPY (SELECT * FROM (<select>) "
    "ORDER BY ALL) or order each table by its key",
)
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


@pytest.mark.xfail(
    strict=True,
    reason="workbook.write_findings_workbook: xlsxwriter stamps docProps/core.xml 'created' "
    "with the wall clock; fix: writer.book.set_properties({'created': a fixed datetime})",
)
def test_findings_workbook_is_byte_identical(runs):
    tmp, _ = runs
    a, b = _run_dir(tmp, "a", "2024"), _run_dir(tmp, "b", "2024")
    assert (a / "findings.xlsx").read_bytes() == (b / "findings.xlsx").read_bytes()


@pytest.mark.xfail(
    strict=False,
    reason="03_impact/tables/event_study.csv (and the xlsx built from it) differ in the last "
    "digits (1e-15) between runs A and B in some runs: order-dependent float sums over a "
    "processed store whose row order follows DuckDB threads (see the ingest test); fix the "
    "ingest ORDER BY, then make this strict",
)
def test_findings_workbook_cells_are_identical(runs):
    tmp, _ = runs

    def cells(path: Path) -> list:
        book = load_workbook(path, read_only=True)
        return [[c.value for c in row] for sheet in book.worksheets for row in sheet.iter_rows()]

    for edition in EDITIONS:
        a, b = _run_dir(tmp, "a", edition), _run_dir(tmp, "b", edition)
        assert cells(a / "findings.xlsx") == cells(b / "findings.xlsx")


def test_a_full_run_makes_no_network_connection(runs):
    tmp, _ = runs
    assert (tmp / "network.log").read_text() == ""
    loaded = (tmp / "guard-loaded.log").read_text().splitlines()
    # The guard was active in the runner (its forked workers inherit it) and in every kernel.
    assert sum("ipykernel_launcher" in line for line in loaded) >= len(EDITIONS), loaded
    assert any(" -c " in line for line in loaded), loaded


def test_a_real_run_leaks_no_identifier(runs):
    tmp, _ = runs
    report = audit_outputs(tmp / "out-a", raw_dir=tmp / "raw", salt=load_salt())
    leaks = [f for f in report.findings if f.kind not in ("min_cell",)]
    assert leaks == []
    assert report.searched["email"] > 1000 and report.searched["user_key"] > 1000
    assert any("tables/hours_distribution.csv" in t for t in report.tables_checked)


def test_a_real_run_passes_the_whole_audit(runs):
    tmp, _ = runs
    report = audit_outputs(tmp / "out-a", raw_dir=tmp / "raw", salt=load_salt())
    assert report.ok, report.summary()


def test_identifiers_planted_into_a_real_run_are_caught(runs, tmp_path):
    tmp, _ = runs
    person = (tmp / "raw" / "warehouse" / "user_detail.csv").read_text().splitlines()[1]
    fields = next(iter(__import__("csv").reader([person])))
    user_id, name, email, phone = fields[0], fields[4], fields[6], fields[7]
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
