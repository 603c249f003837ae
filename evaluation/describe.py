"""What happened in an edition: the KPI sections of the NLW report, computed from processed tables.

Definitions are written once, in :data:`DEFINITIONS`, and shown to readers beside the numbers.
All counting is done by the engine (Ibis on DuckDB or Spark); only small results reach pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import ibis
import pandas as pd
from ibis import _
from ibis.expr.types import Table

from evaluation.backend import Store
from evaluation.params import Window

__all__ = [
    "DEFINITIONS",
    "ParticipationKPIs",
    "daily_completions",
    "participation_kpis",
    "window_activity",
]

DEFINITIONS: dict[str, str] = {
    "participant": (
        "A person with at least one course completion or one event attended (some time "
        "watched) inside the edition's window."
    ),
    "course_completion": "A course whose first completion date falls inside the window.",
    "course_enrolment": "A course enrolment whose enrolment date falls inside the window.",
    "learning_hours": (
        "Nominal duration of the courses a person completed inside the window, plus the hours "
        "of events they watched inside the window (the platform's own rule)."
    ),
    "target_met": "A participant whose learning hours in the window reach the target ({target_hours:g} hours).",
    "daily_completions": "Course completions per calendar day of the window (IST dates).",
}


@dataclass(frozen=True)
class ParticipationKPIs:
    """Headline counts of one edition (persons, enrolments, completions, hours)."""

    participants: int
    target_met: int
    course_enrolments: int
    course_completions: int
    learning_hours: float
    avg_daily_completions: float
    peak_day: dt.date | None
    peak_daily_completions: int
    group_a_participants: int
    group_a_target_met: int

    def as_dict(self) -> dict[str, object]:
        """Plain values (dates as ISO strings) for findings and tables."""
        values = asdict(self)
        values["peak_day"] = self.peak_day.isoformat() if self.peak_day else None
        return values


def _bounds(window: Window) -> tuple[ibis.Expr, ibis.Expr]:
    start = dt.datetime.combine(window.start, dt.time())
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time())
    return ibis.timestamp(start), ibis.timestamp(end)


def _inside(column: ibis.Expr, window: Window) -> ibis.Expr:
    start, end = _bounds(window)
    return (column >= start) & (column < end)


def window_activity(store: Store, window: Window, target_hours: float = 4.0) -> Table:
    """One row per person active in the window: completions, hours and whether the target was met.

    Returns an Ibis table with ``user_key, course_completions, course_hours, events_attended,
    event_hours, learning_hours, target_met``.
    """
    enrolments = store.table("enrolments")
    content = store.table("content")
    done = enrolments.filter(_inside(enrolments.completed_on, window))
    done = done.join(content.select("content_id", "duration_hours"), "content_id", how="left")
    courses = done.group_by("user_key").aggregate(
        course_completions=done.count(),
        course_hours=done.duration_hours.fill_null(0).sum(),
    )
    persons = courses.select("user_key")
    if store.has("event_attendance") and store.has("events"):
        events = _event_activity(store, window)
        persons = persons.union(events.select("user_key"), distinct=True)
    else:
        events = None
    activity = persons.left_join(courses, "user_key").select(
        "user_key", "course_completions", "course_hours"
    )
    if events is not None:
        activity = activity.left_join(events, "user_key").select(
            "user_key", "course_completions", "course_hours", "events_attended", "event_hours"
        )
    else:
        activity = activity.mutate(events_attended=ibis.literal(0), event_hours=ibis.literal(0.0))
    activity = activity.mutate(
        course_completions=activity.course_completions.fill_null(0),
        course_hours=activity.course_hours.fill_null(0.0),
        events_attended=activity.events_attended.fill_null(0),
        event_hours=activity.event_hours.fill_null(0.0),
    )
    hours = activity.course_hours + activity.event_hours
    return activity.mutate(learning_hours=hours, target_met=hours >= target_hours)


def _event_activity(store: Store, window: Window) -> Table:
    attendance = store.table("event_attendance")
    events = store.table("events").select("event_id", "start_at")
    seen = attendance.join(events, "event_id").filter(
        _inside(events.start_at, window) & (attendance.watch_hours > 0)
    )
    return seen.group_by("user_key").aggregate(
        events_attended=seen.count(), event_hours=seen.watch_hours.sum()
    )


def daily_completions(store: Store, window: Window) -> pd.DataFrame:
    """Course completions per day of the window, every day present (zero when none)."""
    enrolments = store.table("enrolments")
    done = enrolments.filter(_inside(enrolments.completed_on, window))
    counted = (
        done.mutate(date=done.completed_on.date())
        .group_by("date")
        .aggregate(completions=_.count())
        .to_pandas()
    )
    days = pd.DataFrame({"date": pd.date_range(window.start, window.end, freq="D").date})
    counted["date"] = pd.to_datetime(counted["date"]).dt.date
    daily = days.merge(counted, on="date", how="left").fillna({"completions": 0})
    daily["completions"] = daily["completions"].astype("int64")
    return daily


def participation_kpis(
    store: Store, window: Window, target_hours: float = 4.0
) -> ParticipationKPIs:
    """The headline KPIs of one edition (see :data:`DEFINITIONS`)."""
    activity = window_activity(store, window, target_hours)
    learners = store.table("learners").select("user_key", "group")
    with_group = activity.left_join(learners, "user_key")
    is_a = with_group.group == "A"
    totals = (
        with_group.aggregate(
            participants=with_group.count(),
            target_met=with_group.target_met.cast("int64").sum(),
            learning_hours=with_group.learning_hours.sum(),
            group_a_participants=is_a.cast("int64").sum(),
            group_a_target_met=(is_a & with_group.target_met).cast("int64").sum(),
        )
        .to_pandas()
        .iloc[0]
    )
    enrolments = store.table("enrolments")
    enrolled = enrolments.filter(_inside(enrolments.enrolled_on, window)).count().to_pyarrow()
    daily = daily_completions(store, window)
    peak = daily.loc[daily["completions"].idxmax()] if daily["completions"].any() else None
    return ParticipationKPIs(
        participants=int(totals["participants"]),
        target_met=int(totals["target_met"] or 0),
        course_enrolments=int(enrolled.as_py()),
        course_completions=int(daily["completions"].sum()),
        learning_hours=float(totals["learning_hours"] or 0.0),
        avg_daily_completions=float(daily["completions"].mean()),
        peak_day=peak["date"] if peak is not None else None,
        peak_daily_completions=int(peak["completions"]) if peak is not None else 0,
        group_a_participants=int(totals["group_a_participants"] or 0),
        group_a_target_met=int(totals["group_a_target_met"] or 0),
    )
