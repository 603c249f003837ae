"""The researcher's path, run: the tutorial notebook (Papermill) and docs/analysis.md's code.

Both open a small synthetic world (scale 0.002, seed 7, as tests/sections/test_notebooks.py)
through a params file that is ``params/2024.yaml`` with its data folders moved to a temporary
folder: the guide's ``"params/2024.yaml"`` is replaced by that file, nothing else is changed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

pytestmark = pytest.mark.xdist_group("tutorial")
ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "notebooks" / "tutorial" / "tutorial.ipynb"
GUIDE = ROOT / "docs" / "analysis.md"
DESIGNS = [
    "Naive difference (after the week)",
    "Difference in differences",
    "AIPW on the change",
    "Matching on the change",
]


@pytest.fixture(scope="module")
def params_file(tmp_path_factory) -> Path:
    """``params/2024.yaml`` on a small generated and ingested world."""
    tmp = tmp_path_factory.mktemp("tutorial-world")
    generate(tmp / "raw", scale=0.002, seed=7, formats=("warehouse",))
    ingest(tmp / "raw", tmp / "processed", dataset="s")
    params = yaml.safe_load((ROOT / "params" / "2024.yaml").read_text(encoding="utf-8"))
    params["data"] = {
        "raw": str(tmp / "raw"),
        "processed": str(tmp / "processed"),
        "dataset": "s",
        "synthetic": {"scale": 0.002, "seed": 7},
    }
    path = tmp / "2024-small.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tutorial(params_file, tmp_path_factory) -> tuple[dict, Path]:
    """The executed tutorial and its output folder."""
    import papermill

    tmp = tmp_path_factory.mktemp("tutorial-run")
    papermill.execute_notebook(
        str(TUTORIAL),
        str(tmp / "tutorial.ipynb"),
        parameters={"params_file": str(params_file), "output_dir": str(tmp / "out")},
        kernel_name="nlw",
        cwd=str(TUTORIAL.parent),
        progress_bar=False,
    )
    executed = json.loads((tmp / "tutorial.ipynb").read_text(encoding="utf-8"))
    return executed, tmp / "out"


def _outputs(notebook: dict) -> list[dict]:
    return [out for cell in notebook["cells"] for out in cell.get("outputs", [])]


def test_tutorial_cells_show_no_error_warning_or_log_line(tutorial):
    executed, _ = tutorial
    outputs = _outputs(executed)
    assert [o for o in outputs if o["output_type"] == "error"] == []
    stderr = ["".join(o["text"]) for o in outputs if o.get("name") == "stderr"]
    assert stderr == [], stderr  # e.g. findfont warnings or library logging


def test_tutorial_compares_the_designs_and_records_its_finding(tutorial):
    _, out = tutorial
    designs = pd.read_csv(out / "tables" / "tutorial_designs.csv").set_index("design")
    assert designs.index.tolist() == DESIGNS
    naive, aipw = designs.loc[DESIGNS[0]], designs.loc["AIPW on the change"]
    # keen learners choose to take part: the naive difference lies above the before/after ones
    assert naive["conf_low"] > aipw["conf_high"]
    assert 0 < aipw["conf_low"] < aipw["estimate"] < aipw["conf_high"]
    found = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    values = {item["key"]: item["value"] for item in found["findings"]}
    assert values["tutorial_aipw_att"] == pytest.approx(aipw["estimate"], rel=1e-12)
    assert found["synthetic"] is True and "tutorial_designs" in found["figures"]
    assert (out / "figures" / "tutorial_designs.png").stat().st_size > 10_000


def test_tutorial_shows_the_named_refusal_and_the_pooled_units(tutorial):
    executed, _ = tutorial
    printed = "".join("".join(o["text"]) for o in _outputs(executed) if o.get("name") == "stdout")
    # 2024 is the first edition: nobody took part before, and the estimator says so by name
    assert "covariate 'took_part_before' is constant (0 for every row); drop it" in printed
    assert re.search(r"overall \d\.\d\d \(\d\.\d\d to \d\.\d\d\), I² \d+%", printed)


def test_guide_code_runs_from_the_notebooks_folder(params_file, tutorial, tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 8, "one block per step of the path"
    script = "\n".join(blocks)
    assert script.count('"params/2024.yaml"') == 1
    script = script.replace('"params/2024.yaml"', repr(str(params_file)))
    script = script.replace('"outputs/2024/scratch"', repr(str(tmp_path / "guide")))
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT / "notebooks",
        capture_output=True,
        text=True,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads((tmp_path / "guide" / "findings.json").read_text(encoding="utf-8"))
    values = {item["key"]: item["value"] for item in found["findings"]}
    # the guide and the tutorial walk the same path: the same number on the same data
    _, out = tutorial
    tutorial_found = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    expected = {item["key"]: item["value"] for item in tutorial_found["findings"]}
    assert values["aipw_att"] == pytest.approx(expected["tutorial_aipw_att"], rel=1e-12)
    assert (tmp_path / "guide" / "tables" / "designs.csv").is_file()
    assert (tmp_path / "guide" / "figures" / "designs.png").is_file()
