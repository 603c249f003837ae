"""Find out which raw shape a folder holds and list its input files.

A source folder is either a *root* holding ``warehouse/`` and/or ``reports/`` (and optionally
``external/``), or one of those shape folders itself. When both shapes are present the warehouse
is used: it is richer (events, the karma ledger) and keyed by user id. ``ground_truth.json``
(written beside synthetic data) is never opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from evaluation.data.ingest.errors import Problem
from evaluation.data.ingest.sources import OUTCOMES_SOURCE, REPORT_SOURCES, WAREHOUSE_SOURCES

__all__ = ["Layout", "RawFile", "Shape", "detect_layout"]

Shape = Literal["warehouse", "reports", "unknown"]

#: Warehouse tables an ingest cannot do without; the others are optional.
REQUIRED_WAREHOUSE = ("user_detail", "user_enrolments", "content", "org_hierarchy")
FORBIDDEN_NAMES = frozenset({"ground_truth.json"})

_MDOID = re.compile(r"^mdoid=(?P<id>.+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Scala's StorageUtil.renameCSV numbers the part files of one org: UserReport1.csv, ...
_NUMBERED_PART = re.compile(r"^(?P<stem>.+?)(?P<n>\d+)$")
#: Names of the reports folder at a source root (ours, and the platform's local report dir).
_REPORT_ROOTS = ("reports", "standalone-reports")
#: Scala jobs (4.8.15, 4.8.18) write each warehouse table as CSV parts beside their report:
#: ``<report>/<date>-warehouse/part-*.csv`` (docs/real-exports.md 0.3).
SCALA_WAREHOUSE_FOLDERS = {
    "user_detail": "user-report",
    "user_enrolments": "user-enrollment-report",
    "org_hierarchy": "org-hierarchy-report",
    "content": "course-report",
}
_AVRO_MESSAGE = (
    "is stored as Avro (the Scala jobs' warehouse cache, DashboardUtil.warehouseCache), which "
    "the workbench cannot read; give it as Parquet (the Python jobs' warehouse/<table>/ folder) "
    "or CSV (the Scala jobs' <report>/<date>-warehouse/part-*.csv, or <table>.csv)"
)


@dataclass(frozen=True)
class RawFile:
    """One input file.

    Attributes
    ----------
    path : Path
        Absolute path.
    rel : str
        Path relative to the source folder (used in problems and the manifest).
    format : {"csv", "parquet"}
        File format.
    mdoid : str or None
        Organisation id taken from a ``mdoid=<id>`` folder in the path.
    report_date : date or None
        Date of the report folder ``<YYYY-MM-DD>``.
    """

    path: Path
    rel: str
    format: Literal["csv", "parquet"]
    mdoid: str | None = None
    report_date: date | None = None


@dataclass
class Layout:
    """What a source folder holds."""

    src: Path
    shape: Shape = "unknown"
    files: dict[str, list[RawFile]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The reports folder beside a warehouse that was read instead (for the cross-check).
    unused_reports: Path | None = None

    def all_files(self) -> list[RawFile]:
        """Every input file, sorted by relative path."""
        return sorted((f for fs in self.files.values() for f in fs), key=lambda f: f.rel)


def _rel(path: Path, src: Path) -> str:
    return path.relative_to(src).as_posix()


def _problem(severity: str, rel: str, rule: str, message: str) -> Problem:
    return Problem(severity, rel, None, None, rule, message)  # type: ignore[arg-type]


def _is_warehouse_dir(folder: Path) -> bool:
    stems = {s for spec in WAREHOUSE_SOURCES.values() for s in spec.file_stems}
    if any(
        (folder / f"{stem}.{ext}").exists() or (folder / stem).is_dir()
        for stem in stems
        for ext in ("csv", "parquet", "avro")
    ):
        return True
    # Scala warehouse CSV folders, unless MDO report folders sit beside them (then: reports).
    return any(True for _ in folder.glob("*/*-warehouse")) and not any(
        True for _ in folder.glob("*/*/mdoid=*")
    )


def _is_reports_dir(folder: Path) -> bool:
    if any((folder / name).is_dir() for spec in REPORT_SOURCES.values() for name in spec.folders()):
        return True
    # <report>/<date>/mdoid=<id>/, or the flat merged/mdoid=<id>/ of an unzipped reports.zip
    return any(True for pattern in ("*/*/mdoid=*", "mdoid=*") for _ in folder.glob(pattern))


def _scala_parts(folder: Path, table: str) -> list[Path]:
    """CSV parts of the newest ``<report>/<date>-warehouse/`` folder of ``table``, if any."""
    report = SCALA_WAREHOUSE_FOLDERS.get(table)
    if report is None or not (folder / report).is_dir():
        return []
    dated = sorted(d for d in (folder / report).glob("*-warehouse") if d.is_dir())
    return sorted(dated[-1].glob("part-*.csv")) if dated else []


def _table_parts(folder: Path) -> tuple[list[Path], Literal["csv", "parquet"]]:
    """Part files of a Spark output folder ``<table>/``: Parquet parts, else CSV parts."""
    if not folder.is_dir():
        return [], "parquet"
    parquet = sorted(folder.glob("*.parquet"))
    if parquet:
        return parquet, "parquet"
    return sorted(folder.glob("part-*.csv")), "csv"


def _is_avro(folder: Path, stem: str) -> bool:
    return (folder / f"{stem}.avro").exists() or (
        (folder / stem).is_dir() and any(True for _ in (folder / stem).glob("*.avro"))
    )


def _warehouse_files(folder: Path, src: Path, layout: Layout) -> None:
    for name, spec in WAREHOUSE_SOURCES.items():
        found: list[RawFile] = []
        avro = False
        for stem in spec.file_stems:
            parquet, csv = folder / f"{stem}.parquet", folder / f"{stem}.csv"
            parts, fmt = _table_parts(folder / stem)
            if parquet.exists() and csv.exists():
                layout.notes.append(f"{stem}: both CSV and Parquet present, Parquet used")
            if parquet.exists():
                found.append(RawFile(parquet, _rel(parquet, src), "parquet"))
            elif csv.exists():
                found.append(RawFile(csv, _rel(csv, src), "csv"))
            found.extend(RawFile(p, _rel(p, src), fmt) for p in parts)
            avro = avro or _is_avro(folder, stem)
            if found:
                break
        if not found:
            scala = _scala_parts(folder, name)
            found = [RawFile(p, _rel(p, src), "csv") for p in scala]
            if scala:
                layout.notes.append(
                    f"{name}: read from the Scala warehouse CSV {_rel(scala[0].parent, src)}"
                )
        if found:
            layout.files[name] = found
            continue
        severity = "error" if name in REQUIRED_WAREHOUSE else "warning"
        where = _rel(folder, src) if folder != src else "."
        if avro:
            layout.problems.append(
                _problem(
                    severity,
                    where,
                    "unsupported_format",
                    f"warehouse table {name!r} {_AVRO_MESSAGE}",
                )
            )
            continue
        layout.problems.append(
            _problem(
                severity,
                where,
                "missing_file",
                f"warehouse table {name!r} not found ({name}.csv or {name}.parquet)",
            )
        )


def _report_file(path: Path, src: Path) -> RawFile:
    mdoid = next((m["id"] for part in path.parts if (m := _MDOID.match(part))), None)
    day = next((p for p in reversed(path.parent.parts) if _DATE.match(p)), None)
    report_date = None
    if day is not None:
        try:
            report_date = date.fromisoformat(day)
        except ValueError:
            report_date = None
    return RawFile(path, _rel(path, src), "csv", mdoid, report_date)


def _report_files(folder: Path, src: Path, layout: Layout) -> None:
    by_stem = {stem: name for name, spec in REPORT_SOURCES.items() for stem in spec.file_stems}
    unknown = 0
    for path in sorted(folder.rglob("*.csv")):
        name = by_stem.get(path.stem)
        numbered = _NUMBERED_PART.match(path.stem)
        if name is None and numbered is not None:
            name = by_stem.get(numbered["stem"])  # a Scala part: UserReport1.csv
        if name is None:
            unknown += 1
            layout.problems.append(
                _problem(
                    "warning",
                    _rel(path, src),
                    "unrecognised_file",
                    "not a known MDO report file name; ignored",
                )
            )
            continue
        raw = _report_file(path, src)
        if raw.report_date is None:
            layout.problems.append(
                _problem(
                    "warning",
                    raw.rel,
                    "no_report_date",
                    "no <YYYY-MM-DD> folder in the path; the file ranks oldest in de-duplication",
                )
            )
        layout.files.setdefault(name, []).append(raw)
    if not layout.files:
        layout.problems.append(
            _problem(
                "error",
                _rel(folder, src) if folder != src else ".",
                "no_recognisable_report",
                "no UserReport, UserCustomReport, ConsumptionReport, CBPEnrollmentReport or "
                "ContentCompetencyMapping CSV found",
            )
        )
    elif "consumption_report" not in layout.files:
        layout.problems.append(
            _problem(
                "warning",
                _rel(folder, src),
                "missing_file",
                "no ConsumptionReport.csv: the enrolments table will be empty",
            )
        )
    layout.notes.append(
        "reports: "
        + ", ".join(f"{len(v)} {k} file(s)" for k, v in sorted(layout.files.items()))
        + (f"; {unknown} unrecognised CSV file(s) ignored" if unknown else "")
    )


def _outcomes(src: Path, layout: Layout) -> None:
    for candidate in (src / "external" / "outcomes.csv", src / "external" / "outcomes.parquet"):
        if candidate.exists():
            fmt: Literal["csv", "parquet"] = "csv" if candidate.suffix == ".csv" else "parquet"
            layout.files[OUTCOMES_SOURCE.name] = [RawFile(candidate, _rel(candidate, src), fmt)]
            layout.notes.append(f"external outcomes found: {_rel(candidate, src)}")
            return


def detect_layout(src: Path) -> Layout:
    """Detect the raw shape under ``src`` and list its files.

    Parameters
    ----------
    src : Path
        A root folder (with ``warehouse/`` and/or ``reports/``) or a shape folder itself.

    Returns
    -------
    Layout
        Shape, files by logical source, notes saying what was found, and folder-level problems
        (missing folder, missing required tables, no recognisable report).
    """
    src = Path(src)
    layout = Layout(src=src)
    if not src.is_dir():
        what = "is a file, not a folder" if src.exists() else "does not exist"
        layout.problems.append(_problem("error", str(src), "missing_folder", f"source {what}"))
        return layout
    warehouse = src / "warehouse" if (src / "warehouse").is_dir() else None
    reports = next((src / n for n in _REPORT_ROOTS if (src / n).is_dir()), None)
    if warehouse is not None and reports is not None and not _is_warehouse_dir(warehouse):
        layout.notes.append(f"{_rel(warehouse, src)}/ holds no warehouse table: reports used")
        warehouse = None
    if warehouse is None and reports is None:
        if _is_warehouse_dir(src):
            warehouse = src
        elif _is_reports_dir(src):
            reports = src
    if (src / "ground_truth.json").exists():
        layout.notes.append("ground_truth.json present: never read by ingest")
    if warehouse is not None:
        layout.shape = "warehouse"
        note = f"warehouse shape found in {_rel(warehouse, src) if warehouse != src else '.'}"
        if reports is not None:
            note += (
                f"; {_rel(reports, src)}/ also present, read only to cross-check the warehouse "
                "(the warehouse is richer: events, karma)"
            )
            layout.unused_reports = reports
        layout.notes.append(note)
        _warehouse_files(warehouse, src, layout)
    elif reports is not None:
        layout.shape = "reports"
        layout.notes.append(
            f"reports shape found in {_rel(reports, src) if reports != src else '.'}"
        )
        _report_files(reports, src, layout)
    else:
        layout.problems.append(
            _problem(
                "error",
                ".",
                "no_recognisable_report",
                "neither warehouse tables nor MDO report folders found",
            )
        )
        return layout
    if src != warehouse and src != reports:
        _outcomes(src, layout)
    return layout
