"""Build the synthetic world (or one block of its people) in memory, in a fixed order of streams.

A world larger than one block is simulated block by block (:class:`Block`): every block shares
the organisations, catalogue and events, has its own people and its own random streams, and
takes its share of every national count (participants, enrolments) in proportion to its size.
Block 0 uses the unblocked world's streams, so a world that fits one block is unchanged.
"""

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

__all__ = ["Block", "World", "simulate", "stream"]

DAY = act.DAY


@dataclass(frozen=True)
class Block:
    """One block of a world's people.

    ``index`` picks its random streams, ``people`` is its size and ``first_person`` how many
    people the blocks before it hold.
    """

    index: int
    people: int
    first_person: int = 0


@dataclass
class World:
    """Everything the writers and the ground truth need (for one block of people)."""

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
    gaming_mdos: np.ndarray  # organisations that game completions in the weeks
    block: int = 0


def stream(seed: int, part: int, block: int = 0) -> np.random.Generator:
    """The random stream of one part of the simulation (of one block of people).

    One independent stream per part, so changing one part never shifts another's draws; block
    0 keeps the unblocked keys, so a world of one block is the world as it always was.
    """
    return np.random.default_rng([seed, part] if block == 0 else [seed, part, block])


def _speakers(rng: np.random.Generator, people_names: list[str], count: int) -> list[str]:
    titles = ("Shri", "Smt.", "Dr.", "Prof.")
    named = [f"{titles[rng.integers(len(titles))]} {name}" for name in people_names[:count]]
    return list(dict.fromkeys(named))  # distinct, so "24 speakers" means 24 people


def simulate(
    seed: int, scale: float, block: Block | None = None, gaming_mdos: np.ndarray | None = None
) -> World:
    """Simulate orgs, people, courses, events, learning, weeks, effects, ACBP and scores.

    Parameters
    ----------
    seed : int
        Random seed.
    scale : float
        The whole world's scale (1 = the national platform).
    block : Block, optional
        Simulate only this block of people, with its share of the national counts; ``None``
        simulates the whole world as one block.
    gaming_mdos : numpy.ndarray, optional
        The organisations that game completions (block 0's ``World.gaming_mdos``, for the
        other blocks); ``None`` draws them.
    """
    index = 0 if block is None else block.index

    def people_stream(part: int) -> np.random.Generator:
        # Organisations, courses and events are shared; everything about people is per block.
        return stream(seed, part, index)

    orgs = build_orgs(stream(seed, 1))
    if block is None:
        population, share = max(round(POPULATION_AT_SCALE_1 * scale), 200), scale
    else:
        population, share = block.people, block.people / POPULATION_AT_SCALE_1
    first_person = 0 if block is None else block.first_person
    people = build_people(people_stream(2), orgs, population, first_person)
    catalogue = build_catalogue(stream(seed, 3))
    speaker_rng = stream(seed, 4)
    speaker_people = build_people(speaker_rng, orgs, 80)
    speakers = _speakers(speaker_rng, speaker_people.full_name.to_pylist(), 80)
    events = act.build_events(speaker_rng, orgs, EDITIONS, speakers)

    blocks: list[dict[str, np.ndarray]] = []
    attendance = [act.background_event_attendance(people_stream(5), people, events)]
    weeks: list = []
    cycles: list = []
    scores: list = []
    multipliers: list = []
    earlier = np.zeros(people.count, dtype=bool)
    for number, edition in enumerate(EDITIONS):
        week = act.run_week(
            people_stream(10 + number), people, orgs, catalogue, events, edition, share, earlier
        )
        hours = _week_hours(people, catalogue, events, week)
        multiplier = act.effect_multiplier(people, orgs, hours, edition)
        cycle = act.acbp_cycle(
            people_stream(20 + number), people, orgs, catalogue, edition, multiplier, cycles
        )
        blocks.insert(number, act.acbp_rows(cycle, week.participant))
        blocks += [
            week.enrolments,
            act.effect_completions(
                people_stream(30 + number), catalogue, edition, week.participant, multiplier
            ),
        ]
        attendance.append(week.attendance)
        scores.append(act.assessment_scores(people_stream(40 + number), people, week, multiplier))
        weeks.append(week)
        cycles.append(cycle)
        multipliers.append(np.where(week.participant, multiplier, 0.0))
        earlier |= week.participant
    blocks += act.background_learning(people_stream(6), people, catalogue, EDITIONS)
    rows = _drop_impossible(act.concat_blocks(blocks))
    del blocks
    top_ups = []
    for number, week in enumerate(weeks):
        first, last = day_number(week.edition.start), day_number(week.edition.end)
        day = rows["enrolled_at"] // DAY
        existing = int(((day >= first) & (day <= last)).sum())
        top_ups.append(
            act.top_up_enrolments(people_stream(50 + number), catalogue, week, existing, share)
        )
    # Allocations nobody enrolled in still reserve their course: no other row may take it.
    reserved = [act.unenrolled_allocations(cycle, week.participant)
                for cycle, week in zip(cycles, weeks, strict=True)]  # fmt: skip
    rows = act.concat_blocks([*reserved, rows, *top_ups])
    rows = act.deduplicate_enrolments(people_stream(60), rows, catalogue)
    rows = {key: value[rows["source"] != act.Source.RESERVED] for key, value in rows.items()}
    rows, gaming = act.game_some_completions(
        people_stream(62), rows, catalogue, people.mdo, EDITIONS, gaming_mdos
    )
    rows["completion_karma"] = act.completion_points(rows, catalogue)
    rows["acbp_karma"] = act.acbp_points(rows)
    rows["rated"] = act.rated(rows, people_stream(61))
    rows["karma"] = act.karma_points(rows)
    attended = act.concat_blocks(attendance)
    attended = _unique_attendance(attended, events.count)
    attended["karma"] = act.event_points(attended)
    return World(seed, scale, orgs, people, catalogue, events, rows, attended, weeks, cycles,
                 scores, multipliers, gaming, index)  # fmt: skip


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
