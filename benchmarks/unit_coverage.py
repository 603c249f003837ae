"""Monte Carlo of the per-unit before/after estimates behind the pooled ministry effects.

``python -m benchmarks.unit_coverage --seeds 20 --scale 0.002``: for each generator seed, the
whole data path (synth -> ingest -> the impact population -> :func:`unit_effects`), and for each
unit with a planted effect, z = (own estimate - planted ATT over the impact population) / its
standard error. With a right estimator and right standard errors z has mean 0 and sd 1, and
|z| <= 1.96 in 95 % of draws. Written for issue 16 (is Home Affairs' lean chance or bias?).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from evaluation.analysis.impact import impact_population
from evaluation.analysis.panels import person_edition
from evaluation.analysis.pooling import unit_effects
from evaluation.core.params import Window
from evaluation.data.backend import connect
from evaluation.data.ingest import ingest
from evaluation.data.synth import generate

WINDOWS = {
    "2024": Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27)),
    "2026": Window(start=dt.date(2026, 4, 2), end=dt.date(2026, 4, 10)),
}


def one_seed(root: Path, seed: int, scale: float) -> list[dict]:
    """z-scores of every planted unit's own estimate, both editions, one generated world."""
    raw = generate(root / "raw", scale=scale, seed=seed, formats=("warehouse",))
    ingest(raw, root / "processed", dataset="s")
    truth = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))
    store = connect(root / "processed" / "s")
    rows = []
    for edition, window in WINDOWS.items():
        earlier = [WINDOWS["2024"]] if edition == "2026" else []
        people = impact_population(
            person_edition(store, window, earlier_windows=earlier),
            treatment="participated",
            pre_months=6,
        )
        units = unit_effects(people, min_persons=10).set_index("unit")
        planted = truth["editions"][edition]["outcomes"]["completions_90d"]["by_ministry"]
        for unit, facts in planted.items():
            if unit not in units.index or pd.isna(units.at[unit, "observed"]):
                continue
            estimate = float(units.at[unit, "observed"])
            std_error = float(units.at[unit, "observed_std_error"])
            target = facts["att_impact_population"]
            rows.append(
                {"seed": seed, "edition": edition, "unit": unit, "estimate": estimate,
                 "std_error": std_error, "truth": target, "z": (estimate - target) / std_error}
            )  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--first-seed", type=int, default=300)
    parser.add_argument("--out", type=Path, default=None, help="CSV of every z")
    args = parser.parse_args(argv)
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        root = Path(tempfile.mkdtemp(prefix=f"units-{seed}-"))
        try:
            rows += one_seed(root, seed, args.scale)
        finally:
            shutil.rmtree(root, ignore_errors=True)
        print(f"seed {seed} done", flush=True)
    frame = pd.DataFrame(rows)
    if args.out:
        frame.to_csv(args.out, index=False)
    frame["covered"] = frame["z"].abs() <= 1.96
    summary = frame.groupby(["unit", "edition"]).agg(
        draws=("z", "size"), mean_z=("z", "mean"), sd_z=("z", "std"), coverage=("covered", "mean")
    )
    print(summary.round(3).to_string())
    everything = frame.agg({"z": ["mean", "std"], "covered": ["mean"]})
    print(everything.round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
