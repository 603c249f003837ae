"""Benchmark the workbench against the naive path: ``python -m benchmarks.run --scale 0.05``.

Every stage (see :mod:`benchmarks.stages`) runs in a fresh Python process, one after another,
so each figure is that process's own: wall time, CPU time (user + system, including processes
it started and waited for, e.g. notebook kernels), peak resident memory of the largest single
process in its tree (from ``os.wait4``; DuckDB's and pandas' memory both count) and the peak of
the whole tree's resident memory summed (two notebook kernels at once count twice; sampled
every 50 ms, :mod:`benchmarks.measure`). Pairs of stages
(workbench path vs naive path) run in the same invocation, so every ratio compares figures
measured on the same machine at the same moment: on a shared machine absolute times are noisy,
ratios much less so.

Results go to ``benchmarks/results/<date>-scale-<S>.json`` and a Markdown table beside it,
which is also printed. The data live in ``--work`` (default ``benchmarks/work/scale-<S>``) and
are reused by later invocations: ``--only ols_full,ols_compressed`` re-times two stages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import sysconfig
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.measure import TreeSampler
from benchmarks.stages import STAGES

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

#: (workbench stage, naive stage, what the ratio says) - ratio = naive / workbench.
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("imports_bytecode", "imports_source", "kernel start-up imports: cached bytecode vs none"),
    ("ingest", "naive_ingest", "ingest of Spark Parquet vs pandas, same work"),
    ("ingest_reports", "naive_ingest_reports", "ingest of MDO report CSVs vs pandas, same work"),
    ("ols_compressed", "ols_full", "OLS with CRV1: compressed vs full microdata"),
    ("did_compressed", "did_full", "DiD coefficient: compressed cells vs TWFE on every row"),
    ("propensity_compressed", "propensity_full", "propensity logit: cells vs every row"),
    ("event_study_moments", "event_study", "event study: engine moments vs TWFE on every row"),
    ("cells_moments", "cells_person", "logit, IPW, DR ATT, matching: cell moments vs persons"),
    ("staggered_moments", "staggered_person", "staggered DiD: moments (all) vs csdid (sample)"),
)
#: Stages run by default, in order (later ones read what earlier ones wrote).
DEFAULT_ORDER = (
    "imports_source",
    "imports_bytecode",
    "synth",
    "ingest",
    "naive_ingest",
    "synth_reports",
    "ingest_reports",
    "naive_ingest_reports",
    "panel",
    "ols_full",
    "ols_compressed",
    "did_full",
    "did_compressed",
    "propensity_full",
    "propensity_compressed",
    "ipw",
    "event_study",
    "event_study_moments",
    "run_edition",
    "notebook_overhead",
)
#: Per-stage time limit in seconds; a stage over it is recorded as "timeout", not waited for.
DEFAULT_TIMEOUT = 300


@dataclass
class StageResult:
    """What one stage cost and what it reported."""

    stage: str
    status: str  # "ok" | "failed" | "timeout" | "skipped"
    wall_s: float = float("nan")
    cpu_s: float = float("nan")
    peak_rss_mb: float = float("nan")
    facts: dict = field(default_factory=dict)
    error: str = ""
    measured_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    tree_peak_mb: float = float("nan")


def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _bytecode_cache(work: Path) -> dict[str, str]:
    """Environment of a child that reads compiled bytecode from a cache made beforehand.

    With ``PYTHONDONTWRITEBYTECODE=1`` (set on some machines and CI images) and an environment
    installed without ``--compile-bytecode``, every process compiles pandas, scipy, seaborn and
    the rest from source at each start. The cache is built once here, untimed.
    """
    cache = work / "pycache"
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(cache)}
    if not cache.is_dir():
        site = Path(sysconfig.get_paths()["purelib"])
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compileall",
                "-q",
                "-j",
                "0",
                str(site),
                str(ROOT / "evaluation"),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    return env


def run_stage(stage: str, work: Path, scale: float, timeout: float) -> StageResult:
    """Run ``stage`` in a child process and measure it with ``os.wait4``."""
    command = [sys.executable, "-m", "benchmarks.stages", stage, "--work", str(work)]
    command += ["--scale", str(scale)]
    env = _bytecode_cache(work) if stage == "imports_bytecode" else None
    log = work / "logs" / f"{stage}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with log.open("w") as sink:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
        sampler = TreeSampler(child.pid)
        status, usage = _wait(child, timeout, sampler)
    wall = time.perf_counter() - start
    text = log.read_text(errors="replace")
    result = StageResult(
        stage=stage,
        status=status,
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2) if usage else float("nan"),
        # Linux reports ru_maxrss in kilobytes
        peak_rss_mb=round(usage.ru_maxrss / 1024, 1) if usage else float("nan"),
        tree_peak_mb=round(sampler.peak_kb / 1024, 1),
    )
    if status == "ok":
        result.facts = _last_json_line(text)
    else:
        result.error = "\n".join(text.strip().splitlines()[-5:])
    return result


def _wait(
    child: subprocess.Popen, timeout: float, sampler: TreeSampler | None = None
) -> tuple[str, os.struct_rusage | None]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid, code, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = code  # reaped here, so Popen must not wait again
            return ("ok" if os.waitstatus_to_exitcode(code) == 0 else "failed"), usage
        if sampler is not None:
            sampler.sample()
        time.sleep(0.05)
    child.kill()
    _, _, usage = os.wait4(child.pid, 0)
    return "timeout", usage


def _compute_ratio(ours: StageResult, naive: StageResult) -> float | None:
    """Naive / ours of the in-process compute time (start-up and imports excluded)."""
    a, b = ours.facts.get("compute_s"), naive.facts.get("compute_s")
    return round(b / a, 2) if a and b else None


def ratios(results: list[StageResult]) -> list[dict]:
    """Naive / workbench ratios of wall time, CPU time and peak memory for each pair."""
    by_name = {r.stage: r for r in results}
    rows = []
    for ours, naive, meaning in PAIRS:
        a, b = by_name.get(ours), by_name.get(naive)
        if not (a and b and a.status == b.status == "ok"):
            continue
        rows.append(
            {
                "pair": f"{ours} / {naive}",
                "meaning": meaning,
                "speedup_wall": round(b.wall_s / a.wall_s, 2),
                "speedup_cpu": round(b.cpu_s / a.cpu_s, 2),
                "memory_ratio": round(b.peak_rss_mb / a.peak_rss_mb, 2),
                "speedup_compute": _compute_ratio(a, b),
            }
        )
    return rows


def markdown(scale: float, results: list[StageResult], pairs: list[dict]) -> str:
    """The results as two Markdown tables: every stage, then every ratio."""
    lines = [
        f"# Benchmark at scale {scale} ({dt.date.today().isoformat()}, "
        f"{os.cpu_count()} cores, {platform.python_version()})",
        "",
        "| stage | status | wall s | CPU s | compute s | peak RSS MB | tree peak MB | facts |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        shown = {k: v for k, v in r.facts.items() if not k.startswith("compute")}
        compute = r.facts.get("compute_s", float("nan"))
        facts = json.dumps(shown, default=str)
        facts = facts if len(facts) <= 90 else facts[:87] + "..."
        lines.append(
            f"| {r.stage} | {r.status} | {r.wall_s:.1f} | {r.cpu_s:.1f} | {compute:.2f} "
            f"| {r.peak_rss_mb:.0f} | {r.tree_peak_mb:.0f} "
            f"| {facts} |"
        )
    lines += [
        "",
        "Wall and CPU include interpreter start-up and imports; compute is the stage's own work. "
        "Peak RSS is the largest single process; tree peak sums every process the stage ran "
        "at once (e.g. two notebook kernels).",
        "",
        "| pair (ours / naive) | what | wall speed-up | CPU speed-up | compute speed-up "
        "| naive memory / ours |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for p in pairs:
        lines.append(
            f"| {p['pair']} | {p['meaning']} | {p['speedup_wall']}x | {p['speedup_cpu']}x "
            f"| {p['speedup_compute'] or '-'}x | {p['memory_ratio']}x |"
        )
    return "\n".join(lines) + "\n"


def _machine() -> dict:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }


def _merge(previous: Path, results: list[StageResult]) -> list[StageResult]:
    """Today's earlier results with the stages just re-run replaced (``--only``).

    Pairs are meant to be re-run together, so each ratio still compares one moment.
    """
    if not previous.exists():
        return results
    fresh = {r.stage: r for r in results}
    kept = [StageResult(**row) for row in json.loads(previous.read_text())["stages"]]
    merged = [fresh.pop(r.stage, r) for r in kept]
    order = {name: i for i, name in enumerate(DEFAULT_ORDER)}
    return sorted(merged + list(fresh.values()), key=lambda r: order.get(r.stage, len(order)))


def write_results(scale: float, results: list[StageResult], out_dir: Path) -> Path:
    """Write ``<date>-scale-<S>.json`` and ``.md`` into ``out_dir``; return the JSON path.

    Stages already in today's file and not run again are kept.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{dt.date.today().isoformat()}-scale-{scale:g}"
    results = _merge(out_dir / f"{stem}.json", results)
    pairs = ratios(results)
    payload = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": scale,
        "machine": _machine(),
        "stages": [asdict(r) for r in results],
        "ratios": pairs,
    }
    json_path = out_dir / f"{stem}.json"
    json_path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    (out_dir / f"{stem}.md").write_text(markdown(scale, results, pairs), encoding="utf-8")
    return json_path


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the workbench against naive paths.")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--only", default="", help="comma-separated stages (default: all)")
    parser.add_argument("--work", type=Path, default=None, help="data folder (reused)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    return parser.parse_args(argv)


def _selected(only: str) -> list[str]:
    chosen = [name.strip() for name in only.split(",") if name.strip()] or list(DEFAULT_ORDER)
    unknown = [name for name in chosen if name not in STAGES]
    if unknown:
        raise SystemExit(f"unknown stage(s) {unknown}; known: {', '.join(DEFAULT_ORDER)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Run the chosen stages, write and print the results; non-zero if any stage failed."""
    args = _parse(argv)
    work = (args.work or HERE / "work" / f"scale-{args.scale:g}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    stages = _selected(args.only)
    results = []
    for stage in stages:
        print(f"[bench] {stage} ...", flush=True)
        result = run_stage(stage, work, args.scale, args.timeout)
        print(
            f"[bench] {stage}: {result.status} {result.wall_s:.1f} s wall, "
            f"{result.cpu_s:.1f} s CPU, {result.peak_rss_mb:.0f} MB",
            flush=True,
        )
        if result.error:
            print(result.error, flush=True)
        results.append(result)
    path = write_results(args.scale, results, args.out)
    print(path.with_suffix(".md").read_text())
    print(f"results: {path}")
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
