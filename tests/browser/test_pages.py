"""Exported reports as a reader's browser shows them (Debian's headless Chromium)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from support.chromium import chromium, probe, screenshot
from support.stores import tiny_params

from evaluation.run.runner import run_editions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("runner"),
    pytest.mark.skipif(
        chromium() is None, reason="needs Debian's chromium (make test installs it)"
    ),
]


@pytest.fixture(scope="module")
def synthetic_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    params = tiny_params(tmp, ["01_participation"])
    summary = run_editions([params], jobs=1, pdf=True, outputs=tmp / "outputs")
    assert summary.ok
    return summary.run_dirs["2024"], tmp / "outputs"


def test_report_page_in_the_browser(synthetic_run, tmp_path):
    run_dir, _ = synthetic_run
    page = run_dir / "01_participation.html"
    seen = probe(page, width=1280)
    assert seen["banner"], "SYNTHETIC DATA banner missing"
    assert seen["code"] == 0, "code cells visible"
    assert seen["images"] >= 1 and seen["broken"] == [], seen["broken"]
    assert not seen["overflow"], f"horizontal overflow at 1280 px: {seen['scrollWidth']}"
    assert "4 people took part" in seen["text"]
    shot = screenshot(page, tmp_path / "report.png")
    assert shot.stat().st_size > 10_000  # a real rendering, not a blank page


def test_report_fits_a_phone_width_without_page_overflow(synthetic_run):
    run_dir, _ = synthetic_run
    seen = probe(run_dir / "01_participation.html", width=412)
    assert not seen["overflow"], f"horizontal overflow at 412 px: {seen['scrollWidth']}"


def test_index_page_links_load(synthetic_run):
    _, outputs = synthetic_run
    seen = probe(outputs / "index.html")
    assert "01_participation" in seen["text"]
    assert not seen["overflow"]


def test_pdf_has_pages_banner_and_numbers(synthetic_run):
    run_dir, _ = synthetic_run
    reader = PdfReader(run_dir / "01_participation.pdf")
    # the participation report has seven sections: a few pages, not a runaway layout
    assert 2 <= len(reader.pages) <= 10
    for number, pdf_page in enumerate(reader.pages, 1):
        text = pdf_page.extract_text()
        assert "SYNTHETIC DATA" in text, f"banner missing on PDF page {number}"
    everything = " ".join(p.extract_text() for p in reader.pages)
    assert "people took part" in everything
    assert "import" not in everything
