"""Execute an edition's notebooks with Papermill and export what readers open.

``run_editions`` validates every params file first (so bad params fail before any kernel starts),
checks that the outputs folder can be written (so a read-only or full disk fails before any
kernel starts), makes sure the data exist, expands the plan, executes the notebooks in a pool of
worker processes that import Papermill once, exports each one (HTML, PDF, findings), and writes
the run's manifest, ``latest`` pointer and ``outputs/index.html``. A failing notebook never stops
the others; the run then ends non-zero with the notebook and cell named. A write failure of the
folder itself (disk full, read-only, permission) ends the run with an
:class:`~evaluation.run.outputs_guard.OutputError`, removes the half-written run folders and leaves
``latest`` alone.

Each run folder is written as ``.partial-<run-id>``; every notebook that finishes is recorded in
its ``.progress.jsonl`` (replaced by ``manifest.json`` when the run ends), so ``resume`` can
reuse notebooks finished by a run that failed or was killed, not only those of ``latest``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation import __version__
from evaluation.core.params import Params, ParamsError, load_params, project_root
from evaluation.data.backend import ENGINE_MEMORY_GB, MEMORY_LIMIT_ENV
from evaluation.data.ensure import data_fingerprint, ensure_data
from evaluation.run.exporters import (
    EditionContext,
    NotebookContext,
    atomic_write_text,
    registered,
)
from evaluation.run.outputs_guard import OutputError, check_writable, output_errors

if TYPE_CHECKING:  # the audit is imported when a run reaches it (DuckDB, PDF readers)
    from evaluation.run.audit import AuditReport, IdentifierIndex

__all__ = [
    "NotebookResult",
    "OutputError",
    "RunSummary",
    "Task",
    "brief_ministries",
    "plan",
    "run_editions",
]

KERNEL = "nlw"
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "pyfixest",
    "duckdb",
    "ibis-framework",
    "papermill",
    "nbconvert",
    "pandera",
    "pydantic",
)
#: Notebooks finished so far in a run folder, one JSON line each (resume after a kill).
PROGRESS = ".progress.jsonl"
_FINISHED = ("ok", "reused")


@dataclass(frozen=True)
class Task:
    """One notebook to execute for one edition."""

    edition: str
    notebook: str
    source: Path
    run_dir: Path
    parameters: dict
    title: str
    synthetic: bool
    input_hash: str
    root: Path
    pdf: bool = True
    timeout: int = 900

    @property
    def name(self) -> str:
        """Notebook stem, also its output names."""
        return self.notebook


@dataclass
class NotebookResult:
    """How one notebook ended."""

    edition: str
    notebook: str
    status: str  # "ok" | "failed" | "reused"
    seconds: float
    input_hash: str
    error: str = ""
    failing_cell: int | None = None
    files: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    """What a whole run did."""

    results: list[NotebookResult]
    run_dirs: dict[str, Path]
    index: Path
    audits: dict[str, AuditReport] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether every notebook succeeded and every edition's outputs passed the audit."""
        notebooks_ok = all(r.status in ("ok", "reused") for r in self.results)
        return notebooks_ok and all(getattr(a, "ok", True) for a in self.audits.values())


def _library_hash(root: Path) -> str:
    from evaluation.analysis.briefs import library_fingerprint

    return hashlib.sha256((__version__ + library_fingerprint(root)).encode()).hexdigest()


def _input_hash(params: Params, notebook: Path, store: Path, library: str) -> str:
    digest = hashlib.sha256()
    for part in (
        json.dumps(params.notebook_parameters(), sort_keys=True),
        data_fingerprint(store),
        notebook.read_text(encoding="utf-8"),
        library,
    ):
        digest.update(part.encode())
    return digest.hexdigest()


def _run_id() -> str:
    return dt.datetime.now().strftime("%Y%m%dT%H%M%S") + f"-{os.getpid() % 10000:04d}"


def plan(
    params: Params,
    root: Path,
    run_dir: Path,
    *,
    pdf: bool = True,
    notebooks_dir: Path | None = None,
) -> list[Task]:
    """Expand one edition into notebook tasks (a ``*ministry_brief`` notebook: one per ministry)."""
    store = params.data.store_path(root)
    library = _library_hash(root)
    tasks = []
    for name in params.notebooks:
        source = (notebooks_dir or root / "notebooks") / f"{name}.ipynb"
        if not source.is_file():
            raise FileNotFoundError(f"notebooks: {source} does not exist (listed in params)")
        input_hash = _input_hash(params, source, store, library)
        variants: list[tuple[str, dict[str, str]]] = [(name, {})]
        if name.endswith("ministry_brief"):
            variants = [
                (f"{name}-{_slug(ministry)}", {"ministry": ministry})
                for ministry in brief_ministries(params, root)
            ]
        for label, extra in variants:
            parameters = params.notebook_parameters() | extra | {"output_dir": str(run_dir / label)}
            title = extra.get("ministry") or name.split("_", 1)[-1].replace("_", " ")
            tasks.append(
                Task(
                    edition=params.edition,
                    notebook=label,
                    source=source,
                    run_dir=run_dir,
                    parameters=parameters,
                    title=f"{params.title}: {title}",
                    synthetic=params.is_synthetic,
                    input_hash=hashlib.sha256((input_hash + label).encode()).hexdigest(),
                    root=root,
                    pdf=pdf,
                )
            )
    return tasks


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "unnamed"


def brief_ministries(params: Params, root: Path) -> list[str]:
    """Ministries / states that get a brief: those listed (or all) with enough participants.

    Raises
    ------
    ParamsError
        A listed ministry is not in the data (with a "did you mean").
    """
    from evaluation.analysis.describe import ministry_participation
    from evaluation.data.backend import connect

    store = connect(params.data.store_path(root), backend=params.backend)
    try:
        table = ministry_participation(store, params.window, params.target_hours)
    finally:
        if params.backend == "spark":
            # the kernels' drivers need the cluster's cores this application would keep
            from evaluation.data.spark import stop_session

            stop_session()
    known = table["ministry"].tolist()
    if params.ministries == "all":
        wanted = known
    else:
        unknown = [m for m in params.ministries if m not in known]
        if unknown:
            hint = difflib.get_close_matches(unknown[0], known, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ParamsError(
                "params", [f"ministries: unknown ministry {unknown[0]!r}{suggestion}"]
            )
        wanted = list(params.ministries)
    large = table[table["participants"] >= params.brief_min_participants]["ministry"]
    return sorted(set(wanted) & set(large))


def _execute(task: Task) -> NotebookResult:
    """Run one notebook and export it (runs in a worker process).

    The notebook gets the worker's kernel, reset after the previous notebook (its imports
    done), or a fresh one (:mod:`evaluation.run.kernels`).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from evaluation.run import kernels

    started = time.perf_counter()
    out_ipynb = task.run_dir / f"{task.name}.ipynb"
    out_dir = task.run_dir / task.name
    out_dir.mkdir(parents=True, exist_ok=True)
    result = NotebookResult(task.edition, task.notebook, "ok", 0.0, task.input_hash)
    kernel = kernels.take_kernel(KERNEL, task.root)
    try:
        papermill.execute_notebook(
            str(task.source),
            str(out_ipynb),
            parameters=task.parameters,
            kernel_name=KERNEL,
            cwd=str(task.root),
            progress_bar=False,
            log_output=False,
            execution_timeout=task.timeout,
            km=kernel,
        )
    except PapermillExecutionError as exc:
        result.status = "failed"
        # exec_count is the "In [n]" the reader sees in the kept notebook (Papermill's injected
        # parameters cell counts too).
        result.failing_cell = exc.exec_count
        first_line = next((ln for ln in exc.source.splitlines() if ln.strip()), "")
        result.error = (
            f"{exc.ename}: {exc.evalue}".splitlines()[0][:300] + f" in `{first_line[:80]}`"
        )
    except Exception as exc:  # a dead kernel or timeout is reported the same way
        result.status = "failed"
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    finally:
        kernels.give_back(kernel, task.root, healthy=result.status == "ok")
    if result.status == "ok":
        _export_notebook(task)
    result.files = sorted(p.name for p in task.run_dir.glob(f"{task.name}.*"))
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _export_notebook(task: Task) -> list[Path]:
    """Write every notebook-scope format of the registry for an executed notebook, in order."""
    context = NotebookContext(
        executed=task.run_dir / f"{task.name}.ipynb",
        run_dir=task.run_dir,
        name=task.name,
        title=task.title,
        meta=f"Edition {task.edition} · workbench {__version__}",
        synthetic=task.synthetic,
        pdf=task.pdf,
    )
    written = [
        exporter.write(context, context.path(exporter.suffix))
        for exporter in registered("notebook")
    ]
    return [path for path in written if path is not None]


def _export_edition(run_dir: Path, notebooks: list[str]) -> list[Path]:
    """Write every edition-scope format of the registry (merged findings, workbook), in order."""
    context = EditionContext(run_dir=run_dir, notebooks=notebooks)
    written = [
        exporter.write(context, context.path(exporter.suffix)) for exporter in registered("edition")
    ]
    return [path for path in written if path is not None]


#: Allocator settings for notebook kernels (measured in docs/scale.md, "Measured choices in
#: the code"). glibc raises its mmap threshold after the first large frees, so the large
#: columns of a national person frame come from the heap and their memory stays with the
#: kernel after they are freed; a fixed threshold returns it. Arrow's default pool (mimalloc)
#: keeps what the engine's result batches used: at scale 1 a kernel held 7.4 GB after building
#: 03_impact's 3.5 GB frame, and 3.8 GB with Arrow on the system allocator.
KERNEL_MALLOC = {
    "MALLOC_MMAP_THRESHOLD_": "1048576",
    "MALLOC_TRIM_THRESHOLD_": "1048576",
    "ARROW_DEFAULT_MEMORY_POOL": "system",
}


def _warm_worker(log_path: str, engine_memory: str) -> None:
    """Send this worker's (and its kernels') stderr to the run log; import the heavy modules once.

    Kernel start-up chatter and library warnings belong in the log, not on the reader's screen.
    ``engine_memory`` becomes the DuckDB memory limit of this worker's kernels (unless the user
    set :data:`~evaluation.data.backend.MEMORY_LIMIT_ENV`), so kernels running at once share one
    budget instead of each taking the default.
    """
    import logging

    os.environ.setdefault(MEMORY_LIMIT_ENV, engine_memory)
    for name, value in KERNEL_MALLOC.items():
        os.environ.setdefault(name, value)

    handle = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(handle, 2)
    logging.basicConfig(stream=open(2, "w", closefd=False), level=logging.WARNING)  # noqa: SIM115
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    _compile_templates_once()


class _TemplateCache:
    """Jinja bytecode kept in memory: a worker compiles nbconvert's templates once."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Any) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # checks the source's hash

    def dump_bytecode(self, bucket: Any) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


def _compile_templates_once() -> None:
    """Give every nbconvert exporter of this worker one Jinja bytecode cache.

    The HTML exporter builds a new Jinja environment for each notebook and compiled its
    templates again each time (about 0.5 s a notebook, most of an HTML export); the cache
    returns the same compiled code, so the pages are unchanged.
    """
    import jinja2
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = TemplateExporter._create_environment
    if getattr(create, "nlw_cached", False):
        return
    cache = type("NlwTemplateCache", (_TemplateCache, jinja2.BytecodeCache), {})()

    def create_cached(self: TemplateExporter) -> jinja2.Environment:
        environment = create(self)
        environment.bytecode_cache = cache
        return environment

    create_cached.nlw_cached = True  # type: ignore[attr-defined]
    TemplateExporter._create_environment = create_cached  # type: ignore[method-assign]


def _run_folders(edition_dir: Path, skip: Path) -> list[Path]:
    """An edition's run folders, ``latest`` first, then newest first (failed, killed ones too)."""
    if not edition_dir.is_dir():
        return []
    latest = edition_dir / "latest"
    first = [latest.resolve()] if latest.is_dir() else []
    others = sorted(
        (
            p
            for p in edition_dir.iterdir()
            if p.is_dir() and not p.is_symlink() and p not in (*first, skip)
        ),
        key=lambda p: p.name.removeprefix(".partial-"),  # run ids start with their time
        reverse=True,
    )
    return first + others


def _finished_in(folder: Path) -> list[NotebookResult]:
    """Notebooks a run folder holds finished: from its manifest, else its progress records."""
    manifest = folder / "manifest.json"
    progress = folder / PROGRESS
    items: list[dict] = []
    try:
        if manifest.exists():
            items = json.loads(manifest.read_text(encoding="utf-8")).get("notebooks", [])
        elif progress.exists():
            for line in progress.read_text(encoding="utf-8").splitlines():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError:  # a line cut short when the run was killed
                    continue
    except (OSError, json.JSONDecodeError):
        return []  # an unreadable folder offers nothing to reuse
    found = []
    for item in items:
        try:
            result = NotebookResult(**item)
        except TypeError:
            continue
        if result.status in _FINISHED and all((folder / f).is_file() for f in result.files):
            found.append(result)
    return found


def _previous_results(
    edition_dir: Path, skip: Path
) -> dict[tuple[str, str], tuple[Path, NotebookResult]]:
    """Finished notebooks of earlier runs by (name, input hash): the first folder that has it."""
    found: dict[tuple[str, str], tuple[Path, NotebookResult]] = {}
    for folder in _run_folders(edition_dir, skip):
        for result in _finished_in(folder):
            found.setdefault((result.notebook, result.input_hash), (folder, result))
    return found


def _reuse(task: Task, previous: Path, old: NotebookResult) -> NotebookResult:
    for path in previous.glob(f"{task.name}.*"):
        shutil.copy2(path, task.run_dir / path.name)
    if (previous / task.name).is_dir():
        shutil.copytree(previous / task.name, task.run_dir / task.name, dirs_exist_ok=True)
    return NotebookResult(
        task.edition, task.notebook, "reused", 0.0, task.input_hash, files=old.files
    )


def _note_finished(task: Task, result: NotebookResult) -> None:
    """Append a finished notebook to its run folder's progress records (read by resume)."""
    if result.status not in _FINISHED:
        return
    with open(task.run_dir / PROGRESS, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(result)) + "\n")


def _git_commit(root: Path) -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "evaluation": __version__}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _finish_edition(
    params: Params, root: Path, run_dir: Path, results: list[NotebookResult], seconds: float
) -> Path:
    from evaluation.analysis.briefs import CACHE_FOLDER

    # the briefs' shared results are a cache, not an output: gone before the audit
    shutil.rmtree(run_dir / CACHE_FOLDER, ignore_errors=True)
    _export_edition(run_dir, [r.notebook for r in results])
    manifest = {
        "edition": params.edition,
        "params": params.notebook_parameters(),
        "data_manifest_sha256": data_fingerprint(params.data.store_path(root)),
        "git_commit": _git_commit(root),
        "versions": _versions(),
        "seconds": round(seconds, 2),
        "status": "ok" if all(r.status != "failed" for r in results) else "failed",
        "notebooks": [asdict(r) for r in results],
    }
    atomic_write_text(run_dir / "manifest.json", json.dumps(manifest, indent=2) + "\n")
    (run_dir / PROGRESS).unlink(missing_ok=True)  # the manifest now says it all
    return run_dir


def _publish(run_dir: Path, ok: bool) -> Path:
    """Move the finished run from its partial name into place; point ``latest`` at it if ok."""
    final = run_dir.with_name(run_dir.name.removeprefix(".partial-"))
    os.replace(run_dir, final)
    if ok:
        latest = final.parent / "latest"
        tmp = final.parent / ".latest.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(final.name)
        os.replace(tmp, latest)
    return final


def run_editions(
    params_files: Iterable[str | Path],
    *,
    jobs: int = 1,
    resume: bool = False,
    pdf: bool = True,
    outputs: Path | None = None,
    notebooks_dir: Path | None = None,
    ministries: list[str] | None = None,
    on_event: Callable[[str, object], None] = lambda kind, payload: None,
) -> RunSummary:
    """Run every edition named by ``params_files``; see the module docstring.

    ``on_event(kind, payload)`` receives ``("plan", tasks)``, ``("start", task)``,
    ``("done", result)`` and ``("log", message)`` so the CLI can draw progress.

    Raises
    ------
    ParamsError
        A params file is invalid (nothing has run).
    OutputError
        The outputs folder cannot be written: found before any kernel starts, or during the
        run (this run's partial folders are then removed and ``latest`` is untouched).
    """
    all_params = [load_params(p, check_data=True) for p in params_files]  # fail before kernels
    if ministries:
        chosen = "all" if ministries == ["all"] else ministries
        all_params = [p.model_copy(update={"ministries": chosen}) for p in all_params]
    if not all_params:
        raise ValueError("no params files given")
    root = project_root()
    outputs = check_writable(outputs or root / "outputs")
    from evaluation.run.audit import available_salt

    salt = available_salt()  # read now: a bad salt fails before kernels, not after them
    for params in all_params:
        ensure_data(params, root, log=lambda m: on_event("log", m))
    run_id = _run_id()
    editions: list[tuple[Params, Path, list[Task]]] = []
    for params in all_params:
        run_dir = outputs / params.edition / f".partial-{run_id}"
        tasks = plan(params, root, run_dir, pdf=pdf, notebooks_dir=notebooks_dir)
        editions.append((params, run_dir, tasks))
    try:
        with output_errors(outputs):
            return _run_planned(editions, root, outputs, run_id, jobs, resume, salt, on_event)
    except OutputError:
        for _, run_dir, _ in editions:
            shutil.rmtree(run_dir, ignore_errors=True)  # published ones were renamed already
        raise


def _run_planned(
    editions: list[tuple[Params, Path, list[Task]]],
    root: Path,
    outputs: Path,
    run_id: str,
    jobs: int,
    resume: bool,
    salt: bytes | None,
    on_event: Callable[[str, object], None],
) -> RunSummary:
    """Execute, merge, audit and publish planned editions (inside the write-failure guard)."""
    for _, run_dir, _ in editions:
        run_dir.mkdir(parents=True, exist_ok=True)
    tasks = [t for _, _, ts in editions for t in ts]
    on_event("plan", tasks)
    results = _execute_all(
        tasks, jobs=jobs, resume=resume, outputs=outputs, run_id=run_id, on_event=on_event
    )
    run_dirs: dict[str, Path] = {}
    audits: dict[str, AuditReport] = {}
    for params, run_dir, ts in editions:
        mine = [results[id(t)] for t in ts]
        _finish_edition(params, root, run_dir, mine, sum(r.seconds for r in mine))
    identifiers = _identifier_indexes(editions, root, salt)
    for params, run_dir, ts in editions:
        mine = [results[id(t)] for t in ts]
        audits[params.edition] = _self_audit(params, root, run_dir, salt, identifiers, on_event)
        ok = all(r.status != "failed" for r in mine) and audits[params.edition].ok
        run_dirs[params.edition] = _publish(run_dir, ok)
    from evaluation.run.index import write_index

    index = write_index(outputs)
    ordered = [results[id(t)] for t in tasks]
    return RunSummary(results=ordered, run_dirs=run_dirs, index=index, audits=audits)


def _identifier_indexes(
    editions: list[tuple[Params, Path, list[Task]]], root: Path, salt: bytes | None
) -> dict[Path, IdentifierIndex]:
    """One raw-identifier index per raw folder, holding only what these runs could contain.

    Every edition's outputs are written before any is audited, so the index of a raw folder is
    restricted to the words of all the run folders that share it (audit.output_vocabulary): the
    raw exports are read once, and at national scale (crores of identifiers) the index keeps
    only the handful whose anchor word occurs in an output.
    """
    from evaluation.run.audit import collect_identifiers, output_vocabulary

    folders: dict[Path, list[Path]] = {}
    for params, run_dir, _ in editions:
        folders.setdefault(params.data.raw_path(root).resolve(), []).append(run_dir)
    return {
        raw: collect_identifiers(raw, salt=salt, vocabulary=output_vocabulary(run_dirs))
        for raw, run_dirs in folders.items()
    }


def _self_audit(
    params: Params,
    root: Path,
    run_dir: Path,
    salt: bytes | None,
    identifiers: dict[Path, IdentifierIndex],
    on_event: Callable[[str, object], None],
) -> AuditReport:
    """Audit the run's own outputs; a run that leaks a person or a small cell is not ``latest``.

    ``identifiers`` caches the raw identifier index by raw folder: editions that share their raw
    exports (most do) read them once per run.
    """
    from evaluation.run.audit import audit_outputs, collect_identifiers

    raw = params.data.raw_path(root).resolve()
    if raw not in identifiers:
        identifiers[raw] = collect_identifiers(raw, salt=salt, vocabulary=None)
    report = audit_outputs(
        run_dir, raw_dir=raw, min_cell=params.min_cell, identifiers=identifiers[raw]
    )
    atomic_write_text(run_dir / "audit.json", json.dumps(report.to_dict(), indent=2) + "\n")
    if not report.ok:
        manifest_path = run_dir / "manifest.json"
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["status"] = "failed-audit"
        atomic_write_text(manifest_path, json.dumps(manifest, indent=2) + "\n")
    on_event("log", report.summary(limit=5))
    return report


def _execute_all(
    tasks: list[Task],
    *,
    jobs: int,
    resume: bool,
    outputs: Path,
    run_id: str,
    on_event: Callable[[str, object], None],
) -> dict[int, NotebookResult]:
    results: dict[int, NotebookResult] = {}
    pending = []
    previous: dict[Path, dict[tuple[str, str], tuple[Path, NotebookResult]]] = {}
    for task in tasks:
        if resume and task.run_dir not in previous:
            previous[task.run_dir] = _previous_results(task.run_dir.parent, task.run_dir)
        old = previous.get(task.run_dir, {}).get((task.notebook, task.input_hash))
        if old:
            results[id(task)] = _reuse(task, *old)
            _note_finished(task, results[id(task)])
            on_event("done", results[id(task)])
        else:
            pending.append(task)
    if not pending:
        return results
    log_path = outputs / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    on_event("log", f"run log: {log_path}")
    workers = max(1, min(jobs, len(pending)))
    engine_memory = f"{max(1, ENGINE_MEMORY_GB // workers)}GB"
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_warm_worker, initargs=(str(log_path), engine_memory)
    ) as pool:
        futures = {}
        for task in pending:
            on_event("start", task)
            futures[pool.submit(_execute, task)] = task
        for future in as_completed(futures):
            task = futures[future]
            try:
                results[id(task)] = future.result()
            except Exception as exc:  # a worker that died is a failed notebook, not a crash
                results[id(task)] = NotebookResult(
                    task.edition,
                    task.notebook,
                    "failed",
                    0.0,
                    task.input_hash,
                    error=repr(exc)[:300],
                )
            _note_finished(task, results[id(task)])
            on_event("done", results[id(task)])
    return results
