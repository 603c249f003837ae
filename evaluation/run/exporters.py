"""Executed notebooks -> pages a policy reader can open: HTML without code, PDF, index.

HTML is rendered by nbconvert's ``basic`` template with inputs, prompts and stderr removed
(warnings belong in the run log, not in a report) and wrapped in the workbench's own light page
with a SYNTHETIC DATA banner that repeats on every printed page. PDFs are printed from that HTML
by Debian's headless Chromium (nbconvert's ``webpdf`` cannot find it; see FIELD-NOTES).
"""

from __future__ import annotations

import copy
import html
import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

__all__ = ["atomic_write_text", "chromium_path", "notebook_to_html", "html_to_pdf"]

BANNER = "SYNTHETIC DATA — generated for testing the workbench; not real learners"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_verdict(output: dict) -> bool:
    return 'class="nlw-verdict"' in "".join(output.get("data", {}).get("text/html", ""))


def _is_title(output: dict) -> bool:
    return "".join(output.get("data", {}).get("text/markdown", "")).startswith("# ")


def _verdict_first(cells: list) -> list:
    """Repeat the verdict box right under the report's title: readers get the answer first.

    Notebooks reach their verdict last (it weighs every diagnostic), but a policy reader should
    not have to scroll for it; the full reasoning stays where it is.
    """
    code = [cell for cell in cells if cell.cell_type == "code"]
    verdicts = [out for cell in code for out in cell.outputs if _is_verdict(out)]
    titled = [
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "code" and any(_is_title(out) for out in cell.outputs)
    ]
    if not verdicts or not titled:
        return cells
    answer = nbformat.v4.new_code_cell(source="", outputs=[copy.deepcopy(verdicts[-1])])
    return [*cells[: titled[0] + 1], answer, *cells[titled[0] + 1 :]]


def _strip_for_readers(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop stderr streams and cells tagged ``remove``; verdict first; positional cell ids."""
    kept = []
    for cell in notebook.cells:
        if "remove" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell.cell_type == "code":
            cell.outputs = [
                out
                for out in cell.get("outputs", [])
                if not (out.get("output_type") == "stream" and out.get("name") == "stderr")
            ]
        kept.append(cell)
    kept = _verdict_first(kept)
    # Papermill gives its injected-parameters cell a random id; positional ids keep the page
    # byte-identical across runs of the same inputs.
    for number, cell in enumerate(kept):
        cell["id"] = f"cell-{number:03d}"
    notebook.cells = kept
    return notebook


def page(body: str, *, title: str, synthetic: bool, meta: str = "") -> str:
    """Wrap an HTML fragment in the workbench's report page."""
    css = resources.files("evaluation.report.templates").joinpath("report.css").read_text("utf-8")
    banner = f'<div class="nlw-banner" role="note">{html.escape(BANNER)}</div>' if synthetic else ""
    meta_html = f'<div class="nlw-meta">{html.escape(meta)}</div>' if meta else ""
    page_class = "nlw-page" if synthetic else "nlw-page nlw-real"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f'{banner}\n<main class="{page_class}">\n{meta_html}\n{body}\n</main>\n</body>\n</html>\n'
    )


def notebook_to_html(
    notebook_path: Path, html_path: Path, *, title: str, synthetic: bool, meta: str = ""
) -> Path:
    """Render an executed notebook as a code-free HTML page (images embedded, opens offline)."""
    notebook = _strip_for_readers(nbformat.read(notebook_path, as_version=4))
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    atomic_write_text(html_path, page(body, title=title, synthetic=synthetic, meta=meta))
    return html_path


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 120) -> Path:
    """Print an HTML page to PDF with headless Chromium (no network, fresh profile)."""
    browser = chromium_path()
    if browser is None:
        raise RuntimeError("PDF export needs Debian's chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        tmp_pdf = pdf_path.with_suffix(".pdf.tmp")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={tmp_pdf}",
            html_path.resolve().as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)
        os.replace(tmp_pdf, pdf_path)
    return pdf_path
