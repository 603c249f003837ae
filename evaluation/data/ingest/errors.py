"""Problems found in raw inputs, the validation report that collects them, and the errors raised."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["DataError", "IngestError", "Problem", "Severity", "ValidationReport"]

Severity = Literal["error", "warning"]
_SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input.

    Parameters
    ----------
    severity : {"error", "warning"}
        ``error`` stops an ingest; ``warning`` is reported, the row is repaired or rejected and
        counted in the manifest.
    file : str
        Path of the input file, relative to the source folder ("" for folder-level problems).
    line : int or None
        1-based physical line in the file (header = line 1); for Parquet, the 1-based row + 1.
    column : str or None
        Column concerned, if any.
    rule : str
        Short machine name of the rule broken, e.g. ``progress_out_of_range``.
    message : str
        A sentence for a person.
    """

    severity: Severity
    file: str
    line: int | None
    column: str | None
    rule: str
    message: str

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise ValueError(f"severity must be one of {_SEVERITIES}, got {self.severity!r}")

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a plain dictionary (for JSON)."""
        return {
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
        }


@dataclass(slots=True)
class ValidationReport:
    """Everything one validation pass found.

    Attributes
    ----------
    problems : list of Problem
        At most ``max_errors`` problems, in the order found.
    shape : str
        ``warehouse``, ``reports`` or ``unknown``.
    shape_notes : list of str
        What the reader found and why it chose the shape.
    truncated : bool
        True when more problems existed than ``max_errors``.
    rule_counts : dict
        ``(severity, rule) -> count`` over all problems, including those beyond the limit.
    """

    shape: str = "unknown"
    problems: list[Problem] = field(default_factory=list)
    shape_notes: list[str] = field(default_factory=list)
    max_errors: int = 200
    truncated: bool = False
    rule_counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        """True when no problem of severity ``error`` was found."""
        return not any(severity == "error" for severity, _ in self.rule_counts)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity ``error`` (up to the limit)."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems of severity ``warning`` (up to the limit)."""
        return [p for p in self.problems if p.severity == "warning"]

    def add(self, problem: Problem, count: int = 1) -> None:
        """Record a problem; ``count`` > 1 says how many rows share it (one example is kept)."""
        self.rule_counts[(problem.severity, problem.rule)] += count
        if len(self.problems) < self.max_errors:
            self.problems.append(problem)
        else:
            self.truncated = True

    def count_more(self, severity: Severity, rule: str, count: int) -> None:
        """Count ``count`` further occurrences of a rule without keeping examples."""
        self.rule_counts[(severity, rule)] += count
        self.truncated = True

    def rules(self) -> set[str]:
        """Names of all rules broken (handy in tests and summaries)."""
        return {rule for _, rule in self.rule_counts}

    def to_table(self) -> object:
        """Return a :class:`rich.table.Table` listing the problems, for printing."""
        from rich.table import Table

        title = f"Validation ({self.shape}): {'OK' if self.ok else 'FAILED'}"
        if self.truncated:
            title += f" - first {self.max_errors} problems shown"
        table = Table(title=title)
        for name in ("severity", "file", "line", "column", "rule", "message"):
            table.add_column(name, overflow="fold")
        for p in self.problems:
            style = "red" if p.severity == "error" else "yellow"
            table.add_row(
                p.severity,
                p.file,
                "" if p.line is None else str(p.line),
                p.column or "",
                p.rule,
                p.message,
                style=style,
            )
        return table

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data (for JSON)."""
        return {
            "ok": self.ok,
            "shape": self.shape,
            "shape_notes": list(self.shape_notes),
            "truncated": self.truncated,
            "counts": {f"{s}:{r}": n for (s, r), n in sorted(self.rule_counts.items())},
            "problems": [p.as_dict() for p in self.problems],
        }


class DataError(Exception):
    """Raised when input data cannot be used; carries the list of problems.

    Parameters
    ----------
    message : str
        Summary for a person.
    problems : list of Problem, optional
        Everything found (up to the limit).
    """

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])


class IngestError(DataError):
    """Raised by :func:`evaluation.data.ingest.ingest` when validation finds errors."""

    def __init__(
        self, message: str, problems: list[Problem] | None = None, report: object = None
    ) -> None:
        super().__init__(message, problems)
        self.report = report
