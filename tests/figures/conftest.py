"""Shared by the figure tests: the non-interactive backend, the house style, no leaked figures."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from evaluation.report import figures  # noqa: E402


@pytest.fixture(autouse=True)
def _style_and_cleanup():
    figures.use_style()
    yield
    plt.close("all")
