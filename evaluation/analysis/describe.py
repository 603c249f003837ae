"""What happened in an edition: the KPI sections of the NLW report, computed from processed tables.

Definitions are written once, in :data:`evaluation.core.vocabulary.KPI_DEFINITIONS`, and shown to
readers beside the numbers.
All counting is done by the engine (Ibis on DuckDB or Spark); only small results reach pandas.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import ibis
import pandas as pd
from ibis import _
from ibis.expr.types import Table

from evaluation.core.params import Window
from evaluation.core.vocabulary import TARGET_HOURS
from evaluation.data.backend import Store

__all__ = [
    "ParticipationKPIs",
    "daily_completions",
    "hours_distribution",
    "karma_by_ministry",
    "karma_points",
    "learning_mix",
    "ministry_participation",
    "participation_kpis",
    "speakers",
    "webinar_performance",
    "webinar_summary",
    "week_dimensions",
    "window_activity",
]


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


def window_activity(store: Store, window: Window, target_hours: float = TARGET_HOURS) -> Table:
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


def week_dimensions(store: Store, window: Window) -> pd.DataFrame:
    """The week's completions by the dimensions SĀDHANA Saptah 2026 reported.

    One row per measure: ``course_completers`` (persons with a course completion in the
    window), ``ai_course_learners`` (of them, persons completing an AI-related course),
    ``frontline_completions`` and ``state_ut_completions`` (completions by frontline workers,
    by staff of State/UT organisations), each with ``value``, the ``base`` it is a share of
    (completers or completions) and ``counts_persons``. Measures whose columns the store lacks
    (an older store without ``is_frontline`` / ``is_ai_related``) are left out.
    """
    enrolments = store.table("enrolments")
    done = enrolments.filter(_inside(enrolments.completed_on, window)).select(
        "user_key", "content_id"
    )
    content = store.table("content")
    learners = store.table("learners")
    has_ai, has_frontline = "is_ai_related" in content.columns, "is_frontline" in learners.columns
    if has_ai:
        done = done.left_join(content.select("content_id", "is_ai_related"), "content_id")
    person_columns = ["user_key", "mdo_id"] + (["is_frontline"] if has_frontline else [])
    done = done.left_join(learners.select(*person_columns), "user_key")
    if store.has("org_hierarchy"):
        orgs = store.table("org_hierarchy").select("mdo_id", "org_type")
        done = done.left_join(orgs, "mdo_id")
    metrics = {
        "completions": done.count(),
        "completers": done.user_key.nunique(),
    }
    if has_ai:
        metrics["ai"] = done.user_key.nunique(where=done.is_ai_related.fill_null(False))
    if has_frontline:
        metrics["frontline"] = done.is_frontline.fill_null(False).cast("int64").sum()
    if "org_type" in done.columns:
        metrics["state"] = (done.org_type == "state").fill_null(False).cast("int64").sum()
    row = done.aggregate(**metrics).to_pandas().iloc[0]
    completions, completers = int(row["completions"]), int(row["completers"])
    rows = [("course_completers", completers, completers, True)]
    if has_ai:
        rows.append(("ai_course_learners", int(row["ai"]), completers, True))
    if has_frontline:
        rows.append(("frontline_completions", int(row["frontline"] or 0), completions, False))
    if "state" in row.index:
        rows.append(("state_ut_completions", int(row["state"] or 0), completions, False))
    frame = pd.DataFrame(rows, columns=["measure", "value", "base", "counts_persons"])
    frame["share"] = frame["value"] / frame["base"].where(frame["base"] > 0)
    return frame


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
    store: Store, window: Window, target_hours: float = TARGET_HOURS
) -> ParticipationKPIs:
    """The headline KPIs of one edition (defined in :mod:`evaluation.core.vocabulary`)."""
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
    peak = (
        daily.iloc[int(daily["completions"].to_numpy().argmax())]
        if daily["completions"].any()
        else None
    )
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


def _events_in_window(store: Store, window: Window) -> Table:
    events = store.table("events")
    return events.filter(_inside(events.start_at, window))


def webinar_performance(store: Store, window: Window) -> pd.DataFrame:
    """One row per event held in the window with attendance, completion and watch time.

    Columns: ``event_id, event_name, event_type, organiser (central / ministry),
    provider_mdo_id, start_at, duration_hours, presenters, registered, attendees, completed,
    completion_rate, avg_watch_hours``.
    """
    events = _events_in_window(store, window)
    attendance = store.table("event_attendance")
    joined = events.join(attendance, "event_id")
    watched = (joined.watch_hours > 0).cast("int64")
    stats = joined.group_by("event_id").aggregate(
        registered=_.count(),
        attendees=watched.sum(),
        completed=(joined.status == "completed").cast("int64").sum(),
        watch_hours=joined.watch_hours.sum(),
    )
    table = events.left_join(stats, "event_id").drop("event_id_right").to_pandas()
    for column in ("registered", "attendees", "completed"):
        table[column] = table[column].fillna(0).astype("int64")
    table["watch_hours"] = table["watch_hours"].fillna(0.0)
    table["organiser"] = table["is_central"].map({True: "central", False: "ministry"})
    attendees = table["attendees"].where(table["attendees"] > 0)
    table["completion_rate"] = table["completed"] / attendees
    table["avg_watch_hours"] = table["watch_hours"] / attendees
    columns = [
        "event_id", "event_name", "event_type", "organiser", "provider_mdo_id", "start_at",
        "duration_hours", "presenters", "registered", "attendees", "completed",
        "completion_rate", "avg_watch_hours",
    ]  # fmt: skip
    return table[columns].sort_values(["start_at", "event_id"], ignore_index=True)


def webinar_summary(events: pd.DataFrame) -> pd.DataFrame:
    """Webinar statistics by organiser and event type, from :func:`webinar_performance`."""
    grouped = events.groupby(["organiser", "event_type"], as_index=False).agg(
        events=("event_id", "count"),
        attendees=("attendees", "sum"),
        completed=("completed", "sum"),
        median_attendees=("attendees", "median"),
    )
    grouped["completion_rate"] = grouped["completed"] / grouped["attendees"].where(
        grouped["attendees"] > 0
    )
    return grouped


def speakers(events: pd.DataFrame, *, organiser: str = "central") -> pd.DataFrame:
    """Distinct presenters of webinars (not Samuhik Charchas) with their sessions and audiences."""
    talks = events[(events["organiser"] == organiser) & (events["event_type"] != "Samuhik Charcha")]
    rows = talks.assign(speaker=talks["presenters"].fillna("").str.split(",")).explode("speaker")
    rows["speaker"] = rows["speaker"].str.strip()
    rows = rows[rows["speaker"] != ""]
    out = rows.groupby("speaker", as_index=False).agg(
        sessions=("event_id", "nunique"),
        attendees=("attendees", "sum"),
        avg_watch_hours=("avg_watch_hours", "mean"),
    )
    return out.sort_values(["attendees", "speaker"], ascending=[False, True], ignore_index=True)


def karma_points(store: Store, window: Window) -> pd.DataFrame:
    """Karma points credited inside the window by operation type (persons, credits, points)."""
    if not store.has("karma_ledger"):
        return pd.DataFrame(columns=["operation_type", "persons", "credits", "points"])
    ledger = store.table("karma_ledger")
    inside = ledger.filter(_inside(ledger.credit_date, window))
    out = (
        inside.group_by("operation_type")
        .aggregate(persons=_.user_key.nunique(), credits=_.count(), points=_.points.sum())
        .to_pandas()
    )
    return out.sort_values("points", ascending=False, ignore_index=True)


def learning_mix(store: Store, window: Window) -> pd.DataFrame:
    """Completions and hours in the window by competency area and content type."""
    enrolments = store.table("enrolments")
    content = store.table("content")
    done = enrolments.filter(_inside(enrolments.completed_on, window)).join(
        content.select("content_id", "duration_hours", "competency_area", "content_type"),
        "content_id",
        how="left",
    )
    out = (
        done.group_by(["competency_area", "content_type"])
        .aggregate(
            completions=_.count(),
            learners=_.user_key.nunique(),
            hours=_.duration_hours.fill_null(0).sum(),
        )
        .to_pandas()
    )
    out["competency_area"] = out["competency_area"].fillna("unknown")
    out["share_of_completions"] = out["completions"] / out["completions"].sum()
    return out.sort_values("completions", ascending=False, ignore_index=True)


def hours_distribution(
    store: Store, window: Window, target_hours: float = TARGET_HOURS
) -> pd.DataFrame:
    """Participants by learning hours in the window (bands around the target)."""
    activity = window_activity(store, window, target_hours).select("learning_hours").to_pandas()
    edges = [0, 1, 2, target_hours, 8, 16, float("inf")]
    labels = ["under 1 h", "1-2 h", f"2-{target_hours:g} h", f"{target_hours:g}-8 h", "8-16 h",
              "16 h and more"]  # fmt: skip
    bands = pd.cut(activity["learning_hours"], bins=edges, labels=labels, right=False)
    counts = bands.value_counts(sort=False).rename_axis("hours").reset_index(name="participants")
    counts["hours"] = counts["hours"].astype("string")
    return counts


def ministry_participation(
    store: Store, window: Window, target_hours: float = TARGET_HOURS
) -> pd.DataFrame:
    """Per ministry / state: eligible users, participants, target met, learning hours, karma points.

    Eligible = registered before the window. ``org_type`` tells central from state bodies, so
    states can be ranked separately as the platform's leaderboard does.
    """
    learners = store.table("learners")
    eligible = learners.filter(learners.registered_on.cast("timestamp") < _bounds(window)[0])
    orgs = store.table("org_hierarchy").select("mdo_id", "ministry", "org_type")
    people = eligible.select("user_key", "mdo_id").left_join(orgs, "mdo_id")
    activity = window_activity(store, window, target_hours).select(
        "user_key", "learning_hours", "target_met"
    )
    joined = people.left_join(activity, "user_key")
    out = (
        joined.group_by(["ministry", "org_type"])
        .aggregate(
            eligible=_.count(),
            participants=_.learning_hours.notnull().cast("int64").sum(),
            target_met=_.target_met.fill_null(False).cast("int64").sum(),
            learning_hours=_.learning_hours.fill_null(0).sum(),
        )
        .to_pandas()
    )
    points = karma_by_ministry(store, window)
    out = out.merge(points, on="ministry", how="left").fillna({"karma_points": 0})
    out["ministry"] = out["ministry"].fillna("Unknown")
    return out.sort_values("participants", ascending=False, ignore_index=True)


def karma_by_ministry(store: Store, window: Window) -> pd.DataFrame:
    """Karma points credited in the window, summed by ministry (for the NLW leaderboard)."""
    if not store.has("karma_ledger"):
        return pd.DataFrame(columns=["ministry", "karma_points"])
    ledger = store.table("karma_ledger")
    inside = ledger.filter(_inside(ledger.credit_date, window))
    learners = store.table("learners").select("user_key", "mdo_id")
    orgs = store.table("org_hierarchy").select("mdo_id", "ministry")
    joined = inside.join(learners, "user_key").join(orgs, "mdo_id")
    return joined.group_by("ministry").aggregate(karma_points=_.points.sum()).to_pandas()
