"""Guard the outputs folder: fail early and clearly when it cannot be written.

A run writes for minutes; a read-only or full disk found at the end wastes them and leaves half
a run behind. :func:`check_writable` probes the folder (create it, write and remove a small file,
measure free space) before any kernel starts; :func:`output_errors` turns a write failure during
the run into an :class:`OutputError` that names the folder and the reason, so the runner can
clean up and the CLI can say it in one line.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["MIN_FREE_BYTES", "OutputError", "check_writable", "is_output_fault", "output_errors"]

#: Free space a run needs before it starts: above a full edition with PDFs (docs/scale.md).
MIN_FREE_BYTES = 100 * 2**20

#: errno of a failed write that says the folder cannot take outputs (not a bug in the runner).
_REASONS = {
    errno.ENOSPC: "disk full",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a file is in the way of a folder",
    errno.EEXIST: "a file is in the way of a folder",
}


class OutputError(OSError):
    """The outputs folder cannot be written; ``folder`` and ``reason`` say where and why.

    Examples
    --------
    >>> str(OutputError(Path("/srv/outputs"), "disk full"))
    'cannot write to the outputs folder /srv/outputs: disk full'
    """

    def __init__(self, folder: Path, reason: str, code: int | None = None) -> None:
        super().__init__(code or 0, f"cannot write to the outputs folder {folder}: {reason}")
        self.folder = Path(folder)
        self.reason = reason

    def __str__(self) -> str:
        return self.strerror or ""  # always set by __init__; OSError types it as optional

    def __reduce__(self):
        # OSError pickles its (errno, message) args; rebuild from what this class takes.
        return type(self), (self.folder, self.reason, self.errno)


def _reason(exc: OSError) -> str:
    if exc.errno is not None and exc.errno in _REASONS:
        return _REASONS[exc.errno]
    return exc.strerror or type(exc).__name__


def is_output_fault(exc: BaseException) -> bool:
    """Whether ``exc`` is a write failure caused by the folder or disk (full, read-only, ...)."""
    return isinstance(exc, OSError) and exc.errno in _REASONS


def check_writable(folder: Path, *, min_free_bytes: int = MIN_FREE_BYTES) -> Path:
    """Make sure ``folder`` exists, takes a file and has ``min_free_bytes`` free.

    Parameters
    ----------
    folder : Path
        The outputs root; created with its parents when missing.
    min_free_bytes : int
        Smallest free space accepted.

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    OutputError
        The folder cannot be created or written, or the disk is (nearly) full.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(folder, "it is a file, not a folder", errno.ENOTDIR)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A real write, not os.access: root passes access checks on read-only mounts.
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".nlw-write-probe-")
        try:
            os.write(handle, b"nlw")
            os.fsync(handle)
        finally:
            os.close(handle)
            os.unlink(probe)
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        raise OutputError(folder, _reason(exc), exc.errno) from exc
    if free < min_free_bytes:
        raise OutputError(
            folder,
            f"disk full ({free / 2**20:.0f} MB free, a run needs {min_free_bytes / 2**20:.0f} MB)",
            errno.ENOSPC,
        )
    return folder


@contextmanager
def output_errors(folder: Path) -> Iterator[None]:
    """Re-raise a full-disk / read-only / permission failure inside as :class:`OutputError`.

    Other errors pass unchanged: they are bugs to see with their traceback, not a folder to fix.
    """
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        if not is_output_fault(exc):
            raise
        raise OutputError(folder, _reason(exc), exc.errno) from exc
