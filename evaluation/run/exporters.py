"""What a run writes for readers, as a registry of exporters: HTML, PDF, findings JSON, XLSX.

Each :class:`Exporter` names a format, its file suffix, its scope (``"notebook"``: one file per
executed notebook, written in the worker that ran it; ``"edition"``: one file per edition run,
written when every notebook has finished) and the function that writes it. The runner loops over
:data:`EXPORTERS` in order, so a new format is one entry there; an entry may read the files of
the entries before it (the PDF is printed from the HTML).

HTML is rendered by nbconvert's ``basic`` template with inputs, prompts and stderr removed
(warnings belong in the run log, not in a report) and wrapped in the workbench's own light page
with a SYNTHETIC DATA banner that repeats on every printed page. PDFs are printed from that HTML
by Debian's headless Chromium (nbconvert's ``webpdf`` cannot find it; see FIELD-NOTES).
"""

from __future__ import annotations

import copy
import html
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import nbformat
from nbconvert import HTMLExporter

from evaluation.core.vocabulary import SYNTHETIC_BANNER

__all__ = [
    "CHROMIUM_MISSING",
    "EDITION_STEM",
    "ChromiumMissingError",
    "EXPORTERS",
    "EditionContext",
    "Exporter",
    "NotebookContext",
    "Scope",
    "atomic_write_text",
    "chromium_path",
    "html_to_pdf",
    "merge_findings",
    "notebook_to_html",
    "registered",
]

BANNER = SYNTHETIC_BANNER


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


def _is_hindi_summary(output: dict) -> bool:
    return '<p lang="hi">' in "".join(output.get("data", {}).get("text/html", ""))


def _is_title(output: dict) -> bool:
    return "".join(output.get("data", {}).get("text/markdown", "")).startswith("# ")


def _verdict_first(cells: list) -> list:
    """Repeat the verdict box (and its Hindi summary) under the report's title: answer first.

    Notebooks reach their verdict last (it weighs every diagnostic), but a policy reader should
    not have to scroll for it; the full reasoning stays where it is.
    """
    code = [cell for cell in cells if cell.cell_type == "code"]
    # each verdict with the Hindi summary that follows it in the same cell, if any
    verdicts = [
        [out, *[nxt for nxt in cell.outputs[i + 1 : i + 2] if _is_hindi_summary(nxt)]]
        for cell in code
        for i, out in enumerate(cell.outputs)
        if _is_verdict(out)
    ]
    titled = [
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "code" and any(_is_title(out) for out in cell.outputs)
    ]
    if not verdicts or not titled:
        return cells
    # A report that leads with its verdict already (the years report, a brief) would show the
    # same box twice: only a verdict reached further down is repeated under the title.
    first_box = next(
        i
        for i, cell in enumerate(cells)
        if cell.cell_type == "code" and any(_is_verdict(out) for out in cell.outputs)
    )
    if first_box <= titled[0] + 1:
        return cells
    answer = nbformat.v4.new_code_cell(source="", outputs=copy.deepcopy(verdicts[-1]))
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


class ChromiumMissingError(RuntimeError):
    """A PDF was asked for and no Chromium is installed to print it."""


#: What to do when Chromium is missing (short: the run's summary table shows it).
CHROMIUM_MISSING = (
    "PDF export needs Chromium, which is not installed: run `make chromium` (Debian: "
    "apt-get install chromium fonts-lohit-deva), or `nlw run --no-pdf` for HTML only"
)


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: int = 120) -> Path:
    """Print an HTML page to PDF with headless Chromium (no network, fresh profile).

    Raises
    ------
    ChromiumMissingError
        No Chromium is installed (the message says how to install it or skip PDFs).
    """
    browser = chromium_path()
    if browser is None:
        raise ChromiumMissingError(CHROMIUM_MISSING)
    # Chromium's helper processes may still write into the profile after it exits: a leftover
    # file must not fail the cleanup (seen once: "Directory not empty: 'Default'").
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
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


def merge_findings(run_dir: Path, notebooks: list[str]) -> dict:
    """Every notebook's ``findings.json`` under its name (notebooks without one left out)."""
    merged = {}
    for name in notebooks:
        path = run_dir / name / "findings.json"
        if path.exists():
            merged[name] = json.loads(path.read_text(encoding="utf-8"))
    return merged


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------

Scope = Literal["notebook", "edition"]

#: Stem of the files an edition-scope exporter writes: ``findings.json``, ``findings.xlsx``.
EDITION_STEM = "findings"


@dataclass(frozen=True)
class NotebookContext:
    """What a notebook-scope exporter knows about the notebook it exports.

    Attributes
    ----------
    executed : pathlib.Path
        The executed notebook (``<run_dir>/<name>.ipynb``).
    run_dir : pathlib.Path
        The run folder the exports go to.
    name : str
        The notebook's output name (its files are ``<name><suffix>``).
    title, meta : str
        The page title and the line under the banner.
    synthetic : bool
        Whether the data are synthetic (the page then carries the banner).
    pdf : bool
        Whether the run asked for PDFs.
    """

    executed: Path
    run_dir: Path
    name: str
    title: str
    meta: str
    synthetic: bool
    pdf: bool = True

    def path(self, suffix: str) -> Path:
        """The notebook's file with ``suffix`` in the run folder."""
        return self.run_dir / f"{self.name}{suffix}"


@dataclass(frozen=True)
class EditionContext:
    """What an edition-scope exporter knows: the run folder and its notebooks, in plan order."""

    run_dir: Path
    notebooks: list[str]

    def path(self, suffix: str) -> Path:
        """The edition's file with ``suffix`` in the run folder."""
        return self.run_dir / f"{EDITION_STEM}{suffix}"


@dataclass(frozen=True)
class Exporter:
    """One output format.

    Attributes
    ----------
    name : str
        Short name of the format (``"html"``).
    suffix : str
        File suffix, with its dot (``".html"``).
    scope : {"notebook", "edition"}
        One file per executed notebook, or one per edition run.
    write : callable
        ``write(context, path)`` writes the file at ``path`` and returns it, or returns None when
        the format does not apply to this run (no PDF asked for). The
        context is a :class:`NotebookContext` or an :class:`EditionContext`, by scope.
    """

    name: str
    suffix: str
    scope: Scope
    write: Callable[..., Path | None]


def _write_html(context: NotebookContext, path: Path) -> Path:
    return notebook_to_html(
        context.executed, path, title=context.title, synthetic=context.synthetic, meta=context.meta
    )


def _write_pdf(context: NotebookContext, path: Path) -> Path | None:
    if not context.pdf:
        return None  # `nlw run --no-pdf`: HTML is the reader's page
    # Asked for and impossible is an error, never a silent skip: a run that printed no PDF
    # would look complete (ChromiumMissingError names the fix).
    return html_to_pdf(context.path(".html"), path)


def _write_findings_json(context: EditionContext, path: Path) -> Path:
    findings = merge_findings(context.run_dir, context.notebooks)
    atomic_write_text(
        path, json.dumps(findings, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    return path


def _write_findings_xlsx(context: EditionContext, path: Path) -> Path:
    # imported here: pandas and xlsxwriter are not needed to plan a run or draw the CLI
    from evaluation.run.workbook import write_findings_workbook

    return write_findings_workbook(context.run_dir, context.notebooks, path=path)


#: Every output format, in the order written (the PDF is printed from the HTML before it).
EXPORTERS: tuple[Exporter, ...] = (
    Exporter("html", ".html", "notebook", _write_html),
    Exporter("pdf", ".pdf", "notebook", _write_pdf),
    Exporter("findings-json", ".json", "edition", _write_findings_json),
    Exporter("xlsx", ".xlsx", "edition", _write_findings_xlsx),
)


def registered(scope: Scope) -> list[Exporter]:
    """The registered exporters of ``scope``, in order (read at call time, so tests can add)."""
    return [exporter for exporter in EXPORTERS if exporter.scope == scope]
