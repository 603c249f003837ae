"""JupyterLab as a researcher uses it: the `nlw` kernel, a notebook run in headless Chromium.

JupyterLab starts on a free localhost port (``--allow-root`` as root, as ``make lab`` does) with
its application exposed to the page (``LabApp.expose_app_in_browser``); Chromium opens a
notebook, runs every cell with JupyterLab's own "Run All" command and saves it, driven over the
DevTools protocol. The saved notebook must have run every cell without an error or a line on
stderr, and the edition it opened must write to that notebook's own folder.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from support.chromium import FLAGS, chromium
from support.stores import tiny_params

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("lab"),
    pytest.mark.skipif(
        chromium() is None, reason="needs Debian's chromium (make test installs it)"
    ),
]
TOKEN = "nlw-browser-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


class DevTools:
    """The smallest DevTools-protocol client: evaluate JavaScript in the page, await promises."""

    def __init__(self, port: int) -> None:
        import websocket

        targets = json.loads(_wait_for(f"http://127.0.0.1:{port}/json", 20))
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.calls = 0

    def evaluate(self, expression: str) -> object:
        self.calls += 1
        self.socket.send(
            json.dumps(
                {
                    "id": self.calls,
                    "method": "Runtime.evaluate",
                    "params": {
                        "expression": expression,
                        "awaitPromise": True,
                        "returnByValue": True,
                    },
                }
            )  # fmt: skip
        )
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") == self.calls:
                break
        result = reply["result"]
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def wait_until(self, expression: str, seconds: float) -> object:
        deadline = time.monotonic() + seconds
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(expression)
            time.sleep(0.5)


def _notebook(params: Path, root: Path) -> nbformat.NotebookNode:
    cells = [
        "from evaluation import open_edition\n\n"
        f"ed = open_edition({str(params)!r}, root={str(root)!r})\n"
        "print(ed.output_dir)",
        "kpis = ed.participation_kpis()\nkpis.participants",
        "import matplotlib.pyplot as plt\n\n"
        "fig, ax = plt.subplots()\nax.set_title('Participants, bold title')\n"
        "ax.bar(['took part', 'did not'], [kpis.participants, 1])",
        "ed.close()",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {"name": "nlw", "display_name": "Python (nlw)"}
    return notebook


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on the nlw kernel, serving ``tmp_path``."""
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
        "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ] + (["--allow-root"] if os.getuid() == 0 else [])  # fmt: skip
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", 40)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_a_notebook_runs_every_cell_in_jupyterlab_without_errors(lab, tmp_path):
    started = time.monotonic()
    params = tiny_params(tmp_path / "world", ["01_participation"])
    (tmp_path / "notebooks").mkdir()
    nbformat.write(_notebook(params, tmp_path), tmp_path / "notebooks" / "lab_check.ipynb")
    debug_port = _free_port()
    url = f"http://127.0.0.1:{lab}/lab/tree/notebooks/lab_check.ipynb?token={TOKEN}"
    # Chromium's helper processes may still write into the profile after it exits: a leftover
    # file must not fail the cleanup (seen once: "Directory not empty: 'Default'").
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900",
             f"--remote-debugging-port={debug_port}", url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            page = DevTools(debug_port)
            page.wait_until(
                "!!(window.jupyterapp && window.jupyterapp.shell.currentWidget"
                " && window.jupyterapp.shell.currentWidget.sessionContext"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session"
                " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel)",
                40,
            )
            kernel = page.evaluate(
                "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.name"
            )
            assert kernel == "nlw"
            page.evaluate(
                "window.jupyterapp.shell.currentWidget.sessionContext.ready"
                ".then(() => window.jupyterapp.commands.execute('notebook:run-all-cells'))"
                ".then(() => true)"
            )
            page.evaluate("window.jupyterapp.commands.execute('docmanager:save').then(() => 1)")
        finally:
            browser.terminate()
            browser.wait(timeout=20)
    saved = nbformat.read(tmp_path / "notebooks" / "lab_check.ipynb", as_version=4)
    counts = [cell.execution_count for cell in saved.cells]
    assert all(counts), f"cells not run: {counts}"
    outputs = [out for cell in saved.cells for out in cell.outputs]
    problems = [
        out for out in outputs
        if out.output_type == "error" or (out.output_type == "stream" and out.name == "stderr")
    ]  # fmt: skip
    assert problems == [], problems
    printed = "".join(o.text for o in outputs if o.output_type == "stream")
    # JupyterLab told the kernel its notebook: the edition writes to that notebook's folder
    assert printed.strip() == str(tmp_path / "outputs" / "2024" / "interactive" / "lab_check")
    assert (tmp_path / "outputs" / "2024" / "interactive" / "lab_check" / "findings.json").is_file()
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("SYNTHETIC DATA" in o.get("data", {}).get("text/plain", "") for o in outputs)
    assert time.monotonic() - started < 60
