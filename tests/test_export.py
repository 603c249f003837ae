"""Reader-facing notebook clean-up before HTML export."""

from __future__ import annotations

import nbformat

from evaluation.run.exporters import _strip_for_readers


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


def test_a_report_without_a_verdict_is_left_in_order():
    cells = _strip_for_readers(_notebook(with_verdict=False)).cells
    assert [cell.source for cell in cells] == ["params", "title", "## Details", "table"]
