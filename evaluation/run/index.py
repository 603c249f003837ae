"""``outputs/index.html``: every edition, its runs, their reports and status."""

from __future__ import annotations

import html
import json
from pathlib import Path

from evaluation.run.exporters import atomic_write_text, page

__all__ = ["write_index"]


def _runs(edition_dir: Path) -> list[tuple[Path, dict]]:
    found = []
    for run in sorted(edition_dir.iterdir(), reverse=True):
        manifest = run / "manifest.json"
        if (
            run.is_dir()
            and not run.is_symlink()
            and not run.name.startswith(".")
            and manifest.exists()
        ):
            found.append((run, json.loads(manifest.read_text(encoding="utf-8"))))
    return found


def _row(outputs: Path, run: Path, manifest: dict, latest: Path | None) -> str:
    links = []
    for item in manifest.get("notebooks", []):
        name = item["notebook"]
        parts = [html.escape(name)]
        for suffix in ("html", "pdf", "ipynb"):
            target = run / f"{name}.{suffix}"
            if target.exists():
                href = html.escape(target.relative_to(outputs).as_posix())
                parts.append(f'<a href="{href}">{suffix.upper()}</a>')
        status = "✔" if item["status"] in ("ok", "reused") else f"✘ {html.escape(item['error'])}"
        links.append(" ".join(parts) + f" <span>{status}</span>")
    extra = []
    for name in ("findings.json", "findings.xlsx", "manifest.json"):
        if (run / name).exists():
            href = html.escape((run / name).relative_to(outputs).as_posix())
            extra.append(f'<a href="{href}">{name}</a>')
    params = manifest.get("params", {})
    run_names = {item["notebook"] for item in manifest.get("notebooks", [])}
    if not params.get("previous_edition") and not any("years" in n for n in run_names):
        # Say why a first edition has no years report, rather than leave the reader guessing.
        links.append("<span>No years report: the first edition has none to compare with.</span>")
    badge = " (latest)" if latest is not None and run.resolve() == latest else ""
    return (
        f"<tr><td>{html.escape(run.name)}{badge}</td><td>{html.escape(manifest['status'])}</td>"
        f"<td>{'<br>'.join(links)}</td><td>{' · '.join(extra)}</td></tr>"
    )


def write_index(outputs: Path) -> Path:
    """Write ``outputs/index.html`` listing every edition's runs (newest first)."""
    sections = []
    synthetic = False
    for edition_dir in sorted(p for p in outputs.iterdir() if p.is_dir()):
        runs = _runs(edition_dir)
        if not runs:
            continue
        latest_link = edition_dir / "latest"
        latest = latest_link.resolve() if latest_link.exists() else None
        synthetic = synthetic or any(m["params"]["data"].get("synthetic") for _, m in runs)
        rows = "".join(_row(outputs, run, m, latest) for run, m in runs)
        sections.append(
            f"<h2>Edition {html.escape(edition_dir.name)}</h2>\n"
            "<table class='nlw-index'><thead><tr><th>Run</th>"
            f"<th>Status</th><th>Reports</th><th>Data</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    body = "<h1>NLW evaluation reports</h1>\n" + (
        "\n".join(sections) or "<p>No runs yet: run <code>make run</code>.</p>"
    )
    path = outputs / "index.html"
    atomic_write_text(path, page(body, title="NLW evaluation reports", synthetic=synthetic))
    return path
