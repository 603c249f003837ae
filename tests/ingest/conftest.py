"""Ingest fixtures: the test salt, and writable copies of the hand-written raw exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.raw_exports import FIXTURES, TEST_SALT


@pytest.fixture(autouse=True)
def _salt(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never touch the developer's .nlw-salt file.
    monkeypatch.setenv("NLW_SALT", TEST_SALT)


@pytest.fixture
def warehouse_src(tmp_path: Path) -> Path:
    """A writable copy of the hand-written warehouse fixture (root layout)."""
    return Path(shutil.copytree(FIXTURES / "warehouse_ok", tmp_path / "warehouse_ok"))


@pytest.fixture
def reports_src(tmp_path: Path) -> Path:
    """A writable copy of the hand-written MDO-report fixture (root layout)."""
    return Path(shutil.copytree(FIXTURES / "reports_ok", tmp_path / "reports_ok"))
