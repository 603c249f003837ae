"""Load raw files into DuckDB, check every value in one pass, and keep the clean rows.

For each logical source the files are read as text (``all_varchar``) through DuckDB, grouped by
identical header so one ``read_csv`` call covers many MDO folders; Parquet numbers and booleans
that Spark wrote typed are read as they are, with the text path's results
(:func:`~evaluation.data.ingest.checks.native_kind`). DuckDB's reject tables catch
malformed records (wrong field count, invalid UTF-8) with their record numbers. Values are then
parsed with ``TRY_CAST``-style expressions: a value that does not parse is an error; a value that
parses but is impossible (progress 120 %, completion before enrolment, a date in the future) is a
warning and its row is rejected and counted. Duplicates are resolved by a documented rule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pyarrow as pa

from evaluation.data.ingest.checks import (
    PARSED_KINDS,
    Check,
    Thresholds,
    all_checks,
    failure_sql,
    native_kind,
    typed_columns,
    typed_sql,
)
from evaluation.data.ingest.errors import Problem, ValidationReport
from evaluation.data.ingest.layout import RawFile
from evaluation.data.ingest.normalise import quote_ident
from evaluation.data.ingest.scan import FileScan, LineMapper, scan_file
from evaluation.data.ingest.sources import SourceSpec

__all__ = ["StagedSource", "stage_source"]

#: Columns excluded from the duplicate fingerprint (they change between report runs).
_VOLATILE = frozenset({"Report_Last_Generated_On", "mdoid"})
#: Position of a row of staging table ``t`` in its read: Parquet rows carry their file row number;
#: CSV rows their rowid, which follows file order because the load is a plain scan -> insert with
#: insertion order preserved (a join in the load would reorder rows; measured). ``WITH
#: ORDINALITY`` gave the same numbers but ran the whole load on one thread (2.5x slower).
_ORD = "coalesce(t._ord, t.rowid + 1)"


@dataclass(frozen=True)
class _Files:
    """How staged rows of a source (staging table alias ``t``) get their file's facts.

    ``meta``: select items for the input file number and report-folder metadata; ``source``:
    the FROM clause after the staging table's name; ``path``: SQL of the file path.
    """

    meta: str = "f.file_no AS _file, f.mdoid AS _mdoid, f.report_date AS _report_date"
    source: str = "t JOIN input_files f ON f.path = t._path"  # joined after the load (_ORD)
    path: str = "t._path"

    @property
    def single(self) -> bool:
        """One file: its path is a constant, not stored on every row."""
        return self.path != _Files.path


#: Earliest plausible date in iGOT data (the platform went live in 2020).
@dataclass
class StagedSource:
    """A source after staging: its clean DuckDB table and what happened on the way."""

    spec: SourceSpec
    table: str | None
    rows_in: int = 0
    rows_out: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    resolved: Counter[str] = field(default_factory=Counter)
    scans: list[FileScan] = field(default_factory=list)


def _q(name: str) -> str:
    return quote_ident(name)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --------------------------------------------------------------------------- loading


def _stored_raw(spec: SourceSpec) -> list[str]:
    """Raw text columns kept for checks: only those whose parsing can fail (never PII)."""
    return [c for c, kind in spec.columns.items() if kind in PARSED_KINDS]


def _read_columns(spec: SourceSpec, link_mode: str | None) -> list[str]:
    """Columns read from the files: everything but direct identifiers (the email only as a key)."""
    keep_email = spec.shape == "reports" and "link_id" in spec.key and link_mode != "user_id"
    return [c for c, kind in spec.columns.items() if kind != "pii" or (keep_email and c == "Email")]


def _register_files(con: duckdb.DuckDBPyConnection, files: list[RawFile]) -> _Files:
    """Number the files in ``input_files``; return how staged rows get their file's facts.

    A single file without report-folder metadata (the usual warehouse table) gets constants: the
    join would otherwise run every time a clean view is read, and its path would be stored on
    every row (0.3 s and 160 MB per 2.3 M rows).
    """
    con.execute(
        "CREATE TABLE IF NOT EXISTS input_files "
        "(file_no INTEGER, path VARCHAR, mdoid VARCHAR, report_date DATE)"
    )
    first = int(con.execute("SELECT count(*) FROM input_files").fetchone()[0])  # type: ignore[index]
    # One INSERT from an Arrow table: DuckDB's executemany is slow per call (docs/scale.md).
    rows = pa.table(
        {
            "file_no": pa.array(range(first, first + len(files)), pa.int32()),
            "path": pa.array([str(f.path) for f in files], pa.string()),
            "mdoid": pa.array([f.mdoid for f in files], pa.string()),
            "report_date": pa.array([f.report_date for f in files], pa.date32()),
        }
    )
    con.register("input_files_new", rows)
    con.execute("INSERT INTO input_files SELECT * FROM input_files_new")
    con.unregister("input_files_new")
    if len(files) == 1 and files[0].mdoid is None and files[0].report_date is None:
        return _Files(
            f"{first} AS _file, NULL::VARCHAR AS _mdoid, NULL::DATE AS _report_date",
            "t",
            _lit(str(files[0].path)),
        )
    return _Files()


def _native_columns(spec: SourceSpec, usable: list[FileScan]) -> frozenset[str]:
    """Columns every file of the source holds as typed Parquet values of their kind.

    They are read as they are instead of as text (see :func:`~.checks.native_kind`). One text
    file, or one file without the column, keeps the text path for all.
    """
    return frozenset(
        c
        for c, kind in spec.columns.items()
        if kind in PARSED_KINDS
        and all(c in s.types and native_kind(kind, s.types[c]) for s in usable)
    )


def _inner_select(
    spec: SourceSpec, columns: list[str], header: list[str], native: frozenset[str] = frozenset()
) -> str:
    """Raw text of ``columns``: read from the file, a fallback column, or NULL when absent.

    ``native`` columns are read as they are (typed Parquet values), not as text.
    """
    present = set(header)

    def one(c: str) -> str:
        if c in native:
            return f"r.{_q(c)} AS {_q(c)}"
        source = c if c in present else spec.fallback_for(c, present)
        if source is None:
            return f"NULL::VARCHAR AS {_q(c)}"
        return f"CAST(r.{_q(source)} AS VARCHAR) AS {_q(c)}"

    return ", ".join(one(c) for c in columns)


def _without_raw(spec: SourceSpec, n_checks: int) -> str:
    """Star expression dropping raw text and check flags once they have been used."""
    dropped = [_q(c) for c in _stored_raw(spec)] + [f"_c{i}" for i in range(n_checks)]
    return f"* EXCLUDE ({', '.join(dropped)})" if dropped else "*"


def _checked_insert(ctx: _Context, spec: SourceSpec, typed: str, source_sql: str) -> None:
    """INSERT the rows of ``source_sql`` (raw text + metadata) parsed, with their check results."""
    flags, derived = ctx.row_sql
    typed_layer = f"SELECT {_typed_select(ctx, spec)} FROM ({source_sql})"
    flag_layer = f"SELECT *, {flags} FROM ({typed_layer})" if flags else typed_layer
    ctx.con.execute(
        f"INSERT INTO {typed} SELECT {_without_raw(spec, ctx.n_checks)}, {derived} "
        f"FROM ({flag_layer})"
    )


def _typed_select(ctx: _Context, spec: SourceSpec) -> str:
    """Outer SELECT over the raw text: kept raw columns, parsed columns, link key, metadata."""
    parts = [_q(c) for c in _stored_raw(spec)]
    parts += [
        f"{typed_sql(spec, c, c in ctx.native)} AS {_q('t::' + c)}" for c in typed_columns(spec)
    ]
    if spec.shape == "reports" and "link_id" in spec.key:
        parts.append(f"{_link_sql(ctx.link_mode)} AS {_q('t::link_id')}")
    return ", ".join(parts + ["_path", "_ord"])


def _loaded_path(ctx: _Context) -> str:
    return "NULL::VARCHAR" if ctx.files.single else "r.filename"


def _load_csv_group(
    ctx: _Context,
    spec: SourceSpec,
    typed: str,
    header: list[str],
    paths: list[str],
    number: int,
    escape: str = '"',
) -> tuple[str, str]:
    columns = "{" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}"
    files = "[" + ", ".join(_lit(p) for p in paths) + "]"
    rej, scan = f"rej_{typed}_{number}", f"rejscan_{typed}_{number}"
    inner = _inner_select(spec, _read_columns(spec, ctx.link_mode), header)
    source = (
        f"SELECT {inner}, {_loaded_path(ctx)} AS _path, NULL::BIGINT AS _ord "
        f"FROM read_csv({files}, columns={columns}, header=true, auto_detect=false, delim=',', "
        f"quote='\"', escape={_lit(escape)}, filename=true, store_rejects=true, "
        f"rejects_table='{rej}', rejects_scan='{scan}') AS r"
    )
    _checked_insert(ctx, spec, typed, source)
    return rej, scan


def _load_parquet_group(
    ctx: _Context,
    spec: SourceSpec,
    typed: str,
    header: list[str],
    paths: list[str],
) -> None:
    files = "[" + ", ".join(_lit(p) for p in paths) + "]"
    inner = _inner_select(spec, _read_columns(spec, ctx.link_mode), header, ctx.native)
    source = (
        f"SELECT {inner}, {_loaded_path(ctx)} AS _path, r.file_row_number + 1 AS _ord "
        f"FROM read_parquet({files}, filename=true, file_row_number=true, union_by_name=true) r"
    )
    _checked_insert(ctx, spec, typed, source)


_REJECT_RULES = {
    "MISSING COLUMNS": ("missing_fields", "the line has fewer fields than the header"),
    "TOO MANY COLUMNS": ("extra_fields", "the line has more fields than the header"),
    "INVALID ENCODING": ("non_utf8", "bytes that are not valid UTF-8"),
    "INVALID UNICODE": ("non_utf8", "bytes that are not valid UTF-8"),
    "UNQUOTED VALUE": ("bad_quoting", "a quote character inside an unquoted field"),
    "LINE SIZE OVER MAXIMUM": ("line_too_long", "the line is longer than 2 MB"),
}


def _collect_rejects(
    con: duckdb.DuckDBPyConnection, rej: str, scan_table: str
) -> list[tuple[str, int, str | None, str]]:
    rows = con.execute(
        f"SELECT s.file_path, e.line, e.column_name, e.error_type FROM {rej} e "
        f"JOIN {scan_table} s USING (scan_id, file_id) ORDER BY s.file_path, e.line"
    ).fetchall()
    return [(str(p), int(line), col, str(kind)) for p, line, col, kind in rows]


# --------------------------------------------------------------------------- the pass


@dataclass
class _Context:
    con: duckdb.DuckDBPyConnection
    report: ValidationReport
    limits: Thresholds
    link_mode: Literal["user_id", "email"] | None
    mappers: dict[str, LineMapper] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)
    rel: dict[str, str] = field(default_factory=dict)
    row_sql: tuple[str, str] = ("", "")  # check flags, then derived columns (see failure_sql)
    n_checks: int = 0
    files: _Files = field(default_factory=_Files)
    native: frozenset[str] = frozenset()  # columns read as typed Parquet values


def _line_of(ctx: _Context, path: str, ordinal: int) -> int:
    mapper = ctx.mappers.get(path)
    if mapper is None:
        return ordinal + 1
    if mapper.scan.raw.format == "parquet":
        return ordinal
    return mapper.line_of_valid(ordinal - ctx.offsets.get(path, 0))


def _link_sql(link_mode: str | None) -> str:
    if link_mode == "user_id":
        return "nullif(trim(\"userID\"), '')"
    return "nullif(lower(trim(\"Email\")), '')"


def _report_check(ctx: _Context, typed: str, index: int, check: Check, count: int) -> None:
    remaining = max(ctx.report.max_errors - len(ctx.report.problems), 0)
    examples = ctx.con.execute(
        f"SELECT {ctx.files.path} AS p, {_ORD} AS o, _raw[{index + 1}] FROM {typed} t "
        f"WHERE _fail IS NOT NULL AND list_contains(_fail, {index}) "
        f"ORDER BY p, o LIMIT {min(remaining, count)}"
    ).fetchall()
    for path, ordinal, value in examples:
        shown = "" if value is None else f" (value {value[:60]!r})"
        ctx.report.add(
            Problem(
                check.severity,
                ctx.rel.get(path, path),
                _line_of(ctx, path, int(ordinal)),
                check.column,
                check.rule,
                check.message + shown,
            )
        )
    if count > len(examples):
        ctx.report.count_more(check.severity, check.rule, count - len(examples))


def _run_checks(ctx: _Context, typed: str, checks: list[Check]) -> None:
    """Count the failures recorded at load time, then fetch example rows for each check."""
    counts = dict(
        ctx.con.execute(
            f"SELECT i, count(*) FROM (SELECT unnest(_fail) AS i FROM {typed} "
            "WHERE _fail IS NOT NULL) GROUP BY i"
        ).fetchall()
    )
    for index, check in enumerate(checks):
        if counts.get(index):
            _report_check(ctx, typed, index, check, int(counts[index]))


def _has_duplicate_keys(con: duckdb.DuckDBPyConnection, typed: str, keys: str) -> bool:
    # Fewer distinct key hashes than rows: a repeated key, or (rarely) a hash collision, which
    # only sends the source through the exact de-duplication. Equal counts prove no repeat.
    # Half the cost of grouping by the key columns themselves.
    row = con.execute(
        f"SELECT count(*) > count(DISTINCT hash({keys})) FROM {typed} WHERE _reject IS NULL"
    ).fetchone()
    return bool(row and row[0])


def _dedupe(ctx: _Context, spec: SourceSpec, typed: str, clean: str, st: StagedSource) -> bool:
    """Keep one row per key: latest report date, then last in file order; count the rest.

    Returns
    -------
    bool
        True when ``clean`` is a new table; False when it is a view over ``typed`` (no
        duplicates: a hash aggregate finds that much faster than sorting every row).
    """
    con = ctx.con
    for reason, n in con.execute(
        f"SELECT _reject, count(*) FROM {typed} WHERE _reject IS NOT NULL GROUP BY 1"
    ).fetchall():
        st.rejected[str(reason)] += int(n)
    typed_cols = ", ".join(f"{_q('t::' + c)} AS {_q(c)}" for c in typed_columns(spec))
    link = f", {_q('t::link_id')} AS link_id" if "link_id" in spec.key else ""
    head = f"SELECT {typed_cols}{link}"
    meta, files = ctx.files.meta, ctx.files.source
    keys = ", ".join(_q("t::" + k) for k in spec.key)
    if not spec.key or not _has_duplicate_keys(con, typed, keys):
        con.execute(
            f"CREATE OR REPLACE VIEW {clean} AS {head}, {ctx.files.path} AS _path, "
            f"{_ORD} AS _ord, {meta} "
            f"FROM {typed} {files} WHERE _reject IS NULL"
        )
        return False
    same_date = f"{keys}, _report_date" if spec.shape == "reports" else keys
    fingerprint = (
        "hash(" + ", ".join(_q("t::" + c) for c in typed_columns(spec) if c not in _VOLATILE) + ")"
    )
    # The windows run over a narrow projection (row id, key, position, fingerprint); the kept
    # rows are then fetched by row id: windows over every column are far slower (docs/scale.md).
    narrow = (
        f"SELECT t.rowid AS _rid, {keys}, {ctx.files.path} AS _path, {_ORD} AS _ord, {meta}, "
        f"{fingerprint} AS _fp FROM {typed} {files} WHERE _reject IS NULL"
    )
    kept = (
        "SELECT _rid, _path, _ord, _file, _mdoid, _report_date, count(*) OVER same AS _n, "
        f"min(_fp) OVER same <> max(_fp) OVER same AS _conflict FROM ({narrow}) "
        f"WINDOW same AS (PARTITION BY {same_date}), "
        f"latest AS (PARTITION BY {keys} ORDER BY _report_date DESC NULLS LAST, _path DESC, "
        "_ord DESC) "
        "QUALIFY row_number() OVER latest = 1"
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {clean} AS {head}, w._path, w._ord, w._file, w._mdoid, "
        f"w._report_date, w._n, w._conflict FROM ({kept}) w JOIN {typed} t ON t.rowid = w._rid"
    )
    _report_duplicates(ctx, spec, typed, clean, st)
    return True


def _report_duplicates(
    ctx: _Context, spec: SourceSpec, typed: str, clean: str, st: StagedSource
) -> None:
    """Report duplicates within one report date (across dates the latest date simply wins)."""
    rows = ctx.con.execute(
        f"SELECT _conflict, _n - 1, _path, _ord FROM {clean} WHERE _n > 1 ORDER BY _path, _ord"
    ).fetchall()
    key_names = ", ".join(spec.key)
    for conflicting, extra, path, ordinal in rows:
        rule = "conflicting_duplicate" if conflicting else "duplicate_row"
        message = (
            f"{int(extra) + 1} rows share the key ({key_names}) with different values; "
            "the last one is kept"
            if conflicting
            else f"repeats an earlier row with the same key ({key_names}); dropped"
        )
        line = _line_of(ctx, path, int(ordinal))
        problem = Problem("warning", ctx.rel.get(path, path), line, None, rule, message)
        ctx.report.add(problem, count=int(extra))
        st.resolved[rule] += int(extra)
    if spec.shape == "reports":
        totals = ctx.con.execute(
            f"SELECT (SELECT count(*) FROM {typed} WHERE _reject IS NULL) - sum(_n) FROM {clean}"
        ).fetchone()
        superseded = int(totals[0] or 0) if totals else 0
        if superseded:
            st.resolved["older_report_date_superseded"] += superseded
    ctx.con.execute(f"ALTER TABLE {clean} DROP COLUMN _n")
    ctx.con.execute(f"ALTER TABLE {clean} DROP COLUMN _conflict")


def stage_source(
    con: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    files: list[RawFile],
    report: ValidationReport,
    limits: Thresholds,
    link_mode: Literal["user_id", "email"] | None = None,
    scans: list[FileScan] | None = None,
) -> StagedSource:
    """Scan, load, check and de-duplicate every file of one source.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Working connection (its database holds the staging tables).
    spec : SourceSpec
        The source.
    files : list of RawFile
        Its files.
    report : ValidationReport
        Receives every problem found.
    limits : Thresholds
        Plausibility limits.
    link_mode : {"user_id", "email"}, optional
        How report rows are linked to people (reports only).
    scans : list of FileScan, optional
        Byte scans already made (re-used instead of scanning again).

    Returns
    -------
    StagedSource
        Name of the clean table (``clean_<source>``, or None when nothing was usable), rows in,
        rows out and counts of rejected / resolved rows.

    Notes
    -----
    De-duplication rule: among rows with the same key, keep the one from the latest report
    date; within a date, the last one in file order (file path, then line).
    """
    scans = scans if scans is not None else [scan_file(f, spec) for f in files]
    ctx = _Context(con, report, limits, link_mode)
    staged = StagedSource(spec, None, scans=scans)
    for scan in scans:
        ctx.rel[str(scan.raw.path)] = scan.raw.rel
        for problem in scan.problems:
            report.add(problem)
    usable = [s for s in scans if s.usable]
    if not usable:
        return staged
    typed, clean = f"typed_{spec.name}", f"clean_{spec.name}"
    ctx.files = _register_files(con, [s.raw for s in usable])
    header_union = {h for s in usable for h in s.header}
    header_union |= {c for c, sub, _ in spec.fallbacks if sub in header_union}
    ctx.native = _native_columns(spec, usable)
    checks = all_checks(spec, header_union, limits, ctx.native)
    ctx.row_sql, ctx.n_checks = failure_sql(checks), len(checks)
    _load_all(ctx, spec, typed, usable)
    staged.rows_in = int(con.execute(f"SELECT count(*) FROM {typed}").fetchone()[0])  # type: ignore[index]
    _run_checks(ctx, typed, checks)
    if _dedupe(ctx, spec, typed, clean, staged):
        con.execute(f"DROP TABLE IF EXISTS {typed}")
    staged.table = clean
    staged.rows_out = int(con.execute(f"SELECT count(*) FROM {clean}").fetchone()[0])  # type: ignore[index]
    return staged


def _create_typed(ctx: _Context, spec: SourceSpec, typed: str) -> None:
    types = {
        "id": "VARCHAR",
        "user_id": "VARCHAR",
        "text": "VARCHAR",
        "pii": "VARCHAR",
        "timestamp": "TIMESTAMP",
        "date": "TIMESTAMP",
        "bool": "BOOLEAN",
    }
    parsed = [
        f"{_q('t::' + c)} {types.get(spec.columns[c], 'DOUBLE')}" for c in typed_columns(spec)
    ]
    if spec.shape == "reports" and "link_id" in spec.key:
        parsed.append(f"{_q('t::link_id')} VARCHAR")
    ctx.con.execute(
        f"CREATE OR REPLACE TABLE {typed} ({', '.join(parsed)}, _path VARCHAR, "
        "_ord BIGINT, _reject VARCHAR, _fail INTEGER[], "
        "_raw VARCHAR[])"
    )


def _load_all(ctx: _Context, spec: SourceSpec, typed: str, usable: list[FileScan]) -> None:
    _create_typed(ctx, spec, typed)
    # One read per (format, header, quote escape): Spark's CSV writer escapes quotes with a
    # backslash, DuckDB's doubles them (docs/real-exports.md 0.2); a file says which it uses.
    groups: dict[tuple[str, tuple[str, ...], str], list[FileScan]] = defaultdict(list)
    for scan in usable:
        groups[(scan.raw.format, tuple(scan.header), scan.escape)].append(scan)
    rejects: list[tuple[str, int, str | None, str]] = []
    for number, ((fmt, header, escape), members) in enumerate(sorted(groups.items())):
        paths = [str(s.raw.path) for s in members]
        if fmt == "parquet":
            _load_parquet_group(ctx, spec, typed, list(header), paths)
        else:
            rej, scan_table = _load_csv_group(ctx, spec, typed, list(header), paths, number, escape)
            rejects += _collect_rejects(ctx.con, rej, scan_table)
    _make_line_mappers(ctx, typed, usable, rejects)
    _report_rejects(ctx, rejects)


def _make_line_mappers(
    ctx: _Context,
    typed: str,
    usable: list[FileScan],
    rejects: list[tuple[str, int, str | None, str]],
) -> None:
    per_file = dict(
        ctx.con.execute(
            f"SELECT {ctx.files.path} AS p, struct_pack(n := count(*), first := min({_ORD})) "
            f"FROM {typed} t GROUP BY p"
        ).fetchall()
    )
    rejected_by_file: dict[str, list[int]] = defaultdict(list)
    for path, line, _, _ in rejects:
        rejected_by_file[path].append(line)
    for scan in usable:
        path = str(scan.raw.path)
        info = per_file.get(path, {"n": 0, "first": 1})
        ctx.mappers[path] = LineMapper(scan, rejected_by_file.get(path, []), int(info["n"]))
        if scan.raw.format == "csv":
            ctx.offsets[path] = int(info["first"]) - 1


def _report_rejects(ctx: _Context, rejects: list[tuple[str, int, str | None, str]]) -> None:
    seen: set[tuple[str, int]] = set()
    for path, record, column, kind in rejects:
        mapper = ctx.mappers.get(path)
        line = mapper.physical(record) if mapper else record
        if (path, line) in seen:
            continue
        seen.add((path, line))
        if mapper is not None and mapper.scan.truncated_line == line:
            continue  # already reported by the byte scan as a truncated last line
        rule, message = _REJECT_RULES.get(kind, ("malformed_line", kind.lower()))
        ctx.report.add(Problem("error", ctx.rel.get(path, path), line, column, rule, message))
