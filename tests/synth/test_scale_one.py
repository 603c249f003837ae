"""Scale 1 reproduces the published NLW 2024 counts within 5 % (slow: about a minute of CPU).

The world is simulated in memory (no files), and the counts come from the same rows the writers
would write, with the definitions of docs/synthetic-data.md.
"""

from __future__ import annotations

import pytest

from evaluation.data.synth._simulate import simulate
from evaluation.data.synth._truth import ground_truth

PUBLISHED_2024 = {
    "trackable_participants": 740_000,
    "participants_target_met": 420_000,
    "course_enrolments": 4_560_000,
    "course_completions": 3_260_000,
    "learning_hours": 3_800_000,
    "avg_daily_completions": 350_000,
    "peak_daily_completions": 620_000,
    "group_a_participants": 37_000,
    "group_a_target_met": 23_800,
}
BAND = 0.05


@pytest.mark.slow
def test_scale_one_reproduces_every_published_count() -> None:
    counts = ground_truth(simulate(2024, 1.0))["editions"]["2024"]["week_counts"]
    for metric, published in PUBLISHED_2024.items():
        assert abs(counts[metric] / published - 1) <= BAND, (metric, counts[metric], published)
    assert counts["peak_day"] == "2024-10-24"
