"""One small synthetic export shared by the synth tests (generated once per session)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.data.synth import generate

#: 0.4 % of the national population: about 18,000 users and 3,000 participants in 2024, large
#: enough for the sampling tolerances in test_calibration to stay near 10 %.
TEST_SCALE = 0.004
TEST_SEED = 7


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The plain shapes: tests/synth/test_variants.py covers the real-export variants.
    return generate(
        tmp_path_factory.mktemp("synth") / "raw", scale=TEST_SCALE, seed=TEST_SEED, variants="plain"
    )


@pytest.fixture(scope="session")
def truth(synth_dir: Path) -> dict:
    return json.loads((synth_dir / "ground_truth.json").read_text(encoding="utf-8"))
