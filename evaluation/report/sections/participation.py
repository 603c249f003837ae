"""Report sections: record each number in findings and show it to the reader, in plain English.

Each function takes an opened :class:`~evaluation.report.edition.Edition` and a computed result; the
notebooks call one function per section so they stay drivers.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, display

from evaluation.analysis import describe
from evaluation.analysis.describe import DEFINITIONS, ParticipationKPIs
from evaluation.report import figures
from evaluation.report.disclosure import export_view, suppress
from evaluation.report.formatting import format_count, format_count_hi, format_date_hi

__all__ = [
    "central_webinars",
    "daily_trend",
    "definitions",
    "karma",
    "learning_metrics",
    "ministry_webinars",
    "summary",
    "webinar_statistics",
]


def _definition(key: str, params) -> str:
    return DEFINITIONS[key].format(target_hours=params.target_hours)


def summary(ed, kpis: ParticipationKPIs) -> None:
    """Headline numbers of the edition, the one-screen summary and the KPI table."""
    f, p = ed.findings, ed.params
    style = p.number_style
    f.count(
        "participants",
        kpis.participants,
        label="trackable participants",
        definition=DEFINITIONS["participant"],
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
        definition=DEFINITIONS["course_completion"],
        unit="completions",
    )
    f.count(
        "avg_daily_completions",
        round(kpis.avg_daily_completions),
        label="completions per day on average",
        definition=DEFINITIONS["daily_completions"],
        unit="completions per day",
    )
    f.number(
        "peak_day",
        kpis.peak_day.isoformat() if kpis.peak_day else None,
        label="peak day",
        definition=DEFINITIONS["daily_completions"],
        unit="date",
    )
    f.count(
        "peak_daily_completions",
        kpis.peak_daily_completions,
        label="completions on the peak day",
        definition=DEFINITIONS["daily_completions"],
    )
    f.count(
        "course_enrolments",
        kpis.course_enrolments,
        label="course enrolments",
        definition=DEFINITIONS["course_enrolment"],
        unit="enrolments",
    )
    f.number(
        "learning_hours",
        kpis.learning_hours,
        label="learning hours",
        definition=DEFINITIONS["learning_hours"],
        unit="hours",
        decimals=0,
    )
    f.count(
        "group_a_participants",
        kpis.group_a_participants,
        label="Group A participants",
        definition=DEFINITIONS["participant"],
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
    hindi = _summary_hindi(kpis, p)
    f.sentence("participation_summary_hi", hindi)
    ed.say("## Summary\n\n" + text)
    display(HTML(f'<p lang="hi"><strong>सारांश:</strong> {html.escape(hindi)}</p>'))
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


def _summary_hindi(kpis: ParticipationKPIs, params) -> str:
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


def daily_trend(ed, daily: pd.DataFrame) -> None:
    """Daily Course Completion Trends: completions per day with the peak annotated."""
    ed.show_figure(figures.daily_trend(daily, name="daily_completions"))
    table = daily.assign(date=daily["date"].astype(str))
    ed.show_table(
        "daily_completions",
        table,
        caption=f"Course completions per day of {ed.params.title}.",
        formats={"completions": "count"},
        rename={"date": "Date", "completions": "Completions"},
    )


def learning_metrics(ed, mix: pd.DataFrame, hours: pd.DataFrame) -> None:
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
        formats={"completions": "count", "hours": "hours", "share_of_completions": "percent"},
        rename={
            "competency_area": "Competency area",
            "completions": "Completions",
            "hours": "Learning hours",
            "share_of_completions": "Share of completions",
        },
    )
    ed.show_table(
        "hours_distribution",
        hours,
        caption=(
            "Participants by learning hours in the window. People at or above the target are "
            f"those in the bands from {ed.params.target_hours:g} hours up."
        ),
        count_columns=["participants"],
        formats={"participants": "count"},
        rename={"hours": "Hours in the week", "participants": "Participants"},
    )


def central_webinars(ed, events: pd.DataFrame) -> None:
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
        count_columns=["attendees", "completed"],
        derived={"completion_rate": ["completed", "attendees"], "avg_watch_hours": "attendees"},
        formats={
            "attendees": "count",
            "completed": "count",
            "completion_rate": "percent",
            "avg_watch_hours": "decimal",
        },
        rename={
            "event_name": "Webinar",
            "start_at": "Start",
            "attendees": "Attendees",
            "completed": "Completed",
            "completion_rate": "Completion rate",
            "avg_watch_hours": "Average hours watched",
        },
    )


def ministry_webinars(ed, events: pd.DataFrame) -> None:
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
        count_columns=["attendees", "completed"],
        derived={"completion_rate": ["completed", "attendees"]},
        formats={
            "webinars": "count",
            "attendees": "count",
            "completed": "count",
            "completion_rate": "percent",
        },
        rename={
            "ministry": "Ministry / State",
            "webinars": "Webinars",
            "attendees": "Attendees",
            "completed": "Completed",
            "completion_rate": "Completion rate",
        },
    )


def webinar_statistics(ed, events: pd.DataFrame) -> None:
    """Webinar Performance Statistics, speakers and Samuhik Charchas (KPIs)."""
    f, style = ed.findings, ed.params.number_style
    summary = describe.webinar_summary(events)
    speakers = describe.speakers(events[events["event_type"] == "Karmayogi Saptah"])
    charchas = events[events["event_type"] == "Samuhik Charcha"]
    f.count(
        "central_webinar_speakers",
        len(speakers),
        label="central webinar speakers",
        definition=describe.DEFINITIONS["webinar_speaker"],
        unit="speakers",
    )
    f.count(
        "samuhik_charchas",
        len(charchas),
        label="Samuhik Charchas held",
        definition=describe.DEFINITIONS["samuhik_charcha"],
        unit="sessions",
    )
    f.count(
        "samuhik_charcha_participants",
        int(charchas["attendees"].sum()),
        label="Samuhik Charcha attendances",
        definition=describe.DEFINITIONS["samuhik_charcha"],
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
        count_columns=["attendees", "completed", "median_attendees"],
        derived={"completion_rate": ["completed", "attendees"]},
        formats={
            "events": "count",
            "attendees": "count",
            "completed": "count",
            "median_attendees": "count",
            "completion_rate": "percent",
        },
        rename={
            "organiser": "Organiser",
            "event_type": "Type",
            "events": "Events",
            "attendees": "Attendees",
            "completed": "Completed",
            "median_attendees": "Median attendees",
            "completion_rate": "Completion rate",
        },
    )


def karma(ed, points: pd.DataFrame) -> None:
    """Karma points credited in the week, by what earned them."""
    ed.show_table(
        "karma_points",
        points,
        caption="Karma points credited during the week, by what earned them (platform rules).",
        count_columns=["persons"],
        formats={"persons": "count", "credits": "count", "points": "count"},
        rename={
            "operation_type": "Earned for",
            "persons": "Persons",
            "credits": "Credits",
            "points": "Points",
        },
    )


def definitions(ed) -> None:
    """The definitions behind every number, written once in :mod:`evaluation.analysis.describe`."""
    lines = [
        f"- **{key.replace('_', ' ').capitalize()}**: {_definition(key, ed.params)}"
        for key in DEFINITIONS
    ]
    ed.say("## Definitions\n\n" + "\n".join(lines))
