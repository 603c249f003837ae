"""The checks of the written store and the digests of the manifest (issue 18, item 6).

The checks of the user key and the linkage counts share one anti join per table; the file
digests are taken on a background thread. Both are held here to what they replaced: the key
rule on every row of every table, the linkage counted directly, and ``hashlib`` on each file.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaluation.core.contract import CANONICAL_COLUMNS, TABLES, arrow_schema
from evaluation.data.ingest import ingest, pipeline
from evaluation.data.ingest.store import FileDigests, sha256_file

#: Exports written by the platform's own jobs (tests/data/platform/README.md).
PLATFORM = Path(__file__).resolve().parents[1] / "data" / "platform"
HEX_ELSEWHERE = "f" * 64  # a well-formed key that no learner has


def _store(tmp_path: Path) -> Path:
    ingest(PLATFORM / "python" / "warehouse", tmp_path / "out", dataset="d")
    return tmp_path / "out" / "d"


def _set_keys(path: Path, table: str, keys: dict[int, str]) -> None:
    """Replace the ``user_key`` of the given rows, keeping the contract's schema."""
    data = pq.read_table(path)
    column = data.column("user_key").to_pylist()
    for row, key in keys.items():
        column[row] = key
    data = data.set_column(
        data.schema.get_field_index("user_key"), "user_key", pa.array(column, pa.string())
    )
    pq.write_table(data.cast(arrow_schema(table)), path)


def _linkage_directly(store: Path) -> dict[str, int]:
    con = duckdb.connect()
    learners = {
        k for (k,) in con.execute(f"SELECT user_key FROM '{store}/learners.parquet'").fetchall()
    }
    counts = {}
    for table in TABLES:
        if table == "learners" or "user_key" not in CANONICAL_COLUMNS[table]:
            continue
        keys = con.execute(f"SELECT user_key FROM '{store}/{table}.parquet'").fetchall()
        counts[table] = sum(1 for (k,) in keys if k not in learners)
    return counts


def test_a_clean_store_passes_and_its_linkage_is_counted(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _set_keys(store / "enrolments.parquet", "enrolments", {0: HEX_ELSEWHERE})
    problems, unlinked = pipeline._check_written(duckdb.connect(), store)
    assert problems == []
    assert unlinked == _linkage_directly(store)
    assert unlinked["enrolments"] >= 1


def test_a_raw_id_in_a_fact_table_breaks_the_contract(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _set_keys(
        store / "enrolments.parquet",
        "enrolments",
        {0: "raw-user-7", 1: "RAW-USER-8", 2: HEX_ELSEWHERE},
    )
    problems, unlinked = pipeline._check_written(duckdb.connect(), store)
    assert [(p.file, p.rule, p.message) for p in problems] == [
        ("enrolments.parquet", "contract", "2 rows: user_key not 64 hex")
    ]
    assert unlinked == _linkage_directly(store)


def test_a_raw_id_in_learners_breaks_the_contract(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _set_keys(store / "learners.parquet", "learners", {0: "raw-user-7"})
    problems, _ = pipeline._check_written(duckdb.connect(), store)
    assert ("learners.parquet", "1 rows: user_key not 64 hex") in [
        (p.file, p.message) for p in problems
    ]


def test_manifest_digests_are_the_files_sha256(tmp_path: Path) -> None:
    src = PLATFORM / "python" / "warehouse"
    manifest = ingest(src, tmp_path / "out", dataset="d")
    assert manifest.inputs  # Parquet parts: digested on the background thread
    for item in manifest.inputs:
        assert item["sha256"] == hashlib.sha256((src / item["path"]).read_bytes()).hexdigest()
    for table, facts in manifest.tables.items():
        written = tmp_path / "out" / "d" / f"{table}.parquet"
        assert facts["sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()


def test_file_digests_match_hashlib_and_close_cleanly(tmp_path: Path) -> None:
    files = []
    for i in range(5):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(bytes(range(256)) * (i * 40_000 + 1))
        files.append(path)
    with FileDigests() as digests:
        for path in files[:4]:
            digests.submit(path)
            digests.submit(path)  # once per path
        assert [digests.hexdigest(p) for p in files] == [sha256_file(p) for p in files]
    abandoned = FileDigests()
    for path in files:
        abandoned.submit(path)
    abandoned.close()  # waits for the one being read, drops the rest: no thread left behind
    assert not [t for t in threading.enumerate() if t.name.startswith("sha256")]
    with pytest.raises(RuntimeError):
        abandoned.submit(tmp_path / "late.bin")


def test_a_malformed_learners_table_still_gives_a_named_error(tmp_path: Path) -> None:
    """Without usable learners there is nothing to join: the schema error is reported and every
    other table's keys are still checked, not a DuckDB error from the join."""
    store = _store(tmp_path)
    learners = pq.read_table(store / "learners.parquet")
    pq.write_table(learners.drop_columns(["user_key"]), store / "learners.parquet")
    _set_keys(store / "enrolments.parquet", "enrolments", {0: "raw-user-7"})
    problems, unlinked = pipeline._check_written(duckdb.connect(), store)
    assert [(p.file, p.rule) for p in problems] == [
        ("learners.parquet", "schema"),
        ("enrolments.parquet", "contract"),
    ]
    assert problems[1].message == "1 rows: user_key not 64 hex"
    assert unlinked == {}
