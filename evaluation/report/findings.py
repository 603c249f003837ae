"""Structured findings: every number a reader sees, with its definition, plus tables and figures.

A notebook records what it shows through one :class:`Findings` object; at the end ``save()``
writes ``findings.json`` (no timestamps, so two runs on the same data are byte-identical),
``tables/*.csv`` and ``figures/*.png`` into the run's output folder.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from evaluation.report.formatting import NumberStyle, format_count, group_digits

__all__ = ["Finding", "Findings", "neutralise_formulas"]

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Make text cells that a spreadsheet would run as a formula inert (prefix ``'``).

    Only text columns are touched: a negative number stays a number.
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_PREFIXES) else v
            )
    return out


@dataclass(frozen=True)
class Finding:
    """One number shown to readers."""

    key: str
    value: float | int | str | None
    display: str
    label: str
    definition: str
    unit: str = ""


@dataclass
class Findings:
    """Collects what a report shows and writes it beside the report."""

    output_dir: Path
    edition: str
    synthetic: bool
    min_cell: int = 10
    number_style: NumberStyle = "indian"
    items: list[Finding] = field(default_factory=list)
    sentences: dict[str, str] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    #: Per table: how disclosure control treated it (the run's privacy audit re-checks it).
    disclosure: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.output_dir = Path(self.output_dir)
        (self.output_dir / "tables").mkdir(parents=True, exist_ok=True)
        (self.output_dir / "figures").mkdir(parents=True, exist_ok=True)

    def count(self, key: str, value: int, *, label: str, definition: str, unit: str = "") -> str:
        """Record a count; returns its display form (e.g. ``7.4 lakh``)."""
        display = format_count(value, style=self.number_style)
        self.items.append(Finding(key, int(value), display, label, definition, unit))
        return display

    def number(
        self,
        key: str,
        value: float | str | None,
        *,
        label: str,
        definition: str,
        unit: str = "",
        decimals: int = 1,
    ) -> str:
        """Record any other value (a mean, a share, a date); returns its display form."""
        if isinstance(value, float | int) and not (isinstance(value, float) and math.isnan(value)):
            display = group_digits(value, style=self.number_style, decimals=decimals)
        else:
            display = "–" if value is None else str(value)
        self.items.append(Finding(key, value, display, label, definition, unit))
        return display

    def sentence(self, key: str, text: str) -> str:
        """Record a plain-language sentence a reader sees."""
        self.sentences[key] = text
        return text

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        caption: str,
        disclosure: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Write ``tables/<name>.csv`` (formulas neutralised) and return the frame.

        ``disclosure`` (keyword arguments of :func:`~evaluation.report.disclosure.check_min_cell`
        the table was suppressed with) goes to ``findings.json`` for the run's privacy audit.
        """
        safe = neutralise_formulas(frame)
        safe.to_csv(self.output_dir / "tables" / f"{name}.csv", index=False, lineterminator="\n")
        self.tables[name] = caption
        if disclosure:
            self.disclosure[name] = disclosure
        return frame

    def figure(self, name: str, fig: Any, *, caption: str) -> Path:
        """Save a matplotlib figure as ``figures/<name>.png`` without timestamps."""
        path = self.output_dir / "figures" / f"{name}.png"
        fig.savefig(path, dpi=150, bbox_inches="tight", metadata={"Software": None})
        self.figures[name] = caption
        return path

    def to_dict(self) -> dict[str, Any]:
        """Everything recorded, as plain JSON-able values."""
        return {
            "edition": self.edition,
            "synthetic": self.synthetic,
            "min_cell": self.min_cell,
            "findings": [asdict(item) for item in self.items],
            "sentences": self.sentences,
            "tables": self.tables,
            "figures": self.figures,
            **({"disclosure": self.disclosure} if self.disclosure else {}),
        }

    def save(self) -> Path:
        """Write ``findings.json`` (sorted keys, no timestamps) and return its path."""
        path = self.output_dir / "findings.json"
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path

    def headline_html(self, keys: list[str]) -> str:
        """A row of headline numbers as HTML cards (text escaped)."""
        chosen = [item for item in self.items if item.key in keys]
        cards = "".join(
            f'<div class="nlw-card"><div class="nlw-card-value">{html.escape(i.display)}</div>'
            f'<div class="nlw-card-label">{html.escape(i.label)}</div></div>'
            for i in chosen
        )
        return f'<div class="nlw-cards">{cards}</div>'
