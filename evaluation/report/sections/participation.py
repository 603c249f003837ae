"""Report sections: record each number in findings and show it to the reader, in plain English.

Each function takes an opened :class:`~evaluation.report.edition.Edition` and a computed result; the
notebooks call one function per section so they stay drivers.
"""

from __future__ import annotations

import pandas as pd

from evaluation.analysis import describe
from evaluation.analysis.describe import ParticipationKPIs
from evaluation.core.params import Params
from evaluation.core.vocabulary import KARMA_OPERATION_LABELS, KPI_DEFINITIONS
from evaluation.report import figures
from evaluation.report.disclosure import export_view, suppress
from evaluation.report.edition import Edition
from evaluation.report.formatting import format_count, format_count_hi, format_date_hi
from evaluation.report.tables import Column, TableSpec

__all__ = [
    "central_webinars",
    "daily_trend",
    "definitions",
    "dimensions",
    "karma",
    "karma_operation_name",
    "learning_metrics",
    "ministry_webinars",
    "summary",
    "webinar_statistics",
]

DAILY_SPEC = TableSpec((Column("date", "Date"), Column("completions", "Completions", "count")))
COMPETENCY_MIX_SPEC = TableSpec(
    (
        Column("competency_area", "Competency area"),
        Column("completions", "Completions", "count"),
        Column("hours", "Learning hours", "hours"),
        Column("share_of_completions", "Share of completions", "percent"),
    )
)
HOURS_SPEC = TableSpec(
    (
        Column("hours", "Hours in the week"),
        Column("participants", "Participants", "count", counts_persons=True),
    )
)
CENTRAL_WEBINARS_SPEC = TableSpec(
    (
        Column("event_name", "Webinar"),
        Column("start_at", "Start"),
        Column("attendees", "Attendees", "count", counts_persons=True),
        Column("completed", "Completed", "count", counts_persons=True, part_of="attendees"),
        Column(
            "completion_rate", "Completion rate", "percent", derived_from=("completed", "attendees")
        ),
        Column("avg_watch_hours", "Average hours watched", "decimal", derived_from=("attendees",)),
    )
)
#: Webinars are counted, but they are sessions, not persons: no disclosure control on them.
MINISTRY_WEBINARS_SPEC = TableSpec(
    (
        Column("ministry", "Ministry / State"),
        Column("webinars", "Webinars", "count"),
        Column("attendees", "Attendees", "count", counts_persons=True),
        Column("completed", "Completed", "count", counts_persons=True, part_of="attendees"),
        Column(
            "completion_rate", "Completion rate", "percent", derived_from=("completed", "attendees")
        ),
    )
)
WEBINAR_STATISTICS_SPEC = TableSpec(
    (
        Column("organiser", "Organiser"),
        Column("event_type", "Type"),
        Column("events", "Events", "count"),
        Column("attendees", "Attendees", "count", counts_persons=True),
        Column("completed", "Completed", "count", counts_persons=True, part_of="attendees"),
        Column("median_attendees", "Median attendees", "count", counts_persons=True),
        Column(
            "completion_rate", "Completion rate", "percent", derived_from=("completed", "attendees")
        ),
    )
)
#: Credits and points are counted, but only persons are disclosure-controlled.
KARMA_SPEC = TableSpec(
    (
        Column("operation_type", "Earned for"),
        Column("persons", "Persons", "count", counts_persons=True),
        Column("credits", "Credits", "count"),
        Column("points", "Points", "count"),
    )
)


def _definition(key: str, params: Params) -> str:
    return KPI_DEFINITIONS[key].format(target_hours=params.target_hours)


def summary(ed: Edition, kpis: ParticipationKPIs) -> None:
    """Headline numbers of the edition, the one-screen summary and the KPI table."""
    f, p = ed.findings, ed.params
    style = p.number_style
    f.count(
        "participants",
        kpis.participants,
        label="trackable participants",
        definition=KPI_DEFINITIONS["participant"],
        unit="persons",
    )
    f.count(
        "target_met",
        kpis.target_met,
        label=f"met the {p.target_hours:g}-hour target",
        definition=_definition("target_met", p),
        unit="persons",
    )
    f.count(
        "course_completions",
        kpis.course_completions,
        label="course completions",
        definition=KPI_DEFINITIONS["course_completion"],
        unit="completions",
    )
    f.count(
        "avg_daily_completions",
        round(kpis.avg_daily_completions),
        label="completions per day on average",
        definition=KPI_DEFINITIONS["daily_completions"],
        unit="completions per day",
    )
    f.number(
        "peak_day",
        kpis.peak_day.isoformat() if kpis.peak_day else None,
        label="peak day",
        definition=KPI_DEFINITIONS["daily_completions"],
        unit="date",
    )
    f.count(
        "peak_daily_completions",
        kpis.peak_daily_completions,
        label="completions on the peak day",
        definition=KPI_DEFINITIONS["daily_completions"],
    )
    f.count(
        "course_enrolments",
        kpis.course_enrolments,
        label="course enrolments",
        definition=KPI_DEFINITIONS["course_enrolment"],
        unit="enrolments",
    )
    f.number(
        "learning_hours",
        kpis.learning_hours,
        label="learning hours",
        definition=KPI_DEFINITIONS["learning_hours"],
        unit="hours",
        decimals=0,
    )
    f.count(
        "group_a_participants",
        kpis.group_a_participants,
        label="Group A participants",
        definition=KPI_DEFINITIONS["participant"],
        unit="persons",
    )
    f.count(
        "group_a_target_met",
        kpis.group_a_target_met,
        label="Group A officers who met the target",
        definition=_definition("target_met", p),
    )
    share = kpis.target_met / kpis.participants if kpis.participants else 0.0
    peak = kpis.peak_day.strftime("%d %B %Y").lstrip("0") if kpis.peak_day else "no day"
    text = (
        f"{format_count(kpis.participants, style=style)} people took part in {p.title} "
        f"({p.window.start:%d %b} to {p.window.end:%d %b %Y}); "
        f"{format_count(kpis.target_met, style=style)} of them ({share:.0%}) met the "
        f"{p.target_hours:g}-hour learning target. Completions averaged "
        f"{format_count(round(kpis.avg_daily_completions), style=style)} a day and peaked at "
        f"{format_count(kpis.peak_daily_completions, style=style)} on {peak}."
    )
    f.sentence("participation_summary", text)
    ed.say("## Overall Statistics Overview\n\n" + text)
    ed.summary_hi("participation_summary", _summary_hindi(kpis, p))
    ed.say(
        "These are counts of what happened, not evidence that the week changed anything: "
        "the impact section compares participants with similar people who did not take part."
    )
    table = pd.DataFrame(
        {
            "Measure": [item.label for item in f.items],
            "Value": [item.display for item in f.items],
        }
    )
    ed.show_table(
        "participation_kpis",
        table,
        caption=(
            f"Headline participation figures for {p.title}. Definitions are listed at the end."
        ),
    )
    raw = pd.DataFrame([kpis.as_dict()])
    persons = ["participants", "target_met", "group_a_participants", "group_a_target_met"]
    published = export_view(
        suppress(raw, count_columns=persons, min_cell=p.min_cell, complete=False)
    )
    f.table("participation_kpis_values", published, caption="Headline figures as exact values.")


def _summary_hindi(kpis: ParticipationKPIs, params: Params) -> str:
    """The executive summary in Hindi (bilingual documents are the norm in Government of India)."""
    share = kpis.target_met / kpis.participants if kpis.participants else 0.0
    peak = format_date_hi(kpis.peak_day) if kpis.peak_day else "किसी दिन नहीं"
    return (
        f"{format_date_hi(params.window.start)} से {format_date_hi(params.window.end)} तक चले "
        f"कर्मयोगी सप्ताह (राष्ट्रीय शिक्षण सप्ताह) में {format_count_hi(kpis.participants)} लोगों ने "
        f"भाग लिया; इनमें से {format_count_hi(kpis.target_met)} ({share:.0%}) ने "
        f"{params.target_hours:g} घंटे का शिक्षण लक्ष्य पूरा किया। प्रतिदिन औसतन "
        f"{format_count_hi(round(kpis.avg_daily_completions))} पाठ्यक्रम पूरे हुए, और {peak} को "
        f"सर्वाधिक {format_count_hi(kpis.peak_daily_completions)} पाठ्यक्रम पूरे हुए।"
    )


def daily_trend(ed: Edition, daily: pd.DataFrame) -> None:
    """Daily Course Completion Trends: completions per day with the peak annotated."""
    ed.show_figure(figures.daily_trend(daily, name="daily_completions"))
    table = daily.assign(date=daily["date"].astype(str))
    ed.show_table(
        "daily_completions",
        table,
        caption=f"Course completions per day of {ed.params.title}.",
        spec=DAILY_SPEC,
    )


def learning_metrics(ed: Edition, mix: pd.DataFrame, hours: pd.DataFrame) -> None:
    """Course Completion & Learning Metrics: what was learned and how much per person."""
    by_area = (
        mix.groupby("competency_area", as_index=False)[["completions", "hours"]]
        .sum()
        .sort_values("completions", ascending=False, ignore_index=True)
    )
    by_area["share_of_completions"] = by_area["completions"] / by_area["completions"].sum()
    top = by_area.iloc[0] if len(by_area) else None
    if top is not None:
        ed.say(
            f"Most completions were **{top['competency_area']}** courses "
            f"({top['share_of_completions']:.0%}); the table shows the mix of competency areas "
            "(behavioural, functional, domain) as the platform maps each course."
        )
    ed.show_table(
        "competency_mix",
        by_area,
        caption="Course completions and learning hours in the window by competency area.",
        spec=COMPETENCY_MIX_SPEC,
    )
    ed.show_table(
        "hours_distribution",
        hours,
        caption=(
            "Participants by learning hours in the window. People at or above the target are "
            f"those in the bands from {ed.params.target_hours:g} hours up."
        ),
        spec=HOURS_SPEC,
    )


#: The reader's words for :func:`~evaluation.analysis.describe.week_dimensions` measures.
DIMENSION_LABELS = {
    "course_completers": "People with at least one course completion",
    "ai_course_learners": "... of whom took at least one AI-related course",
    "frontline_completions": "Course completions by frontline workers",
    "state_ut_completions": "Course completions by staff of States/UTs",
}
DIMENSIONS_SPEC = TableSpec(
    (
        Column("measure", "Measure"),
        Column("value", "Number", "count"),
        Column("share", "Share", "percent"),
    )
)


def dimensions(ed: Edition, table: pd.DataFrame) -> None:
    """AI-related courses, frontline workers and States/UTs: the dimensions the 2026 week reported.

    Persons (completers, AI learners) are disclosure-controlled; completions are not persons.
    """
    if table.empty:
        return
    values = table.set_index("measure")
    shares: dict[str, float] = dict(
        zip(table["measure"], table["share"].astype(float), strict=True)
    )
    min_cell = ed.params.min_cell
    people = values[values["counts_persons"]]
    hidden = people.index[people["value"] < min_cell].tolist()
    parts = []
    if "ai_course_learners" in values.index and "ai_course_learners" not in hidden:
        share = shares["ai_course_learners"]
        parts.append(f"{share:.0%} of the people who completed a course took an AI-related one")
    if "frontline_completions" in values.index:
        share = shares["frontline_completions"]
        parts.append(f"frontline workers made {share:.0%} of the completions")
    if "state_ut_completions" in values.index:
        share = shares["state_ut_completions"]
        parts.append(f"staff of States and UTs {share:.0%}")
    if parts:
        ed.say("In the week, " + "; ".join(parts) + ".")
    shown = table.assign(measure=table["measure"].map(DIMENSION_LABELS))
    masked = table["counts_persons"] & (table["value"] < min_cell)
    shown["value"] = shown["value"].astype("Float64").mask(masked)
    shown["share"] = shown["share"].mask(masked)
    ed.show_table(
        "week_dimensions",
        shown[["measure", "value", "share"]],
        caption=(
            "Course completers, AI-related course learners (share of completers), and "
            "completions by frontline workers (teachers, police, field-level functionaries, "
            "by designation) and by staff of States/UTs (shares of all completions). Counts of "
            f"fewer than {min_cell} persons are not shown."
        ),
        spec=DIMENSIONS_SPEC,
    )


def central_webinars(ed: Edition, events: pd.DataFrame) -> None:
    """Central Webinar Performance: each central session's audience, completion and watch time."""
    central = events[
        (events["organiser"] == "central") & (events["event_type"] != "Samuhik Charcha")
    ]
    if central.empty:
        ed.say("No central webinars were held in this window.")
        return
    ed.show_figure(
        figures.webinar_performance(
            central.assign(is_central=True), top=15, name="central_webinars"
        )
    )
    table = central[
        ["event_name", "start_at", "attendees", "completed", "completion_rate", "avg_watch_hours"]
    ].assign(start_at=central["start_at"].dt.strftime("%d %b %H:%M"))
    ed.show_table(
        "central_webinars",
        table,
        caption=(
            "Central webinars of the week: attendees (watched some), completions and average "
            "hours watched."
        ),
        spec=CENTRAL_WEBINARS_SPEC,
    )


def ministry_webinars(ed: Edition, events: pd.DataFrame) -> None:
    """Ministry/Department Specific Webinar Performance, by organising ministry."""
    own = events[(events["organiser"] == "ministry") & (events["event_type"] == "Webinar")]
    if own.empty:
        ed.say("No ministry or department webinars were held in this window.")
        return
    names = ed.store.table("org_hierarchy").select("mdo_id", "ministry").to_pandas()
    own = own.merge(names, left_on="provider_mdo_id", right_on="mdo_id", how="left")
    table = own.groupby("ministry", as_index=False).agg(
        webinars=("event_id", "count"),
        attendees=("attendees", "sum"),
        completed=("completed", "sum"),
    )
    table["completion_rate"] = table["completed"] / table["attendees"].where(table["attendees"] > 0)
    table = table.sort_values("attendees", ascending=False, ignore_index=True)
    ed.show_table(
        "ministry_webinars",
        table,
        caption="Webinars organised by ministries, departments and states during the week.",
        spec=MINISTRY_WEBINARS_SPEC,
    )


def webinar_statistics(ed: Edition, events: pd.DataFrame) -> None:
    """Webinar Performance Statistics, speakers and Samuhik Charchas (KPIs)."""
    f, style = ed.findings, ed.params.number_style
    summary = describe.webinar_summary(events)
    speakers = describe.speakers(events[events["event_type"] == "Karmayogi Saptah"])
    charchas = events[events["event_type"] == "Samuhik Charcha"]
    f.count(
        "central_webinar_speakers",
        len(speakers),
        label="central webinar speakers",
        definition=KPI_DEFINITIONS["webinar_speaker"],
        unit="speakers",
    )
    f.count(
        "samuhik_charchas",
        len(charchas),
        label="Samuhik Charchas held",
        definition=KPI_DEFINITIONS["samuhik_charcha"],
        unit="sessions",
    )
    f.count(
        "samuhik_charcha_participants",
        int(charchas["attendees"].sum()),
        label="Samuhik Charcha attendances",
        definition=KPI_DEFINITIONS["samuhik_charcha"],
        unit="attendances",
    )
    ed.say(
        f"{len(speakers)} speakers led the central Karmayogi Saptah webinars; "
        f"{format_count(len(charchas), style=style)} Samuhik Charchas (group discussions) drew "
        f"{format_count(int(charchas['attendees'].sum()), style=style)} attendances."
    )
    ed.show_table(
        "webinar_statistics",
        summary,
        caption="Events of the week by organiser and type: number, attendees and completion rate.",
        spec=WEBINAR_STATISTICS_SPEC,
    )


def karma(ed: Edition, points: pd.DataFrame) -> None:
    """Karma points credited in the week, by what earned them."""
    named = points.assign(operation_type=points["operation_type"].map(karma_operation_name))
    ed.show_table(
        "karma_points",
        named,
        caption="Karma points credited during the week, by what earned them (platform rules).",
        spec=KARMA_SPEC,
    )


def karma_operation_name(code: object) -> str:
    """The reader's name of a karma ledger ``operation_type`` (``RATING`` -> "Course rated")."""
    text = str(code)
    return KARMA_OPERATION_LABELS.get(text, text.replace("_", " ").capitalize())


def definitions(ed: Edition) -> None:
    """The definitions behind every number, written once in :mod:`evaluation.core.vocabulary`."""
    lines = [
        f"- **{key.replace('_', ' ').capitalize()}**: {_definition(key, ed.params)}"
        for key in KPI_DEFINITIONS
    ]
    ed.say("## Definitions\n\n" + "\n".join(lines))
