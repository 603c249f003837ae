"""Benchmark stages for ingest speed (issue 18, item 6), registered in :mod:`benchmarks.stages`.

Two pairs, each the workbench's ``ingest`` against the pandas path doing the same work
(:mod:`benchmarks.naive_ingest`: read, the same value rules, HMAC pseudonymisation,
de-duplication, Parquet out) on the same files:

- the platform's Parquet warehouse folders (Spark's ``<table>/part-*.snappy.parquet`` and
  ``_SUCCESS``), generated at the benchmark's scale;
- the MDO report CSVs (one folder per report date and MDO, split files, both code lines' column
  sets mixed), generated at a fifth of it (``REPORT_SCALE_SHARE``): at scale 0.1 they are 5.5 GB
  of CSV, and ``make bench`` must stay under 10 minutes.

The workbench's ingest also builds the canonical tables, checks what it wrote, counts the quality
signals and writes the manifest; the pandas path does none of that, so each ratio understates the
workbench's advantage. Neither pair runs the cross-check (one shape per folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

#: The report CSVs are generated at this share of the benchmark's scale.
REPORT_SCALE_SHARE = 0.2
#: Data period of the rules (the generator's period ends on 31 July 2026).
PERIOD = (date(2019, 1, 1), datetime(2026, 12, 31))
PERIOD_DATES = (PERIOD[0], PERIOD[1].date())
DATASET = "bench"
#: A fixed salt: the benchmark's stores are thrown away.
SALT = b"benchmark-salt-0123456789abcdef"


def _raw(work: Path, shape: str) -> Path:
    return work / f"raw_{shape}"


def _synth(work: Path, scale: float, shape: str) -> dict:
    from evaluation.data.synth import generate

    if shape == "parquet":
        out = generate(
            _raw(work, shape),
            scale=scale,
            seed=2024,
            formats=("warehouse",),
            warehouse_format="parquet",
        )
    else:
        scale = scale * REPORT_SCALE_SHARE
        out = generate(_raw(work, shape), scale=scale, seed=2024, formats=("reports",))
    files = [f for f in out.rglob("*") if f.is_file()]
    return {
        "scale": scale,
        "files": len(files),
        "megabytes": round(sum(f.stat().st_size for f in files) / 1e6, 1),
    }


def _ours(work: Path, shape: str) -> dict:
    from evaluation.data.ingest import ingest

    out = work / f"ingested_{shape}"
    shutil.rmtree(out, ignore_errors=True)
    os.environ["NLW_SALT"] = SALT.decode()  # the same key as the pandas path
    manifest = ingest(_raw(work, shape), out, dataset=DATASET, data_period=PERIOD_DATES)
    return {"rows_kept": {n: s["rows_kept"] for n, s in manifest.sources.items()}}


def _naive(work: Path, shape: str) -> dict:
    from benchmarks.naive_ingest import naive_ingest

    out = work / f"naive_{shape}"
    shutil.rmtree(out, ignore_errors=True)
    facts = naive_ingest(_raw(work, shape), out, salt=SALT, period=PERIOD)
    return {"rows_kept": {name: f["kept"] for name, f in facts.items()}}


INGEST_STAGES: dict[str, Callable[[Path, float], dict]] = {
    "synth_parquet": lambda work, scale: _synth(work, scale, "parquet"),
    "synth_reports": lambda work, scale: _synth(work, scale, "reports"),
    "ingest_parquet": lambda work, scale: _ours(work, "parquet"),
    "naive_ingest_parquet": lambda work, scale: _naive(work, "parquet"),
    "ingest_reports": lambda work, scale: _ours(work, "reports"),
    "naive_ingest_reports": lambda work, scale: _naive(work, "reports"),
}
