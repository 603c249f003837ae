"""``validate`` and ``ingest``: one pass over a raw source folder, then the processed store."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import duckdb

from evaluation.core.contract import (
    ALLOWED_VALUES,
    CANONICAL_COLUMNS,
    RANGES,
    REQUIRED_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    USER_KEY_PATTERN,
    arrow_schema,
)
from evaluation.core.vocabulary import FAST_COMPLETION_MIN_MINUTES, FAST_COMPLETION_SECONDS
from evaluation.data.backend import connect
from evaluation.data.ingest.build import Builder, build_tables
from evaluation.data.ingest.checks import DEFAULT_PERIOD_START, Thresholds
from evaluation.data.ingest.crosscheck import CrossCheck, compare_stores
from evaluation.data.ingest.errors import IngestError, Problem, ValidationReport
from evaluation.data.ingest.layout import Layout, detect_layout
from evaluation.data.ingest.normalise import quote_ident
from evaluation.data.ingest.privacy import hmac_parameters, load_salt, pseudonymise_sql, salt_source
from evaluation.data.ingest.scan import FileScan, scan_file
from evaluation.data.ingest.sources import all_sources
from evaluation.data.ingest.staging import StagedSource, stage_source
from evaluation.data.ingest.store import (
    FileDigests,
    Manifest,
    publish,
    scratch_dir,
    sha256_file,
)
from evaluation.data.ingest.summary import IngestSummary, summarise
from evaluation.data.quality import fast_completion_counts

__all__ = ["IngestResult", "ingest", "ingest_with_summary", "validate"]

LinkKey = Literal["user_id", "email"]
_PERSON_REPORTS = ("user_report", "consumption_report", "cbp_report")
_USER_ID_SOURCES = {
    "user_detail": "user_id",
    "user_enrolments": "user_id",
    "event_enrolment_details": "user_id",
    "user_karma_points": "userid",
    "cbp_enrolment": "user_id",
    "outcomes": "user_id",
    "user_report": "link_id",
    "consumption_report": "link_id",
    "cbp_report": "link_id",
}


@dataclass
class _Pass:
    layout: Layout
    report: ValidationReport
    con: duckdb.DuckDBPyConnection
    link_key: LinkKey
    staged: dict[str, StagedSource] = field(default_factory=dict)
    digests: FileDigests | None = None

    def sha256(self, path: Path) -> str:
        """Digest of ``path``: from the background digests when the pass has them."""
        return self.digests.hexdigest(path) if self.digests else sha256_file(path)


def _connect(work: Path, memory_limit: str, threads: int | None) -> duckdb.DuckDBPyConnection:
    # In-memory database: DuckDB still spills to temp_directory beyond memory_limit.
    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute(f"SET temp_directory = '{work / 'spill'}'")
    con.execute("SET preserve_insertion_order = true")  # record order gives line numbers
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _link_key(scans: dict[str, list[FileScan]]) -> LinkKey:
    """User id when every person-level report file carries ``userID``, else the email."""
    person = [s for name in _PERSON_REPORTS for s in scans.get(name, []) if s.usable]
    if person and all("userID" in s.header for s in person):
        return "user_id"
    return "email"


def _thresholds(data_period: tuple[date, date] | None) -> Thresholds:
    if data_period is None:
        return Thresholds(period_start=DEFAULT_PERIOD_START, period_end=datetime.now())
    start, end = data_period
    if start > end:
        raise ValueError(f"data_period starts after it ends: {start} > {end}")
    return Thresholds(period_start=start, period_end=datetime.combine(end, datetime.max.time()))


def _run_pass(
    src: Path,
    work: Path,
    *,
    max_errors: int,
    memory_limit: str,
    threads: int | None,
    data_period: tuple[date, date] | None,
    digests: FileDigests | None = None,
) -> _Pass:
    """Detect the layout, scan every file and stage every source (one DuckDB connection).

    With ``digests``, every input file's SHA-256 is taken for the manifest: CSV files during
    their byte scan, the others on the background thread while the sources are staged.
    """
    if max_errors < 1:
        raise ValueError(f"max_errors must be at least 1, got {max_errors}")
    layout = detect_layout(Path(src))
    report = ValidationReport(shape=layout.shape, max_errors=max_errors)
    report.shape_notes = list(layout.notes)
    for problem in layout.problems:
        report.add(problem)
    specs = all_sources()
    scans = {
        name: [scan_file(f, specs[name], digest=digests is not None) for f in fs]
        for name, fs in layout.files.items()
    }
    if digests is not None:
        for scan in (s for ss in scans.values() for s in ss if not s.sha256):
            digests.submit(scan.raw.path)
    link_key: LinkKey = "user_id" if layout.shape == "warehouse" else _link_key(scans)
    if layout.shape == "reports":
        report.shape_notes.append(f"people linked by {link_key}")
    con = _connect(work, memory_limit, threads)
    run = _Pass(layout, report, con, link_key, digests=digests)
    limits = _thresholds(data_period)
    for name in sorted(layout.files, key=_source_order):
        run.staged[name] = stage_source(
            con, specs[name], layout.files[name], report, limits, link_key, scans[name]
        )
    return run


def _source_order(name: str) -> tuple[int, str]:
    # Dimension tables first so their problems are listed before the large fact tables'.
    first = ("org_hierarchy", "content", "user_detail", "user_report")
    return (0 if name in first else 1, name)


def validate(
    src: Path,
    *,
    max_errors: int = 200,
    memory_limit: str = "4GB",
    threads: int | None = None,
    data_period: tuple[date, date] | None = None,
) -> ValidationReport:
    """Check a raw source folder and report every problem found, in one pass.

    Parameters
    ----------
    src : Path
        Raw source folder: a root with ``warehouse/`` and/or ``reports/`` (and optionally
        ``external/``), or a shape folder itself.
    max_errors : int, default 200
        At most this many problems are kept (all are counted).
    memory_limit : str, default "4GB"
        DuckDB memory limit; beyond it DuckDB spills to a temporary folder.
    threads : int, optional
        DuckDB threads (default: all cores).
    data_period : tuple of date, optional
        First and last plausible dates; default from 2019-01-01 to now.

    Returns
    -------
    ValidationReport
        ``.ok`` is False when any error was found; ``.problems`` lists file, line, column, rule.

    Examples
    --------
    >>> report = validate(Path("data/raw/synthetic"))  # doctest: +SKIP
    >>> report.ok  # doctest: +SKIP
    True
    """
    work = Path(tempfile.mkdtemp(prefix="nlw-validate-"))
    try:
        run = _run_pass(
            src,
            work,
            max_errors=max_errors,
            memory_limit=memory_limit,
            threads=threads,
            data_period=data_period,
        )
        if run.report.ok:
            _add_quality_warnings(run, work / "tables")
        run.con.close()
        return run.report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _add_quality_warnings(run: _Pass, target: Path) -> None:
    """Build the canonical tables in scratch and add their data-quality warnings to the report.

    The tables are keyed with a throwaway salt: they are read once here and deleted with the
    scratch folder, so no key made here can meet a published one.
    """
    _build_user_map(run, secrets.token_bytes(32))
    builder = Builder(run.con, _staged_tables(run))
    target.mkdir(parents=True, exist_ok=True)
    _write_tables(run, builder, target)
    for problem in _quality(target)[1]:
        run.report.add(problem)


def _staged_tables(run: _Pass) -> set[str]:
    """Names of the tables and views the pass staged (what the builder may read)."""
    return {
        name
        for (name,) in run.con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()
    }


def _build_user_map(run: _Pass, salt: bytes) -> None:
    """``user_map(raw_id, user_key)``: every distinct raw id of a person, hashed in DuckDB."""
    selects = [
        f"SELECT {column} AS raw_id FROM {run.staged[name].table}"
        for name, column in _USER_ID_SOURCES.items()
        if name in run.staged and run.staged[name].table
    ]
    run.con.execute("CREATE OR REPLACE TABLE user_map (raw_id VARCHAR, user_key VARCHAR)")
    if not selects:
        return
    ids = f"SELECT DISTINCT raw_id FROM ({' UNION ALL '.join(selects)}) WHERE raw_id IS NOT NULL"
    run.con.execute(
        f"INSERT INTO user_map SELECT raw_id, {pseudonymise_sql('raw_id')} FROM ({ids})",
        hmac_parameters(salt),
    )


def _write_tables(run: _Pass, builder: Builder, target: Path) -> dict[str, dict[str, object]]:
    selects = build_tables(builder, run.layout.shape)
    paths = {table: target / f"{table}.parquet" for table in TABLES}
    rows: dict[str, int] = {}
    for table, path in paths.items():
        _write_table(run.con, selects[table], path)
        if run.digests:
            run.digests.submit(path)  # read while the next table is written
        counted = run.con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
        rows[table] = int(counted[0]) if counted else 0
    return {
        table: {"rows": rows[table], "bytes": path.stat().st_size, "sha256": run.sha256(path)}
        for table, path in paths.items()
    }


def _write_table(con: duckdb.DuckDBPyConnection, select: str, path: Path) -> None:
    # Each SELECT sorts its rows (see build.canonical_select): same input, same bytes. Snappy,
    # as Spark writes: zstd made the store 1.6x smaller but cost 3.4 s of the 16 s these writes
    # took at scale 0.1 (benchmarks/results/2026-12-02-ingest.md).
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION snappy)")


def _contract_violations(table: str) -> list[tuple[str, str]]:
    """(description, SQL condition) of every value rule of the contract for ``table``."""
    rules = [(f"{c} is null", f"{quote_ident(c)} IS NULL") for c in REQUIRED_COLUMNS[table]]
    for column, allowed in ALLOWED_VALUES.get(table, {}).items():
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in allowed)
        rules.append((f"{column} not in {allowed}", f"{quote_ident(column)} NOT IN ({values})"))
    for column, (low, high) in RANGES.get(table, {}).items():
        if low is not None:
            rules.append((f"{column} < {low}", f"{quote_ident(column)} < {low}"))
        if high is not None:
            rules.append((f"{column} > {high}", f"{quote_ident(column)} > {high}"))
    return rules


def _bad_keys(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Rows whose ``user_key`` is not 64 hex characters (NULLs are the not-null rule's).

    The regex runs once per distinct key, not once per row.
    """
    row = con.execute(
        f"SELECT sum(n) FROM (SELECT user_key, count(*) AS n FROM read_parquet('{path}') "
        f"GROUP BY 1) WHERE NOT regexp_full_match(user_key, '{USER_KEY_PATTERN}')"
    ).fetchone()
    return int(row[0] or 0) if row else 0


def _unlinked_and_bad_keys(
    con: duckdb.DuckDBPyConnection, path: Path, learners: Path
) -> tuple[int, int]:
    """Rows of a person-level table whose ``user_key`` has no learner, and those not 64 hex.

    Keys that join a learner are as good as the learners' keys (checked on their own), so the
    regex runs only on the unlinked rows: one anti join answers both questions (the key check
    alone, grouped by key over every row, took 0.7 s of a 15 s ingest at bench scale).
    """
    row = con.execute(
        f"SELECT count(*), count_if(NOT regexp_full_match(user_key, '{USER_KEY_PATTERN}')) "
        f"FROM read_parquet('{path}') t ANTI JOIN read_parquet('{learners}') l USING (user_key)"
    ).fetchone()
    return (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)


def _check_written(
    con: duckdb.DuckDBPyConnection, target: Path
) -> tuple[list[Problem], dict[str, int]]:
    """Check every written table: its Parquet schema and the contract's value rules, in SQL.

    The same rules as :func:`evaluation.core.contract.pandera_schema`, run by DuckDB over whole
    tables (no pandas load, no pandera import on the ingest path).

    Returns
    -------
    tuple
        The problems (errors), and the linkage: rows of each person-level table whose
        ``user_key`` has no row in ``learners`` (the manifest's ``linkage``).
    """
    import pyarrow.parquet as pq

    problems: list[Problem] = []
    unlinked: dict[str, int] = {}
    learners = target / "learners.parquet"
    learners_ok = pq.read_schema(learners).equals(arrow_schema("learners"))
    for table in TABLES:
        path = target / f"{table}.parquet"
        schema = pq.read_schema(path)
        if not schema.equals(arrow_schema(table)):
            problems.append(Problem("error", path.name, None, None, "schema", f"{table}: {schema}"))
            continue
        rules = _contract_violations(table)
        counts = con.execute(
            "SELECT "
            + ", ".join(f"count_if(coalesce({sql}, FALSE))" for _, sql in rules)
            + f" FROM read_parquet('{path}')"
        ).fetchone()
        found = list(zip((d for d, _ in rules), counts or (), strict=True))
        if "user_key" not in CANONICAL_COLUMNS[table]:
            pass
        elif table == "learners" or not learners_ok:  # no learners to join: every key checked
            found.append(("user_key not 64 hex", _bad_keys(con, path)))
        else:
            unlinked[table], bad = _unlinked_and_bad_keys(con, path, learners)
            found.append(("user_key not 64 hex", bad))
        for description, count in found:
            if count:
                problems.append(
                    Problem(
                        "error", path.name, None, None, "contract", f"{count} rows: {description}"
                    )
                )
    return problems, unlinked


#: Organisations and courses listed by name in the manifest's quality section and as warnings.
FAST_COMPLETIONS_LISTED = 20


def _quality(target: Path, threads: int | None = None) -> tuple[dict[str, object], list[Problem]]:
    """Implausibly fast completions in the written tables: the manifest's counts and warnings.

    One warning per organisation and course among those with most of them (at most
    :data:`FAST_COMPLETIONS_LISTED`); all are counted in the manifest. ``threads`` as the
    ingest's (one thread took 4.3 s of a 45 s ingest at scale 0.1).
    """
    store = connect(target, memory_limit="1GB", threads=threads)
    try:
        counts = fast_completion_counts(store)
    finally:
        store.con.disconnect()
    top = counts.head(FAST_COMPLETIONS_LISTED)
    summary: dict[str, object] = {
        "fast_completions": {
            "rule": (
                f"a course of {FAST_COMPLETION_MIN_MINUTES}+ minutes completed under "
                f"{FAST_COMPLETION_SECONDS} s after enrolment"
            ),
            "total": int(counts["fast_completions"].sum()),
            "organisations": int(counts["mdo_id"].nunique()),
            "courses": int(counts["content_id"].nunique()),
            "top": [
                {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}
                for row in top.to_dict("records")
            ],
        }
    }
    problems = [
        Problem(
            "warning",
            "",
            None,
            None,
            "implausibly_fast_completion",
            f"organisation {row.mdo_id}, course {row.content_id}: {row.fast_completions} of "
            f"{row.completions} completions came under {FAST_COMPLETION_SECONDS} s after "
            f"enrolment for a course of {FAST_COMPLETION_MIN_MINUTES}+ minutes",
        )
        for row in top.itertuples()
    ]
    return summary, problems


def _manifest(run: _Pass, dataset: str, builder: Builder, tables: dict) -> Manifest:
    digests = {s.raw.path: s.sha256 for st in run.staged.values() for s in st.scans}
    inputs = [
        {
            "path": f.rel,
            "bytes": f.path.stat().st_size,
            "sha256": digests.get(f.path) or run.sha256(f.path),
        }
        for f in run.layout.all_files()
    ]
    sources = {
        name: {
            "files": len(st.scans),
            "rows_in": st.rows_in,
            "rows_kept": st.rows_out,
            "rejected": dict(sorted(st.rejected.items())),
            "duplicates_resolved": dict(sorted(st.resolved.items())),
        }
        for name, st in sorted(run.staged.items())
    }
    bom = sum(s.bom for st in run.staged.values() for s in st.scans)
    normalisation = {k: dict(sorted(v.items())) for k, v in sorted(builder.counts.items())}
    if bom:
        normalisation["encoding"] = {"utf8_bom_stripped": bom}
    return Manifest(
        dataset=dataset,
        schema_version=SCHEMA_VERSION,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        shape=run.layout.shape,
        shape_notes=run.report.shape_notes,
        link_key=run.link_key,
        salt_source=salt_source(),
        inputs=inputs,
        sources=sources,
        tables=tables,
        normalisation=normalisation,
        warnings=_warning_counts(run),
        notes=builder.notes,
    )


def _warning_counts(run: _Pass) -> dict[str, int]:
    counts = Counter(
        {rule: n for (sev, rule), n in run.report.rule_counts.items() if sev == "warning"}
    )
    return dict(sorted(counts.items()))


def _cross_check(
    reports: Path,
    src: Path,
    warehouse_tables: Path,
    work: Path,
    *,
    memory_limit: str,
    threads: int | None,
    data_period: tuple[date, date] | None,
) -> tuple[CrossCheck, list[Problem]]:
    """Build the canonical tables from ``reports`` alone and compare them with the warehouse's.

    The reports' own problems never stop the ingest (the store comes from the warehouse): their
    errors are counted in the result and make one ``reports_unreadable`` warning.
    """
    label = (
        f"{reports.relative_to(src).as_posix()}/" if reports.is_relative_to(src) else str(reports)
    )
    side_work = scratch_dir(work, "reports", "work")
    tables = scratch_dir(work, "reports", "tables")
    side = _run_pass(
        reports,
        side_work,
        max_errors=1,
        memory_limit=memory_limit,
        threads=threads,
        data_period=data_period,
    )
    try:
        errors = {r: n for (sev, r), n in side.report.rule_counts.items() if sev == "error"}
        if errors:
            first = side.report.problems[0]
            message = (
                f"the MDO reports beside the warehouse could not be read for the cross-check: "
                f"{sum(errors.values()):,} error(s), first {first.file}:{first.line}: "
                f"{first.message} [{first.rule}]"
            )
            problem = Problem("warning", label, None, None, "reports_unreadable", message)
            return CrossCheck(label, [], {}, dict(sorted(errors.items()))), [problem]
        _build_user_map(side, load_salt())
        _write_tables(side, Builder(side.con, _staged_tables(side)), tables)
    finally:
        side.con.close()
    checked = compare_stores(warehouse_tables, tables, label=label)
    problems = [
        Problem(
            "warning",
            label,
            None,
            None,
            "reports_disagree_with_warehouse",
            f"{check.what}: {check.line()}",
        )
        for check in checked.checks
        if not check.agrees
    ]
    return checked, problems


@dataclass(frozen=True)
class IngestResult:
    """What :func:`ingest_with_summary` returns: the manifest, the pass's problems, a summary."""

    manifest: Manifest
    report: ValidationReport
    summary: IngestSummary


def ingest(
    src: Path,
    out: Path,
    *,
    dataset: str | None = None,
    max_errors: int = 200,
    memory_limit: str = "4GB",
    threads: int | None = None,
    data_period: tuple[date, date] | None = None,
    cross_check: bool | None = None,
) -> Manifest:
    """Turn a raw source folder into the canonical processed tables, atomically.

    The same as :func:`ingest_with_summary`, returning only the manifest.
    """
    return ingest_with_summary(
        src,
        out,
        dataset=dataset,
        max_errors=max_errors,
        memory_limit=memory_limit,
        threads=threads,
        data_period=data_period,
        cross_check=cross_check,
    ).manifest


def ingest_with_summary(
    src: Path,
    out: Path,
    *,
    dataset: str | None = None,
    max_errors: int = 200,
    memory_limit: str = "4GB",
    threads: int | None = None,
    data_period: tuple[date, date] | None = None,
    cross_check: bool | None = None,
) -> IngestResult:
    """Turn a raw source folder into the canonical processed tables, atomically.

    Writes ``out/<dataset>/<table>.parquet`` for every canonical table and
    ``out/<dataset>/manifest.json``. Everything is written to a hidden folder beside the target
    and swapped in with a rename, so a failed or interrupted ingest leaves the previous store as
    it was.

    Parameters
    ----------
    src : Path
        Raw source folder (see :func:`validate`).
    out : Path
        Processed store root, e.g. ``data/processed``.
    dataset : str, optional
        Dataset folder name; default the name of ``src``.
    max_errors : int, default 200
        Problems kept in the error raised (all are counted).
    memory_limit : str, default "4GB"
        DuckDB memory limit; DuckDB spills beyond it to a folder beside the target.
    threads : int, optional
        DuckDB threads (default: all cores).
    data_period : tuple of date, optional
        First and last plausible dates; default from 2019-01-01 to now.
    cross_check : bool, optional
        When the folder holds both shapes, also build the tables from the MDO reports and
        compare them with the warehouse's (:mod:`~evaluation.data.ingest.crosscheck`): the
        manifest's ``cross_check``, one warning per disagreeing check. Default (None): whenever
        both shapes are present. The store is always built from the warehouse.

    Returns
    -------
    IngestResult
        ``manifest``: what was read, written, rejected and normalised (also in
        ``manifest.json``); ``report``: the problems of the pass (warnings: rows rejected or
        repaired); ``summary``: both, short, for the person who ran it.

    Raises
    ------
    IngestError
        When validation finds errors (the error carries the problems); nothing is written.
    """
    # Relative paths are the caller's (the working folder of `nlw ingest`), never the project
    # root that `backend.connect` resolves a bare relative store path against.
    src, out = Path(src), Path(out).absolute()
    dataset = dataset or src.resolve().name
    if not dataset or "/" in dataset or dataset.startswith("."):
        raise ValueError(f"invalid dataset name {dataset!r}")
    work = scratch_dir(out, dataset, "work")
    staged_dir = scratch_dir(out, dataset, "tmp")
    digests = FileDigests()
    try:
        run = _run_pass(
            src,
            work,
            max_errors=max_errors,
            memory_limit=memory_limit,
            threads=threads,
            data_period=data_period,
            digests=digests,
        )
        if not run.report.ok:
            n = sum(c for (s, _), c in run.report.rule_counts.items() if s == "error")
            raise IngestError(
                f"{src}: {n} error(s) found; nothing was written", run.report.problems, run.report
            )
        _build_user_map(run, load_salt())
        builder = Builder(run.con, _staged_tables(run))
        written = _write_tables(run, builder, staged_dir)
        problems, unlinked = _check_written(run.con, staged_dir)
        if problems:
            raise IngestError(f"{src}: processed tables break the contract", problems)
        quality, warnings = _quality(staged_dir, threads)
        for problem in warnings:
            run.report.add(problem)
        manifest = _manifest(run, dataset, builder, written)
        manifest.linkage = unlinked
        manifest.quality = quality
        reports = run.layout.unused_reports
        if reports is not None and cross_check is not False:
            checked, disagreements = _cross_check(
                reports,
                src,
                staged_dir,
                work,
                memory_limit=memory_limit,
                threads=threads,
                data_period=data_period,
            )
            manifest.cross_check = checked.to_dict()
            for problem in disagreements:
                run.report.add(problem)
            manifest.warnings = _warning_counts(run)
        manifest.write(staged_dir / "manifest.json")
        run.con.close()
        publish(staged_dir, out / dataset)
        manifest.path = out / dataset
        files = {name: [s.raw.rel for s in st.scans] for name, st in run.staged.items()}
        summary = summarise(manifest, run.report, files, out / dataset)
        return IngestResult(manifest, run.report, summary)
    finally:
        digests.close()
        shutil.rmtree(staged_dir, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
