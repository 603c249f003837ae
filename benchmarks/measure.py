"""Wall time, CPU time and peak memory of a command and of every process it starts.

``python -m benchmarks.measure -- nlw run params/2024.yaml --jobs 2`` prints one JSON line:
``wall_s``, ``cpu_s`` (user + system of the command and the children it waited for),
``largest_process_mb`` (the largest single process's peak resident set, what ``/usr/bin/time
-v`` calls "maximum resident set size") and ``tree_peak_mb``: the peak of the *sum* of resident
memory over the command's whole process tree, sampled every 50 ms from ``/proc``. With
``nlw run --jobs 2`` two notebook kernels run at once, so only the tree figure says whether a
run fits in a machine's memory; a 50 ms sample can miss a spike shorter than that.

Two Linux details: pages shared between processes (a forked worker and its parent) count once
per process in the tree sum, so it errs high; and a child's "maximum resident set" starts at
what its parent held when it forked (the kernel records the pre-exec copy's size), so
``largest_process_mb`` is at least the launcher's size at start. Here the launcher is this small
process, so that floor is tens of megabytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children() -> dict[int, list[int]]:
    """Parent pid -> child pids of every process now visible in ``/proc``."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # the command name (field 2) may contain spaces and parentheses: split after the last ")"
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of ``root`` and all its descendants, summed."""
    tree, total, todo = _children(), 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            # statm field 2 = resident pages
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
        except OSError:
            continue
    return total


@dataclass
class TreeSampler:
    """Keeps the peak of :func:`tree_rss_kb` over repeated :meth:`sample` calls."""

    root: int
    peak_kb: int = 0

    def sample(self) -> None:
        self.peak_kb = max(self.peak_kb, tree_rss_kb(self.root))


def measure(command: list[str], *, interval: float = 0.05) -> dict:
    """Run ``command`` to the end and return its costs (see the module docstring)."""
    start = time.perf_counter()
    child = subprocess.Popen(command)
    sampler = TreeSampler(child.pid)
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)
            break
        sampler.sample()
        time.sleep(interval)
    return {
        "command": " ".join(command),
        "exit_code": child.returncode,
        "wall_s": round(time.perf_counter() - start, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        # Linux reports ru_maxrss in kilobytes: the largest single process waited for
        "largest_process_mb": round(usage.ru_maxrss / 1024),
        "tree_peak_mb": round(sampler.peak_kb / 1024),
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.measure -- COMMAND ...``: run it, print the costs as JSON."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m benchmarks.measure -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    result = measure(argv)
    print(json.dumps(result), flush=True)
    return result["exit_code"]


if __name__ == "__main__":
    raise SystemExit(main())
