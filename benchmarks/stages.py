"""One benchmark stage per call: ``python -m benchmarks.stages NAME --work DIR --scale S``.

Each stage runs in its own process so that the parent (:mod:`benchmarks.run`) can read that
process's wall time, CPU time and peak resident memory from ``os.wait4``. A stage reads what
earlier stages left in the work folder and prints one JSON object of facts (rows, cells,
coefficients) on its last line of standard output.

Stages come in pairs where a naive path exists: the workbench's path and what an analyst without
it would write (pandas ``read_csv`` of the same files, pyfixest / statsmodels on every row).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.ingest_stages import INGEST_STAGES, PERIOD, SALT
from benchmarks.moments import MOMENT_STAGES
from benchmarks.notebook_stages import NOTEBOOK_STAGES

EDITION_2024 = (dt.date(2024, 10, 19), dt.date(2024, 10, 27))
OLS_FORMULA = "learning_hours_90d ~ participated + C(group) + C(ministry)"
PROPENSITY_FORMULA = "participated ~ C(group) + C(ministry) + C(gender) + C(category)"
PROPENSITY_COVARIATES = ["group", "ministry", "gender", "category"]
DATASET = "synthetic"


def _paths(work: Path) -> dict[str, Path]:
    return {
        "raw": work / "raw",
        "processed": work / "processed",
        "store": work / "processed" / DATASET,
        "person_edition": work / "frames" / "person_edition.parquet",
        "person_period": work / "frames" / "person_period.parquet",
        "outputs": work / "outputs",
        "params": work / "params.yaml",
    }


def _window():
    from evaluation.core.params import Window

    return Window(start=EDITION_2024[0], end=EDITION_2024[1])


# -- start-up -----------------------------------------------------------------------------
def imports(work: Path, scale: float) -> dict:
    """What every notebook kernel imports before its first cell (one process start-up)."""
    import evaluation.analysis.describe
    import evaluation.analysis.panels
    import evaluation.estimate
    import evaluation.report.sections.participation  # noqa: F401  (figures, seaborn, matplotlib)

    return {
        "bytecode_cache": sys.pycache_prefix or "next to sources",
        "written": not sys.flags.dont_write_bytecode,
    }


# -- data layer ----------------------------------------------------------------------------
def synth(work: Path, scale: float) -> dict:
    """Synthetic warehouse at ``scale`` as the platform's Spark jobs write it (Parquet folders)."""
    from evaluation.data.synth import generate

    raw = generate(
        _paths(work)["raw"],
        scale=scale,
        seed=2024,
        formats=("warehouse",),
        warehouse_format="parquet",
    )
    files = [f for f in raw.rglob("*") if f.is_file()]
    return {"files": len(files), "megabytes": round(sum(f.stat().st_size for f in files) / 1e6, 1)}


def ingest(work: Path, scale: float) -> dict:
    """Raw exports -> processed Parquet store (DuckDB, validation, pseudonymisation)."""
    from evaluation.data.ingest import ingest as run_ingest

    paths = _paths(work)
    os.environ["NLW_SALT"] = SALT.decode()  # the pandas path's key
    manifest = run_ingest(paths["raw"], paths["processed"], dataset=DATASET)
    return {"rows_kept": {name: s["rows_kept"] for name, s in manifest.sources.items()}}


def naive_ingest(work: Path, scale: float) -> dict:
    """The same work in pandas (:mod:`benchmarks.naive_ingest`) on the same Parquet folders."""
    from benchmarks.naive_ingest import naive_ingest as run_naive

    out = work / "naive_parquet"
    shutil.rmtree(out, ignore_errors=True)
    facts = run_naive(_paths(work)["raw"], out, salt=SALT, period=PERIOD)
    return {"rows_kept": {name: f["kept"] for name, f in facts.items()}}


# -- analysis frames ---------------------------------------------------------------------
def panel(work: Path, scale: float) -> dict:
    """``person_edition`` (engine joins, to pandas) and ``person_period`` (engine, to Parquet).

    The person x period panel is written by the engine: at scale 1 (47 million rows) a pandas
    grid of it does not fit in 24 GB. The naive stages that read it whole may not fit either;
    that is part of what the benchmark shows.
    """
    import ibis

    from evaluation.analysis import panels
    from evaluation.data.backend import connect

    paths = _paths(work)
    store = connect(paths["store"])
    people = panels.person_edition(store, _window())
    paths["person_edition"].parent.mkdir(parents=True, exist_ok=True)
    people.to_parquet(paths["person_edition"], index=False)
    who = ibis.memtable(people[["user_key", "participated"]])
    periods = panels.person_period_table(store, _window(), who)
    periods.to_parquet(paths["person_period"])
    count = store.con.read_parquet(paths["person_period"]).count().execute()
    return {"people": len(people), "person_periods": int(count)}


# -- estimators: full microdata (naive) and compressed in the engine -----------------------
def _frame(work: Path, name: str):
    import pandas as pd

    return pd.read_parquet(_paths(work)[name])


def _engine_table(work: Path, name: str):
    import ibis

    return ibis.duckdb.connect().read_parquet(_paths(work)[name])


def _headline(result, term: str) -> dict:
    return {
        "estimate": float(result.coef()[term]),
        "std_error": float(result.se()[term]),
        "nobs": int(result.nobs),
        **{k: v for k, v in result.details.items() if k in ("n_cells", "n_clusters")},
    }


def ols_full(work: Path, scale: float) -> dict:
    """pyfixest on every person: outcome on participation, group and ministry, CRV1 by ministry."""
    from evaluation import estimate

    result = estimate.ols(_frame(work, "person_edition"), OLS_FORMULA, cluster="ministry")
    return _headline(result, "participated")


def ols_compressed(work: Path, scale: float) -> dict:
    """The same regression on (participated, group, ministry) cells computed by DuckDB."""
    from evaluation.estimate.compressed import compressed_ols

    table = _engine_table(work, "person_edition")
    result = compressed_ols(table, OLS_FORMULA, cluster="ministry")
    return _headline(result, "participated")


def did_full(work: Path, scale: float) -> dict:
    """Two-way fixed effects (person and period) on the person x period panel (pyfixest)."""
    from evaluation import estimate

    result = estimate.did(
        _frame(work, "person_period"),
        outcome="completions",
        treatment="treated",
        unit="user_key",
        time="period",
    )
    return _headline(result, "treated")


def did_compressed(work: Path, scale: float) -> dict:
    """The same DiD coefficient from (participated, period) cells.

    In a balanced panel whose treatment varies by group x period only, person fixed effects
    and group fixed effects give the same coefficient; the standard errors differ (HC1 here).
    """
    from evaluation.estimate.compressed import compressed_ols

    table = _engine_table(work, "person_period")
    result = compressed_ols(table, "completions ~ treated + participated + C(period)")
    return _headline(result, "treated")


def propensity_full(work: Path, scale: float) -> dict:
    """statsmodels logit of participation on group, ministry, gender and category dummies."""
    import statsmodels.formula.api as smf

    frame = _frame(work, "person_edition")
    fit = smf.logit(PROPENSITY_FORMULA, frame).fit(disp=False, maxiter=200)
    return {"log_likelihood": float(fit.llf), "nobs": int(fit.nobs), "terms": len(fit.params)}


def propensity_compressed(work: Path, scale: float) -> dict:
    """The same logit on cells counted by DuckDB."""
    from evaluation.estimate.compressed import compressed_logit

    result = compressed_logit(_engine_table(work, "person_edition"), PROPENSITY_FORMULA)
    return {
        "log_likelihood": result.details["log_likelihood"],
        "nobs": result.nobs,
        "n_cells": result.details["n_cells"],
    }


def ipw(work: Path, scale: float) -> dict:
    """Inverse probability weighting (statsmodels), ATT of participation on learning hours.

    Without the ministry dummies: statsmodels re-estimates the stacked GMM by Nelder-Mead over
    every propensity coefficient, which with 100 ministry dummies takes many minutes even at
    scale 0.002 (a hot spot reported to the estimator's owner).
    """
    from evaluation import estimate

    result = estimate.ipw(
        _frame(work, "person_edition"),
        outcome="learning_hours_90d",
        treatment="participated",
        covariates=[c for c in PROPENSITY_COVARIATES if c != "ministry"],
        estimand="ATT",
    )
    return _headline(result, result.table["term"].iloc[0])


def event_study(work: Path, scale: float) -> dict:
    """Leads and lags around the week with person and period effects (pyfixest)."""
    from evaluation import estimate

    frame = _frame(work, "person_period")
    # periods renumbered 1.. so that "cohort 0" can mean never treated; participants are
    # treated from relative period 0
    first = int(frame["period"].min())
    frame["time"] = frame["period"] - first + 1
    frame["cohort"] = frame["participated"] * (1 - first)
    result = estimate.event_study(
        frame, outcome="completions", unit="user_key", time="time", cohort="cohort"
    )
    return {"terms": len(result.table), "nobs": int(result.nobs)}


def event_study_moments(work: Path, scale: float) -> dict:
    """The same event study from per-group moments computed by DuckDB (what 03_impact runs).

    Equal to the full fit (tests/impact/test_panel_designs.py); no person x period frame.
    """
    import ibis

    from evaluation.analysis.panels import period_values
    from evaluation.data.backend import connect
    from evaluation.estimate.moments import event_study_from_moments, group_moments

    store = connect(_paths(work)["store"])
    people = _frame(work, "person_edition")[["user_key", "participated"]]
    who = ibis.memtable(people.rename(columns={"participated": "treat"}))
    result = event_study_from_moments(
        group_moments(
            period_values(store, _window()),
            who,
            periods=list(range(-6, 6)),
            reference=-1,
            outcome="completions",
        )
    )
    return {"terms": len(result.table), "nobs": int(result.nobs)}


# -- the whole edition ------------------------------------------------------------------
def run_edition(work: Path, scale: float) -> dict:
    """``nlw run`` of NLW 2024: every notebook of an edition (HTML, no PDF) on this store.

    Ministry briefs for ministries with at least 450 x (scale / 0.01) participants, the same
    share as params/2024.yaml at the default scale (two or three briefs).
    """
    from evaluation.run.runner import run_editions

    paths = _paths(work)
    paths["params"].write_text(
        "\n".join(
            [
                'edition: "2024"',
                'title: "National Learning Week 2024 (benchmark)"',
                'window: {start: "2024-10-19", end: "2024-10-27"}',
                "data:",
                f"  raw: {paths['raw']}",
                f"  processed: {paths['processed']}",
                f"  dataset: {DATASET}",
                f"  synthetic: {{scale: {scale}, seed: 2024}}",
                f"brief_min_participants: {max(60, round(450 * scale / 0.01))}",
                "notebooks: [01_participation, 02_groups, 03_impact, 04_years, 05_ministry_brief]",
                "",
            ]
        ),
        encoding="utf-8",
    )
    summary = run_editions([paths["params"]], jobs=2, pdf=False, outputs=paths["outputs"])
    if not summary.ok:
        raise RuntimeError(f"nlw run failed: {summary.results}")
    return {"ok": summary.ok, "notebooks": len(summary.results)}


STAGES: dict[str, Callable[[Path, float], dict]] = {
    "imports_source": imports,
    "imports_bytecode": imports,
    "synth": synth,
    "ingest": ingest,
    "naive_ingest": naive_ingest,
    "panel": panel,
    "ols_full": ols_full,
    "ols_compressed": ols_compressed,
    "did_full": did_full,
    "did_compressed": did_compressed,
    "propensity_full": propensity_full,
    "propensity_compressed": propensity_compressed,
    "ipw": ipw,
    "event_study": event_study,
    "event_study_moments": event_study_moments,
    "run_edition": run_edition,
    **INGEST_STAGES,  # ingest of each platform shape beside the pandas path (issue 18)
    **MOMENT_STAGES,  # designs from engine moments beside their person-level fits (issue 18)
    **NOTEBOOK_STAGES,  # notebook overhead and every brief of an edition (issue 18)
}


#: What each stage imports before the clock starts, when not the analysis libraries: an
#: ingest imports neither pyfixest nor statsmodels, and loading them into its process added
#: 1.3 s to both sides' wall time, a cost of the harness that neither path has (the Parquet
#: pair measured 2.98x wall against 3.29x compute, 2026-12-03-ingest.md).
PRELOADS: dict[str, tuple[str, ...]] = {
    "synth": ("evaluation.data.synth",),
    "synth_reports": ("evaluation.data.synth",),
    "ingest": ("evaluation.data.ingest",),
    "ingest_reports": ("evaluation.data.ingest",),
    "naive_ingest": ("benchmarks.naive_ingest",),
    "naive_ingest_reports": ("benchmarks.naive_ingest",),
}
#: The analysis stages' libraries (every other stage).
ANALYSIS_PRELOAD = (
    "ibis.backends.duckdb",
    "pandas",
    "pyfixest",
    "statsmodels.api",
    "evaluation.analysis.panels",
    "evaluation.estimate",
    "evaluation.estimate.compressed",
)


def _preload(stage: str) -> None:
    """Import the stage's libraries before the clock starts (start-up is timed separately)."""
    for module in PRELOADS.get(stage, ANALYSIS_PRELOAD):
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    """Run one stage and print its facts as JSON on the last line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--scale", type=float, required=True)
    args = parser.parse_args(argv)
    if not args.stage.startswith("imports"):
        _preload(args.stage)
    wall, cpu = time.perf_counter(), time.process_time()
    facts = STAGES[args.stage](args.work, args.scale)
    # the stage's own work, without interpreter start-up and library imports
    facts["compute_s"] = round(time.perf_counter() - wall, 3)
    facts["compute_cpu_s"] = round(time.process_time() - cpu, 3)
    sys.stdout.write("\n" + json.dumps(facts, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
