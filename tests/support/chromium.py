"""Open a page in Debian's headless Chromium and read back what the reader's browser saw."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

PROBE = """
<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const result = {
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 40)),
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    banner: !!document.querySelector('.nlw-banner'),
    code: document.querySelectorAll('.jp-InputArea, .input_area, pre code.language-python').length,
    text: document.body.innerText.slice(0, 20000),
  };
  const node = document.createElement('pre');
  node.id = 'nlw-probe';
  node.textContent = JSON.stringify(result);
  document.body.appendChild(node);
});
</script>
"""

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    return shutil.which("chromium")


def probe(page: Path, *, width: int = 1280, height: int = 900) -> dict:
    """Load a copy of ``page`` with a probe script; return what the browser measured."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # see test_lab.py
        copy = Path(tmp) / page.name
        copy.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"))
        result = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                "--dump-dom",
                copy.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=90,
        )
    match = re.search(r'<pre id="nlw-probe">(.*?)</pre>', result.stdout, re.S)
    if not match:
        raise RuntimeError(f"no probe result from chromium: {result.stderr[-500:]}")
    text = match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return json.loads(text.replace("&amp;", "&"))


def screenshot(page: Path, out: Path, *, width: int = 1280, height: int = 2400) -> Path:
    """A PNG of the page as the reader's browser shows it."""
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:  # see test_lab.py
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={tmp}",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            timeout=90,
            check=True,
        )
    return out
