"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from support.stores import write_tiny_store

# In CI the property tests replay the same examples every time (a red build must mean a change
# broke something, not that today's random draw found an old corner); locally they explore.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def tiny_store(tmp_path: Path) -> Path:
    """Path of a freshly written tiny processed store."""
    return write_tiny_store(tmp_path / "processed" / "tiny")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Make ``--dist loadgroup`` group tests again (``make test``).

    pytest-xdist 3.8 groups by appending ``@<group>`` to ``item._nodeid``, which pytest 9 no
    longer reads (the node id lives in ``item._id``): every ``xdist_group`` mark was ignored, so
    an expensive module fixture was built once per worker. Done here the way xdist means it.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: xdist's own suffix works
        return

    for item in items:
        names = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if names and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(names))}")
