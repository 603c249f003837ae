"""The processed store: atomic publication of a dataset folder and its manifest."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["FileDigests", "Manifest", "publish", "scratch_dir", "sha256_file"]

_BLOCK = 4 << 20


def sha256_file(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class FileDigests:
    """SHA-256 digests of files taken on a background thread while the engine works.

    ``hashlib`` and file reads release the GIL, so the digests of the inputs (read while the
    files are staged) and of the written tables (read while the next table is written) cost the
    ingest's wall time little: 0.5 s of a 15 s ingest at bench scale took the main thread
    before (benchmarks/results/2026-12-03-ingest.md). Call :meth:`close` (or use it as a
    context manager) when done.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
        self._pending: dict[Path, Future[str]] = {}

    def __enter__(self) -> FileDigests:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for the digest being taken; drop the queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, path: Path) -> None:
        """Start the digest of ``path`` (once per path)."""
        if path not in self._pending:
            self._pending[path] = self._pool.submit(sha256_file, path)

    def hexdigest(self, path: Path) -> str:
        """The digest of ``path``: the one started by :meth:`submit`, else taken now."""
        future = self._pending.get(path)
        return future.result() if future is not None else sha256_file(path)


@dataclass
class Manifest:
    """What an ingest read, wrote, rejected and normalised (``manifest.json``).

    Attributes
    ----------
    dataset : str
        Name of the processed dataset folder.
    schema_version : str
        Version of the canonical contract the tables follow.
    created_at : str
        UTC time of the ingest (ISO 8601).
    shape : str
        Raw shape read: ``warehouse`` or ``reports``.
    shape_notes : list of str
        What the reader found and chose.
    link_key : str
        How people were linked: ``user_id`` (platform ids) or ``email`` (normalised email,
        hashed like an id, for reports without user ids).
    salt_source : str
        Where the pseudonymisation salt came from (``env`` or ``file``); never the salt.
    inputs : list of dict
        Input files: relative path, bytes, sha256.
    sources : dict
        Per raw source: rows_in, rows_kept, rejected by reason, duplicates resolved by rule.
    tables : dict
        Per canonical table: rows, bytes and sha256 of its Parquet file.
    normalisation : dict
        Per rule family (group, enrolment_status, org_type, ...): rows per rule.
    warnings : dict
        Count of warnings by rule.
    notes : list of str
        Anything else a reader should know (tables a shape cannot fill, ...).
    linkage : dict
        Per table with ``user_key``: rows whose person is not in ``learners`` (for example
        reports rows of users inactive at export, or outcomes keyed by another id).
    quality : dict
        Field data-quality signals (:mod:`evaluation.data.quality`): implausibly fast
        completions in total and for the organisations and courses with most of them.
    cross_check : dict
        When the raw folder held both shapes: how the tables built from the MDO reports compare
        with those built from the warehouse (:mod:`evaluation.data.ingest.crosscheck`).
    path : Path or None
        Folder the manifest belongs to (set by ``ingest`` and ``read``; not written to JSON).
    """

    dataset: str
    schema_version: str
    created_at: str
    shape: str
    shape_notes: list[str] = field(default_factory=list)
    link_key: str = "user_id"
    salt_source: str = "file"
    inputs: list[dict[str, object]] = field(default_factory=list)
    sources: dict[str, dict[str, object]] = field(default_factory=dict)
    tables: dict[str, dict[str, object]] = field(default_factory=dict)
    normalisation: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    linkage: dict[str, int] = field(default_factory=dict)
    quality: dict[str, object] = field(default_factory=dict)
    cross_check: dict[str, object] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    def to_json(self) -> str:
        """Return the manifest as indented, key-sorted JSON."""
        data = asdict(self)
        data.pop("path")
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)

    def write(self, path: Path) -> None:
        """Write the manifest to ``path``."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Read a manifest written by :meth:`write`."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(**data, path=Path(path).parent)


def scratch_dir(parent: Path, stem: str, purpose: str) -> Path:
    """Create a hidden, uniquely named folder ``parent/.<stem>.<purpose>-<random>``."""
    parent.mkdir(parents=True, exist_ok=True)
    path = parent / f".{stem}.{purpose}-{secrets.token_hex(4)}"
    path.mkdir()
    return path


def publish(staged: Path, target: Path) -> None:
    """Swap a fully written folder into place with renames.

    The previous ``target`` is renamed aside, ``staged`` renamed to ``target``, and only then is
    the old folder deleted; if the second rename fails the old folder is put back. Both folders
    live in the same parent, so each rename is atomic on POSIX file systems.

    Parameters
    ----------
    staged : Path
        Complete new dataset folder.
    target : Path
        Where it must appear.
    """
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{secrets.token_hex(4)}")
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
