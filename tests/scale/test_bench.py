"""The benchmark harness measures what it claims: child peak memory, timeouts, ratios."""

from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.measure import measure
from benchmarks.run import (
    StageResult,
    _last_json_line,
    _wait,
    markdown,
    ratios,
    write_results,
)


def _child(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-S", "-c", code])


def test_wait_reads_the_childs_own_peak_memory() -> None:
    status, usage = _wait(
        _child("block = bytearray(300 * 2**20); block[::4096] = b'x' * 76800"), 60
    )
    assert status == "ok"
    assert usage.ru_maxrss / 1024 >= 290  # kilobytes on Linux: the 300 MB block was resident


def test_wait_reports_failure_and_timeout() -> None:
    assert _wait(_child("raise SystemExit(3)"), 60)[0] == "failed"
    assert _wait(_child("import time; time.sleep(30)"), 0.5)[0] == "timeout"


def test_tree_peak_sums_processes_running_at_once() -> None:
    # a parent holding 200 MB starts a child holding 300 MB and waits for it: the tree held
    # ~500 MB at once, more than any single process
    hold = "block = bytearray({mb} * 2**20); block[::4096] = b'x' * ({mb} * 256)"
    inner = hold.format(mb=300) + "; import time; time.sleep(3)"
    code = (
        hold.format(mb=200)
        + f"; import subprocess, sys; subprocess.run([sys.executable, '-S', '-c', {inner!r}])"
    )
    result = measure([sys.executable, "-S", "-c", code])
    assert result["exit_code"] == 0, result
    # no upper bound on the largest process: Linux starts a child's peak at what its parent
    # held when it forked (a 1 GB pytest worker gives ~1 GB), see benchmarks/measure.py
    assert result["largest_process_mb"] >= 290, result
    assert result["tree_peak_mb"] >= 490, result


def test_ratios_are_naive_over_ours_for_each_pair() -> None:
    results = [
        StageResult("ols_compressed", "ok", 2.0, 1.0, 100.0, {"compute_s": 0.1}),
        StageResult("ols_full", "ok", 10.0, 8.0, 1000.0, {"compute_s": 5.0}),
        StageResult("ingest", "ok", 1.0, 1.0, 1.0),
        StageResult("naive_ingest", "timeout", 9.0, 9.0, 9.0),
    ]
    (row,) = ratios(results)  # a pair with a timed-out side is left out
    assert row["pair"] == "ols_compressed / ols_full"
    assert (row["speedup_wall"], row["speedup_cpu"], row["memory_ratio"]) == (5.0, 8.0, 10.0)
    assert row["speedup_compute"] == 50.0
    table = markdown(0.1, results, [row])
    assert "| ols_compressed / ols_full |" in table and "| 50.0x |" in table


def test_last_json_line_skips_library_chatter() -> None:
    text = 'warning: {not json}\n{"rows": 3}\ntrailing words\n'
    assert _last_json_line(text) == {"rows": 3}


def test_rerun_stages_replace_earlier_ones_in_todays_file(tmp_path) -> None:
    first = [StageResult("synth", "ok", 5.0, 5.0, 5.0), StageResult("ols_full", "ok", 9.0, 9, 9)]
    write_results(0.5, first, tmp_path)
    path = write_results(0.5, [StageResult("ols_full", "ok", 1.0, 1.0, 1.0)], tmp_path)
    stages = {row["stage"]: row["wall_s"] for row in json.loads(path.read_text())["stages"]}
    assert stages == {"synth": 5.0, "ols_full": 1.0}


def test_each_stage_loads_only_its_own_libraries_before_the_clock() -> None:
    """An ingest stage's process never loads the analysis libraries (their import is not its
    cost); every other stage loads them before its clock starts."""
    from benchmarks.stages import ANALYSIS_PRELOAD, PRELOADS, STAGES

    assert set(PRELOADS) <= set(STAGES)
    code = (
        "import sys; from benchmarks.stages import _preload; _preload(sys.argv[1]); "
        "print(sorted(m for m in ('pyfixest', 'statsmodels', 'duckdb', 'pandas') "
        "if m in sys.modules))"
    )
    loaded = {
        stage: subprocess.run(
            [sys.executable, "-c", code, stage], capture_output=True, text=True, check=True
        ).stdout.strip()
        for stage in ("ingest", "naive_ingest", "ols_full")
    }
    assert loaded == {
        "ingest": "['duckdb', 'pandas']",
        "naive_ingest": "['duckdb', 'pandas']",  # the source specs live in the ingest package
        "ols_full": "['duckdb', 'pandas', 'pyfixest', 'statsmodels']",
    }
    assert "pyfixest" in ANALYSIS_PRELOAD
