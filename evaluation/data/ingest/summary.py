"""What an ingest did, for the person who ran it: rows per source, rejections, normalisations.

Built from the manifest and the validation report of the same pass. It names rules, counts, file
paths and line numbers, never a value: personal data stay inside ingest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from evaluation.data.ingest.crosscheck import summary_lines
from evaluation.data.ingest.errors import Problem, ValidationReport
from evaluation.data.ingest.store import Manifest

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["IngestSummary", "RowsDropped", "SourceRows", "summarise"]


@dataclass(frozen=True, slots=True)
class SourceRows:
    """Rows of one raw source: files read, rows read, rows kept in the store."""

    source: str
    files: int
    rows_in: int
    rows_kept: int


@dataclass(frozen=True, slots=True)
class RowsDropped:
    """Rows of one source that one rule kept out of the store, and where the first one is.

    ``file`` and ``line`` are None when no problem names the rows (an older report date
    superseded by a newer one is not a problem) or when the first one was beyond the problems
    kept (``unlisted``: raise ``max_errors``).
    """

    source: str
    rule: str
    count: int
    file: str | None
    line: int | None
    unlisted: bool = False

    @property
    def first(self) -> str:
        """``, first at FILE:LINE``, a note that it was not listed, or nothing."""
        if self.file is None:
            return ", first not listed (beyond --max-errors)" if self.unlisted else ""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f", first at {where}"


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """A short account of one ingest (see :func:`summarise`)."""

    dataset: str
    shape: str
    link_key: str
    store: Path
    sources: tuple[SourceRows, ...]
    rejected: tuple[RowsDropped, ...]
    duplicates: tuple[RowsDropped, ...]
    normalisation: Mapping[str, Mapping[str, int]]
    warnings: Mapping[str, int]
    unlinked: Mapping[str, int]
    cross_check: tuple[str, ...] = ()

    @property
    def manifest(self) -> Path:
        """Path of the ``manifest.json`` written."""
        return self.store / "manifest.json"

    def lines(self) -> list[str]:
        """The summary as plain text lines (pipes, CI logs, e-mail): nothing folded or cut."""
        out = [f"ingested {self.dataset} ({self._how()}) into {self.store}"]
        width = max([len(s.source) for s in self.sources] + [6])
        out.append(f"  {'source':<{width}}  {'files':>5}  {'rows read':>10}  {'rows kept':>10}")
        for s in self.sources:
            out.append(f"  {s.source:<{width}}  {s.files:>5}  {s.rows_in:>10,}  {s.rows_kept:>10,}")
        for title, dropped in (
            ("rows rejected", self.rejected),
            ("duplicate rows resolved", self.duplicates),
        ):
            total = sum(d.count for d in dropped)
            out.append(f"{title}: {total:,}" + ("" if dropped else " (none)"))
            for d in dropped:
                out.append(f"  {d.rule}: {d.count:,} in {d.source}{d.first}")
        out.append("normalisations applied:" + ("" if self.normalisation else " (none)"))
        for family, rules in self.normalisation.items():
            out.append(f"  {family}: " + ", ".join(f"{r} {n:,}" for r, n in rules.items()))
        if self.warnings:
            counts = ", ".join(f"{r} {n:,}" for r, n in self.warnings.items())
            out.append(f"warnings: {sum(self.warnings.values()):,} ({counts})")
        unlinked = {t: n for t, n in self.unlinked.items() if n}
        if unlinked:
            counts = ", ".join(f"{t} {n:,}" for t, n in unlinked.items())
            out.append(f"rows whose person is not in learners: {counts}")
        out += self.cross_check
        out.append(f"manifest: {self.manifest}")
        return out

    def show(self, console: Console) -> None:
        """Print the summary on a terminal (rich): a table of sources, then the other lines.

        Lines holding paths are printed whole; the terminal wraps them (copy and paste keeps
        them intact).
        """
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"ingested {self.dataset} ({self._how()})", title_justify="left")
        table.add_column("source")
        for name in ("files", "rows read", "rows kept", "rejected"):
            table.add_column(name, justify="right")
        rejected: dict[str, int] = {}
        for d in self.rejected:
            rejected[d.source] = rejected.get(d.source, 0) + d.count
        for s in self.sources:
            dropped = rejected.get(s.source, 0)
            table.add_row(
                s.source,
                str(s.files),
                f"{s.rows_in:,}",
                f"{s.rows_kept:,}",
                Text(f"{dropped:,}", style="yellow") if dropped else "0",
            )
        console.print(table)
        # lines()[0] is the title and lines 1.. the sources: the table shows them
        for line in self.lines()[len(self.sources) + 2 :]:
            console.print(Text(line, style=_style(line)), soft_wrap=True)

    def _how(self) -> str:
        return f"{self.shape}, people linked by {self.link_key}"


def _style(line: str) -> str:
    if line.startswith("manifest:"):
        return "bold"
    if line.startswith("cross-check") and line.endswith("DISAGREE"):
        return "bold red"
    if line.startswith(("rows rejected", "warnings")) and not line.endswith("(none)"):
        return "yellow"
    return ""


def _first(
    problems: Sequence[Problem], rule: str, files: set[str]
) -> tuple[str | None, int | None]:
    for problem in problems:
        if problem.rule == rule and problem.file in files:
            return problem.file, problem.line
    return None, None


def _dropped(
    source: str, counts: object, report: ValidationReport, files: set[str]
) -> list[RowsDropped]:
    if not isinstance(counts, Mapping):
        return []
    found = []
    for rule, count in sorted(counts.items()):
        if count:
            file, line = _first(report.problems, str(rule), files)
            unlisted = file is None and str(rule) in report.rules() and report.truncated
            found.append(RowsDropped(source, str(rule), int(count), file, line, unlisted))
    return found


def summarise(
    manifest: Manifest,
    report: ValidationReport,
    files: Mapping[str, Sequence[str]],
    store: Path,
) -> IngestSummary:
    """Summarise an ingest from its manifest and the validation report of the same pass.

    Parameters
    ----------
    manifest : Manifest
        What the ingest wrote.
    report : ValidationReport
        The pass's problems; the first problem of a rule in a source's files gives the
        "first at FILE:LINE" of that rule's rejected rows.
    files : mapping
        Source name -> the relative paths of its files (as problems name them).
    store : Path
        The dataset folder written.
    """
    sources, rejected, duplicates = [], [], []
    for name, info in manifest.sources.items():
        own = set(files.get(name, ()))
        sources.append(
            SourceRows(
                name,
                _int(info.get("files")),
                _int(info.get("rows_in")),
                _int(info.get("rows_kept")),
            )
        )
        rejected += _dropped(name, info.get("rejected"), report, own)
        duplicates += _dropped(name, info.get("duplicates_resolved"), report, own)
    return IngestSummary(
        dataset=manifest.dataset,
        shape=manifest.shape,
        link_key=manifest.link_key,
        store=Path(store),
        sources=tuple(sources),
        rejected=tuple(rejected),
        duplicates=tuple(duplicates),
        normalisation=manifest.normalisation,
        warnings=manifest.warnings,
        unlinked=manifest.linkage,
        cross_check=tuple(summary_lines(manifest.cross_check)),
    )


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float | str) else 0
