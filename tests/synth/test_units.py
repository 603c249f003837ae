"""Units are sized from public facts: the largest States and employers lead, small UTs stay small.

Facts (docs/synthetic-data.md, "Sizes of units"): the PIB (21 May 2025) names Bihar, Andhra
Pradesh, Madhya Pradesh, Rajasthan and Uttar Pradesh as the top five States by registrations;
railways, home affairs with the central armed police forces, posts and revenue are the largest
central employers; Lakshadweep has about 65,000 people. The platform's NLW leaderboard bands
(users per MDO, sunbird-core-dataproducts NationalLearningWeekModel.scala) should all occur.
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

from evaluation.core.params import SyntheticSpec
from evaluation.data.synth._config import DATA_END, registered_by
from evaluation.data.synth._simulate import stream
from evaluation.data.synth._world import build_orgs, build_people

TOP_FIVE_STATES = {"Bihar", "Andhra Pradesh", "Madhya Pradesh", "Rajasthan", "Uttar Pradesh"}
LARGE_CENTRAL = {"Ministry of Railways", "Ministry of Home Affairs", "Ministry of Communications"}
DEFAULT_SCALE = SyntheticSpec().scale


@pytest.fixture(scope="module")
def users_by_unit() -> collections.Counter:
    """Registered users per ministry / State at the default scale (seed 2024, as make run)."""
    orgs = build_orgs(stream(2024, 1))
    count = round(float(registered_by(DATA_END)[0]) * DEFAULT_SCALE)
    people = build_people(stream(2024, 2), orgs, count)
    names = np.array(orgs.ministry)[people.mdo]
    return collections.Counter(names.tolist())


def test_the_five_largest_states_are_the_published_top_five(users_by_unit) -> None:
    from evaluation.core.vocabulary import STATES_AND_UTS

    states = [(users_by_unit[name], name) for name in STATES_AND_UTS]
    assert {name for _, name in sorted(states, reverse=True)[:5]} == TOP_FIVE_STATES


def test_the_largest_units_are_states_and_the_big_central_employers(users_by_unit) -> None:
    largest = {name for name, _ in users_by_unit.most_common(8)}
    assert largest <= TOP_FIVE_STATES | LARGE_CENTRAL | {"Maharashtra"}, largest
    assert {"Ministry of Railways", "Ministry of Home Affairs"} <= largest


def test_small_union_territories_stay_small(users_by_unit) -> None:
    for small in ("Lakshadweep", "Ladakh", "Andaman and Nicobar Islands"):
        assert users_by_unit[small] < users_by_unit["Uttar Pradesh"] / 100, small


def test_leaderboard_size_bands_are_all_populated_at_scale_one() -> None:
    orgs = build_orgs(stream(2024, 1))
    state_total = float(registered_by(DATA_END, "state")[0])
    central_total = float(registered_by(DATA_END, "central")[0])
    users = np.where(orgs.is_state, state_total, central_total) * orgs.user_weight
    bands = collections.Counter(
        "XL" if n > 50_000 else "L" if n > 10_000 else "M" if n > 1_000 else "S" if n > 500
        else "XS"
        for n in users
    )  # fmt: skip
    assert set(bands) == {"XL", "L", "M", "S", "XS"}, bands
    assert bands["XL"] < bands["L"] + bands["M"], bands  # most MDOs are not giants
