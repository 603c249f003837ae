"""Compare the reader-facing files of two ``outputs/`` folders, byte for byte.

Used to show that a refactor changed no output (issue 13): run ``make run`` before and after,
then ``python scripts/compare_runs.py BEFORE/outputs AFTER/outputs``. Exit 0 when every HTML,
CSV, JSON, XLSX and PNG file under each edition's ``latest`` run is byte-identical, 1 otherwise.

Two files carry facts about the run rather than the data, and are compared after dropping them:
``manifest.json`` (timings, git commit, run folder, input hashes) and ``audit.json`` (the run
folder it read, and the count of identifiers searched by kind, which depends on whether a salt
file existed when it ran).
Executed notebooks (``.ipynb``) hold timings and kernel ids and are not compared; the
``index.html`` names run folders, so run ids are replaced by ``<run>`` before comparing.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

COMPARED = {".html", ".csv", ".json", ".xlsx", ".png"}
#: Keys that describe the run, not what readers get: dropped at any depth before comparing.
#: ``input_hash`` hashes the library's source (it changes with any refactor, by design: resume
#: must not reuse a notebook run by other code); ``data_manifest_sha256`` hashes the store's
#: manifest, which carries the ingest's ``created_at``.
RUN_FACTS = {
    "seconds",
    "git_commit",
    "output_dir",
    "run_id",
    "started",
    "finished",
    "log",
    "input_hash",
    "data_manifest_sha256",
}
RUN_ID = re.compile(rb"\d{8}T\d{6}-\d+")


def _drop_run_facts(value: object) -> object:
    if isinstance(value, dict):
        return {k: _drop_run_facts(v) for k, v in value.items() if k not in RUN_FACTS}
    if isinstance(value, list):
        return [_drop_run_facts(v) for v in value]
    return value


def _normalised(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name == "manifest.json":
        return json.dumps(_drop_run_facts(json.loads(data)), sort_keys=True).encode()
    if path.name == "audit.json":
        audit = json.loads(data)
        audit.pop("searched", None)
        return json.dumps(_drop_run_facts(audit), sort_keys=True).encode()
    return RUN_ID.sub(b"<run>", data)


def _files(outputs: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    runs = sorted(p for p in outputs.glob("*/latest") if p.is_symlink() or p.is_dir())
    for latest in runs:
        run = latest.resolve()
        for path in sorted(run.rglob("*")):
            if path.is_file() and path.suffix in COMPARED:
                found[f"{latest.parent.name}/{path.relative_to(run).as_posix()}"] = path
    if (outputs / "index.html").exists():
        found["index.html"] = outputs / "index.html"
    return found


def compare(before: Path, after: Path) -> list[str]:
    """Every difference between two outputs folders, one line each (empty when identical)."""
    old, new = _files(before), _files(after)
    problems = [f"only before: {name}" for name in sorted(old.keys() - new.keys())]
    problems += [f"only after: {name}" for name in sorted(new.keys() - old.keys())]
    for name in sorted(old.keys() & new.keys()):
        if _normalised(old[name]) != _normalised(new[name]):
            problems.append(f"differs: {name}")
    return problems


def main(argv: list[str]) -> int:
    """Print the differences and return the exit status."""
    if len(argv) != 2:
        print(__doc__)
        return 2
    before, after = (Path(a) for a in argv)
    problems = compare(before, after)
    for line in problems:
        print(line)
    count = len(_files(before))
    print(f"{count} files compared: {'identical' if not problems else f'{len(problems)} differ'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
