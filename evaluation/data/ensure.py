"""Make sure an edition's processed data exist: generate synthetic exports, then ingest them.

Used by ``nlw run`` before any notebook starts, and by notebooks opened interactively.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evaluation.core.params import Params, project_root

__all__ = ["data_fingerprint", "ensure_data"]


def ensure_data(params: Params, root: Path | None = None, *, log=print) -> Path:
    """Return the processed store of ``params``, building whatever is missing.

    The synthetic generator runs only when the raw folder is missing and ``data.synthetic`` is
    set; ingest runs when the store has no manifest yet. Real raw data are never generated.
    """
    root = root or project_root()
    raw = params.data.raw_path(root)
    store = params.data.store_path(root)
    if not raw.exists():
        if params.data.synthetic is None:
            raise FileNotFoundError(f"data.raw: folder {raw} does not exist")
        from evaluation.data.synth import generate

        spec = params.data.synthetic
        log(f"generating synthetic exports (scale {spec.scale}, seed {spec.seed}) in {raw}")
        # The warehouse shape is the richer one (events, karma ledger) and what ingest builds
        # the store from, written as the platform's Spark jobs write it: a folder of Parquet
        # part files per table. The MDO reports, in their mixed code-line variants, are read
        # too: ingest cross-checks them against the warehouse, so every run exercises both.
        generate(
            raw,
            scale=spec.scale,
            seed=spec.seed,
            formats=("warehouse", "reports") if spec.reports else ("warehouse",),
            warehouse_format="parquet",
        )
    if not (store / "manifest.json").exists():
        from evaluation.data.ingest.crosscheck import summary_lines
        from evaluation.data.ingest.pipeline import ingest_with_summary

        log(f"ingesting {raw} -> {store}")
        manifest = ingest_with_summary(raw, store.parent, dataset=store.name).manifest
        for line in summary_lines(manifest.cross_check)[:1]:
            log(line)
    return store


def data_fingerprint(store: Path) -> str:
    """sha256 of the store's manifest: changes whenever the processed data change."""
    manifest = store / "manifest.json"
    if not manifest.exists():
        return "missing"
    return hashlib.sha256(manifest.read_bytes()).hexdigest()
