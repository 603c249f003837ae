"""The runner end to end on a tiny hand-made store: Papermill, HTML export, index, failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from support.stores import tiny_params

from evaluation.core.params import ParamsError
from evaluation.run.runner import run_editions

pytestmark = pytest.mark.xdist_group("tiny-run")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("run")
    params = tiny_params(tmp, ["01_participation"])
    summary = run_editions([params], jobs=1, pdf=False, outputs=tmp / "outputs")
    return summary, tmp / "outputs"


def test_run_succeeds_and_writes_the_output_tree(finished_run):
    summary, outputs = finished_run
    assert summary.ok
    run_dir = summary.run_dirs["2024"]
    for name in (
        "01_participation.ipynb",
        "01_participation.html",
        "findings.json",
        "findings.xlsx",
        "manifest.json",
        "audit.json",
    ):
        assert (run_dir / name).is_file(), name
    assert (run_dir / "01_participation" / "figures" / "daily_completions.png").is_file()
    assert (run_dir / "01_participation" / "tables" / "daily_completions.csv").is_file()
    assert (outputs / "2024" / "latest").resolve() == run_dir.resolve()


def test_html_shows_the_kpis_and_no_code(finished_run):
    summary, _ = finished_run
    page = (summary.run_dirs["2024"] / "01_participation.html").read_text(encoding="utf-8")
    assert "4 people took part in Tiny edition" in page
    assert "2 of them (50%) met the 4-hour learning target" in page
    assert "peaked at 3 on 24 October 2024" in page
    assert "SYNTHETIC DATA" in page
    assert "open_edition" not in page and "import " not in page  # no code cells
    assert 'class="jp-InputArea' not in page and "In&nbsp;[" not in page
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page), "figure embedded"


def test_findings_json_has_every_headline_number_with_definition(finished_run):
    summary, _ = finished_run
    findings = json.loads((summary.run_dirs["2024"] / "findings.json").read_text())
    items = {f["key"]: f for f in findings["01_participation"]["findings"]}
    assert items["participants"]["value"] == 4
    assert items["target_met"]["value"] == 2
    assert items["peak_day"]["value"] == "2024-10-24"
    assert all(item["definition"] for item in items.values())


def test_index_links_every_report(finished_run):
    summary, outputs = finished_run
    index = (outputs / "index.html").read_text(encoding="utf-8")
    run_name = summary.run_dirs["2024"].name
    assert f'href="2024/{run_name}/01_participation.html"' in index
    assert f'href="2024/{run_name}/findings.xlsx"' in index
    # a first edition (no previous_edition, no years report) says why it has none
    assert "No years report: the first edition has none to compare with." in index


def test_resume_reuses_unchanged_notebooks(finished_run, tmp_path):
    summary, outputs = finished_run
    params = summary.run_dirs["2024"].parent.parent.parent / "tiny.yaml"
    again = run_editions([params], jobs=1, pdf=False, resume=True, outputs=outputs)
    assert [r.status for r in again.results] == ["reused"]
    assert (again.run_dirs["2024"] / "01_participation.html").is_file()


def test_a_broken_notebook_fails_alone_and_is_named(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    good = nbformat.read(ROOT / "notebooks" / "01_participation.ipynb", as_version=4)
    nbformat.write(good, notebooks / "01_participation.ipynb")
    broken = nbformat.v4.new_notebook()
    broken.metadata["kernelspec"] = {"name": "nlw", "display_name": "nlw", "language": "python"}
    broken.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("1 / 0")]
    nbformat.write(broken, notebooks / "99_broken.ipynb")
    params = tiny_params(tmp_path, ["01_participation", "99_broken"])
    summary = run_editions(
        [params], jobs=2, pdf=False, outputs=tmp_path / "outputs", notebooks_dir=notebooks
    )
    assert not summary.ok
    status = {r.notebook: r for r in summary.results}
    assert status["01_participation"].status == "ok"
    assert status["99_broken"].status == "failed"
    # In [3]: Papermill's injected parameters cell, then `x = 1`, then the failing cell
    assert status["99_broken"].failing_cell == 3
    assert "ZeroDivisionError" in status["99_broken"].error
    assert "`1 / 0`" in status["99_broken"].error
    kept = nbformat.read(summary.run_dirs["2024"] / "99_broken.ipynb", as_version=4)
    assert any("papermill-error-cell" in str(c) for c in kept.cells)  # Papermill's banner
    assert not (tmp_path / "outputs" / "2024" / "latest").exists()


def test_invalid_params_fail_before_any_kernel(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('edition: "2024"\nwindow: {start: "2024-10-19", end: "2024-10-27"}\nseed: x\n')
    with pytest.raises(ParamsError):
        run_editions([bad], outputs=tmp_path / "outputs")
    assert not (tmp_path / "outputs").exists()


def test_a_run_that_leaks_an_email_fails_its_own_audit(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    leaky = nbformat.v4.new_notebook()
    leaky.metadata["kernelspec"] = {"name": "nlw", "display_name": "nlw", "language": "python"}
    leaky.cells = [nbformat.v4.new_code_cell('print("contact: ramesh.kumar42@gov.in")')]
    nbformat.write(leaky, notebooks / "01_leaky.ipynb")
    params = tiny_params(tmp_path, ["01_leaky"])
    summary = run_editions(
        [params], jobs=1, pdf=False, outputs=tmp_path / "outputs", notebooks_dir=notebooks
    )
    assert [r.status for r in summary.results] == ["ok"]  # the notebook itself ran
    assert not summary.ok
    assert not summary.audits["2024"].ok
    manifest = json.loads((summary.run_dirs["2024"] / "manifest.json").read_text())
    assert manifest["status"] == "failed-audit"
    assert not (tmp_path / "outputs" / "2024" / "latest").exists()


def test_report_html_carries_no_random_cell_ids(finished_run):
    summary, _ = finished_run
    page = (summary.run_dirs["2024"] / "01_participation.html").read_text(encoding="utf-8")
    ids = re.findall(r'id="cell-id=([^"]+)"', page)
    assert ids, "expected cell anchors in the page"
    # Papermill's injected cell had a random hex id; every id must now be positional.
    assert all(re.fullmatch(r"cell-\d{3}", cell_id) for cell_id in ids), ids
