"""Small synthetic exports shared by the synth tests (generated once per session).

``synth_dir`` is the test world written whole (both shapes). ``blocked_dir`` is the same world
(scale and seed) simulated in three blocks of people, the path national-scale worlds take
(issue 18); it has the warehouse only. Tests of the warehouse, the calibration and the truth
take ``world``, which runs them on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluation.data.synth import generate

#: 0.4 % of the national population: about 18,000 users and 3,000 participants in 2024, large
#: enough for the sampling tolerances in test_calibration to stay near 10 %.
TEST_SCALE = 0.004
TEST_SEED = 7
#: The test world's 68,000 people in three blocks of at most this many.
BLOCK_PEOPLE = 25_000


@dataclass(frozen=True)
class SynthWorld:
    """A generated world: its folder, its ground truth and how many blocks it was made in."""

    folder: Path
    truth: dict
    blocks: int


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The plain shapes: tests/synth/test_variants.py covers the real-export variants.
    return generate(
        tmp_path_factory.mktemp("synth") / "raw", scale=TEST_SCALE, seed=TEST_SEED, variants="plain"
    )


@pytest.fixture(scope="session")
def truth(synth_dir: Path) -> dict:
    return _truth(synth_dir)


@pytest.fixture(scope="session")
def blocked_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(
        tmp_path_factory.mktemp("blocked") / "raw",
        scale=TEST_SCALE,
        seed=TEST_SEED,
        formats=("warehouse",),
        variants="plain",
        people_per_block=BLOCK_PEOPLE,
    )


@pytest.fixture(scope="session", params=["whole", "in_blocks"])
def world(request: pytest.FixtureRequest) -> SynthWorld:
    """The test world written whole, then simulated in three blocks of people."""
    if request.param == "whole":
        folder = request.getfixturevalue("synth_dir")
        return SynthWorld(folder, _truth(folder), 1)
    folder = request.getfixturevalue("blocked_dir")
    return SynthWorld(folder, _truth(folder), 3)


def _truth(folder: Path) -> dict:
    return json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
