"""What `nlw validate` and `nlw ingest` print: pipe-friendly lines, --report files, the summary.

The commands run for real (typer's CliRunner; stdout is not a terminal there, as in a pipe) on
copies of the hand-written raw exports with planted problems; assertions are on exact lines.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from support.raw_exports import edit_rows, set_value
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.data.ingest import validate
from evaluation.data.ingest.pipeline import ingest_with_summary

CONSUMPTION = "reports/user-enrollment-report/2024-10-28/mdoid=o1/ConsumptionReport.csv"
USERS = "reports/user-report/2024-10-28/mdoid=o3/UserReport.csv"
PII = {"Full_Name", "Email", "Phone_Number", "External_System_Id", "Employee_Id", "Certificate_ID"}
FIELDS = ["severity", "file", "line", "column", "rule", "message"]


def nlw(*args: str | Path) -> tuple[int, list[str], list[str]]:
    """Run the command in-process; return the exit code, stdout lines and stderr lines."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout.splitlines(), result.stderr.splitlines()


def _plant_bad_date_and_progress(src: Path) -> tuple[int, int]:
    """An unparseable date (an error) and a progress of 150 (a rejected row) in one file."""
    path = src / CONSUMPTION
    progress = set_value(path, 1, "Content_Progress_Percentage", "150")
    date = set_value(path, 2, "Enrolled_On", "yesterday")
    return date, progress


def _plant_rejection_and_duplicate(src: Path) -> tuple[int, int]:
    progress = set_value(src / CONSUMPTION, 1, "Content_Progress_Percentage", "150")
    edit_rows(src / USERS, lambda h, rows: [*rows, dict(rows[0])])
    return progress, 4  # the repeated row is appended after 2 data rows: physical line 4


def _pii_values(src: Path) -> set[str]:
    values: set[str] = set()
    for path in src.rglob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                values |= {v.strip() for c, v in row.items() if c in PII and v and v.strip()}
    return values


DATE_LINE = (
    f"{CONSUMPTION}:{{line}}: error: Enrolled_On: not a date "
    "(yyyy-MM-dd[ HH:mm:ss] or dd/MM/yyyy) (value 'yesterday') [unparseable_date]"
)
PROGRESS_LINE = (
    f"{CONSUMPTION}:{{line}}: warning: Content_Progress_Percentage: percentage outside 0-100; "
    "row rejected (value '150') [progress_out_of_range]"
)


def test_piped_validate_prints_one_line_per_problem(reports_src: Path) -> None:
    date, progress = _plant_bad_date_and_progress(reports_src)
    code, stdout, stderr = nlw("validate", reports_src)
    assert code == 1
    assert stdout == [DATE_LINE.format(line=date), PROGRESS_LINE.format(line=progress)]
    assert stderr == ["validation FAILED (reports): 1 error, 1 warning"]


def test_clean_validate_prints_no_problem_and_exits_0(warehouse_src: Path) -> None:
    assert nlw("validate", warehouse_src) == (
        0, [], ["validation OK (warehouse): 0 errors, 0 warnings"]
    )  # fmt: skip


def test_file_level_problems_have_no_line_number(warehouse_src: Path) -> None:
    (warehouse_src / "warehouse" / "content.csv").unlink()
    code, stdout, _ = nlw("validate", warehouse_src)
    assert code == 1
    assert stdout == [
        "warehouse: error: warehouse table 'content' not found (content.csv or content.parquet) "
        "[missing_file]"
    ]


def test_truncated_list_says_so(warehouse_src: Path) -> None:
    path = warehouse_src / "warehouse" / "user_karma_points.csv"
    edit_rows(path, lambda h, rows: [r | {"points": "many"} for r in rows * 10])
    code, stdout, stderr = nlw("validate", warehouse_src, "--max-errors", "3")
    assert code == 1 and len(stdout) == 3
    assert stderr == [
        "validation FAILED (warehouse): 40 errors, 36 warnings; the first 3 listed "
        "(--max-errors raises the limit)"
    ]


@pytest.mark.parametrize("suffix", [".csv", ".json", ".CSV"])
def test_report_file_holds_every_problem(reports_src: Path, tmp_path: Path, suffix: str) -> None:
    date, progress = _plant_bad_date_and_progress(reports_src)
    target = tmp_path / "out" / f"problems{suffix}"
    code, stdout, stderr = nlw("validate", reports_src, "--report", target)
    assert code == 1 and len(stdout) == 2
    assert f"problems written to {target}" in stderr
    expected = [
        ["error", CONSUMPTION, str(date), "Enrolled_On", "unparseable_date",
         "not a date (yyyy-MM-dd[ HH:mm:ss] or dd/MM/yyyy) (value 'yesterday')"],
        ["warning", CONSUMPTION, str(progress), "Content_Progress_Percentage",
         "progress_out_of_range", "percentage outside 0-100; row rejected (value '150')"],
    ]  # fmt: skip
    if suffix == ".json":
        data = json.loads(target.read_text(encoding="utf-8"))
        assert data["ok"] is False and data["total"] == 2 and data["truncated"] is False
        assert data["counts"] == {"error:unparseable_date": 1, "warning:progress_out_of_range": 1}
        rows = [[str(p[k]) for k in FIELDS] for p in data["problems"]]
    else:
        with open(target, encoding="utf-8", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        assert header == FIELDS
    assert rows == expected


def test_report_csv_keeps_spreadsheet_formulas_inert(warehouse_src: Path, tmp_path: Path) -> None:
    path = warehouse_src / "warehouse" / "user_enrolments.csv"
    edit_rows(path, lambda h, rows: [r | {"=HYPERLINK(1)": "x"} for r in rows])
    target = tmp_path / "p.csv"
    assert nlw("validate", warehouse_src, "--report", target)[0] == 0
    with open(target, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["column"] for r in rows if r["rule"] == "unexpected_column"] == ["'=HYPERLINK(1)"]


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_unknown_report_suffix_is_a_usage_error(
    reports_src: Path, tmp_path: Path, command: str
) -> None:
    code, stdout, stderr = nlw(command, reports_src, "--out", tmp_path / "store", "--report",
                               tmp_path / "p.txt") if command == "ingest" else nlw(
        command, reports_src, "--report", tmp_path / "p.txt")  # fmt: skip
    assert code == 2 and stdout == []
    assert stderr == [
        f"nlw: error: --report {tmp_path / 'p.txt'}: the file name must end in .csv or .json "
        "(the suffix picks the format)"
    ]
    assert not (tmp_path / "p.txt").exists() and not (tmp_path / "store").exists()


def test_ingest_summary_names_rejections_first_lines_and_manifest(
    reports_src: Path, tmp_path: Path
) -> None:
    progress, duplicate = _plant_rejection_and_duplicate(reports_src)
    store = tmp_path / "store"
    code, stdout, stderr = nlw(
        "ingest", reports_src, "--out", store, "--report", tmp_path / "p.json"
    )
    assert code == 0
    dup_line = (
        f"{USERS}:{duplicate}: warning: repeats an earlier row with the same key (link_id); "
        "dropped [duplicate_row]"
    )
    assert stdout[:2] == [dup_line, PROGRESS_LINE.format(line=progress)]
    summary = stdout[2:]
    assert (
        summary[0]
        == f"ingested reports_ok (reports, people linked by email) into {store}/reports_ok"
    )
    assert summary[1].split() == ["source", "files", "rows", "read", "rows", "kept"]
    assert summary[2:6] == [
        "  cbp_report              1           2           2",
        "  competency_report       1           2           2",
        "  consumption_report      3           5           3",
        "  user_report             3           6           4",
    ]
    assert summary[6:12] == [
        "rows rejected: 1",
        f"  progress_out_of_range: 1 in consumption_report, first at {CONSUMPTION}:{progress}",
        "duplicate rows resolved: 3",
        "  older_report_date_superseded: 1 in consumption_report",
        f"  duplicate_row: 1 in user_report, first at {USERS}:{duplicate}",
        "  older_report_date_superseded: 1 in user_report",
    ]
    assert summary[12] == "normalisations applied:"
    assert "  group: blank 1, canonical 1, pattern 2" in summary
    assert "warnings: 2 (duplicate_row 1, progress_out_of_range 1)" in summary
    assert summary[-1] == f"manifest: {store}/reports_ok/manifest.json"
    assert (store / "reports_ok" / "manifest.json").exists()
    assert stderr == [f"problems written to {tmp_path / 'p.json'}"]
    report = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    assert [(p["rule"], p["line"]) for p in report["problems"]] == [
        ("duplicate_row", duplicate), ("progress_out_of_range", progress)
    ]  # fmt: skip


def test_clean_ingest_summary_says_none(warehouse_src: Path, tmp_path: Path) -> None:
    code, stdout, _ = nlw("ingest", warehouse_src, "--out", tmp_path)
    assert code == 0
    assert "rows rejected: 0 (none)" in stdout and "duplicate rows resolved: 0 (none)" in stdout
    assert stdout[-1] == f"manifest: {tmp_path}/warehouse_ok/manifest.json"


def test_failed_ingest_lists_problems_and_keeps_exit_1(reports_src: Path, tmp_path: Path) -> None:
    date, progress = _plant_bad_date_and_progress(reports_src)
    target = tmp_path / "p.csv"
    code, stdout, stderr = nlw(
        "ingest", reports_src, "--out", tmp_path / "store", "--report", target
    )
    assert code == 1
    assert stdout == [DATE_LINE.format(line=date), PROGRESS_LINE.format(line=progress)]
    assert stderr == [
        f"problems written to {target}",
        f"nlw: error: ingest of {reports_src} failed with 1 error(s); nothing was changed",
    ]
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    assert not (tmp_path / "store" / "reports_ok").exists()


def test_missing_source_is_one_line_and_exit_1(tmp_path: Path) -> None:
    code, stdout, stderr = nlw("ingest", tmp_path / "nope", "--out", tmp_path / "store")
    assert code == 1
    assert stdout == [f"{tmp_path / 'nope'}: error: source does not exist [missing_folder]"]
    assert stderr[-1].startswith("nlw: error: ingest of")


def test_no_personal_value_is_printed_or_reported(reports_src: Path, tmp_path: Path) -> None:
    pii = _pii_values(reports_src)
    assert pii  # names, emails, phones, certificate ids in the fixture
    # damage rows that carry personal values: a malformed line and rejected rows
    _plant_rejection_and_duplicate(reports_src)
    set_value(reports_src / USERS, 0, "Email", "not an email <x@y>")
    shown: list[str] = []
    for command in ("validate", "ingest"):
        for suffix in (".csv", ".json"):
            target = tmp_path / f"{command}{suffix}"
            args = [command, reports_src, "--report", target]
            if command == "ingest":
                args += ["--out", tmp_path / "store"]
            _, stdout, stderr = nlw(*args)
            shown += stdout + stderr + [target.read_text(encoding="utf-8")]
    text = "\n".join(shown)
    assert "progress_out_of_range" in text  # the problems are there ...
    assert not {v for v in pii | {"not an email <x@y>"} if v in text}  # ... and no value


def test_terminal_view_never_folds_a_file_name(reports_src: Path) -> None:
    _plant_bad_date_and_progress(reports_src)
    console = Console(width=60, record=True, force_terminal=True)
    validate(reports_src).show(console)
    lines = console.export_text().splitlines()
    assert CONSUMPTION in lines  # longer than the terminal: printed whole, the terminal wraps it
    assert lines[-1] == "Validation FAILED (reports): 1 error, 1 warning"
    assert any("unparseable_date" in line for line in lines)


def test_terminal_summary_shows_counts_and_whole_paths(reports_src: Path, tmp_path: Path) -> None:
    progress, _ = _plant_rejection_and_duplicate(reports_src)
    summary = ingest_with_summary(reports_src, tmp_path).summary
    console = Console(width=80, record=True, force_terminal=True)
    summary.show(console)
    text = console.export_text()
    assert "consumption_report │     3 │         5 │         3 │        1" in text
    line = f"  progress_out_of_range: 1 in consumption_report, first at {CONSUMPTION}:{progress}"
    assert line in text.splitlines()  # longer than the terminal, printed whole
    assert text.splitlines()[-1] == f"manifest: {tmp_path}/reports_ok/manifest.json"


def test_real_command_in_a_pipe(reports_src: Path) -> None:
    date, _ = _plant_bad_date_and_progress(reports_src)
    nlw_bin = Path(sys.executable).with_name("nlw")
    piped = subprocess.run(
        f"'{nlw_bin}' validate '{reports_src}' | grep -F '[unparseable_date]'; "
        "exit ${PIPESTATUS[0]}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 1
    assert piped.stdout.splitlines() == [DATE_LINE.format(line=date)]
    assert "Traceback" not in piped.stderr


def test_relative_out_is_the_callers_working_folder(
    warehouse_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `nlw ingest raw --out proc` run outside the project once looked for its own staging
    # folder under the project root (backend.connect resolves bare relative store paths there).
    monkeypatch.chdir(tmp_path)
    code, out, err = nlw("ingest", warehouse_src.name, "--out", "proc", "--dataset", "w")
    assert code == 0, err
    assert (tmp_path / "proc" / "w" / "manifest.json").exists()
    assert f"manifest: {tmp_path / 'proc' / 'w' / 'manifest.json'}" in out
