"""Reader-facing notebook clean-up before HTML export, and the registry of output formats."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from evaluation.run import exporters, runner
from evaluation.run.exporters import EditionContext, NotebookContext, _strip_for_readers
from evaluation.run.runner import Task


def _display(mime: str, text: str) -> dict:
    return nbformat.v4.new_output("display_data", data={mime: text})


def _notebook(with_verdict: bool) -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_code_cell("params", outputs=[]),
        nbformat.v4.new_code_cell("title", outputs=[_display("text/markdown", "# The title")]),
        nbformat.v4.new_markdown_cell("## Details"),
        nbformat.v4.new_code_cell("table", outputs=[_display("text/html", "<table></table>")]),
    ]
    if with_verdict:
        box = '<div class="nlw-verdict">Taking part raised completions.</div>'
        cells.append(nbformat.v4.new_code_cell("verdict", outputs=[_display("text/html", box)]))
    return nbformat.v4.new_notebook(cells=cells)


def test_the_verdict_is_repeated_right_under_the_title():
    cells = _strip_for_readers(_notebook(with_verdict=True)).cells
    assert len(cells) == 6
    assert "# The title" in cells[1].outputs[0]["data"]["text/markdown"]
    assert "nlw-verdict" in cells[2].outputs[0]["data"]["text/html"]  # the answer first
    assert "nlw-verdict" in cells[-1].outputs[0]["data"]["text/html"]  # and where it was
    assert [cell["id"] for cell in cells] == [f"cell-{n:03d}" for n in range(6)]


def test_the_hindi_summary_travels_with_the_verdict():
    notebook = _notebook(with_verdict=True)
    hindi = '<p lang="hi"><strong>सारांश:</strong> भाग लेने से संभवतः ...</p>'
    notebook.cells[-1].outputs.append(_display("text/html", hindi))
    notebook.cells[-1].outputs.append(_display("text/html", "<p>Other text.</p>"))
    cells = _strip_for_readers(notebook).cells
    repeated = [out["data"]["text/html"] for out in cells[2].outputs]
    assert len(repeated) == 2
    assert "nlw-verdict" in repeated[0] and 'lang="hi"' in repeated[1]
    assert len(cells[-1].outputs) == 3  # the full reasoning stays where it is


def test_a_verdict_already_under_the_title_is_not_shown_twice():
    notebook = _notebook(with_verdict=False)
    box = '<div class="nlw-verdict">More people took part.</div>'
    # the title and the verdict in one cell (04_years), then in the next cell (a brief)
    notebook.cells[1].outputs.append(_display("text/html", box))
    cells = _strip_for_readers(notebook).cells
    assert sum("nlw-verdict" in str(cell.get("outputs", "")) for cell in cells) == 1
    notebook = _notebook(with_verdict=False)
    notebook.cells.insert(
        2, nbformat.v4.new_code_cell("verdict", outputs=[_display("text/html", box)])
    )
    cells = _strip_for_readers(notebook).cells
    assert [cell.source for cell in cells] == ["params", "title", "verdict", "## Details", "table"]


def test_a_report_without_a_verdict_is_left_in_order():
    cells = _strip_for_readers(_notebook(with_verdict=False)).cells
    assert [cell.source for cell in cells] == ["params", "title", "## Details", "table"]


# --------------------------------------------------------------------------------------------
# The exporter registry
# --------------------------------------------------------------------------------------------


def _task(run_dir: Path, name: str = "01_overview") -> Task:
    return Task(
        edition="2024",
        notebook=name,
        source=run_dir / "unused.ipynb",
        run_dir=run_dir,
        parameters={},
        title="NLW 2024: overview",
        synthetic=True,
        input_hash="0" * 64,
        root=run_dir,
        pdf=False,
    )


def _executed(run_dir: Path, name: str) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(_notebook(with_verdict=True), run_dir / f"{name}.ipynb")


def _fake_writer(context: NotebookContext | EditionContext, path: Path) -> Path:
    path.write_text(f"{type(context).__name__}\n", encoding="utf-8")
    return path


def test_every_output_format_is_registered_once_in_write_order():
    entries = [(e.name, e.suffix, e.scope) for e in exporters.EXPORTERS]
    assert entries == [
        ("html", ".html", "notebook"),
        ("pdf", ".pdf", "notebook"),  # after the HTML it is printed from
        ("findings-json", ".json", "edition"),
        ("xlsx", ".xlsx", "edition"),
    ]
    assert [e.name for e in exporters.registered("notebook")] == ["html", "pdf"]
    assert [e.name for e in exporters.registered("edition")] == ["findings-json", "xlsx"]


def test_a_registered_notebook_format_is_written_for_every_notebook(tmp_path, monkeypatch):
    fake = exporters.Exporter("text", ".txt", "notebook", _fake_writer)
    monkeypatch.setattr(exporters, "EXPORTERS", (*exporters.EXPORTERS, fake))
    _executed(tmp_path, "01_overview")
    written = runner._export_notebook(_task(tmp_path))
    assert [p.name for p in written] == ["01_overview.html", "01_overview.txt"]  # no PDF asked
    assert (tmp_path / "01_overview.txt").read_text(encoding="utf-8") == "NotebookContext\n"
    assert "nlw-verdict" in (tmp_path / "01_overview.html").read_text(encoding="utf-8")


def test_a_registered_edition_format_is_written_once_per_run(tmp_path, monkeypatch):
    fake = exporters.Exporter("text", ".txt", "edition", _fake_writer)
    monkeypatch.setattr(exporters, "EXPORTERS", (*exporters.EXPORTERS, fake))
    finding = {"label": "k", "display": "1", "value": 1, "unit": "", "definition": "d"}
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "findings.json").write_text(
        json.dumps({"findings": [finding]}), encoding="utf-8"
    )
    written = runner._export_edition(tmp_path, ["nb", "missing"])
    assert [p.name for p in written] == ["findings.json", "findings.xlsx", "findings.txt"]
    merged = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert merged == {"nb": {"findings": [finding]}}  # a notebook without findings is left out
    assert (tmp_path / "findings.txt").read_text(encoding="utf-8") == "EditionContext\n"


def test_a_format_that_does_not_apply_writes_nothing(tmp_path, monkeypatch):
    skip = exporters.Exporter("never", ".never", "notebook", lambda context, path: None)
    monkeypatch.setattr(exporters, "EXPORTERS", (*exporters.EXPORTERS, skip))
    _executed(tmp_path, "01_overview")
    written = runner._export_notebook(_task(tmp_path))
    assert [p.name for p in written] == ["01_overview.html"]
    assert not (tmp_path / "01_overview.never").exists()
