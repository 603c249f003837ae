"""Find out which raw shape a folder holds and list its input files.

A source folder is either a *root* holding ``warehouse/`` and/or ``reports/`` (and optionally
``external/``), or one of those shape folders itself. When both shapes are present the warehouse
is used: it is richer (events, the karma ledger) and keyed by user id. ``ground_truth.json``
(written beside synthetic data) is never opened.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
import weakref
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from evaluation.data.ingest.errors import Problem
from evaluation.data.ingest.sources import OUTCOMES_SOURCE, REPORT_SOURCES, WAREHOUSE_SOURCES

__all__ = ["ZIP_PASSWORD_ENV", "Layout", "RawFile", "Shape", "detect_layout"]

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
    "user_detail": "user-report/*-warehouse",
    "user_enrolments": "user-enrollment-report/*-warehouse",
    "org_hierarchy": "org-hierarchy-report/*-warehouse",
    "content": "course-report/*-warehouse",
    # KCMModel.scala: <kcmReportPath>/<date>/ContentCompetencyMapping-warehouse and
    # .../CompetencyHierarchy-warehouse (the table kcm_dictionary).
    "kcm_content_mapping": "kcm-report/*/ContentCompetencyMapping-warehouse",
    "kcm_dictionary": "kcm-report/*/CompetencyHierarchy-warehouse",
}
#: The platform's competency tables: read as a pair, an alternative to
#: ``content_competency_mapping``; their absence is never a problem (the area is then "unknown"
#: unless a mapping file is given), one without the other is a warning.
KCM_PAIR = ("kcm_content_mapping", "kcm_dictionary")
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
    pattern = SCALA_WAREHOUSE_FOLDERS.get(table)
    if pattern is None:
        return []
    # The date is in the folder path, so the newest sorts last.
    dated = sorted(d for d in folder.glob(pattern) if d.is_dir())
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


#: Tables the Scala jobs write only to Avro and Postgres, never as a CSV folder
#: (DataWarehouseModel.scala 4.8.18 lines 119-128).
_AVRO_ONLY_IN_SCALA = frozenset({"event_details", "event_enrolment_details"})
_SCALA_NO_EVENTS = (
    "; the Scala jobs write the event tables only as Avro (DataWarehouseModel.scala), so a "
    "Scala CSV warehouse has no events"
)


def _warehouse_files(folder: Path, src: Path, layout: Layout) -> None:
    scala_seen = any(_scala_parts(folder, table) for table in SCALA_WAREHOUSE_FOLDERS)
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
        if name in KCM_PAIR and not avro:
            continue  # optional pair: see _kcm_pair
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
                f"warehouse table {name!r} not found ({name}.csv or {name}.parquet)"
                + (_SCALA_NO_EVENTS if scala_seen and name in _AVRO_ONLY_IN_SCALA else ""),
            )
        )


def _kcm_pair(folder: Path, src: Path, layout: Layout) -> None:
    """The KCM tables name the areas only together; with both, no mapping file is missing."""
    have = [name for name in KCM_PAIR if name in layout.files]
    where = _rel(folder, src) if folder != src else "."
    if len(have) == 1:
        lacking = next(name for name in KCM_PAIR if name not in have)
        del layout.files[have[0]]
        layout.problems.append(
            _problem(
                "warning",
                where,
                "missing_file",
                f"warehouse table {lacking!r} not found: {have[0]!r} is not used without it "
                "(the competency areas of content come from joining the two)",
            )
        )
    elif len(have) == 2:
        layout.problems[:] = [
            p
            for p in layout.problems
            if not (p.rule == "missing_file" and "'content_competency_mapping'" in p.message)
        ]
        layout.notes.append(
            "competency areas from the platform's kcm_content_mapping joined with kcm_dictionary"
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


#: Environment variable holding the password of a ``reports.zip`` (zipUpload.py zips with
#: ``zip -P <config.password>``); never stored or printed.
ZIP_PASSWORD_ENV = "NLW_ZIP_PASSWORD"


def _zips_of(src: Path) -> list[Path]:
    """The zips to read for ``src``: ``src`` itself, or every zip of a folder with no data files.

    A folder holding no CSV or Parquet file is read from its zips: the Python jobs' full report
    ``fullReport/reports.zip`` or one or more MDO downloads ``mdoid=<id>/reports.zip``.
    """
    if src.is_file():
        return [src] if src.suffix.lower() == ".zip" else []
    if not src.is_dir():
        return []
    for pattern in ("*.csv", "*.parquet"):
        if next(iter(src.rglob(pattern)), None) is not None:
            return []
    return sorted(p for p in src.rglob("*") if p.suffix.lower() == ".zip" and p.is_file())


def _zip_problem(layout: Layout, rel: str, rule: str, message: str) -> Layout:
    layout.problems.append(_problem("error", rel, rule, message))
    return layout


def _extract(archive: Path, rel: str, dest: Path, layout: Layout) -> bool:
    """Extract the CSV members of ``archive`` flat into ``dest``; False (and an error) if not."""
    password = os.environ.get(ZIP_PASSWORD_ENV)
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [i for i in zf.infolist() if not i.is_dir()]
            if any(i.flag_bits & 0x1 for i in members) and not password:
                _zip_problem(
                    layout,
                    rel,
                    "zip_password_required",
                    "the zip is password-protected (zipUpload.py zips with zip -P); set "
                    f"{ZIP_PASSWORD_ENV} to its password, or unzip it and ingest the folder",
                )
                return False
            pwd = password.encode("utf-8") if password else None
            for info in members:
                name = Path(info.filename).name  # zip -j stores no folders; never trust paths
                if not name.lower().endswith(".csv"):
                    continue
                with zf.open(info, pwd=pwd) as fh, open(dest / name, "wb") as out:
                    shutil.copyfileobj(fh, out, 1 << 20)
    except RuntimeError as exc:  # zipfile: "Bad password for file ..."
        _zip_problem(layout, rel, "zip_password_wrong", f"cannot decrypt the zip: {exc}")
        return False
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        _zip_problem(layout, rel, "unreadable_zip", f"not a readable zip archive: {exc}")
        return False
    return True


def _holds_reports(folder: Path) -> bool:
    stems = {
        stem
        for name, spec in REPORT_SOURCES.items()
        if name != "competency_report"
        for stem in spec.file_stems
    }
    return any(f.stem in stems for f in folder.glob("*.csv"))


def _zip_layout(src: Path, archives: list[Path]) -> Layout:
    """Layout of zips: their CSVs unzipped into a scratch folder removed with the layout.

    The input is never modified. Files are named ``<zip>/<member>`` in problems and the
    manifest. A ``mdoid=<id>`` folder above a zip (an MDO's ``merged/mdoid=<id>/reports.zip``)
    gives the organisation of the reports inside; zips without one must be alone.
    """
    scratch = Path(tempfile.mkdtemp(prefix="nlw-unzip-"))
    failed = Layout(src=src)
    prefixes: dict[str, str] = {}  # folder in the scratch -> the zip's name in problems
    for archive in archives:
        zip_rel = archive.name if archive == src else _rel(archive, src)
        mdoid = next((part for part in archive.parts if _MDOID.match(part)), None)
        key = mdoid or ""
        if key in prefixes:
            _zip_problem(
                failed,
                zip_rel,
                "several_zips",
                f"{prefixes[key]} and {zip_rel} would unzip into one folder: give one zip, or "
                "each MDO's zip in its own mdoid=<id> folder",
            )
            continue
        prefixes[key] = zip_rel
        dest = scratch / key if key else scratch
        dest.mkdir(exist_ok=True)
        _extract(archive, zip_rel, dest, failed)
        if not key and _holds_reports(dest):
            # An MDO's zip saved on its own: Spark's UserReport carries no mdoid in its body
            # and the zip holds no mdoid=<id> folder, so the organisation would be lost.
            _zip_problem(
                failed,
                zip_rel,
                "zip_without_mdoid",
                "this MDO reports.zip is not inside a mdoid=<id> folder, and its UserReport "
                "(Spark) names no organisation: put it in a folder named mdoid=<your org id> "
                "(as the platform's merged/mdoid=<id>/reports.zip) and ingest that folder",
            )
    if failed.problems:
        shutil.rmtree(scratch, ignore_errors=True)
        return failed
    inner = detect_layout(scratch)
    weakref.finalize(inner, shutil.rmtree, scratch, True)

    def renamed(rel: str) -> str:
        head, _, tail = rel.partition("/")
        if head in prefixes and head and tail:
            return f"{prefixes[head]}/{tail}"
        if "" in prefixes and rel not in (".", ""):
            return f"{prefixes['']}/{rel}"
        return prefixes.get(head, prefixes.get("", rel))

    inner.src = src
    inner.files = {
        name: [dataclasses.replace(f, rel=renamed(f.rel)) for f in files]
        for name, files in inner.files.items()
    }
    inner.problems = [dataclasses.replace(p, file=renamed(p.file)) for p in inner.problems]
    names = ", ".join(dict.fromkeys(prefixes.values()))
    inner.notes.insert(0, f"read from the zip {names} (unzipped into a scratch folder)")
    return inner


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
    archives = _zips_of(src)
    if archives:
        return _zip_layout(src, archives)
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
        _kcm_pair(warehouse, src, layout)
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
