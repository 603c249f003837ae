"""Lint, format and notebook hygiene run inside the test suite (so CI enforces them)."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.core.params import Params

ROOT = Path(__file__).resolve().parents[1]
#: The report notebooks `nlw run` executes: the parameters-cell rules apply to them.
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Every notebook committed under notebooks/: the reports and the tutorial (notebooks/tutorial/).
#: notebooks/scratch/ is the researchers' own (ignored by git, ruff and these tests).
SCRATCH = ROOT / "notebooks" / "scratch"
COMMITTED = sorted(
    path
    for path in (ROOT / "notebooks").rglob("*.ipynb")
    if SCRATCH not in path.parents and ".ipynb_checkpoints" not in path.parts
)
RUFF = [sys.executable, "-m", "ruff"]


def test_ruff_lint_is_clean():
    result = subprocess.run([*RUFF, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = subprocess.run(
        [*RUFF, "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tutorial_is_among_the_committed_notebooks():
    tutorial = ROOT / "notebooks" / "tutorial" / "tutorial.ipynb"
    assert tutorial in COMMITTED and tutorial not in NOTEBOOKS  # checked, never run as a report
    assert set(NOTEBOOKS) < set(COMMITTED)
    notebook = json.loads(tutorial.read_text(encoding="utf-8"))
    assert "parameters" in notebook["cells"][0]["metadata"]["tags"]  # Papermill injects there
    assert notebook["metadata"]["kernelspec"]["name"] == "nlw"


@pytest.mark.parametrize(
    "path", COMMITTED, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix()
)
def test_committed_notebooks_carry_no_outputs(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert dirty == [], f"{path.name}: cells {dirty} have outputs; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_declares_every_params_key(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert notebook["cells"][0] is tagged[0], "the parameters cell comes first"
    tree = ast.parse("".join(tagged[0]["source"]))
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    assert set(Params.model_fields) <= names, set(Params.model_fields) - names
    assert notebook["metadata"]["kernelspec"]["name"] == "nlw"


def test_every_module_compiles_on_this_python():
    # ruff parses newer syntax than Python 3.11 accepts (an f-string reusing its quotes once
    # broke `nlw run`); compile with the interpreter the workbench runs on.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "compileall",
            "-q",
            "-x",
            r"\.venv",
            "evaluation",
            "tests",
            "benchmarks",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_api_reference_renders_docstrings_offline(tmp_path):
    # `make docs` runs pdoc over every module; one module here shows the numpydoc sections
    # rendered and no script or style fetched from the network (the page opens offline).
    result = subprocess.run(
        [sys.executable, "-m", "pdoc", "--docformat", "numpy", "-o", str(tmp_path)]
        + ["evaluation.estimate.checks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "evaluation" / "estimate" / "checks.html").read_text(encoding="utf-8")
    assert "check_constant" in page and "<h6" in page and "Parameters" in page
    assert re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=\"(?:https?:)?//", page) == []
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--output-directory docs/api" in make
    ignored = subprocess.run(["git", "check-ignore", "-q", "docs/api/index.html"], cwd=ROOT)
    assert ignored.returncode == 0, "docs/api/ (generated) must be git-ignored"
