"""What a notebook needs in its first cell: params, the data store, a findings recorder.

Notebooks stay thin: ``ed = open_edition(globals())`` after the ``parameters`` cell, then calls
into ``describe`` / ``compare`` / ``estimate`` and ``ed.show_*`` helpers.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from evaluation.core.params import Params, params_from_namespace, project_root
from evaluation.data.backend import Store, connect
from evaluation.data.ensure import ensure_data
from evaluation.report.disclosure import export_view, suppress
from evaluation.report.figures import CaptionedFigure, use_style
from evaluation.report.findings import Findings
from evaluation.report.formatting import NumberStyle, group_digits
from evaluation.report.tables import TableSpec

__all__ = ["Edition", "open_edition"]


@dataclass
class Edition:
    """One edition opened for analysis."""

    params: Params
    store: Store
    findings: Findings
    output_dir: Path

    def say(self, markdown: str) -> None:
        """Show a paragraph of Markdown (numbers already formatted).

        Angle brackets are escaped: text from data or params (a ministry or course name, a
        title) can never become markup or script in the report.
        """
        display(Markdown(markdown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")))

    def verdict(self, key: str, text: str) -> None:
        """Show and record the plain-English verdict box."""
        self.findings.sentence(key, text)
        display(HTML(f'<div class="nlw-verdict">{html.escape(text)}</div>'))

    def show_table(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        caption: str,
        spec: TableSpec | None = None,
        count_columns: Sequence[str] = (),
        derived: Mapping[str, str | Sequence[str]] | None = None,
        formats: Mapping[str, str] | None = None,
        rename: Mapping[str, str] | None = None,
    ) -> pd.DataFrame:
        """Record a table (CSV beside the report) and show it formatted, with its caption.

        Cells in ``count_columns`` that count fewer than ``min_cell`` persons are suppressed
        (with complementary suppression, and the ``derived`` columns computed from them) and
        marked, in the CSV and on the page alike. ``formats`` maps columns to ``count``,
        ``percent``, ``hours``, ``decimal`` or ``p_value`` for display only; the CSV keeps exact
        values. ``rename`` gives the reader's column headings. A ``spec``
        (:class:`~evaluation.report.tables.TableSpec`) gives all four at once and is the usual
        way; it cannot be combined with them. Returns the published (suppressed) table.
        """
        if spec is not None:
            if count_columns or derived or formats or rename:
                raise ValueError("give a table spec or its parts, not both")
            count_columns, derived = spec.count_columns, spec.derived
            formats, rename = spec.formats, spec.rename
        published = frame.reset_index(drop=True)
        if count_columns:
            published = suppress(
                published,
                count_columns=list(count_columns),
                min_cell=self.params.min_cell,
                derived=derived,
                complete=False,
            )
            published = export_view(published)
        self.findings.table(name, published, caption=caption)
        shown = _present(published, formats or {}, self.params.number_style)
        if rename:
            shown = shown.rename(columns=rename)
        display(HTML(shown.to_html(index=False, escape=True, na_rep="–")))
        display(HTML(f'<p class="nlw-caption">{html.escape(caption)}</p>'))
        return published

    def show_figure(self, figure: CaptionedFigure) -> None:
        """Record a captioned figure (PNG beside the report) and show it with its caption."""
        import matplotlib.pyplot as plt
        from IPython.display import Image

        path = figure.save(self.findings.output_dir / "figures")
        self.findings.figures[figure.name] = figure.caption
        plt.close(figure.fig)
        # Show the saved PNG itself: the reader sees exactly the file written beside the report.
        display(Image(data=path.read_bytes(), format="png", width=760))
        display(HTML(f'<p class="nlw-caption">{html.escape(figure.caption)}</p>'))

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
    use_style()
    return Edition(params=params, store=store, findings=findings, output_dir=Path(output_dir))


def _present(frame: pd.DataFrame, formats: Mapping[str, str], style: NumberStyle) -> pd.DataFrame:
    """Display copy: numbers grouped the reader's way, shares as percentages; markers kept."""
    shown = frame.copy()
    for column, kind in formats.items():
        if column in shown:
            shown[column] = shown[column].map(lambda v, k=kind: _format_cell(v, k, style))
    return shown


def _format_cell(value: Any, kind: str, style: NumberStyle) -> Any:
    if isinstance(value, str) or value is None or pd.isna(value):
        return value
    if kind == "count":
        return group_digits(value, style=style)
    if kind == "percent":
        return f"{value:.0%}" if value >= 0.1 else f"{value:.1%}"
    if kind == "hours":
        return group_digits(value, style=style, decimals=1)
    if kind == "decimal":
        # round first: -0.001 would print as "-0.00", which reads as a negative effect
        return f"{round(float(value), 2) + 0.0:.2f}"
    if kind == "p_value":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    raise ValueError(f"unknown display format {kind!r}")
