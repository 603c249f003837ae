"""``open_edition`` from a params file: paths from the project root, the store, the frames.

A researcher opens an edition outside a parameters cell (issue 17); the notebooks open it from
their injected ``globals()``. Both give the same :class:`Edition`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from support.stores import tiny_params

import evaluation
from evaluation.analysis import populations
from evaluation.core.params import ParamsError, load_params
from evaluation.data.backend import connect
from evaluation.report.edition import Edition, open_edition


@pytest.fixture
def params_file(tmp_path: Path) -> Path:
    return tiny_params(tmp_path, ["01_participation"])


def test_a_relative_params_path_and_output_dir_start_at_the_root(
    params_file, tmp_path, monkeypatch
):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    monkeypatch.chdir(notebooks)  # where a notebook runs
    ed = open_edition("tiny.yaml", output_dir="outputs/scratch", root=tmp_path)
    assert isinstance(ed, Edition)
    assert ed.params.title == "Tiny edition"
    assert ed.store.path == tmp_path / "processed" / "tiny"
    assert ed.output_dir == tmp_path / "outputs" / "scratch"
    assert (tmp_path / "outputs" / "scratch" / "tables").is_dir()
    assert not (notebooks / "outputs").exists()


def test_the_default_output_dir_is_the_editions_interactive_folder(
    params_file, tmp_path, monkeypatch
):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr("sys.argv", ["/usr/bin/pytest"])  # neither a notebook nor a script
    ed = open_edition(params_file, root=tmp_path)
    assert ed.output_dir == tmp_path / "outputs" / "2024" / "interactive" / "console"


def test_each_interactive_notebook_writes_to_its_own_folder(params_file, tmp_path, monkeypatch):
    # JupyterLab tells the kernel its notebook (ipykernel sets __session__ from JPY_SESSION_NAME)
    params = load_params(params_file).notebook_parameters()
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    folders = {
        open_edition({**params, "__session__": f"notebooks/{name}.ipynb"}, root=tmp_path).output_dir
        for name in ("03_impact", "02_groups", "scratch/my notes")
    }
    interactive = tmp_path / "outputs" / "2024" / "interactive"
    assert folders == {
        interactive / "03_impact",
        interactive / "02_groups",
        interactive / "my_notes",
    }
    monkeypatch.setenv("JPY_SESSION_NAME", "01_participation.ipynb")
    assert open_edition(params_file, root=tmp_path).output_dir == interactive / "01_participation"
    monkeypatch.delenv("JPY_SESSION_NAME")
    monkeypatch.setattr("sys.argv", ["/home/me/analysis/explore.py"])  # a script
    assert open_edition(params_file, root=tmp_path).output_dir == interactive / "explore"


def test_synthetic_data_are_marked_outside_nlw_run(params_file, tmp_path, capsys):
    open_edition(params_file, root=tmp_path, output_dir="outputs/scratch")
    assert "SYNTHETIC DATA — generated for testing the workbench" in capsys.readouterr().out
    namespace = load_params(params_file).notebook_parameters()
    open_edition({**namespace, "output_dir": None}, root=tmp_path)  # a notebook in JupyterLab
    assert "SYNTHETIC DATA" in capsys.readouterr().out
    # `nlw run` passes output_dir; its pages carry the banner (exporters), the cells do not
    open_edition({**namespace, "output_dir": str(tmp_path / "run")}, root=tmp_path)
    assert "SYNTHETIC DATA" not in capsys.readouterr().out


def test_the_edition_gives_the_store_and_the_notebooks_frames(params_file, tmp_path):
    ed = open_edition(params_file, root=tmp_path)
    assert ed.store.tables() == [
        "content",
        "enrolments",
        "event_attendance",
        "events",
        "karma_ledger",
        "learners",
        "org_hierarchy",
    ]
    # by hand (tests/support/stores.py): u1, u2, u3 and u5 took part, u1 and u3 met the target
    kpis = ed.participation_kpis()
    assert (kpis.participants, kpis.target_met) == (4, 2)
    people = ed.edition_people().set_index("user_key")
    assert people["participated"].to_dict() == {"u1": 1, "u2": 1, "u3": 1, "u4": 0, "u5": 1}
    expected = populations.ministry_people(connect(ed.store.path), ed.params)
    pd.testing.assert_frame_equal(ed.ministry_people(), expected)
    assert ed.two_editions() is None and ed.previous_kpis() is None  # no previous edition


def test_loaded_params_and_a_notebooks_namespace_open_the_same_edition(params_file, tmp_path):
    params = load_params(params_file)
    from_params = open_edition(params, root=tmp_path)
    namespace = {**params.notebook_parameters(), "output_dir": str(tmp_path / "run" / "nb")}
    from_namespace = open_edition(namespace, root=tmp_path)
    assert from_namespace.params == from_params.params == params
    assert from_namespace.store.path == from_params.store.path
    assert from_namespace.output_dir == tmp_path / "run" / "nb"


def test_a_missing_params_file_names_the_absolute_path_looked_at(tmp_path):
    with pytest.raises(ParamsError, match=re.escape(f"{tmp_path / 'nope.yaml'}: params file")):
        open_edition("nope.yaml", root=tmp_path)


def test_researchers_find_it_at_the_package_top():
    assert evaluation.open_edition is open_edition
    assert "open_edition" in evaluation.__all__
    with pytest.raises(AttributeError, match="no attribute 'open_editon'"):
        evaluation.open_editon  # noqa: B018


def test_a_table_hiding_a_cell_says_what_the_mark_means(tmp_path) -> None:
    """The [c] marker gets its legend in the caption (on the page and in findings.json)."""
    import pandas as pd

    from evaluation.core.params import Params
    from evaluation.report.edition import Edition
    from evaluation.report.findings import Findings
    from evaluation.report.tables import Column, TableSpec

    params = Params.model_validate(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}, "min_cell": 10}
    )
    findings = Findings(tmp_path, edition="2024", synthetic=True, min_cell=10)
    ed = Edition(params=params, store=None, findings=findings, output_dir=tmp_path)  # type: ignore[arg-type]
    spec = TableSpec((Column("unit", "Unit"), Column("n", "Persons", "count", counts_persons=True)))
    frame = pd.DataFrame({"unit": ["a", "b", "c"], "n": [3, 40, 50]})
    ed.show_table("small", frame, caption="Persons by unit.", spec=spec)
    ed.show_table("large", frame.assign(n=[30, 40, 50]), caption="Persons by unit.", spec=spec)
    captions = ed.findings.tables
    assert captions["small"].endswith(
        "[c]: not shown, because it counts fewer than 10 persons or would reveal such a count."
    )
    assert captions["large"] == "Persons by unit."


def test_a_rate_revealing_a_small_complement_is_hidden_and_declared(tmp_path) -> None:
    """10 participants of 11 users: the participants and the rate are hidden (1 non-participant
    would show); the declaration reaches findings.json, and the run's audit re-checks it."""
    import json

    import pandas as pd

    from evaluation.core.params import Params
    from evaluation.report.edition import Edition
    from evaluation.report.findings import Findings
    from evaluation.report.sections.groups import RATES_SPEC
    from evaluation.run.audit import audit_outputs

    params = Params.model_validate(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}, "min_cell": 10}
    )
    out = tmp_path / "02_groups"
    findings = Findings(out, edition="2024", synthetic=True, min_cell=10)
    ed = Edition(params=params, store=None, findings=findings, output_dir=out)  # type: ignore[arg-type]
    frame = pd.DataFrame(
        {
            "group": ["A", "B"],
            "n": [11, 400],
            "count": [10, 200],
            "rate": [10 / 11, 0.5],
            "conf_low": [0.6, 0.45],
            "conf_high": [0.99, 0.55],
            "target_met": [10, 150],
            "target_rate": [1.0, 0.75],
        }
    )
    published = ed.show_table(
        "rates", frame, caption="Rates.", spec=RATES_SPEC.filled(target_hours=4)
    )
    assert published["count"].tolist() == ["[c]", 200]
    assert published["rate"].tolist() == ["[c]", 0.5]
    assert published["n"].tolist() == [11, 400]
    ed.close()
    declared = json.loads((out / "findings.json").read_text())["disclosure"]["rates"]
    assert declared["parts_of"] == {"count": "n", "target_met": "count"}
    assert not audit_outputs(out, raw_dir=None, min_cell=10).findings
    # The same table published without the rule fails the audit, naming the hidden complement.
    frame.to_csv(out / "tables" / "rates.csv", index=False)
    found = audit_outputs(out, raw_dir=None, min_cell=10).findings
    assert [(f.where, f.match, f.source) for f in found] == [
        ("row 2, column n", "1", "small_difference (min_cell 10)")
    ]
