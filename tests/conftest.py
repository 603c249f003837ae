"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_store import write_tiny_store


@pytest.fixture
def tiny_store(tmp_path: Path) -> Path:
    """Path of a freshly written tiny processed store."""
    return write_tiny_store(tmp_path / "processed" / "tiny")
