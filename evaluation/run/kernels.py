"""One notebook kernel per runner worker, reset between notebooks instead of restarted.

A kernel started for each notebook spends seconds importing pandas, Ibis, DuckDB, matplotlib and
the workbench before the first cell does any work, more than a short notebook's own work
(measured in ``benchmarks/results/*-notebook-overhead.md``). Starting the next kernel while the
current notebook runs only hides that when the notebook takes longer than the imports, and on a
2-core machine the imports still compete with the notebooks. So each worker keeps its kernel:
after a notebook it is reset (every name the notebook defined removed, open figures closed,
garbage collected, the execution count back to 1) and handed to the next notebook as
Papermill's ``km``, whose first cell then finds the modules already in ``sys.modules``.

A kernel that died, timed out, or holds more than :data:`RECYCLE_MB` of memory after its reset
is shut down and the next notebook gets a fresh one; ``NLW_KERNEL_REUSE=0`` gives every notebook
a fresh kernel (the behaviour before).
"""

from __future__ import annotations

import multiprocessing.util
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

__all__ = ["RECYCLE_MB", "REUSE_ENV", "RESET_CODE", "give_back", "take_kernel"]

#: Set to ``0`` to start a fresh kernel for every notebook.
REUSE_ENV = "NLW_KERNEL_REUSE"
#: A kernel holding more than this after its reset (e.g. after a national person frame) is
#: replaced, so one notebook's memory never carries into the next.
RECYCLE_MB = 1024
#: Run silently after each notebook: names and output history (``reset``, which also collects
#: garbage), a new history session with the execution count back to 1 (the same session would
#: print "Session/line number was not unique" into the next notebook), open figures; binds no
#: name. ``gc.freeze()`` moves what survives (the imported modules) out of the collector's
#: sight: the first reset's collection takes about a second, later ones a few milliseconds.
RESET_CODE = (
    "get_ipython().reset(new_session=True); "
    '(lambda plt: plt is not None and plt.close("all"))'
    '(__import__("sys").modules.get("matplotlib.pyplot")); '
    '__import__("gc").freeze()'
)
_RESET_TIMEOUT = 120


@dataclass
class _Kept:
    """A kernel being reset for the next notebook: the reset's reply is read when it is taken."""

    manager: AsyncKernelManager
    cwd: Path
    client: BlockingKernelClient
    reset_id: str


_kept: _Kept | None = None
_finalizer_registered = False


def _reuse() -> bool:
    return os.environ.get(REUSE_ENV, "1") != "0"


def take_kernel(kernel_name: str, cwd: Path) -> AsyncKernelManager:
    """A started kernel for the next notebook: this worker's kept one, or a new one in ``cwd``.

    The caller hands it to Papermill as ``km`` and then calls :func:`give_back`.
    """
    global _kept, _finalizer_registered
    kept, _kept = _kept, None
    if kept is not None:
        if kept.cwd == cwd and _was_reset(kept) and _resident_mb(kept.manager) <= RECYCLE_MB:
            return kept.manager
        _shutdown(kept.manager, now=True)
    manager = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(manager.start_kernel)(cwd=str(cwd))
    if not _finalizer_registered:
        # A pool worker leaves through multiprocessing's exit path, which skips atexit.
        multiprocessing.util.Finalize(None, discard, exitpriority=10)
        _finalizer_registered = True
    return manager


def give_back(manager: AsyncKernelManager, cwd: Path, *, healthy: bool) -> None:
    """Start resetting the kernel for the next notebook (returns at once), or shut it down.

    The reset runs while the runner exports this notebook; :func:`take_kernel` reads its
    reply. ``healthy`` is False after a failure (an error, a timeout, a dead kernel): the
    kernel is then never reused.
    """
    global _kept
    if not (healthy and _reuse() and run_sync(manager.is_alive)()):
        _shutdown(manager, now=not healthy)
        return
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(iopub=False, stdin=False, hb=False, control=False)
    reset_id = client.execute(RESET_CODE, silent=True, store_history=False, allow_stdin=False)
    _kept = _Kept(manager, cwd, client, reset_id)


def _was_reset(kept: _Kept) -> bool:
    """Whether the kept kernel answered its reset with ``ok`` (waits for the reply)."""
    try:
        while True:
            reply = kept.client.get_shell_msg(timeout=_RESET_TIMEOUT)
            if reply["parent_header"].get("msg_id") == kept.reset_id:
                return bool(reply["content"].get("status") == "ok")
    except Exception:  # no reply in time (queue.Empty), a dead kernel: do not reuse
        return False
    finally:
        kept.client.stop_channels()


def _resident_mb(manager: AsyncKernelManager) -> float:
    """The kernel process's resident memory (Linux ``/proc``; 0 where unknown)."""
    process = getattr(manager.provisioner, "process", None)
    pid = getattr(process, "pid", None)
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _shutdown(manager: AsyncKernelManager, *, now: bool) -> None:
    try:
        if run_sync(manager.is_alive)():
            run_sync(manager.shutdown_kernel)(now=now)
    except RuntimeError:  # already gone
        pass
    finally:
        run_sync(manager.cleanup_resources)()


def discard() -> None:
    """Shut down this worker's kept kernel, if any (at worker exit)."""
    global _kept
    kept, _kept = _kept, None
    if kept is not None:
        _was_reset(kept)  # a kernel shut down mid-reset logs a socket error
        _shutdown(kept.manager, now=False)
