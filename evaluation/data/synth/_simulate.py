"""Build the whole synthetic world in memory, in a fixed order of random streams."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evaluation.data.synth import _activity as act
from evaluation.data.synth._config import EDITIONS, POPULATION_AT_SCALE_1
from evaluation.data.synth._world import (
    Catalogue,
    Orgs,
    People,
    build_catalogue,
    build_orgs,
    build_people,
    day_number,
)

__all__ = ["World", "simulate"]

DAY = act.DAY


@dataclass
class World:
    """Everything the writers and the ground truth need."""

    seed: int
    scale: float
    orgs: Orgs
    people: People
    catalogue: Catalogue
    events: act.EventTable
    enrolments: dict[str, np.ndarray]
    attendance: dict[str, np.ndarray]
    weeks: list[act.WeekResult]
    acbp: list[act.AcbpCycle]
    scores: list[act.Scores]
    multipliers: list[np.ndarray]  # effect multiplier per person and edition (participants)


def _stream(seed: int, part: int) -> np.random.Generator:
    # One independent stream per part, so changing one part never shifts another's draws.
    return np.random.default_rng([seed, part])


def _speakers(rng: np.random.Generator, people_names: list[str], count: int) -> list[str]:
    titles = ("Shri", "Smt.", "Dr.", "Prof.")
    named = [f"{titles[rng.integers(len(titles))]} {name}" for name in people_names[:count]]
    return list(dict.fromkeys(named))  # distinct, so "24 speakers" means 24 people


def simulate(seed: int, scale: float) -> World:
    """Simulate orgs, people, courses, events, learning, weeks, effects, ACBP and scores."""
    orgs = build_orgs(_stream(seed, 1))
    population = max(round(POPULATION_AT_SCALE_1 * scale), 200)
    people = build_people(_stream(seed, 2), orgs, population)
    catalogue = build_catalogue(_stream(seed, 3))
    speaker_rng = _stream(seed, 4)
    speaker_people = build_people(speaker_rng, orgs, 80)
    speakers = _speakers(speaker_rng, speaker_people.full_name.to_pylist(), 80)
    events = act.build_events(speaker_rng, orgs, EDITIONS, speakers)

    blocks: list[dict[str, np.ndarray]] = []
    attendance = [act.background_event_attendance(_stream(seed, 5), people, events)]
    weeks: list = []
    cycles: list = []
    scores: list = []
    multipliers: list = []
    earlier = np.zeros(people.count, dtype=bool)
    for number, edition in enumerate(EDITIONS):
        week = act.run_week(
            _stream(seed, 10 + number), people, orgs, catalogue, events, edition, scale, earlier
        )
        hours = _week_hours(people, catalogue, events, week)
        multiplier = act.effect_multiplier(people, orgs, hours, edition)
        cycle = act.acbp_cycle(
            _stream(seed, 20 + number), people, orgs, catalogue, edition, multiplier, cycles
        )
        blocks.insert(number, act.acbp_rows(cycle, week.participant))
        blocks += [
            week.enrolments,
            act.effect_completions(
                _stream(seed, 30 + number), catalogue, edition, week.participant, multiplier
            ),
        ]
        attendance.append(week.attendance)
        scores.append(act.assessment_scores(_stream(seed, 40 + number), people, week, multiplier))
        weeks.append(week)
        cycles.append(cycle)
        multipliers.append(np.where(week.participant, multiplier, 0.0))
        earlier |= week.participant
    blocks += act.background_learning(_stream(seed, 6), people, catalogue, EDITIONS)
    rows = _drop_impossible(act.concat_blocks(blocks))
    del blocks
    top_ups = []
    for number, week in enumerate(weeks):
        first, last = day_number(week.edition.start), day_number(week.edition.end)
        day = rows["enrolled_at"] // DAY
        existing = int(((day >= first) & (day <= last)).sum())
        top_ups.append(
            act.top_up_enrolments(_stream(seed, 50 + number), catalogue, week, existing, scale)
        )
    # Allocations nobody enrolled in still reserve their course: no other row may take it.
    reserved = [act.unenrolled_allocations(cycle, week.participant)
                for cycle, week in zip(cycles, weeks, strict=True)]  # fmt: skip
    rows = act.concat_blocks([*reserved, rows, *top_ups])
    rows = act.deduplicate_enrolments(_stream(seed, 60), rows, catalogue)
    rows = {key: value[rows["source"] != act.Source.RESERVED] for key, value in rows.items()}
    rows = act.game_some_completions(_stream(seed, 62), rows, catalogue, people.mdo, EDITIONS)
    rows["completion_karma"] = act.completion_points(rows, catalogue)
    rows["acbp_karma"] = act.acbp_points(rows)
    rows["rated"] = act.rated(rows, _stream(seed, 61))
    rows["karma"] = act.karma_points(rows)
    attended = act.concat_blocks(attendance)
    attended = _unique_attendance(attended, events.count)
    attended["karma"] = act.event_points(attended)
    return World(seed, scale, orgs, people, catalogue, events, rows, attended, weeks, cycles,
                 scores, multipliers)  # fmt: skip


def _week_hours(people: People, catalogue: Catalogue, events, week: act.WeekResult) -> np.ndarray:
    course = np.bincount(
        week.enrolments["person"],
        weights=catalogue.duration_hours[week.enrolments["content"]],
        minlength=people.count,
    )
    event = np.bincount(
        week.attendance["person"],
        weights=events.minutes[week.attendance["event"]] / 60.0,
        minlength=people.count,
    )
    return course + event


def _drop_impossible(rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    # Completions after the export date have not happened yet.
    end = (day_number(act.DATA_END) + 1) * DAY
    keep = (rows["completed_at"] < end) & (rows["enrolled_at"] < end)
    return {key: value[keep] for key, value in rows.items()}


def _unique_attendance(rows: dict[str, np.ndarray], width: int) -> dict[str, np.ndarray]:
    _, first = np.unique(rows["person"] * width + rows["event"], return_index=True)
    first.sort()
    return {key: value[first] for key, value in rows.items()}
