"""The synthetic world games a few organisations' completions, as the DoP circular saw."""

import numpy as np
import pandas as pd

from evaluation.core.vocabulary import FAST_COMPLETION_MIN_MINUTES, FAST_COMPLETION_SECONDS
from evaluation.data.synth import _activity as act
from evaluation.data.synth._config import EDITIONS


def _rows(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """n completions on 20 Oct 2024 (inside NLW 2024), enrolled an hour before, 40 orgs."""
    completed = np.full(n, pd.Timestamp("2024-10-20 12:00").value // 10**9, dtype=np.int64)
    return {
        "person": np.arange(n),
        "content": rng.integers(0, 2, n),  # course 0: 30 minutes; course 1: 10 minutes
        "enrolled_at": completed - 3600,
        "completed_at": completed,
    }


class _Catalogue:
    duration_hours = np.array([0.5, 10 / 60])


def test_a_few_organisations_get_fast_completions_of_long_courses_only():
    rng = np.random.default_rng(1)
    rows = _rows(4000, rng)
    people_mdo = np.arange(4000) % 40
    gamed, chosen = act.game_some_completions(rng, rows, _Catalogue(), people_mdo, EDITIONS)
    seconds = gamed["completed_at"] - gamed["enrolled_at"]
    fast = seconds < FAST_COMPLETION_SECONDS
    assert fast.any()
    assert (seconds[fast] >= 3).all() and (seconds[fast] <= 15).all()
    assert (
        _Catalogue.duration_hours[rows["content"][fast]] * 60 >= FAST_COMPLETION_MIN_MINUTES
    ).all()
    gaming = np.unique(people_mdo[fast])
    assert len(gaming) == round(40 * act.GAMING_ORG_SHARE)
    assert set(gaming) <= set(chosen.tolist())
    # the day of every enrolment and completion is unchanged, so every daily count is too
    assert (gamed["enrolled_at"] // act.DAY == rows["enrolled_at"] // act.DAY).all()
    assert (gamed["completed_at"] == rows["completed_at"]).all()


def test_given_gaming_organisations_are_the_only_ones_gamed():
    """A block of a large world games in the organisations the first block chose."""
    rng = np.random.default_rng(2)
    rows = _rows(4000, rng)
    people_mdo = np.arange(4000) % 40
    given = np.array([3, 17])
    gamed, chosen = act.game_some_completions(rng, rows, _Catalogue(), people_mdo, EDITIONS, given)
    fast = gamed["completed_at"] - gamed["enrolled_at"] < FAST_COMPLETION_SECONDS
    assert (chosen == given).all()
    assert set(np.unique(people_mdo[fast]).tolist()) == {3, 17}
