"""Shared fixtures for the estimator tests: reference data shipped with the repo or its deps."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import statsmodels

REPO = Path(__file__).resolve().parents[2]
# benchmarks/montecarlo.py holds the planted-truth simulators the tests reuse
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

CATTANEO2 = Path(statsmodels.__file__).parent / "treatment/tests/results/cataneo2.csv"


@pytest.fixture(scope="session")
def mpdta() -> pd.DataFrame:
    """R did's example panel (500 US counties, 2003-2007), shipped as tests/data/mpdta.csv."""
    frame = pd.read_csv(REPO / "tests/data/mpdta.csv")
    frame["post"] = ((frame["year"] >= frame["first.treat"]) & (frame["first.treat"] > 0)).astype(
        int
    )
    return frame


@pytest.fixture(scope="session")
def cattaneo2() -> pd.DataFrame:
    """Cattaneo (2010) birth-weight data as shipped with statsmodels' teffects tests."""
    return pd.read_csv(CATTANEO2)
