"""Benchmark stages for notebooks (issue 18 parts 4 and 5), registered in :mod:`benchmarks.stages`.

``notebook_overhead``: the runner's cost per notebook beyond the notebook's own work, on a
notebook that only prints one sentence (``benchmarks/notebooks/00_trivial.ipynb``), beside the
Papermill command line on the same notebook and beside the runner with a fresh kernel for every
notebook (``NLW_KERNEL_REUSE=0``, the runner before), with where a fresh kernel's time goes.

``briefs``: every notebook of an edition with a brief for every unit of at least a few
participants, ``--jobs 1``: all briefs together against the national notebooks together.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TRIVIAL = HERE / "notebooks" / "00_trivial.ipynb"
#: Trivial notebooks per runner invocation (the first one starts the kernel).
COPIES = 4
NATIONAL = ("01_participation", "02_groups", "03_impact", "04_years")


def _params(
    work: Path, scale: float, path: Path, edition: str, notebooks: list[str], extra: str = ""
) -> Path:
    """A params file of ``edition`` (its window and title) on the benchmark's data."""
    from evaluation.core.params import load_params

    base = load_params(ROOT / "params" / f"{edition}.yaml")
    previous = f'previous_edition: "{base.previous_edition}"' if base.previous_edition else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "\n".join(
            [
                f'edition: "{edition}"',
                f"title: {json.dumps(base.title)}",
                f'window: {{start: "{base.window.start}", end: "{base.window.end}"}}',
                "data:",
                f"  raw: {work / 'raw'}",
                f"  processed: {work / 'processed'}",
                "  dataset: synthetic",
                f"  synthetic: {{scale: {scale}, seed: 2024}}",
                previous,
                f"notebooks: [{', '.join(notebooks)}]",
                extra,
                "",
            ]
        ),
        encoding="utf-8",
    )
    return path


def _cells_s(executed: Path) -> list[float]:
    """Each cell's execution time as Papermill recorded it."""
    notebook = json.loads(executed.read_text(encoding="utf-8"))
    return [
        float(cell["metadata"].get("papermill", {}).get("duration") or 0.0)
        for cell in notebook["cells"]
    ]


def _runner(work: Path, scale: float, folder: Path, reuse: bool) -> dict:
    """``COPIES`` trivial notebooks through the runner: seconds per notebook, cells' seconds."""
    from evaluation.run.kernels import REUSE_ENV
    from evaluation.run.runner import run_editions

    notebooks = folder / "notebooks"
    notebooks.mkdir(parents=True, exist_ok=True)
    names = [f"00_trivial_{i}" for i in range(1, COPIES + 1)]
    for name in names:
        shutil.copy(TRIVIAL, notebooks / f"{name}.ipynb")
    params = _params(work, scale, folder / "params.yaml", "2024", names)
    os.environ[REUSE_ENV] = "1" if reuse else "0"
    started = time.perf_counter()
    summary = run_editions(
        [params], jobs=1, pdf=False, outputs=folder / "outputs", notebooks_dir=notebooks
    )
    wall = time.perf_counter() - started
    os.environ.pop(REUSE_ENV)
    if not summary.ok:
        raise RuntimeError(f"runner failed: {summary.results}")
    run = summary.run_dirs["2024"]
    seconds = [r.seconds for r in summary.results]
    cells = [sum(_cells_s(run / f"{name}.ipynb")) for name in names]
    return {"wall_s": wall, "seconds": seconds, "cells_s": cells, "run": run}


def _papermill_cli(work: Path, scale: float, folder: Path, runs: int = 2) -> dict:
    """The Papermill command line on the same notebook and parameters (no export)."""
    import yaml

    from evaluation.core.params import load_params

    params = load_params(_params(work, scale, folder / "params.yaml", "2024", ["00_trivial"]))
    values = params.notebook_parameters() | {"output_dir": str(folder / "out")}
    parameters = folder / "parameters.yaml"
    parameters.write_text(yaml.safe_dump(values), encoding="utf-8")
    walls, cells = [], []
    for i in range(runs):
        executed = folder / f"executed-{i}.ipynb"
        command = [sys.executable, "-m", "papermill", str(TRIVIAL), str(executed)]
        command += ["-k", "nlw", "-f", str(parameters), "--cwd", str(ROOT), "--no-progress-bar"]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        walls.append(time.perf_counter() - started)
        cells.append(sum(_cells_s(executed)))
    return {"seconds": walls, "cells_s": cells}


def _fresh_kernel_parts(run: Path) -> dict:
    """Where a fresh kernel's seconds go: start to ready, HTML export, findings merge."""
    from jupyter_client.manager import start_new_kernel

    from evaluation.run.runner import (
        Task,
        _compile_templates_once,
        _export_edition,
        _export_notebook,
    )

    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="nlw", cwd=str(ROOT))
    ready = time.perf_counter() - started
    client.stop_channels()
    manager.shutdown_kernel(now=True)

    task = Task(
        edition="2024",
        notebook="00_trivial_1",
        source=TRIVIAL,
        run_dir=run,
        parameters={},
        title="trivial",
        synthetic=True,
        input_hash="",
        root=ROOT,
        pdf=False,
    )
    timed = {}
    started = time.perf_counter()
    _export_notebook(task)
    timed["export_html_first_s"] = time.perf_counter() - started
    _compile_templates_once()
    _export_notebook(task)  # compiles into the cache
    started = time.perf_counter()
    _export_notebook(task)
    timed["export_html_cached_s"] = time.perf_counter() - started
    started = time.perf_counter()
    _export_edition(run, [f"00_trivial_{i}" for i in range(1, COPIES + 1)])
    timed["findings_merge_s"] = time.perf_counter() - started
    return {"kernel_start_to_ready_s": ready, **timed}


def _r(value: float) -> float:
    return round(value, 3)


def notebook_overhead(work: Path, scale: float) -> dict:
    """Seconds per trivial notebook: runner (kept kernel), runner (fresh kernels), Papermill CLI.

    ``overhead_s`` is the runner's seconds per notebook (notebooks 2..N, whose kernel is kept)
    minus the notebook's own work: its cells' time in a kernel whose imports are done.
    """
    folder = work / "notebook_overhead"
    shutil.rmtree(folder, ignore_errors=True)
    kept = _runner(work, scale, folder / "kept", reuse=True)
    fresh = _runner(work, scale, folder / "fresh", reuse=False)
    cli = _papermill_cli(work, scale, folder / "cli")
    own = statistics.median(kept["cells_s"][1:])
    per_notebook = statistics.mean(kept["seconds"][1:])
    fresh_per_notebook = statistics.mean(fresh["seconds"])
    cli_per_notebook = statistics.median(cli["seconds"])
    parts = _fresh_kernel_parts(fresh["run"])
    return {
        "own_work_s": _r(own),
        "runner_per_notebook_s": _r(per_notebook),
        "overhead_s": _r(per_notebook - own),
        "runner_first_notebook_s": _r(kept["seconds"][0]),
        "fresh_kernel_per_notebook_s": _r(fresh_per_notebook),
        "fresh_kernel_overhead_s": _r(fresh_per_notebook - own),
        "fresh_kernel_cells_s": _r(statistics.median(fresh["cells_s"])),
        "papermill_cli_s": _r(cli_per_notebook),
        "papermill_cli_overhead_s": _r(cli_per_notebook - own),
        "papermill_cli_cells_s": _r(statistics.median(cli["cells_s"])),
        **{key: _r(value) for key, value in parts.items()},
        "runner_seconds": kept["seconds"],
        "fresh_seconds": fresh["seconds"],
    }


def briefs(work: Path, scale: float) -> dict:
    """SĀDHANA Saptah 2026 with a brief for every unit of at least ``40 x scale / 0.01``
    participants (at least 20), ``--jobs 1``: the briefs' seconds against the national ones."""
    from evaluation.run.runner import run_editions

    folder = work / "briefs"
    shutil.rmtree(folder, ignore_errors=True)
    threshold = max(20, round(40 * scale / 0.01))
    params = _params(
        work,
        scale,
        folder / "params.yaml",
        "2026",
        [*NATIONAL, "05_ministry_brief"],
        extra=f"brief_min_participants: {threshold}",
    )
    summary = run_editions([params], jobs=1, pdf=False, outputs=folder / "outputs")
    if not summary.ok:
        raise RuntimeError(f"nlw run failed: {[r for r in summary.results if r.status != 'ok']}")
    national = {r.notebook: r.seconds for r in summary.results if r.notebook in NATIONAL}
    brief = [r.seconds for r in summary.results if r.notebook.startswith("05_ministry_brief")]
    return {
        "brief_min_participants": threshold,
        "briefs": len(brief),
        "national_s": _r(sum(national.values())),
        "briefs_s": _r(sum(brief)),
        "briefs_over_national": _r(sum(brief) / sum(national.values())),
        "first_brief_s": brief[0],
        "other_briefs_mean_s": _r(statistics.mean(brief[1:])) if len(brief) > 1 else None,
        "national": national,
    }


#: Registered in :data:`benchmarks.stages.STAGES`.
NOTEBOOK_STAGES: dict[str, Callable[[Path, float], dict]] = {
    "notebook_overhead": notebook_overhead,
    "briefs": briefs,
}
