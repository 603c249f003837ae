"""Implausibly fast completions are counted by hand-checked rule (DoP circular, June 2025)."""

import pandas as pd
import pytest

from evaluation.analysis.panels import period_values
from evaluation.core.params import Window
from evaluation.data.backend import connect
from evaluation.data.quality import fast_completion_counts, fast_completions


@pytest.fixture
def store(tmp_path):
    """Two organisations; c1 is 30 minutes long, c2 is 10 minutes (too short to flag)."""
    pd.DataFrame({"user_key": ["u1", "u2", "u3"], "mdo_id": ["m1", "m1", "m2"]}).to_parquet(
        tmp_path / "learners.parquet", index=False
    )
    pd.DataFrame({"content_id": ["c1", "c2"], "duration_hours": [0.5, 10 / 60]}).to_parquet(
        tmp_path / "content.parquet", index=False
    )
    t = pd.Timestamp
    rows = [
        # user, content, enrolled, completed: seconds between them
        ("u1", "c1", t("2024-11-05 10:00:00"), t("2024-11-05 10:00:05")),  # 5 s: flagged
        ("u2", "c1", t("2024-11-05 10:00:00"), t("2024-11-05 10:00:19")),  # 19 s: flagged
        ("u3", "c1", t("2024-11-05 10:00:00"), t("2024-11-05 10:00:20")),  # 20 s: not
        ("u1", "c2", t("2024-11-05 10:00:00"), t("2024-11-05 10:00:01")),  # short course: not
        ("u3", "c2", t("2024-11-05 10:00:00"), pd.NaT),  # not completed: not
    ]
    pd.DataFrame(
        rows, columns=["user_key", "content_id", "enrolled_on", "completed_on"]
    ).to_parquet(tmp_path / "enrolments.parquet", index=False)
    return connect(tmp_path)


def test_a_long_course_done_in_under_twenty_seconds_is_flagged(store):
    flagged = fast_completions(store).order_by("user_key").to_pandas()
    assert flagged[["user_key", "mdo_id", "content_id"]].values.tolist() == [
        ["u1", "m1", "c1"],
        ["u2", "m1", "c1"],
    ]
    assert flagged["seconds"].tolist() == [5, 19]


def test_counts_per_organisation_and_course_with_the_share_of_its_completions(store):
    counts = fast_completion_counts(store)
    assert counts.to_dict("records") == [
        {"mdo_id": "m1", "content_id": "c1", "fast_completions": 2, "completions": 2, "share": 1.0}
    ]


def test_the_panel_can_leave_them_out(store):
    week = Window(start=pd.Timestamp("2024-10-19").date(), end=pd.Timestamp("2024-10-27").date())
    counted = period_values(store, week).to_pandas().set_index("user_key")["completions"]
    kept = period_values(store, week, without_fast=True).to_pandas()
    kept = kept.set_index("user_key")["completions"]
    # every completion on 5 Nov is in the first 30-day period after the week
    assert counted.to_dict() == {"u1": 2, "u2": 1, "u3": 1}
    assert kept.to_dict() == {"u1": 1, "u3": 1}, "u1's and u2's 30-minute courses in seconds"
