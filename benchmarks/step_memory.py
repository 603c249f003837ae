"""Peak memory and time of each heavy step of 03_impact and 04_years, one process.

``python -m benchmarks.step_memory impact PARAMS STORE [STEP...]`` builds 03_impact's person
frame and fits its person-level estimators one at a time (only the steps whose names contain a
given word, when words are given); ``... years PARAMS STORE`` builds 04_years's
two-edition frame and runs its comparison of editions with each step traced. Each line gives
the step's peak resident memory above what the process held before it (sampled every 50 ms)
and its wall time: where a notebook's peak comes from at national scale (issue 18, item 1;
``benchmarks/results/2026-12-03-scale-1-2026-full-run.md``). Run it with the kernels'
allocator settings (``evaluation.run.runner.KERNEL_MALLOC``) to see what a notebook sees::

    env MALLOC_MMAP_THRESHOLD_=1048576 MALLOC_TRIM_THRESHOLD_=1048576 \\
        ARROW_DEFAULT_MEMORY_POOL=system python -m benchmarks.step_memory impact P S
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_gb() -> float:
    """This process's resident memory in GB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 1e9


class Peak:
    """Context manager: ``base``, ``peak`` (GB) and ``seconds`` of the block inside it."""

    def __enter__(self) -> Peak:
        self.base = self.peak = resident_gb()
        self._running = True
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()
        self._clock = time.perf_counter()
        return self

    def _watch(self) -> None:
        while self._running:
            self.peak = max(self.peak, resident_gb())
            time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._clock
        self._running = False
        self._watcher.join()
        self.peak = max(self.peak, resident_gb())

    def line(self, name: str) -> str:
        return (
            f"{name}: peak {self.peak:.2f} GB (+{self.peak - self.base:.2f} above "
            f"{self.base:.2f}), {self.seconds:.0f} s, now {resident_gb():.2f} GB"
        )


def _traced(module: Any, name: str) -> None:
    """Replace ``module.name`` with a version that prints its :class:`Peak` line."""
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with Peak() as peak:
            result = original(*args, **kwargs)
        print("  " + peak.line(name), flush=True)
        return result

    setattr(module, name, wrapper)


def impact(params_path: str, store_path: str, *only: str) -> None:
    """03_impact: the frame, then each person-level estimator of the headline outcome.

    ``only``: run just the steps whose names contain one of these words (default all).
    """
    from evaluation import estimate
    from evaluation.analysis import impact as analysis
    from evaluation.core.params import load_params
    from evaluation.data.backend import connect

    params, store = load_params(params_path), connect(store_path)
    with Peak() as peak:
        people = analysis.impact_people(store, params)
    print(peak.line(f"impact frame ({len(people):,} rows)"), flush=True)
    outcome = analysis.PRIMARY
    data = analysis.columns(people, outcome, f"{outcome}_change")
    data = data[data[outcome].notna()]
    change = data[data[f"{outcome}_change"].notna()]
    covariates = analysis.baseline(change)
    common = {"treatment": "treat", "covariates": covariates}
    steps: dict[str, Callable[[], Any]] = {
        "naive OLS": lambda: estimate.ols(data, f"{outcome} ~ treat", vcov="HC1"),
        "AIPW on the change": lambda: estimate.aipw(
            change, outcome=f"{outcome}_change", estimand="ATT", **common
        ),
        "matching on the change": lambda: estimate.match(
            change, outcome=f"{outcome}_change", **common
        ),
        "matching on the change (rows)": lambda: estimate.match(
            change, outcome=f"{outcome}_change", by_cells=False, **common
        ),
        "AIPW on levels (rows)": lambda: estimate.aipw(
            data,
            outcome=outcome,
            treatment="treat",
            covariates=analysis.level_covariates(data),
            estimand="ATT",
        ),
        "dose response": lambda: analysis.dose_response(people),
        "effects by Group and ministry": lambda: analysis.group_effects(
            people, list(params.groups), params.min_cell
        ),
    }
    for name, step in steps.items():
        if only and not any(word in name for word in only):
            continue
        with Peak() as peak:
            result = step()
        first = result.by_group.table if hasattr(result, "by_group") else result.tidy()
        print(peak.line(f"{name} ({first['estimate'].iloc[0]:.4f})"), flush=True)


def years(params_path: str, store_path: str, *only: str) -> None:
    """04_years: both editions' frame, then the comparison of editions step by step."""
    if only:
        sys.exit("years has one step: give no step names")
    from evaluation import estimate
    from evaluation.analysis import editions, populations
    from evaluation.core.params import load_params
    from evaluation.data.backend import connect
    from evaluation.report.sections import years as sections

    params, store = load_params(params_path), connect(store_path)
    with Peak() as peak:
        both = populations.two_editions(store, params, columns=sections.person_columns(params))
    print(peak.line(f"both editions ({0 if both is None else len(both):,} rows)"), flush=True)
    for name in ("previous_impact_people", "impact_people", "edition_effects"):
        _traced(editions, name)
    _traced(estimate, "interaction_ols")
    with Peak() as peak:
        results = editions.compare_editions_by_outcome(store, params)
    print(peak.line(f"editions compared ({len(results)} outcomes)"), flush=True)


if __name__ == "__main__":
    steps = {"impact": impact, "years": years}
    if len(sys.argv) < 4 or sys.argv[1] not in steps:
        sys.exit(
            f"usage: python -m benchmarks.step_memory {{{'|'.join(steps)}}} PARAMS STORE [STEP...]"
        )
    steps[sys.argv[1]](*sys.argv[2:])
