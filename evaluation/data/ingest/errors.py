"""Problems found in raw inputs, the validation report that collects them, and the errors raised."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "REPORT_SUFFIXES",
    "DataError",
    "IngestError",
    "Problem",
    "Severity",
    "ValidationReport",
    "write_problem_report",
]

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

    def as_line(self) -> str:
        """One grep-friendly line: ``FILE:LINE: SEVERITY: [COLUMN: ]MESSAGE [RULE]``.

        The path is relative to the source folder (``.`` for the folder itself); ``:LINE`` is
        left out when the problem has no line, ``COLUMN: `` when it has no column. The format of
        compilers, so editors and ``grep`` read it: ``grep ': error:'``, ``grep -F '[rule]'``.
        """
        where = self.file or "."
        if self.line is not None:
            where += f":{self.line}"
        column = f"{self.column}: " if self.column else ""
        return f"{where}: {self.severity}: {column}{_one_line(self.message)} [{self.rule}]"


def _one_line(text: str) -> str:
    # A message may quote a raw value; a line break in it must not split the problem's line.
    return " ".join(text.splitlines())


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

    @property
    def total(self) -> int:
        """Number of problems found, including those beyond ``max_errors``."""
        return sum(self.rule_counts.values())

    def count(self, severity: Severity) -> int:
        """Number of problems of ``severity`` found, including those beyond the limit."""
        return sum(n for (s, _), n in self.rule_counts.items() if s == severity)

    @classmethod
    def of(cls, problems: Iterable[Problem], shape: str = "unknown") -> ValidationReport:
        """A report holding exactly ``problems`` (for errors raised without a report)."""
        found = list(problems)
        report = cls(shape=shape, max_errors=max(len(found), 1))
        for problem in found:
            report.add(problem)
        return report

    def rules(self) -> set[str]:
        """Names of all rules broken (handy in tests and summaries)."""
        return {rule for _, rule in self.rule_counts}

    def status(self) -> str:
        """One line: ``OK`` or ``FAILED``, the counts, and whether the list is cut short."""
        errors, warnings = self.count("error"), self.count("warning")
        text = (
            f"{'OK' if self.ok else 'FAILED'} ({self.shape}): "
            f"{errors} error{'' if errors == 1 else 's'}, "
            f"{warnings} warning{'' if warnings == 1 else 's'}"
        )
        if self.truncated:
            text += f"; the first {len(self.problems)} listed (--max-errors raises the limit)"
        return text

    def show(self, console: object, status: bool = True) -> None:
        """Print the problems on a terminal (a :class:`rich.console.Console`), grouped by file.

        Each file's path heads its group on a line of its own, printed whole (never folded or
        cut: beyond the width the terminal wraps it, and copy and paste keeps it intact). Under
        it one entry per problem, word-wrapped and indented: line, severity, rule, column,
        message. ``status`` adds the closing ``Validation OK|FAILED ...`` line.
        """
        from rich.console import Console
        from rich.padding import Padding
        from rich.text import Text

        assert isinstance(console, Console)
        groups: dict[str, list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(p.file, []).append(p)
        for file, problems in groups.items():
            console.print(Text(file or ".", style="bold"), soft_wrap=True)
            for p in problems:
                style = "red" if p.severity == "error" else "yellow"
                entry = Text.assemble(
                    ("line " + str(p.line) if p.line is not None else "file", "dim"),
                    "  ",
                    (p.severity, style),
                    "  ",
                    (p.rule, "bold " + style),
                    "  ",
                    (f"{p.column}: " if p.column else "", "cyan"),
                    p.message,
                )
                console.print(Padding(entry, (0, 0, 0, 2)), highlight=False)
        if status:
            colour = "green" if self.ok else "red"
            line = Text(f"Validation {self.status()}", style=f"bold {colour}")
            console.print(line, soft_wrap=True)

    def as_dict(self) -> dict[str, object]:
        """Return the report as plain data (for JSON)."""
        return {
            "ok": self.ok,
            "shape": self.shape,
            "shape_notes": list(self.shape_notes),
            "truncated": self.truncated,
            "total": self.total,
            "counts": {f"{s}:{r}": n for (s, r), n in sorted(self.rule_counts.items())},
            "problems": [p.as_dict() for p in self.problems],
        }


#: File suffixes :func:`write_problem_report` writes, and the format each selects.
REPORT_SUFFIXES = {".csv": "csv", ".json": "json"}
_REPORT_FIELDS = ("severity", "file", "line", "column", "rule", "message")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    # A cell a spreadsheet would read as a formula (a raw header or value quoted in a message)
    # gets a leading apostrophe: text stays text when the CSV is opened in Excel.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_problem_report(path: Path, report: ValidationReport) -> Path:
    """Write every problem of ``report`` to ``path``, as CSV or JSON by the file's suffix.

    CSV: one row per problem, columns ``severity, file, line, column, rule, message`` (UTF-8,
    empty cell for no line or column). JSON: ``ok``, ``shape``, ``truncated``, ``counts``
    (``severity:rule`` -> count, over all problems found) and ``problems`` (objects with the same
    six keys). Neither carries more than the problems do: no raw value of a personal column.

    Raises
    ------
    ValueError
        When the suffix is not one of :data:`REPORT_SUFFIXES`.
    """
    path = Path(path)
    kind = REPORT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ValueError(
            f"report file must end in {' or '.join(REPORT_SUFFIXES)}, got {path.name!r}"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "json":
        text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        return path
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(_REPORT_FIELDS)
        for problem in report.problems:
            row = problem.as_dict()
            writer.writerow(["" if row[k] is None else _inert(row[k]) for k in _REPORT_FIELDS])
    return path


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
