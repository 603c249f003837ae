"""A runner worker keeps its kernel between notebooks, and every notebook still starts clean."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from support.stores import tiny_params

from evaluation.run.kernels import REUSE_ENV
from evaluation.run.runner import run_editions

pytestmark = pytest.mark.xdist_group("tiny-run")


def _notebook(folder: Path, name: str, *cells: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "nlw", "display_name": "nlw", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in cells]
    nbformat.write(notebook, folder / f"{name}.ipynb")


def _pid_cell(path: Path) -> str:
    pid = "str(__import__('os').getpid())"
    return f"__import__('pathlib').Path({str(path)!r}).write_text({pid});"


def _run(tmp_path: Path, notebooks: list[tuple[str, tuple[str, ...]]]) -> dict:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, cells in notebooks:
        _notebook(folder, name, *cells)
    params = tiny_params(tmp_path, [name for name, _ in notebooks])
    summary = run_editions(
        [params], jobs=1, pdf=False, outputs=tmp_path / "outputs", notebooks_dir=folder
    )
    return {"summary": summary, "run": summary.run_dirs["2024"]}


def _leaky_then_clean(tmp_path: Path) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (
            "01_leaves_state",
            (
                "leaked = 1",
                "import matplotlib.pyplot as plt\nplt.figure()",
                _pid_cell(tmp_path / "first.pid"),
            ),
        ),
        (
            "02_finds_none",
            (
                "assert 'leaked' not in globals() and 'plt' not in globals()",
                "assert not __import__('matplotlib.pyplot').pyplot.get_fignums()",
                _pid_cell(tmp_path / "second.pid"),
            ),
        ),
    ]


def test_the_next_notebook_runs_in_the_same_kernel_with_nothing_left_over(tmp_path):
    done = _run(tmp_path, _leaky_then_clean(tmp_path))
    assert [r.status for r in done["summary"].results] == ["ok", "ok"]
    assert (tmp_path / "first.pid").read_text() == (tmp_path / "second.pid").read_text()
    second = nbformat.read(done["run"] / "02_finds_none.ipynb", as_version=4)
    # Papermill's injected parameters cell is In [1], as in a fresh kernel
    assert [cell.execution_count for cell in second.cells] == [1, 2, 3, 4]
    assert [cell.outputs for cell in second.cells] == [[]] * 4  # nothing printed by a reset


def test_reuse_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv(REUSE_ENV, "0")
    done = _run(tmp_path, _leaky_then_clean(tmp_path))
    assert [r.status for r in done["summary"].results] == ["ok", "ok"]
    assert (tmp_path / "first.pid").read_text() != (tmp_path / "second.pid").read_text()


def test_a_kernel_whose_notebook_failed_is_not_reused(tmp_path):
    notebooks = [
        ("01_fails", (_pid_cell(tmp_path / "first.pid"), "1 / 0")),
        ("02_after", (_pid_cell(tmp_path / "second.pid"),)),
    ]
    done = _run(tmp_path, notebooks)
    assert [r.status for r in done["summary"].results] == ["failed", "ok"]
    assert (tmp_path / "first.pid").read_text() != (tmp_path / "second.pid").read_text()
