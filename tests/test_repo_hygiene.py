"""Lint, format and notebook hygiene run inside the test suite (so CI enforces them)."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evaluation.core.params import Params, load_params, params_from_namespace, validate_params

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


def _git(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, input=stdin)


IN_GIT = _git("rev-parse", "--is-inside-work-tree").stdout.strip() == "true"
needs_git = pytest.mark.skipif(not IN_GIT, reason="not a git clone (an unpacked archive)")


def _output_filter() -> str | None:
    """The clean command git runs on notebooks (``make setup`` installs it), or None."""
    command = _git("config", "--get", "filter.nbstripout.clean").stdout.strip()
    return command or None


def _dirty_cells(notebook: dict) -> list[int]:
    return [
        i
        for i, cell in enumerate(notebook["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]


@pytest.mark.parametrize(
    "path", COMMITTED, ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix()
)
def test_committed_notebooks_carry_no_outputs(path):
    # What git holds (the index: committed or staged), not the working file JupyterLab's
    # autosave may have run; in a clean clone (CI) the two are the same. A notebook not yet
    # added is read as the output filter would store it, if installed.
    relative = path.relative_to(ROOT).as_posix()
    staged = _git("show", f":{relative}") if IN_GIT else None
    if staged is not None and staged.returncode == 0:
        text = staged.stdout
    elif _output_filter():
        text = subprocess.run(
            _output_filter(),
            shell=True,
            cwd=ROOT,
            input=path.read_text(encoding="utf-8"),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    else:
        text = path.read_text(encoding="utf-8")
    dirty = _dirty_cells(json.loads(text))
    assert dirty == [], f"{relative}: cells {dirty} have outputs; clear them before committing"


@needs_git
def test_make_setup_strips_outputs_from_notebooks_git_adds():
    command = _output_filter()
    assert command and "nbstripout --keep-id" in command, "run `make setup` (installs the filter)"
    attributes = _git("check-attr", "filter", "--", "notebooks/03_impact.ipynb").stdout
    assert attributes.strip().endswith("filter: nbstripout"), attributes
    run = {
        "cell_type": "code",
        "id": "c07",
        "metadata": {"tags": ["parameters"]},
        "execution_count": 3,
        "source": ["x = 1"],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}],
    }
    saved = {"cells": [run], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    cleaned = subprocess.run(
        command, shell=True, cwd=ROOT, input=json.dumps(saved), capture_output=True, text=True
    )
    assert cleaned.returncode == 0, cleaned.stderr
    cell = json.loads(cleaned.stdout)["cells"][0]
    assert (cell["outputs"], cell["execution_count"]) == ([], None)
    assert (cell["id"], cell["metadata"]["tags"]) == ("c07", ["parameters"])  # kept


@needs_git
def test_scratch_notebooks_are_left_to_their_author(tmp_path):
    probe = SCRATCH / "_hygiene_probe.ipynb"
    assert (SCRATCH / "README.md").is_file()
    messy = {
        "cells": [
            {
                "cell_type": "code",
                "id": "a",
                "metadata": {},
                "execution_count": 1,
                "source": ["import os\nx=1;  y = undefined_name"],
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1"]}],
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    try:
        probe.write_text(json.dumps(messy), encoding="utf-8")
        assert _git("check-ignore", "-q", str(probe)).returncode == 0, "git ignores it"
        for command in (["check"], ["format", "--check"]):
            # --force-exclude: a file named on the command line obeys the exclude list, as the
            # repository-wide `ruff check .` does
            result = subprocess.run(
                [*RUFF, *command, "--force-exclude", str(probe)],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            assert result.returncode == 0, result.stdout + result.stderr
        assert probe not in COMMITTED
    finally:
        probe.unlink(missing_ok=True)


@needs_git
def test_every_folder_the_workbench_generates_is_git_ignored():
    generated = [
        "outputs/index.html",
        "outputs/2024/20261202T160000-0001/01_participation.html",
        "outputs/2024/interactive/03_impact/findings.json",
        "docs/api/index.html",
        "spark-warehouse/x.parquet",
        "notebooks/.ipynb_checkpoints/x.ipynb",
        "notebooks/scratch/mine.ipynb",
    ]
    for params in sorted((ROOT / "params").glob("*.yaml")):
        data = validate_params(yaml.safe_load(params.read_text(encoding="utf-8"))).data
        generated += [f"{data.raw}/x.csv", f"{data.processed}/{data.dataset}/learners.parquet"]
    tracked = [path for path in generated if _git("check-ignore", "-q", path).returncode != 0]
    assert tracked == [], f"generated but not git-ignored: {tracked}"


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_defaults_equal_params_2024(path):
    # The cell says its defaults reproduce params/2024.yaml: run in JupyterLab, a notebook
    # evaluates what `nlw run params/2024.yaml` does.
    notebook = json.loads(path.read_text(encoding="utf-8"))
    namespace: dict = {}
    exec("".join(notebook["cells"][0]["source"]), namespace)  # literals only (checked above)
    from_cell = params_from_namespace(namespace).model_dump()
    from_file = load_params(ROOT / "params" / "2024.yaml").model_dump()
    differ = {k: (from_cell[k], from_file[k]) for k in from_file if from_cell[k] != from_file[k]}
    assert differ == {}, f"{path.name}: parameters cell vs params/2024.yaml (cell, file): {differ}"
    assert namespace["output_dir"] is None


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


def test_make_lab_starts_as_root_and_make_run_prints_pdfs():
    # Containers run as root, where JupyterLab refuses to start without --allow-root; `make run`
    # sets up Chromium as `make test` does, so a fresh machine's run prints its PDFs.
    dry = subprocess.run(["make", "-n", "lab"], cwd=ROOT, capture_output=True, text=True)
    (lab,) = [line for line in dry.stdout.splitlines() if "jupyter lab" in line]
    assert ("--allow-root" in lab) == (os.getuid() == 0), lab
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test"):
        prerequisites = re.search(rf"^{target}:([^#\n]*)", make, re.M)
        assert prerequisites and "chromium" in prerequisites.group(1).split(), target
