"""Report sections: record each number in findings and show it to the reader, in plain English.

Each function takes an opened :class:`~evaluation.notebook.Edition` and a computed result; the
notebooks call one function per section so they stay drivers.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from evaluation.describe import DEFINITIONS, ParticipationKPIs
from evaluation.formatting import format_count

__all__ = ["daily_trend", "definitions", "participation_summary"]


def _definition(key: str, params) -> str:
    return DEFINITIONS[key].format(target_hours=params.target_hours)


def participation_summary(ed, kpis: ParticipationKPIs) -> None:
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
    ed.say("## Summary\n\n" + text)
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
    f.table("participation_kpis_values", raw, caption="Headline figures as exact values.")


def daily_trend(ed, daily: pd.DataFrame) -> None:
    """Completions per day with the peak annotated."""
    p = ed.params
    fig, ax = plt.subplots(figsize=(8, 3.6))
    days = pd.to_datetime(daily["date"])
    ax.bar(days, daily["completions"], color="#0b5394", width=0.7)
    peak = daily["completions"].idxmax()
    ax.annotate(
        f"peak: {format_count(int(daily['completions'][peak]), style=p.number_style)}",
        (days[peak], daily["completions"][peak]),
        xytext=(0, 6),
        textcoords="offset points",
        ha="center",
        fontsize=9,
    )
    ax.set_ylabel("course completions")
    ax.set_xticks(days, [d.strftime("%d %b") for d in days], rotation=0, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylim(0, daily["completions"].max() * 1.15 + 1)
    caption = (
        f"Course completions per day during {p.title}. The tallest bar is the peak day; "
        "a rise towards the end of the week shows people catching up to the target."
    )
    ed.show_figure("daily_completions", fig, caption=caption)
    table = daily.assign(date=daily["date"].astype(str))
    ed.findings.table("daily_completions", table, caption="Course completions per day.")


def definitions(ed) -> None:
    """The definitions behind every number, written once in :mod:`evaluation.describe`."""
    lines = [
        f"- **{key.replace('_', ' ').capitalize()}**: {_definition(key, ed.params)}"
        for key in DEFINITIONS
    ]
    ed.say("## Definitions\n\n" + "\n".join(lines))
