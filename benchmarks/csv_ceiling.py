"""How fast can this machine parse the raw CSVs at all? ``python -m benchmarks.csv_ceiling DIR``.

Issue 3 asks ingest to run 5x faster than ``pandas.read_csv`` of the same files. Ingest parses,
validates, hashes identifiers and writes Parquet; it cannot be faster than parsing alone. This
script times parsing alone, every CSV under ``DIR`` into memory, with each parser this
environment has (nothing validated or written), one after another in one process, so the
figures are comparable. DuckDB's result is materialised (``to_arrow_table`` / a temporary table):
its ``arrow()`` can return a lazy reader that parses nothing until read.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path


def _timed(name: str, megabytes: float, parse: Callable[[], object]) -> float:
    start = time.perf_counter()
    parse()
    seconds = time.perf_counter() - start
    print(f"| {name} | {seconds:.2f} | {megabytes / seconds:.0f} |", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> int:
    """Print a Markdown table: parser, seconds, MB/s, and each parser's speed over pandas."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)

    import duckdb
    import pandas as pd
    import pyarrow.csv as pacsv

    files = sorted(str(p) for p in args.folder.rglob("*.csv"))
    megabytes = sum(os.path.getsize(f) for f in files) / 1e6
    con = duckdb.connect()
    print(f"{megabytes:.0f} MB in {len(files)} files, {os.cpu_count()} cores\n")
    print("| parser | seconds | MB/s |\n|---|---:|---:|")
    parsers = {
        "pandas.read_csv (C engine, the issue's baseline)": lambda: [
            pd.read_csv(f, low_memory=False) for f in files
        ],
        "pandas.read_csv(engine='pyarrow')": lambda: [
            pd.read_csv(f, engine="pyarrow") for f in files
        ],
        "pyarrow.csv.read_csv": lambda: [pacsv.read_csv(f) for f in files],
        "DuckDB read_csv, typed, to Arrow": lambda: [
            con.sql(f"SELECT * FROM read_csv('{f}')").to_arrow_table() for f in files
        ],
        "DuckDB read_csv, all text, to a table": lambda: [
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_csv('{f}', all_varchar=true)"
            )
            for f in files
        ],
    }
    seconds = {name: _timed(name, megabytes, parse) for name, parse in parsers.items()}
    baseline = next(iter(seconds.values()))
    print()
    for name, value in seconds.items():
        print(f"- {name}: {baseline / value:.2f}x pandas.read_csv")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
