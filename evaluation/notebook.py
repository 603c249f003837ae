"""What a notebook needs in its first cell: params, the data store, a findings recorder.

Notebooks stay thin: ``ed = open_edition(globals())`` after the ``parameters`` cell, then calls
into ``describe`` / ``compare`` / ``estimate`` and ``ed.show_*`` helpers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from evaluation.backend import Store, connect
from evaluation.findings import Findings
from evaluation.params import Params, params_from_namespace, project_root
from evaluation.pipeline import ensure_data

__all__ = ["Edition", "open_edition"]


@dataclass
class Edition:
    """One edition opened for analysis."""

    params: Params
    store: Store
    findings: Findings
    output_dir: Path

    def say(self, markdown: str) -> None:
        """Show a paragraph of Markdown (numbers already formatted)."""
        display(Markdown(markdown))

    def verdict(self, key: str, text: str) -> None:
        """Show and record the plain-English verdict box."""
        self.findings.sentence(key, text)
        display(HTML(f'<div class="nlw-verdict">{html.escape(text)}</div>'))

    def show_table(self, name: str, frame: pd.DataFrame, *, caption: str, **style: Any) -> None:
        """Record a table (CSV beside the report) and show it with its caption."""
        self.findings.table(name, frame, caption=caption)
        display(HTML(frame.to_html(index=False, escape=True, na_rep="–", **style)))
        display(HTML(f'<p class="nlw-caption">{html.escape(caption)}</p>'))

    def show_figure(self, name: str, fig: Any, *, caption: str) -> None:
        """Record a figure (PNG beside the report) and show it with its caption."""
        import matplotlib.pyplot as plt
        from IPython.display import Image

        path = self.findings.figure(name, fig, caption=caption)
        plt.close(fig)
        # Show the saved PNG itself: the reader sees exactly the file written beside the report.
        display(Image(data=path.read_bytes(), format="png"))
        display(HTML(f'<p class="nlw-caption">{html.escape(caption)}</p>'))

    def close(self) -> Path:
        """Write findings.json; call in the last cell."""
        return self.findings.save()


def open_edition(namespace: dict[str, Any]) -> Edition:
    """Validate the injected parameters, make sure the data exist and open the store.

    ``output_dir`` (set by ``nlw run``) receives findings, tables and figures; when a notebook is
    run by hand it defaults to ``outputs/<edition>/interactive``.
    """
    params = params_from_namespace(namespace)
    root = project_root()
    store_path = ensure_data(params, root, log=lambda _msg: None)
    output_dir = namespace.get("output_dir") or root / "outputs" / params.edition / "interactive"
    findings = Findings(
        Path(output_dir),
        edition=params.edition,
        synthetic=params.is_synthetic,
        min_cell=params.min_cell,
        number_style=params.number_style,
    )
    store = connect(store_path, backend=params.backend)
    return Edition(params=params, store=store, findings=findings, output_dir=Path(output_dir))
