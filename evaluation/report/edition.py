"""What a notebook needs in its first cell: params, the data store, a findings recorder.

Notebooks stay thin: ``ed = open_edition(globals())`` after the ``parameters`` cell, then calls
into ``describe`` / ``compare`` / ``estimate`` and ``ed.show_*`` helpers.

Outside a parameters cell (a scratch notebook, a script, a console) open an edition from its
params file; relative paths start at the project root, wherever the notebook is:

>>> from evaluation import open_edition
>>> ed = open_edition("params/2024.yaml")  # doctest: +SKIP
>>> ed.store.tables()  # doctest: +SKIP
['acbp_allocations', 'content', 'enrolments', ...]
>>> people = ed.impact_people()  # doctest: +SKIP
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from evaluation.analysis import describe, impact, populations
from evaluation.core.params import Params, load_params, params_from_namespace, project_root
from evaluation.core.vocabulary import SYNTHETIC_BANNER
from evaluation.data.backend import Store, connect
from evaluation.data.ensure import ensure_data
from evaluation.report.disclosure import DEFAULT_MARKER, export_view, suppress
from evaluation.report.figures import CaptionedFigure, use_style
from evaluation.report.findings import Findings
from evaluation.report.formatting import NumberStyle, group_digits
from evaluation.report.tables import TableSpec

__all__ = ["Edition", "open_edition"]


@dataclass
class Edition:
    """One edition opened for analysis: its params, its store, its findings and frames.

    The person frames the notebooks start from are methods that call
    :mod:`evaluation.analysis` on this store and params: :meth:`participation_kpis`,
    :meth:`edition_people`, :meth:`impact_people`, :meth:`ministry_people`,
    :meth:`two_editions`, :meth:`previous_kpis`.

    Attributes
    ----------
    params : Params
        The edition's settings (window, treatment, outcomes, ``min_cell``...).
    store : Store
        The processed store: ``store.tables()``, ``store.table(name)`` (Ibis).
    findings : Findings
        What ``show_*`` and ``verdict`` record; ``close()`` writes it.
    output_dir : pathlib.Path
        Where findings, tables and figures go.
    """

    params: Params
    store: Store
    findings: Findings
    output_dir: Path

    def participation_kpis(self) -> describe.ParticipationKPIs:
        """Headline KPIs of the week (01; :func:`describe.participation_kpis`)."""
        return describe.participation_kpis(self.store, self.params.window, self.params.target_hours)

    def edition_people(self) -> pd.DataFrame:
        """One row per eligible person (02; :func:`populations.edition_people`)."""
        return populations.edition_people(self.store, self.params)

    def impact_people(self) -> pd.DataFrame:
        """The impact population, ``treat`` and changes (03; :func:`impact.impact_people`)."""
        return impact.impact_people(self.store, self.params)

    def ministry_people(self) -> pd.DataFrame:
        """Eligible persons and karma points (05; :func:`populations.ministry_people`)."""
        return populations.ministry_people(self.store, self.params)

    def two_editions(self, current: pd.DataFrame | None = None) -> pd.DataFrame | None:
        """The previous and this edition stacked, or None (04; :func:`populations.two_editions`)."""
        return populations.two_editions(self.store, self.params, current)

    def previous_kpis(self) -> describe.ParticipationKPIs | None:
        """The previous edition's KPIs, this target (04; :func:`populations.previous_kpis`)."""
        return populations.previous_kpis(self.store, self.params)

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

    def summary_hi(self, key: str, text: str) -> None:
        """Show and record the Hindi summary (``<key>_hi`` in findings) under the English lead."""
        self.findings.sentence(f"{key}_hi", text)
        display(HTML(f'<p lang="hi"><strong>सारांश:</strong> {html.escape(text)}</p>'))

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
        parts_of = spec.parts_of if spec is not None else {}
        published = frame.reset_index(drop=True)
        declared: dict[str, Any] = {}
        if count_columns:
            declared = {
                "count_columns": list(count_columns),
                "derived": {k: list(v) if not isinstance(v, str) else [v]
                            for k, v in (derived or {}).items()},
                "complete": False,
                **({"parts_of": dict(parts_of)} if parts_of else {}),
            }  # fmt: skip
            published = suppress(
                published,
                min_cell=self.params.min_cell,
                **declared,
            )
            published = export_view(published)
            if (published.astype(str) == DEFAULT_MARKER).to_numpy().any():
                # A table that hides a cell says what the mark means (ONS convention).
                caption += (
                    f" {DEFAULT_MARKER}: not shown, because it counts fewer than "
                    f"{self.params.min_cell} persons or would reveal such a count."
                )
        self.findings.table(name, published, caption=caption, disclosure=declared)
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


def open_edition(
    source: str | Path | Params | Mapping[str, Any],
    *,
    output_dir: str | Path | None = None,
    root: str | Path | None = None,
) -> Edition:
    """Open an edition: validate its params, make sure its data exist, open the store.

    Parameters
    ----------
    source : str, pathlib.Path, Params or mapping
        A params file (``"params/2024.yaml"``), already loaded :class:`Params`, or a notebook's
        ``globals()`` after its ``parameters`` cell (what the report notebooks pass).
    output_dir : str or pathlib.Path, optional
        Where findings, tables and figures go. Default: the namespace's ``output_dir`` (set by
        ``nlw run``), else ``outputs/<edition>/interactive/<notebook>``, one folder per notebook
        (or script; ``console`` when neither is known). Outside ``nlw run``, an edition on
        synthetic data shows the SYNTHETIC DATA mark when opened.
    root : str or pathlib.Path, optional
        The project root that relative paths (the params file, ``output_dir``, the params'
        ``data`` folders) start from. Default :func:`~evaluation.core.params.project_root`,
        so ``"params/2024.yaml"`` works from ``notebooks/`` too.

    Returns
    -------
    Edition
        ``ed.params``, ``ed.store`` (``ed.store.tables()``), the person frames
        (``ed.impact_people()``...) and the ``show_*`` helpers.

    Raises
    ------
    ParamsError
        The params file is missing (its absolute path is named) or invalid.
    FileNotFoundError
        Real data whose raw folder does not exist (synthetic data are generated and ingested
        when missing, which takes a while the first time).

    Examples
    --------
    >>> from evaluation import open_edition
    >>> ed = open_edition("params/2024.yaml", output_dir="outputs/2024/scratch")  # doctest: +SKIP
    >>> people = ed.impact_people()  # doctest: +SKIP
    """
    base = Path(root).expanduser().absolute() if root is not None else project_root()
    namespace: Mapping[str, Any] = {}
    log: Callable[[str], None] = print
    if isinstance(source, Params):
        params, log = source, print
    elif isinstance(source, str | Path):
        path = Path(source).expanduser()
        params, log = load_params(path if path.is_absolute() else base / path), print
    else:
        namespace = source
        # a notebook's output cells are the report: nothing but the report goes there
        params, log = params_from_namespace(dict(namespace)), _quiet
    store_path = ensure_data(params, base, log=log)
    chosen = output_dir or namespace.get("output_dir")
    if chosen is None:
        folder = base / "outputs" / params.edition / "interactive" / _session_name(namespace)
    else:
        folder = Path(chosen).expanduser()
        folder = folder if folder.is_absolute() else base / folder
    if params.is_synthetic and namespace.get("output_dir") is None:
        # `nlw run` sets output_dir and its pages carry the banner; anywhere else, say it here
        display({"text/plain": SYNTHETIC_BANNER, "text/html": _MARK_HTML}, raw=True)
    findings = Findings(
        folder,
        edition=params.edition,
        synthetic=params.is_synthetic,
        min_cell=params.min_cell,
        number_style=params.number_style,
    )
    store = connect(store_path, backend=params.backend)
    use_style()
    return Edition(params=params, store=store, findings=findings, output_dir=folder)


_MARK_HTML = (
    '<div class="nlw-banner" role="note" style="background:#fde8e8;color:#8a1c1c;'
    f'font-weight:bold;padding:0.4em 0.8em;border:1px solid #8a1c1c">{SYNTHETIC_BANNER}</div>'
)


def _session_name(namespace: Mapping[str, Any]) -> str:
    """The notebook (or script) this kernel runs, so each writes to its own interactive folder.

    JupyterLab gives the kernel its notebook's path (``__session__``, ``JPY_SESSION_NAME``),
    VS Code its own variable; a script outside a kernel is named by ``sys.argv[0]``; anything
    else (a console, a kernel that was not told) is ``console``.
    """
    import os
    import sys

    from IPython import get_ipython

    shell = get_ipython()
    names = {**(shell.user_ns if shell is not None else {}), **namespace}
    path = (
        names.get("__session__")
        or names.get("__vsc_ipynb_file__")
        or os.environ.get("JPY_SESSION_NAME")
    )
    script = sys.argv[0] if sys.argv else ""
    if not path and shell is None and script.endswith(".py") and Path(script).stem != "__main__":
        path = script
    stem = Path(str(path)).stem if path else "console"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem) or "console"


def _quiet(_message: str) -> None:
    """A log that says nothing (the notebooks' output cells are the report)."""


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
    if kind == "std_error":
        # at national scale errors are below 0.01: two significant figures, not "0.00"
        if 0 < abs(value) < 0.01:
            decimals = 1 - math.floor(math.log10(abs(value)))  # two significant figures
            return f"{value:.{decimals}f}"
        return _format_cell(value, "decimal", style)
    if kind == "p_value":
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    raise ValueError(f"unknown display format {kind!r}")
