"""The ``nlw`` command: wiring only; the work lives in the library modules it calls."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:  # the CLI imports the library lazily: `nlw --help` stays fast
    from rich.progress import TaskID

    from evaluation.data.ingest import ValidationReport
    from evaluation.run.runner import NotebookResult, RunSummary, Task

app = typer.Typer(
    name="nlw",
    help="NLW impact-evaluation workbench: synthesise, ingest, validate, run, audit, bench.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
console = Console(stderr=True)
out = Console()


class Format(StrEnum):
    """Which raw shape(s) the generator writes."""

    warehouse = "warehouse"
    reports = "reports"
    both = "both"


#: The raw shapes each ``--format`` writes, typed as the generator's options.
_SHAPES: dict[Format, tuple[Literal["warehouse", "reports"], ...]] = {
    Format.warehouse: ("warehouse",),
    Format.reports: ("reports",),
    Format.both: ("warehouse", "reports"),
}


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[bold red]nlw: error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def synth(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write the raw exports into.")
    ] = Path("data/raw/synthetic"),
    scale: Annotated[
        float,
        typer.Option(
            help="1 = the national platform (1.70 crore users) with the published counts of "
            "NLW 2024 and SĀDHANA Saptah 2026; counts scale linearly."
        ),
    ] = 0.01,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2024,
    format: Annotated[
        Format, typer.Option("--format", help="Raw shape(s) to write.")
    ] = Format.both,
    warehouse_format: Annotated[
        str, typer.Option(help="Warehouse tables as Spark Parquet folders or as CSV: parquet|csv.")
    ] = "parquet",
    variants: Annotated[
        str,
        typer.Option(help="Platform code lines writing the MDO reports: mixed|python|scala|plain."),
    ] = "mixed",
    variant_features: Annotated[
        str | None,
        typer.Option(help="Comma list of report variant features, 'all' or 'default'."),
    ] = None,
    people_per_block: Annotated[
        int,
        typer.Option(
            help="Simulate a larger world in blocks of at most this many people (bounded "
            "memory: 3.4 GB at scale 1 with the default; docs/scale.md). MDO reports need "
            "one block."
        ),
    ] = 2_000_000,
) -> None:
    """Generate synthetic platform exports with planted, known effects (and ground_truth.json)."""
    from evaluation.data.synth import generate, variants_from

    if not 0 < scale <= 2:
        _fail(f"--scale must be in (0, 2], got {scale}")
    if warehouse_format not in ("parquet", "csv"):
        _fail(f"--warehouse-format must be parquet or csv, got {warehouse_format!r}")
    try:
        chosen = variants_from(variants, variant_features)
    except ValueError as exc:
        _fail(str(exc))
    formats = _SHAPES[format]
    with console.status(f"generating scale {scale} seed {seed}"):
        try:
            path = generate(
                out_dir,
                scale=scale,
                seed=seed,
                formats=formats,
                warehouse_format=warehouse_format,
                variants=chosen,
                people_per_block=people_per_block,
            )
        except ValueError as exc:
            _fail(str(exc))
    out.print(f"synthetic exports written to [bold]{path}[/]")


ReportOption = Annotated[
    Path | None,
    typer.Option(
        "--report",
        metavar="FILE",
        help="Also write every problem to FILE.csv or FILE.json (the suffix picks the format).",
    ),
]
MaxErrorsOption = Annotated[
    int, typer.Option(min=1, help="Stop listing after this many problems (all are counted).")
]


@app.command()
def validate(
    src: Annotated[
        Path, typer.Argument(help="Raw export folder (warehouse tables or MDO reports).")
    ],
    max_errors: MaxErrorsOption = 200,
    report_file: ReportOption = None,
) -> None:
    """Check raw exports and list every problem (file, line, column, rule) in one pass.

    On a terminal, problems are grouped under each file; piped or redirected, one line per
    problem: FILE:LINE: SEVERITY: COLUMN: MESSAGE [RULE], and the status on stderr.
    """
    from evaluation.data.ingest import validate as run_validate

    _check_report_file(report_file)
    report = run_validate(src, max_errors=max_errors)
    _show_problems(report, status=True)
    _write_report(report_file, report)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def ingest(
    src: Annotated[Path, typer.Argument(help="Raw export folder.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Processed store root.")] = Path(
        "data/processed"
    ),
    dataset: Annotated[
        str | None, typer.Option(help="Dataset name (default: the folder's).")
    ] = None,
    max_errors: MaxErrorsOption = 200,
    report_file: ReportOption = None,
    cross_check: Annotated[
        bool | None,
        typer.Option(
            "--cross-check/--no-cross-check",
            help="When both warehouse/ and reports/ are present, compare the tables the reports "
            "give with the warehouse's (default: whenever both are present).",
        ),
    ] = None,
) -> None:
    """Read raw exports, drop personal data, validate, and write the processed Parquet store.

    Lists the problems found (as `nlw validate` does), then a summary: rows read and kept per
    source, rows rejected by rule with the first file:line, normalisations, the cross-check of
    the reports against the warehouse when both are present, the manifest.
    """
    from evaluation.data.ingest import DataError, IngestError, ValidationReport
    from evaluation.data.ingest.pipeline import ingest_with_summary

    _check_report_file(report_file)
    try:
        result = ingest_with_summary(
            src, out_dir, dataset=dataset, max_errors=max_errors, cross_check=cross_check
        )
    except DataError as exc:
        found = exc.report if isinstance(exc, IngestError) else None
        report = found if isinstance(found, ValidationReport) else ValidationReport.of(exc.problems)
        _show_problems(report, status=False)
        _write_report(report_file, report)
        errors = report.count("error")
        _fail(f"ingest of {src} failed with {errors} error(s); nothing was changed", 1)
        return
    _show_problems(result.report, status=False)
    if out.is_terminal:
        result.summary.show(out)
    else:
        _echo(result.summary.lines())
    _write_report(report_file, result.report)


def _check_report_file(path: Path | None) -> None:
    """Refuse a ``--report`` suffix we cannot write before any work is done (usage error, 2)."""
    from evaluation.data.ingest.errors import REPORT_SUFFIXES

    if path is not None and path.suffix.lower() not in REPORT_SUFFIXES:
        _fail(
            f"--report {path}: the file name must end in "
            f"{' or '.join(REPORT_SUFFIXES)} (the suffix picks the format)"
        )


def _write_report(path: Path | None, report: ValidationReport) -> None:
    from evaluation.data.ingest.errors import write_problem_report

    if path is None:
        return
    try:
        write_problem_report(path, report)
    except OSError as exc:
        _fail(f"could not write the report {path}: {exc.strerror or exc}", 1)
    console.print(f"problems written to {path}", highlight=False, soft_wrap=True)


def _show_problems(report: ValidationReport, *, status: bool) -> None:
    """Problems grouped by file on a terminal; otherwise one line each (pipes, logs, e-mail)."""
    if out.is_terminal:
        if report.problems or status:
            report.show(out, status=status)
        return
    _echo(p.as_line() for p in report.problems)
    if status:
        console.print(f"validation {report.status()}", highlight=False, soft_wrap=True)
    elif report.truncated:
        console.print(
            f"{report.total} problems found, the first {len(report.problems)} listed "
            "(--max-errors raises the limit)",
            highlight=False,
            soft_wrap=True,
        )


def _echo(lines: Iterable[str]) -> None:
    """Plain lines on stdout: no markup, no wrapping, no colour."""
    for line in lines:
        typer.echo(line)


@app.command()
def run(
    params: Annotated[list[Path], typer.Argument(help="One or more params YAML files.")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, help="Worker processes.")] = 2,
    resume: Annotated[
        bool, typer.Option(help="Reuse notebooks whose inputs have not changed.")
    ] = False,
    pdf: Annotated[
        bool, typer.Option(help="Also print each report to PDF (needs chromium).")
    ] = True,
    ministries: Annotated[
        list[str] | None,
        typer.Option("--ministries", help="'all' or ministry names to brief (repeat the option)."),
    ] = None,
) -> None:
    """Evaluate each edition: execute its notebooks with Papermill and export the reports."""
    from rich.markup import escape

    from evaluation.core.params import ParamsError
    from evaluation.run.outputs_guard import OutputError
    from evaluation.run.runner import run_editions

    progress = _RunProgress()
    try:
        summary = run_editions(
            params, jobs=jobs, resume=resume, pdf=pdf, ministries=ministries, on_event=progress
        )
    except ParamsError as exc:
        for problem in exc.problems:
            console.print(f"[red]{exc.source}[/]: {problem}", highlight=False, soft_wrap=True)
        _fail("invalid params; nothing was run")
    except OutputError as exc:  # read-only, full or missing outputs folder: one line, exit 1
        _fail(escape(str(exc)), 1)
    except FileNotFoundError as exc:
        _fail(str(exc))
    finally:
        progress.stop()
    _print_summary(summary)
    for edition, report in summary.audits.items():
        if not report.ok:
            console.print(f"[red]edition {edition}: privacy audit failed[/]\n{report.summary()}")
    out.print(f"reports: [bold]{summary.index}[/]")
    if not summary.ok:
        raise typer.Exit(1)


@app.command()
def audit(
    output_dir: Annotated[Path, typer.Argument(help="A run's output folder, or outputs/.")],
    raw: Annotated[
        Path | None,
        typer.Option(help="Raw exports whose identifiers must not appear (default: the run's)."),
    ] = None,
    min_cell: Annotated[int, typer.Option(help="Smallest count of persons a cell may show.")] = 10,
) -> None:
    """Scan outputs for personal data and cells below min_cell (fails non-zero on any hit)."""
    from evaluation.run.audit import audit_outputs, available_salt

    if not output_dir.exists():
        _fail(f"output folder {output_dir} does not exist")
    raw_dir = raw or _raw_of_run(output_dir)
    if raw_dir is not None and not raw_dir.exists():
        _fail(f"raw folder {raw_dir} does not exist")
    with console.status(f"auditing {output_dir}"):
        # with the salt (when one exists) the pseudonymous user keys are searched too
        salt = available_salt() if raw_dir is not None else None
        report = audit_outputs(output_dir, raw_dir=raw_dir, min_cell=min_cell, salt=salt)
    out.print(report.summary(), highlight=False, soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


def _raw_of_run(output_dir: Path) -> Path | None:
    """The raw folder named in the run's manifest, if there is one."""
    import json

    from evaluation.core.params import project_root

    manifest = output_dir / "manifest.json"
    if not manifest.exists():
        return None
    raw = json.loads(manifest.read_text(encoding="utf-8"))["params"]["data"]["raw"]
    return (project_root() / raw).resolve()


@app.command()
def bench(
    scale: Annotated[float, typer.Option(help="Synthetic scale to benchmark.")] = 0.05,
    only: Annotated[str, typer.Option(help="Comma-separated stages (default: all).")] = "",
) -> None:
    """Benchmarks against the naive path; results go to benchmarks/results/."""
    import subprocess

    from evaluation.core.params import project_root

    root = project_root()
    if not (root / "benchmarks" / "run.py").exists():
        _fail("benchmarks/ is not in this checkout (run from the repository)")
    command = [sys.executable, "-m", "benchmarks.run", "--scale", str(scale)]
    if only:
        command += ["--only", only]
    raise typer.Exit(subprocess.run(command, cwd=root).returncode)


class _RunProgress:
    """Rich progress for ``nlw run``: one line per notebook with status, and an ETA."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self.overall: TaskID | None = None

    def __call__(self, kind: str, payload: object) -> None:
        # the runner's events: ("log", str), ("plan", list[Task]), ("start", Task),
        # ("done", NotebookResult); the kind says which
        if kind == "log":
            console.print(f"[dim]{payload}[/]")
        elif kind == "plan":
            self.progress.start()
            tasks = cast("list[Task]", payload)
            self.overall = self.progress.add_task("notebooks", total=len(tasks))
        elif kind == "done" and self.overall is not None:
            result = cast("NotebookResult", payload)
            self.progress.advance(self.overall)
            mark = {"ok": "[green]ok[/]", "reused": "[cyan]reused[/]"}.get(
                result.status, "[red]FAILED[/]"
            )
            self.progress.console.print(
                f"  {result.edition}/{result.notebook}: {mark} ({result.seconds:.1f} s)"
            )

    def stop(self) -> None:
        self.progress.stop()


def _print_summary(summary: RunSummary) -> None:
    table = Table(title="nlw run")
    for column in ("edition", "notebook", "status", "seconds", "problem"):
        table.add_column(column)
    for r in summary.results:
        problem = f"cell {r.failing_cell}: {r.error}" if r.failing_cell else r.error
        table.add_row(r.edition, r.notebook, r.status, f"{r.seconds:.1f}", problem)
    out.print(table)


def main() -> None:
    """Entry point: usage errors become one line on stderr with exit code 2, never a traceback."""
    try:
        # Without standalone mode click returns the exit code of typer.Exit instead of raising.
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        console.print("nlw: aborted")
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`nlw validate SRC | head`): stop quietly, as grep does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except Exception as exc:
        # Typer vendors click (typer._click); its usage errors carry format_message/exit_code.
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            where = f"nlw {ctx.info_name}" if ctx is not None and ctx.parent else "nlw"
            console.print(
                f"[bold red]nlw: error:[/] {exc.format_message()} (see '{where} --help')",
                highlight=False,
                soft_wrap=True,
            )
            sys.exit(exc.exit_code)
        if os.environ.get("NLW_DEBUG"):
            raise
        console.print(
            f"[bold red]nlw: error:[/] {type(exc).__name__}: {exc} "
            "(set NLW_DEBUG=1 for a traceback)",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
