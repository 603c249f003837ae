"""PDFs asked for and impossible (no Chromium) fail the run loudly, with the fix in the message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support.stores import tiny_params

from evaluation.run import exporters
from evaluation.run.runner import run_editions

pytestmark = pytest.mark.xdist_group("tiny-run")


def _context(tmp_path: Path, *, pdf: bool) -> exporters.NotebookContext:
    return exporters.NotebookContext(
        executed=tmp_path / "01_participation.ipynb",
        run_dir=tmp_path,
        name="01_participation",
        title="t",
        meta="m",
        synthetic=True,
        pdf=pdf,
    )


def test_the_pdf_exporter_names_the_fix_when_chromium_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(exporters, "chromium_path", lambda: None)
    (pdf,) = [e for e in exporters.registered("notebook") if e.name == "pdf"]
    with pytest.raises(exporters.ChromiumMissingError, match=r"run `make chromium`"):
        pdf.write(_context(tmp_path, pdf=True), tmp_path / "01_participation.pdf")
    assert "`nlw run --no-pdf`" in exporters.CHROMIUM_MISSING
    # no PDF asked for: nothing to print, nothing to complain about
    assert pdf.write(_context(tmp_path, pdf=False), tmp_path / "x.pdf") is None


def test_a_run_asking_for_pdfs_without_chromium_fails_and_says_why(tmp_path, monkeypatch):
    # Chromium is looked up on PATH; a PATH with only the interpreter's folder hides it.
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    assert exporters.chromium_path() is None
    params = tiny_params(tmp_path, ["01_participation"])
    summary = run_editions([params], jobs=1, pdf=True, outputs=tmp_path / "outputs")
    assert not summary.ok
    (result,) = summary.results
    assert result.status == "failed"
    assert "PDF export needs Chromium, which is not installed: run `make chromium`" in result.error
    assert "latest" not in {p.name for p in (tmp_path / "outputs" / "2024").iterdir()}
