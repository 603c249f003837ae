"""``backend.connect``: where a relative store path points, what a missing store says, tables().

A notebook runs with ``notebooks/`` as its current directory; ``connect("data/processed/...")``
must open the same folder there as at the repository root (issue 17).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluation.core.params import project_root
from evaluation.data.backend import connect, resolve_store_path

REPO = Path(__file__).resolve().parents[1]
TINY_TABLES = [
    "content",
    "enrolments",
    "event_attendance",
    "events",
    "karma_ledger",
    "learners",
    "org_hierarchy",
]


def test_tables_lists_the_stores_canonical_tables_sorted(tiny_store):
    store = connect(tiny_store)
    assert store.tables() == TINY_TABLES
    # a scratch table in the session is not one of the store's
    store.con.raw_sql("CREATE TABLE scratch AS SELECT 1 AS a")
    assert "scratch" in store.con.list_tables()
    assert store.tables() == TINY_TABLES


def test_a_relative_path_starts_at_the_given_root_not_the_current_directory(
    tiny_store, tmp_path, monkeypatch
):
    elsewhere = tmp_path / "notebooks"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    store = connect("processed/tiny", root=tmp_path)
    assert store.path == tmp_path / "processed" / "tiny"
    assert store.tables() == TINY_TABLES


def test_an_absolute_path_is_used_as_it_is(tiny_store, tmp_path):
    store = connect(tiny_store, root=tmp_path / "somewhere" / "else")
    assert store.path == tiny_store
    assert resolve_store_path(tiny_store, root="/elsewhere") == tiny_store


def test_from_notebooks_a_relative_path_means_the_project_roots_folder(monkeypatch):
    monkeypatch.chdir(REPO / "notebooks")
    assert project_root() == REPO
    assert resolve_store_path("data/processed/synthetic") == REPO / "data/processed/synthetic"
    looked_in = REPO / "data" / "processed" / "no-such-store"
    with pytest.raises(FileNotFoundError) as caught:
        connect("data/processed/no-such-store")
    assert str(caught.value) == (
        f"processed store {looked_in} does not exist; build it with `nlw ingest RAW --out "
        f"{looked_in.parent}` (or `make run`, which synthesises and ingests the default data)"
    )


def test_outside_the_repository_the_root_is_the_source_tree_of_the_library(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_root() == REPO
    # an explicit start is searched from and nothing else: the caller asked about that folder
    assert project_root(tmp_path) == tmp_path.resolve()


def test_a_folder_without_tables_says_which_stores_it_holds(tiny_store, tmp_path):
    processed = tmp_path / "processed"
    with pytest.raises(
        FileNotFoundError,
        match=re.escape(
            f"processed store {processed} holds no canonical table (<table>.parquet); stores "
            "inside it: tiny; build it with `nlw ingest` (or `make run`)"
        ),
    ):
        connect(processed)
