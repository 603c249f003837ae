"""Field data-quality signals on the canonical store: completions too fast to be real.

A Department of Posts circular (16 June 2025) flags courses longer than 20 minutes "completed"
in under 20 seconds, and the NLW leaderboard gives every organisation a reason to game
completions. A completion is *implausibly fast* when the course's nominal duration is at least
:data:`~evaluation.core.vocabulary.FAST_COMPLETION_MIN_MINUTES` and it was completed less than
:data:`~evaluation.core.vocabulary.FAST_COMPLETION_SECONDS` after enrolment (the exports carry
the enrolment and first-completion times, not the time spent). Ingest counts them per
organisation and course (manifest, ``nlw validate`` warnings); the impact report re-estimates
its headline without them.
"""

from __future__ import annotations

import pandas as pd
from ibis.expr.types import BooleanValue, Table

from evaluation.core.vocabulary import FAST_COMPLETION_MIN_MINUTES, FAST_COMPLETION_SECONDS
from evaluation.data.backend import Store

__all__ = ["fast_completion_counts", "fast_completions", "is_fast_completion"]


def is_fast_completion(completions: Table) -> BooleanValue:
    """Whether each row (``enrolled_on``, ``completed_on``, ``duration_hours``) is too fast.

    Rows without either time or without a duration are never flagged.
    """
    seconds = completions.completed_on.epoch_seconds() - completions.enrolled_on.epoch_seconds()
    long_course = completions.duration_hours >= FAST_COMPLETION_MIN_MINUTES / 60
    return (long_course & (seconds < FAST_COMPLETION_SECONDS)).fill_null(False)


def fast_completions(store: Store) -> Table:
    """Completions flagged as implausibly fast: ``user_key, mdo_id, content_id, seconds``."""
    enrolments = store.table("enrolments")
    done = enrolments.filter(enrolments.completed_on.notnull())
    content = store.table("content").select("content_id", "duration_hours")
    done = done.join(content, "content_id", how="left")
    flagged = done.filter(is_fast_completion(done))
    learners = store.table("learners").select("user_key", "mdo_id")
    flagged = flagged.join(learners, "user_key", how="left")
    seconds = flagged.completed_on.epoch_seconds() - flagged.enrolled_on.epoch_seconds()
    return flagged.select("user_key", "mdo_id", "content_id", seconds=seconds)


def fast_completion_counts(store: Store) -> pd.DataFrame:
    """Implausibly fast completions per organisation and course, most first.

    Columns ``mdo_id, content_id, fast_completions, completions`` (every completion of that
    course in that organisation) and ``share``; organisations without any are left out.
    """
    columns = ["mdo_id", "content_id", "fast_completions", "completions", "share"]
    if not (store.has("enrolments") and store.has("content") and store.has("learners")):
        return pd.DataFrame(columns=columns)
    flagged = fast_completions(store)
    counts = flagged.group_by(["mdo_id", "content_id"]).aggregate(fast_completions=flagged.count())
    enrolments = store.table("enrolments")
    # Totals only for the courses with a fast completion: joining every completion to its
    # learner cost most of this function's time.
    flagged_courses = counts.select("content_id").distinct()
    enrolments = enrolments.filter(enrolments.content_id.isin(flagged_courses.content_id))
    done = enrolments.filter(enrolments.completed_on.notnull()).join(
        store.table("learners").select("user_key", "mdo_id"), "user_key", how="left"
    )
    totals = done.group_by(["mdo_id", "content_id"]).aggregate(completions=done.count())
    table = counts.join(totals, ["mdo_id", "content_id"], how="left").to_pandas()
    table["share"] = table["fast_completions"] / table["completions"]
    table = table.sort_values(
        ["fast_completions", "mdo_id", "content_id"], ascending=[False, True, True]
    )
    return table[columns].reset_index(drop=True)
