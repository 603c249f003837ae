"""Bad days: a worker or the runner killed mid-run; a read-only, blocked or full outputs folder.

The notebooks here are one-cell stand-ins (the runner's behaviour, not the analysis, is under
test), so each run costs a kernel start or two and the whole module runs in ``make test``.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections import namedtuple
from pathlib import Path

import nbformat
import pytest
from support.stores import write_tiny_store

import evaluation.run.outputs_guard as guard
import evaluation.run.runner as runner
from evaluation import cli
from evaluation.run.outputs_guard import OutputError, check_writable
from evaluation.run.runner import PROGRESS, run_editions

pytestmark = pytest.mark.xdist_group("faults")  # the module fixture is built once
ROOT = Path(__file__).resolve().parents[2]
QUICK = "20_quick"
LIBRARY = "library-hash-pinned-by-test-faults"


def _params(tmp: Path, notebooks: list[str]) -> Path:
    if not (tmp / "processed" / "tiny").exists():
        store = write_tiny_store(tmp / "processed" / "tiny")
        (store / "manifest.json").write_text("{}")
        (tmp / "raw").mkdir()
    path = tmp / f"tiny-{'-'.join(notebooks)}.yaml"
    path.write_text(
        'edition: "2024"\ntitle: "Tiny edition"\n'
        'window: {start: "2024-10-19", end: "2024-10-27"}\n'
        f"data: {{raw: {tmp}/raw, processed: {tmp}/processed, dataset: tiny, "
        "synthetic: {scale: 0.01, seed: 1}}\n"
        f"notebooks: {json.dumps(notebooks)}\n"
        # The tiny store counts single persons: min_cell 1 keeps the runner's privacy audit
        # (tested in test_audit.py) from refusing these runs, which test faults, not privacy.
        "min_cell: 1\n"
    )
    return path


def _checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _notebook(folder: Path, name: str, source: str) -> None:
    """A one-cell notebook on the ``nlw`` kernel, after a ``parameters`` cell."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "nlw", "display_name": "nlw", "language": "python"}
    notebook.cells = [
        nbformat.v4.new_code_cell("output_dir = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(textwrap.dedent(source)),
    ]
    nbformat.write(notebook, folder / f"{name}.ipynb")


def _notebooks(folder: Path, marker: Path) -> Path:
    """A quick notebook that writes a table, and two that kill a process once (marker exists).

    ``50_crash`` kills its pool worker; ``60_kill_runner`` kills the runner itself (its pid is
    in ``NLW_TEST_RUNNER_PID``), then its worker and itself, as an out-of-memory kill would.
    """
    folder.mkdir(exist_ok=True)
    _notebook(
        folder,
        QUICK,
        """
        import pathlib
        tables = pathlib.Path(output_dir) / "tables"
        tables.mkdir(parents=True, exist_ok=True)
        (tables / "quick.csv").write_text("label,value\\nquick,1\\n")
        print("quick notebook done")
        """,
    )
    once = f"import os, signal, pathlib\nmarker = pathlib.Path({str(marker)!r})\n"
    _notebook(
        folder,
        "50_crash",
        once
        + textwrap.dedent(
            """
        if marker.exists():
            marker.unlink()
            os.kill(os.getppid(), signal.SIGKILL)  # the kernel's parent: the pool worker
            import time; time.sleep(30)
        """
        ),
    )
    _notebook(
        folder,
        "60_kill_runner",
        once
        + textwrap.dedent(
            """
        if marker.exists():
            marker.unlink()
            os.kill(int(os.environ["NLW_TEST_RUNNER_PID"]), signal.SIGKILL)
            os.kill(os.getppid(), signal.SIGKILL)
            os._exit(1)
        """
        ),
    )
    return folder


@pytest.fixture(scope="module", autouse=True)
def same_library():
    """Pin the library's hash: a colleague saving a file mid-test must not defeat resume.

    Resume compares hashes; which parts enter the hash is not what these tests are about.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "_library_hash", lambda root: LIBRARY)
        yield


@pytest.fixture(scope="module")
def first(tmp_path_factory, same_library):
    """A finished run of the quick notebook; tests copy its outputs before harming them."""
    tmp = tmp_path_factory.mktemp("faults")
    notebooks = _notebooks(tmp / "notebooks", tmp / "no-marker")
    summary = run_editions(
        [_params(tmp, [QUICK])],
        jobs=1,
        pdf=False,
        outputs=tmp / "outputs",
        notebooks_dir=notebooks,
    )
    assert summary.ok, [r.error for r in summary.results]
    return tmp


def _copy_outputs(first: Path, tmp_path: Path) -> Path:
    outputs = tmp_path / "outputs"
    shutil.copytree(first / "outputs", outputs, symlinks=True)
    return outputs


def test_a_killed_worker_leaves_earlier_outputs_intact_and_resume_reuses_its_work(first, tmp_path):
    outputs = _copy_outputs(first, tmp_path)
    edition = outputs / "2024"
    before_latest = (edition / "latest").resolve()
    before = _checksums(before_latest)
    marker = tmp_path / "crash-once"
    marker.touch()
    notebooks = _notebooks(tmp_path / "notebooks", marker)
    params = _params(first, [QUICK, "50_crash"])

    crashed = run_editions(
        [params], jobs=1, pdf=False, resume=False, outputs=outputs, notebooks_dir=notebooks
    )
    status = {r.notebook: r for r in crashed.results}
    assert not crashed.ok
    assert status[QUICK].status == "ok"  # finished before the crash
    assert status["50_crash"].status == "failed" and status["50_crash"].error
    assert (edition / "latest").resolve() == before_latest  # a failed run is never "latest"
    assert _checksums(before_latest) == before  # earlier outputs untouched
    assert not list(edition.glob(".partial-*"))
    failed_run = crashed.run_dirs["2024"]
    failed = _checksums(failed_run)

    resumed = run_editions(
        [params], jobs=1, pdf=False, resume=True, outputs=outputs, notebooks_dir=notebooks
    )
    assert resumed.ok, [r.error for r in resumed.results]
    # The failed run is not "latest", yet its finished notebook is reused, not executed again.
    assert {r.notebook: r.status for r in resumed.results} == {QUICK: "reused", "50_crash": "ok"}
    new = resumed.run_dirs["2024"]
    assert (edition / "latest").resolve() == new
    for name in (f"{QUICK}.ipynb", f"{QUICK}.html", f"{QUICK}/tables/quick.csv"):
        assert (new / name).read_bytes() == (failed_run / name).read_bytes(), name
    assert _checksums(failed_run) == failed and _checksums(before_latest) == before


KILL_RUNNER = """
import os, sys
from pathlib import Path
import evaluation.run.runner
from evaluation.run.runner import run_editions

evaluation.run.runner._library_hash = lambda root: sys.argv[4]  # as same_library() does
os.environ["NLW_TEST_RUNNER_PID"] = str(os.getpid())
run_editions([sys.argv[1]], jobs=1, pdf=False, outputs=Path(sys.argv[2]),
             notebooks_dir=Path(sys.argv[3]))
"""


def test_resume_after_the_runner_was_killed_reuses_what_it_finished(first, tmp_path):
    outputs = _copy_outputs(first, tmp_path)
    edition = outputs / "2024"
    before_latest = (edition / "latest").resolve()
    marker = tmp_path / "kill-once"
    marker.touch()
    notebooks = _notebooks(tmp_path / "notebooks", marker)
    params = _params(first, [QUICK, "60_kill_runner"])
    killed = subprocess.run(
        [sys.executable, "-c", KILL_RUNNER, str(params), str(outputs), str(notebooks), LIBRARY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -9, killed.stderr[-2000:]
    (partial,) = edition.glob(".partial-*")  # what a killed run leaves behind
    records = [json.loads(line) for line in (partial / PROGRESS).read_text().splitlines()]
    assert [(r["notebook"], r["status"]) for r in records] == [(QUICK, "ok")]
    left = _checksums(partial)
    assert (edition / "latest").resolve() == before_latest

    resumed = run_editions(
        [params], jobs=1, pdf=False, resume=True, outputs=outputs, notebooks_dir=notebooks
    )
    assert resumed.ok, [r.error for r in resumed.results]
    assert {r.notebook: r.status for r in resumed.results} == {
        QUICK: "reused",
        "60_kill_runner": "ok",
    }
    new = resumed.run_dirs["2024"]
    assert (new / f"{QUICK}.ipynb").read_bytes() == (partial / f"{QUICK}.ipynb").read_bytes()
    assert (edition / "latest").resolve() == new
    assert _checksums(partial) == left  # the killed run's work is kept, not consumed
    assert not (new / PROGRESS).exists()  # a finished run says it all in its manifest


def test_resume_never_reuses_a_notebook_whose_inputs_changed(first, tmp_path):
    outputs = _copy_outputs(first, tmp_path)
    notebooks = _notebooks(tmp_path / "notebooks", tmp_path / "no-marker")
    source = notebooks / f"{QUICK}.ipynb"
    source.write_text(source.read_text().replace("quick notebook done", "quick notebook v2"))
    resumed = run_editions(
        [_params(first, [QUICK])],
        jobs=1,
        pdf=False,
        resume=True,
        outputs=outputs,
        notebooks_dir=notebooks,
    )
    assert [r.status for r in resumed.results] == ["ok"]
    assert "quick notebook v2" in (resumed.run_dirs["2024"] / f"{QUICK}.ipynb").read_text()


def _fail_writes_under(monkeypatch, outputs: Path, code: int) -> None:
    real_mkdir = Path.mkdir

    def mkdir(self, *args, **kwargs):
        if str(self).startswith(str(outputs)):
            raise OSError(code, os.strerror(code), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)


def _unwritable(how: str, tmp_path: Path, monkeypatch) -> tuple[Path, str]:
    """An outputs folder that cannot be written, and the reason the error must give."""
    outputs = tmp_path / "outputs"
    if how == "read-only mount":
        # Simulated: root writes through chmod, and tests may run as root.
        _fail_writes_under(monkeypatch, outputs, errno.EROFS)
        return outputs, "read-only file system"
    if how == "file in the way":
        outputs.write_text("not a folder")
        return outputs, "it is a file, not a folder"
    if os.geteuid() == 0:
        pytest.skip("root writes into a chmod 0555 folder; the other cases cover it")
    outputs.mkdir(mode=0o555)
    return outputs, "permission denied"


@pytest.mark.parametrize("how", ["read-only mount", "file in the way", "chmod 0555"])
def test_an_unwritable_output_folder_fails_clearly_before_any_kernel(
    first, tmp_path, monkeypatch, how
):
    outputs, reason = _unwritable(how, tmp_path, monkeypatch)
    started = []
    with pytest.raises(OutputError) as raised:
        run_editions(
            [_params(first, [QUICK])],
            pdf=False,
            outputs=outputs,
            on_event=lambda kind, payload: started.append(kind) if kind == "start" else None,
        )
    assert str(raised.value) == f"cannot write to the outputs folder {outputs}: {reason}"
    assert raised.value.folder == outputs
    assert started == []
    assert not list(tmp_path.rglob(".partial-*"))


def test_a_nearly_full_disk_fails_before_any_kernel(first, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(guard.shutil, "disk_usage", lambda path: usage(10**9, 10**9, 2**20))
    started = []
    with pytest.raises(OutputError, match=r"disk full \(1 MB free, a run needs 100 MB\)"):
        run_editions(
            [_params(first, [QUICK])],
            pdf=False,
            outputs=tmp_path / "outputs",
            on_event=lambda kind, payload: started.append(kind) if kind == "start" else None,
        )
    assert started == []


def test_check_writable_leaves_no_probe_behind(tmp_path):
    assert check_writable(tmp_path / "new" / "outputs") == tmp_path / "new" / "outputs"
    assert list((tmp_path / "new" / "outputs").iterdir()) == []


def _failing_write(monkeypatch, code: int) -> None:
    def fail(path, text):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(runner, "atomic_write_text", fail)


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.ENOSPC, "disk full"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
    ],
)
def test_a_write_failure_during_a_run_is_named_cleaned_up_and_never_moves_latest(
    first, tmp_path, monkeypatch, code, reason
):
    outputs = _copy_outputs(first, tmp_path)
    latest = (outputs / "2024" / "latest").resolve()
    before = _checksums(outputs)
    _failing_write(monkeypatch, code)
    with pytest.raises(OutputError) as raised:
        # resume: the notebook is reused, so the failure comes while the run is being finished
        run_editions(
            [_params(first, [QUICK])],
            pdf=False,
            resume=True,
            outputs=outputs,
            notebooks_dir=first / "notebooks",
        )
    assert str(raised.value) == f"cannot write to the outputs folder {outputs}: {reason}"
    assert raised.value.errno == code
    assert (outputs / "2024" / "latest").resolve() == latest
    assert not list((outputs / "2024").glob(".partial-*"))
    assert _checksums(outputs) == before  # nothing added, nothing harmed


def test_other_errors_during_a_run_are_not_dressed_up(first, tmp_path, monkeypatch):
    outputs = _copy_outputs(first, tmp_path)
    _failing_write(monkeypatch, errno.EIO)  # a failing disk: not the folder's settings
    with pytest.raises(OSError) as raised:
        run_editions(
            [_params(first, [QUICK])],
            pdf=False,
            resume=True,
            outputs=outputs,
            notebooks_dir=first / "notebooks",
        )
    assert not isinstance(raised.value, OutputError)


def test_nlw_run_reports_an_unwritable_folder_in_one_line(first, tmp_path, monkeypatch, capsys):
    outputs = tmp_path / "outputs"
    outputs.write_text("not a folder")
    real = runner.run_editions
    monkeypatch.setattr(runner, "run_editions", lambda *a, **k: real(*a, **k, outputs=outputs))
    monkeypatch.setattr(sys, "argv", ["nlw", "run", str(_params(first, [QUICK])), "--no-pdf"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"nlw: error: cannot write to the outputs folder {outputs}: it is a file, not a folder"
    )
