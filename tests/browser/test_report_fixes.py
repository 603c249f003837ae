"""The report fixes a policy reader sees (issue 16), checked in Debian's headless Chromium.

On the shared whole-chain run (params/ci.yaml, every notebook): each report leads with its
answer and its Hindi summary, a brief shows its headline box once, and a page that withholds a
cell with [c] says what the mark means.
"""

from __future__ import annotations

import pytest
from support.chromium import chromium, probe
from support.worlds import ci_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("ci-world"),  # the worker that builds the shared chain
    pytest.mark.skipif(
        chromium() is None, reason="needs Debian's chromium (make test installs it)"
    ),
]
LEGEND = "[c]: not shown, because it counts fewer than"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    world = ci_world(tmp_path_factory)
    assert world.summary.ok
    return world.summary.run_dirs["2024"]


def test_impact_report_leads_with_its_answer_in_english_and_hindi(run_dir):
    seen = probe(run_dir / "03_impact.html")
    text = seen["text"]
    assert seen["banner"] and seen["code"] == 0
    head = text[: text.index("Naive and adjusted estimates")]
    assert "taking part" in head.lower() and "95 % interval" in head
    assert "सारांश:" in head and "अगले 90 दिनों में पूरे किए गए पाठ्यक्रम" in head


def test_a_brief_shows_its_headline_once_with_its_hindi_summary(run_dir):
    briefs = sorted(run_dir.glob("05_ministry_brief-*.html"))
    assert briefs
    seen = probe(briefs[0])
    text = seen["text"]
    lead = next(line for line in text.splitlines() if line.startswith("For staff of "))
    assert text.count(lead) == 1
    assert "सारांश:" in text[text.index(lead) : text.index(lead) + 2 * len(lead) + 400]


def test_every_page_that_withholds_a_cell_says_what_the_mark_means(run_dir):
    pages = sorted(run_dir.glob("0*.html"))
    assert len(pages) >= 4
    withheld = 0
    for page in pages:
        # the page's own HTML: the browser's text of a long page is cut at 20,000 characters
        text = page.read_text(encoding="utf-8")
        if "[c]" in text.replace(LEGEND, ""):
            withheld += 1
            assert LEGEND in text, page.name
    assert withheld, "the small CI world withholds cells on some page"
