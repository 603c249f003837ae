"""What people do: ordinary learning, the weeks, ACBP mandates, planted effects, scores, karma.

Rows are kept as dictionaries of numpy arrays ("blocks") and concatenated once. Times are
seconds since 1970-01-01 (naive, Indian Standard Time); ``-1`` means "never".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluation.core.vocabulary import (
    DOSE_BANDS,
    FAST_COMPLETION_MIN_MINUTES,
    FOLLOW_UP_DAYS,
    GROUPS,
)
from evaluation.data.synth._config import (
    DATA_END,
    DATA_START,
    EFFECTS_BY_EDITION,
    EVENT_ONLY_SHARE,
    Edition,
)
from evaluation.data.synth._world import (
    DURATION_GRID,
    Catalogue,
    Orgs,
    People,
    day_number,
)

__all__ = [
    "EventTable",
    "WeekResult",
    "Source",
    "build_events",
    "background_learning",
    "background_event_attendance",
    "run_week",
    "acbp_cycle",
    "effect_completions",
    "top_up_enrolments",
    "unenrolled_allocations",
    "deduplicate_enrolments",
    "assessment_scores",
    "karma_points",
    "event_points",
    "concat_blocks",
]

DAY = 86_400
NEVER = -1


class Source:
    """Where an enrolment row came from (internal; never written)."""

    ACBP = 0
    WEEK = 1
    EFFECT = 2
    BACKGROUND = 3
    BACKGROUND_OPEN = 4
    TOP_UP = 5
    RESERVED = 6  # placeholder for an allocation nobody enrolled in; removed before writing


def concat_blocks(blocks: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Concatenate row blocks that share the same keys."""
    keys = blocks[0].keys()
    return {key: np.concatenate([block[key] for block in blocks]) for key in keys}


def _rows(
    person, content, enrolled_at, completed_at, source, acbp=None, on_time=None
) -> dict[str, np.ndarray]:
    count = len(person)
    # Small integer types keep scale 1 (about 30 million rows) within a few GB.
    return {
        "person": np.asarray(person, dtype=np.int32),
        "content": np.asarray(content, dtype=np.int16),
        "enrolled_at": np.asarray(enrolled_at, dtype=np.int64),
        "completed_at": np.asarray(completed_at, dtype=np.int64),
        "source": np.full(count, source, dtype=np.int8),
        "acbp": np.zeros(count, dtype=bool) if acbp is None else np.asarray(acbp, dtype=bool),
        # an ACBP course completed by its due date (earns the on-time bonus)
        "acbp_on_time": np.zeros(count, dtype=bool) if on_time is None else np.asarray(on_time),
    }


def _time_of_day(rng: np.random.Generator, count: int) -> np.ndarray:
    # Office hours with an evening shoulder: 09:00-22:59, peaking 11:00-17:00.
    hours = np.array([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22])
    weight = np.array([4, 7, 9, 9, 7, 9, 9, 9, 8, 6, 5, 4, 3, 2], dtype=float)
    hour = rng.choice(hours, size=count, p=weight / weight.sum())
    return hour * 3600 + rng.integers(0, 3600, size=count)


def _window_days(edition: Edition) -> tuple[int, int]:
    return day_number(edition.start), day_number(edition.end)


def in_any_window(day: np.ndarray, editions: tuple[Edition, ...]) -> np.ndarray:
    """True where a day number falls inside any edition's week."""
    inside = np.zeros(len(day), dtype=bool)
    for edition in editions:
        first, last = _window_days(edition)
        inside |= (day >= first) & (day <= last)
    return inside


# --------------------------------------------------------------------------- events


@dataclass
class EventTable:
    """Events (webinars, talks, Samuhik Charchas); one row each."""

    event_type: np.ndarray  # index into EVENT_TYPES
    provider_mdo: np.ndarray
    start_at: np.ndarray
    minutes: np.ndarray
    edition: np.ndarray  # edition year for week events, 0 otherwise
    is_central: np.ndarray
    title: list[str]
    presenters: list[str]
    tag: list[str]

    @property
    def count(self) -> int:
        """Number of events."""
        return len(self.minutes)


EVENT_TYPES = ("Webinar", "Karmayogi Talks", "Karmayogi Saptah", "Samuhik Charcha")


_WEEK_TAG = "National Learning Week"


def build_events(
    rng: np.random.Generator, orgs: Orgs, editions: tuple[Edition, ...], speakers: list[str]
) -> EventTable:
    """Build monthly talks and webinars plus each week's events.

    Each week has central webinars (two speakers each, ``central_speakers`` distinct speakers),
    40 ministry webinars and 150 Samuhik Charchas.
    """
    central_mdos = np.flatnonzero(np.array([t == "central" for t in orgs.org_type]))
    cbc = orgs.mdo_name.index("Capacity Building Commission")
    rows: list[tuple] = []  # type, mdo, day, minutes, edition, central, title, presenters, tag

    def speaker() -> str:
        return speakers[int(rng.integers(len(speakers)))]

    week_days = np.concatenate(
        [np.arange(first, last + 1) for first, last in map(_window_days, editions)]
    )
    background_days = np.arange(day_number(DATA_START), day_number(DATA_END) + 1)
    background_days = background_days[~np.isin(background_days, week_days)]
    for day in np.sort(rng.choice(background_days, size=31 * 6, replace=False)):
        talk = bool(rng.random() < 0.4)
        mdo = cbc if talk else int(rng.choice(central_mdos))
        title = "Karmayogi Talks" if talk else "Webinar"
        rows.append((int(talk), mdo, int(day), int(rng.choice([60, 90])), 0, talk, title,
                     speaker(), ""))  # fmt: skip
    for edition in editions:
        first, last = _window_days(edition)
        pool = rng.permutation(len(speakers))[: edition.central_speakers]
        for index in range(edition.central_speakers // 2):
            names = ", ".join(speakers[i] for i in pool[2 * index : 2 * index + 2])
            title = f"Karmayogi Saptah {edition.year}: Central Webinar {index + 1}"
            rows.append((2, cbc, first + index % edition.days, 60, edition.year, True, title,
                         names, _WEEK_TAG))  # fmt: skip
        for index in range(40):
            mdo = int(rng.choice(central_mdos))
            title = f"{orgs.mdo_name[mdo]}: Saptah Webinar {index + 1}"
            rows.append((0, mdo, int(rng.integers(first, last + 1)), int(rng.choice([60, 90])),
                         edition.year, False, title, speaker(), _WEEK_TAG))  # fmt: skip
        for index in range(150):
            title = f"सामूहिक चर्चा / Samuhik Charcha {index + 1}"
            rows.append((3, int(rng.integers(orgs.count)), int(rng.integers(first, last + 1)),
                         60, edition.year, False, title, "", _WEEK_TAG))  # fmt: skip
    kinds, mdos, days, minutes, years, central, titles, presenters, tags = zip(*rows, strict=True)
    start_hour = rng.choice([10, 11, 15, 16], size=len(rows))
    return EventTable(
        event_type=np.array(kinds),
        provider_mdo=np.array(mdos),
        start_at=np.array(days, dtype=np.int64) * DAY + start_hour * 3600,
        minutes=np.array(minutes),
        edition=np.array(years),
        is_central=np.array(central),
        title=list(titles),
        presenters=list(presenters),
        tag=list(tags),
    )


def _attendance(person, event, events: EventTable, completed: np.ndarray, rng) -> dict:
    start = events.start_at[event]
    duration = events.minutes[event] * 60
    percent = np.where(completed, 100.0, np.round(rng.uniform(10, 70, len(event)), 1))
    return {
        "person": np.asarray(person, dtype=np.int64),
        "event": np.asarray(event, dtype=np.int64),
        "enrolled_at": start - rng.integers(3600, 10 * DAY, len(event)),
        "completed_at": np.where(completed, start + duration, NEVER),
        "percent": percent,
        "watched_seconds": np.round(duration * percent / 100).astype(np.int64),
    }


def background_event_attendance(
    rng: np.random.Generator, people: People, events: EventTable
) -> dict[str, np.ndarray]:
    """Ordinary event attendance outside the weeks (habitual learners attend more)."""
    ordinary = np.flatnonzero(events.edition == 0)
    expected = 0.15 + 1.5 * people.monthly_rate  # events over the whole period
    count = rng.poisson(expected)
    person = np.repeat(np.arange(people.count), count)
    event = rng.choice(ordinary, size=len(person))
    keep = events.start_at[event] > people.registered_at[person]
    person, event = person[keep], event[keep]
    completed = rng.random(len(person)) < 0.8
    return _attendance(person, event, events, completed, rng)


# ----------------------------------------------------------------------- background


#: Person-specific part of ordinary learning: a flat share of each person's monthly rate.
PERSONAL_SHARE = 0.8
#: Monthly completions every active account adds, on average, through the common season
#: (platform growth and the March ACBP push), the same for everyone whatever their habit.
COMMON_MONTHLY_RATE = 0.012


def _intensity_cumulative(common: bool) -> tuple[np.ndarray, int]:
    """Cumulative daily intensity of ordinary learning (person part: 1/30.44 per day).

    The person-specific part is flat in time; the season (a trend rising over the period and a
    March push) is a common *additive* part, the same for every account. So without a week
    everybody's expected completions move in parallel, which is the assumption under which
    difference in differences identifies the planted effect (docs/synthetic-data.md).
    """
    first, last = day_number(DATA_START), day_number(DATA_END)
    days = np.arange(first, last + 1)
    if not common:
        return np.arange(len(days) + 1) / 30.44, first
    dates = np.array(days, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]").astype(int) % 12 + 1
    trend = np.linspace(0.8, 1.2, len(days))
    season = np.where(month == 3, 1.4, 1.0)  # March: year-end ACBP push
    intensity = trend * season - PERSONAL_SHARE  # >= 0: what the season adds to the flat part
    intensity *= len(days) / 30.44 / intensity.sum()
    return np.concatenate([[0.0], np.cumsum(intensity)]), first


def _ordinary_days(
    rng, rate_months: np.ndarray, start_day: np.ndarray, *, common: bool = False
) -> tuple:
    cumulative, first = _intensity_cumulative(common)
    offset = np.clip(start_day - first, 0, len(cumulative) - 1)
    low, high = cumulative[offset], cumulative[-1]
    count = rng.poisson(rate_months * (high - low))
    owner = np.repeat(np.arange(len(count)), count)
    draw = rng.uniform(low[owner], high)
    day = first + np.searchsorted(cumulative, draw, side="right") - 1
    return owner, np.clip(day, first, first + len(cumulative) - 2)


def _ordinary_completions(rng, people: People, start: np.ndarray) -> tuple:
    """Days of ordinary completions: a flat personal part plus a common additive season."""
    personal = _ordinary_days(rng, PERSONAL_SHARE * people.monthly_rate, start)
    rate = np.where(people.active, COMMON_MONTHLY_RATE, 0.0)
    shared = _ordinary_days(rng, rate, start, common=True)
    return np.concatenate([personal[0], shared[0]]), np.concatenate([personal[1], shared[1]])


def background_learning(
    rng: np.random.Generator, people: People, catalogue: Catalogue, editions: tuple[Edition, ...]
) -> list[dict[str, np.ndarray]]:
    """Ordinary completions and unfinished enrolments over the whole period, none in a week."""
    start = np.maximum(people.registered_day, day_number(DATA_START))
    person, day = _ordinary_completions(rng, people, start)
    keep = ~in_any_window(day, editions)
    person, day = person[keep], day[keep]
    content = rng.choice(catalogue.count, size=len(person), p=catalogue.popularity)
    # On the registration day itself, learning starts after registering.
    completed = np.maximum(day * DAY + _time_of_day(rng, len(person)),
                           people.registered_at[person] + 3 * 3600)  # fmt: skip
    lag = (catalogue.duration_hours[content] * rng.uniform(1.0, 2.0, len(person)) * 3600).astype(
        np.int64
    ) + rng.exponential(4 * DAY, len(person)).astype(np.int64)
    enrolled = np.maximum(completed - lag, people.registered_at[person] + 60)
    enrolled = np.minimum(enrolled, completed - 60)
    done = _rows(person, content, enrolled, completed, Source.BACKGROUND)
    # Unfinished enrolments: even dormant accounts enrol now and then.
    person, day = _ordinary_days(rng, 0.2 * people.monthly_rate + 0.005, start)
    content = rng.choice(catalogue.count, size=len(person), p=catalogue.popularity)
    enrolled = np.maximum(day * DAY + _time_of_day(rng, len(person)),
                          people.registered_at[person] + 600)  # fmt: skip
    open_rows = _rows(
        person, content, enrolled, np.full(len(person), NEVER), Source.BACKGROUND_OPEN
    )
    return [done, open_rows]


# ----------------------------------------------------------------------------- weeks


@dataclass
class WeekResult:
    """Who took part in a week and how much (as planted; the data are the judge)."""

    edition: Edition
    eligible: np.ndarray  # bool per person
    participant: np.ndarray  # bool per person
    target_met: np.ndarray  # bool per person (as planned)
    enrolments: dict[str, np.ndarray]
    attendance: dict[str, np.ndarray]


def _standardise(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / max(values.std(), 1e-9)


def _top_k(score: np.ndarray, members: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` members with the highest score (ties broken by index)."""
    k = min(k, len(members))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(-score[members], kind="stable")
    return members[order[:k]]


#: Week hours of target achievers: 4 + Gamma(shape, scale) hours, capped.
MET_HOURS_SHAPE, MET_HOURS_SCALE, MET_HOURS_CAP = 1.1, 2.3, 24.0
#: Courses tried by participants who stay below 4 hours: 1 + Poisson(mean).
UNMET_EXTRA_COURSES = 0.8
_SLOTS = 40
#: Weight of log(monthly learning rate) in the participation utility (self-selection strength).
PARTICIPATION_HABIT_WEIGHT = 1.6


def run_week(
    rng: np.random.Generator,
    people: People,
    orgs: Orgs,
    catalogue: Catalogue,
    events: EventTable,
    edition: Edition,
    scale: float,
    earlier_participant: np.ndarray,
) -> WeekResult:
    """Select participants and achievers (exact counts per group) and generate their week.

    Participants are the eligible people with the highest participation utility within cells
    of group x frontline x sector, the cells' sizes raked to the edition's published margins
    (participants per group; frontline and States/UT shares where published).
    """
    first, last = _window_days(edition)
    eligible = people.active & (people.registered_day < first)
    log_rate = np.log(people.monthly_rate)
    utility = (
        PARTICIPATION_HABIT_WEIGHT * log_rate
        + orgs.participation_shift[people.mdo]
        + 0.6 * earlier_participant
        + rng.gumbel(size=people.count)
    )
    achiever_score = 0.8 * _standardise(log_rate) + rng.normal(size=people.count)
    participant = np.zeros(people.count, dtype=bool)
    target_met = np.zeros(people.count, dtype=bool)
    cell = _cells(people, orgs)
    quota = _cell_quotas(edition, scale, np.bincount(cell[eligible], minlength=16))
    for code in range(16):
        members = np.flatnonzero(eligible & (cell == code))
        participant[_top_k(utility, members, int(quota[code]))] = True
    for index, name in enumerate(GROUPS):
        chosen = np.flatnonzero(participant & (people.group == index))
        met = _top_k(achiever_score, chosen, round(edition.target_met_by_group[name] * scale))
        target_met[met] = True
    unmet_mask = participant & ~target_met
    unmet = np.flatnonzero(unmet_mask)
    event_only = np.zeros(people.count, dtype=bool)
    event_only[rng.choice(unmet, size=round(EVENT_ONLY_SHARE * len(unmet)), replace=False)] = True
    attendance = _week_attendance(rng, events, edition, target_met, unmet_mask, event_only)
    event_hours = np.bincount(
        attendance["person"],
        weights=events.minutes[attendance["event"]] / 60.0,
        minlength=people.count,
    )
    completers = participant & ~event_only
    ai_people = _ai_learners(rng, edition, scale, completers)
    enrolments = _week_courses(
        rng, people, catalogue, edition, target_met, unmet_mask & ~event_only, event_hours,
        ai_people,
    )  # fmt: skip
    return WeekResult(edition, eligible, participant, target_met, enrolments, attendance)


def _cells(people: People, orgs: Orgs) -> np.ndarray:
    """Cell code 0..15 of group (4) x frontline (2) x State/UT (2) for each person."""
    state = orgs.is_state[people.mdo].astype(np.int64)
    return people.group * 4 + people.frontline.astype(np.int64) * 2 + state


def _cell_quotas(edition: Edition, scale: float, eligible: np.ndarray) -> np.ndarray:
    """Participants per cell: eligible counts raked to the edition's margins, then rounded.

    Iterative proportional fitting (raking) of the eligible counts to the participants per
    group and, where the edition publishes them, the frontline and States/UTs shares; a
    cell never gets more participants than it has eligible people.
    """
    groups = np.array([edition.participants_by_group[name] for name in GROUPS]) * scale
    total = groups.sum()
    table = eligible.reshape(4, 2, 2).astype(float)
    for _ in range(200):
        table *= (groups / np.maximum(table.sum(axis=(1, 2)), 1e-12))[:, None, None]
        if edition.frontline_share is not None:
            want = np.array([1 - edition.frontline_share, edition.frontline_share]) * total
            table *= (want / np.maximum(table.sum(axis=(0, 2)), 1e-12))[None, :, None]
        if edition.state_share is not None:
            want = np.array([1 - edition.state_share, edition.state_share]) * total
            table *= (want / np.maximum(table.sum(axis=(0, 1)), 1e-12))[None, None, :]
        table = np.minimum(table, eligible.reshape(4, 2, 2))
    flat = table.ravel()
    counts = np.floor(flat).astype(np.int64)
    # Largest remainders within each group keep the group totals exact.
    for index in range(4):
        part = slice(4 * index, 4 * index + 4)
        missing = int(round(groups[index])) - int(counts[part].sum())
        order = np.argsort(-(flat[part] - counts[part]))
        for offset in order[: max(missing, 0)]:
            counts[4 * index + offset] += 1
    return np.minimum(counts, eligible)


def _ai_learners(
    rng: np.random.Generator, edition: Edition, scale: float, completers: np.ndarray
) -> np.ndarray | None:
    """The completers who take an AI-related course in the week (None: no calibration)."""
    if edition.ai_course_participants is None:
        return None
    pool = np.flatnonzero(completers)
    size = min(round(edition.ai_course_participants * scale), len(pool))
    chosen = np.zeros(len(completers), dtype=bool)
    chosen[rng.choice(pool, size=size, replace=False)] = True
    return chosen


def _week_attendance(rng, events: EventTable, edition: Edition, met, unmet, event_only) -> dict:
    week = np.flatnonzero(events.edition == edition.year)
    weight = np.where(events.is_central[week], 4.0, 1.0)
    short = week[events.minutes[week] == 60]
    # Achievers attend more; non-achievers at most two one-hour events, so they stay below 4 h.
    met_count = (rng.random(len(met)) < 0.12) * (1 + rng.poisson(0.5, len(met))) * met
    unmet_count = (
        ((rng.random(len(met)) < 0.12) | event_only) * (1 + (rng.random(len(met)) < 0.3)) * unmet
    )
    person_met = np.repeat(np.arange(len(met)), met_count)
    person_unmet = np.repeat(np.arange(len(met)), unmet_count)
    event_met = rng.choice(week, size=len(person_met), p=weight / weight.sum())
    short_weight = np.where(events.is_central[short], 4.0, 1.0)
    event_unmet = rng.choice(short, size=len(person_unmet), p=short_weight / short_weight.sum())
    person = np.concatenate([person_met, person_unmet])
    event = np.concatenate([event_met, event_unmet])
    _, first_seen = np.unique(person * events.count + event, return_index=True)
    first_seen.sort()
    person, event = person[first_seen], event[first_seen]
    return _attendance(person, event, events, np.ones(len(person), dtype=bool), rng)


def _week_courses(
    rng, people, catalogue: Catalogue, edition, met, unmet, event_hours, ai_people
) -> dict:
    """Courses completed in the week; with ``ai_people`` exactly they take an AI course."""
    first, _ = _window_days(edition)
    popularity = catalogue.week_popularity
    if ai_people is not None:  # AI courses only where planted (below)
        popularity = np.where(catalogue.is_ai, 0.0, popularity)
        popularity = popularity / popularity.sum()
    # Achievers keep finishing courses until their own goal (at least 4 hours) is reached.
    achievers = np.flatnonzero(met)
    goal = np.minimum(
        4.0 + rng.gamma(MET_HOURS_SHAPE, edition.met_hours_scale, len(achievers)), MET_HOURS_CAP
    )
    slots = rng.choice(catalogue.count, size=(len(achievers), _SLOTS), p=popularity)
    # Events come on top: course hours alone reach the goal, so the MDO reports (which carry
    # no event rows) still see every achiever reach 4 hours.
    reached = np.cumsum(catalogue.duration_hours[slots], axis=1)
    count_met = np.minimum((reached < goal[:, None]).sum(axis=1) + 1, _SLOTS)
    # Non-achievers take a few short courses and stop before 4 hours.
    others = np.flatnonzero(unmet)
    short = np.flatnonzero((catalogue.duration_hours <= 1.5) & (popularity > 0))
    short_p = popularity[short] / popularity[short].sum()
    tries = 1 + rng.poisson(UNMET_EXTRA_COURSES, len(others))
    other_slots = short[rng.choice(len(short), size=(len(others), 8), p=short_p)]
    total = np.cumsum(catalogue.duration_hours[other_slots], axis=1) + event_hours[others, None]
    position = np.arange(8)[None, :]
    keep = (total < 4.0) & (position < tries[:, None])
    count_unmet = keep.sum(axis=1)  # prefix by construction: totals only grow
    person = np.concatenate([np.repeat(achievers, count_met), np.repeat(others, count_unmet)])
    content = np.concatenate(
        [slots[np.arange(_SLOTS)[None, :] < count_met[:, None]], other_slots[keep]]
    )
    if ai_people is not None:
        content = _plant_ai_courses(rng, catalogue, person, content, ai_people)
    day = first + rng.choice(
        edition.days, size=len(person), p=np.array(edition.daily_completion_share)
    )
    completed = day * DAY + _time_of_day(rng, len(person))
    duration = (catalogue.duration_hours[content] * 3600).astype(np.int64)
    working = (duration * rng.uniform(1.0, 1.6, len(person))).astype(np.int64)
    same_week = completed - working - rng.exponential(2 * 3600, len(person)).astype(np.int64)
    earlier = first * DAY - rng.integers(DAY, 60 * DAY, len(person))
    enrolled = np.where(rng.random(len(person)) < 0.92, same_week, earlier)
    enrolled = np.maximum(enrolled, people.registered_at[person] + 60)
    enrolled = np.minimum(enrolled, completed - 60)
    return _rows(person, content, enrolled, completed, Source.WEEK)


def _plant_ai_courses(rng, catalogue: Catalogue, person, content, ai_people) -> np.ndarray:
    """Swap each AI learner's first week course for an AI course of the same duration."""
    content = content.copy()
    rows = np.flatnonzero(ai_people[person])
    _, first = np.unique(person[rows], return_index=True)
    rows = rows[first]
    duration_class = np.searchsorted(DURATION_GRID, catalogue.duration_hours)
    for index in np.unique(duration_class[content[rows]]):
        pool = np.flatnonzero(catalogue.is_ai & (duration_class == index))
        hit = rows[duration_class[content[rows]] == index]
        content[hit] = pool[rng.integers(0, len(pool), len(hit))]
    return content


# --------------------------------------------------------------- effects and ACBP


def dose_band(hours: np.ndarray) -> np.ndarray:
    """Index of the dose band (see ``DOSE_BANDS``) of each week's learning hours."""
    edges = np.array([low for _, low, _ in DOSE_BANDS[1:]])
    return np.searchsorted(edges, hours, side="right")


def effect_multiplier(
    people: People, orgs: Orgs, week_hours: np.ndarray, edition: Edition
) -> np.ndarray:
    """Group x dose x ministry x frontline multiplier of the edition's planted effects."""
    effects = EFFECTS_BY_EDITION[edition.year]
    group = np.array([effects.group[name] for name in GROUPS])[people.group]
    dose = np.array([effects.dose[name] for name, _, _ in DOSE_BANDS])[dose_band(week_hours)]
    by_ministry = np.array([effects.ministry.get(m, 1.0) for m in orgs.ministry])[people.mdo]
    frontline = np.where(people.frontline, effects.frontline, 1.0)
    return group * dose * by_ministry * frontline


def post_window(edition: Edition) -> tuple[int, int]:
    """First and last day (inclusive) of the outcome window after the week."""
    _, last = _window_days(edition)
    return last + 1, last + FOLLOW_UP_DAYS


def effect_completions(
    rng: np.random.Generator,
    catalogue: Catalogue,
    edition: Edition,
    participant: np.ndarray,
    multiplier: np.ndarray,
) -> dict[str, np.ndarray]:
    """Extra completions in the 90 days after the week, caused by taking part."""
    first, last = post_window(edition)
    base = EFFECTS_BY_EDITION[edition.year].extra_completions_90d
    expected = np.where(participant, base * multiplier, 0.0)
    person = np.repeat(np.arange(len(participant)), rng.poisson(expected))
    content = rng.choice(catalogue.count, size=len(person), p=catalogue.popularity)
    completed = rng.integers(first, last + 1, len(person)) * DAY + _time_of_day(rng, len(person))
    duration = (catalogue.duration_hours[content] * 3600).astype(np.int64)
    enrolled = completed - duration - rng.exponential(2 * DAY, len(person)).astype(np.int64)
    enrolled = np.maximum(enrolled, (first * DAY) + 60)
    enrolled = np.minimum(enrolled, completed - 60)
    return _rows(person, content, enrolled, completed, Source.EFFECT)


@dataclass
class AcbpCycle:
    """ACBP allocations of one plan cycle, with completion under both potential states."""

    edition: Edition
    person: np.ndarray
    content: np.ndarray
    allocated_day: np.ndarray
    due_day: np.ndarray
    on_time_if_not: np.ndarray  # completed by the due date without taking part
    on_time_if_took_part: np.ndarray
    completed_day_if_not: np.ndarray  # -1: not completed by the export date
    completed_day_if_took_part: np.ndarray
    state_if_not_completed: np.ndarray  # 0 in progress, 1 not started, 2 not enrolled
    enrolled_at: np.ndarray
    isapar: np.ndarray

    def realised(self, participant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Realised (on_time, completed_day) given who took part."""
        took_part = participant[self.person]
        on_time = np.where(took_part, self.on_time_if_took_part, self.on_time_if_not)
        day = np.where(took_part, self.completed_day_if_took_part, self.completed_day_if_not)
        return on_time, day


def acbp_cycle(
    rng: np.random.Generator,
    people: People,
    orgs: Orgs,
    catalogue: Catalogue,
    edition: Edition,
    multiplier_if_took_part: np.ndarray,
    earlier: list[AcbpCycle] | None = None,
) -> AcbpCycle:
    """Allocations made shortly before a week, due after it, in the MDOs that use ACBP."""
    first, last = _window_days(edition)
    mandating = _mandating_mdos(orgs)
    allocated_day_person = rng.integers(first - 60, first - 4, people.count)
    allocated = (
        people.active
        & mandating[people.mdo]
        & (people.registered_day < allocated_day_person)
        & (rng.random(people.count) < 0.3)
    )
    per_person = np.where(allocated, 1 + rng.binomial(2, 0.25, people.count), 0)
    person = np.repeat(np.arange(people.count), per_person)
    acbp_courses = np.flatnonzero(catalogue.duration_hours <= 4.0)
    p = catalogue.popularity[acbp_courses] / catalogue.popularity[acbp_courses].sum()
    content = acbp_courses[rng.choice(len(acbp_courses), size=len(person), p=p)]
    key = person * catalogue.count + content
    unique = np.sort(np.unique(key, return_index=True)[1])
    # A course already allocated to the person in an earlier cycle is not allocated again.
    seen = [
        cycle.person.astype(np.int64) * catalogue.count + cycle.content for cycle in earlier or []
    ]
    unique = unique[~np.isin(key[unique], np.concatenate([np.zeros(0, np.int64), *seen]))]
    person, content = person[unique], content[unique]
    count = len(person)
    due = np.where(
        rng.random(count) < 0.6, day_number(edition.acbp_due[0]), day_number(edition.acbp_due[1])
    )
    log_rate = np.log(people.monthly_rate[person])
    base = 1.0 / (1.0 + np.exp(-(-0.2 + 0.7 * (log_rate - np.median(np.log(people.monthly_rate))))))
    lift = EFFECTS_BY_EDITION[edition.year].acbp_on_time_pp * multiplier_if_took_part[person]
    draw, timing, state = rng.random(count), rng.random(count), rng.random(count)
    on_time_not = draw < base
    on_time_yes = draw < np.minimum(base + lift, 1.0)
    on_time_day = last + 1 + (timing * (due - last)).astype(np.int64)
    late = state < 0.5
    late_day = due + 1 + (timing * 150).astype(np.int64)
    late_day = np.where(late & (late_day <= day_number(DATA_END)), late_day, NEVER)
    allocated_day = allocated_day_person[person]
    return AcbpCycle(
        edition=edition,
        person=person,
        content=content,
        allocated_day=allocated_day,
        due_day=due,
        on_time_if_not=on_time_not,
        on_time_if_took_part=on_time_yes,
        completed_day_if_not=np.where(on_time_not, on_time_day, late_day),
        completed_day_if_took_part=np.where(on_time_yes, on_time_day, late_day),
        state_if_not_completed=np.digitize(state, [0.75, 0.9]),
        enrolled_at=(allocated_day + rng.integers(0, 20, count)) * DAY + _time_of_day(rng, count),
        isapar=rng.random(count) < 0.3,
    )


def _mandating_mdos(orgs: Orgs) -> np.ndarray:
    # A fixed 70 % of MDOs use ACBP (the same MDOs every cycle).
    draw = np.random.default_rng(12_345).random(orgs.count)
    return draw < 0.7


def acbp_rows(cycle: AcbpCycle, participant: np.ndarray) -> dict[str, np.ndarray]:
    """Enrolment rows of a cycle's allocations (not-enrolled allocations get none)."""
    _, completed_day = cycle.realised(participant)
    done = completed_day >= 0
    enrolled = done | (cycle.state_if_not_completed < 2)
    completed_at = np.where(done, completed_day * DAY + 14 * 3600, NEVER)
    enrolled_at = np.where(
        done, np.minimum(cycle.enrolled_at, completed_at - 3600), cycle.enrolled_at
    )
    return _rows(
        cycle.person[enrolled],
        cycle.content[enrolled],
        enrolled_at[enrolled],
        completed_at[enrolled],
        Source.ACBP,
        acbp=np.ones(int(enrolled.sum()), dtype=bool),
        on_time=(done & (completed_day <= cycle.due_day))[enrolled],
    )


def unenrolled_allocations(cycle: AcbpCycle, participant: np.ndarray) -> dict[str, np.ndarray]:
    """Placeholder rows for allocations with no enrolment, so dedupe keeps their course free."""
    _, completed_day = cycle.realised(participant)
    idle = (completed_day < 0) & (cycle.state_if_not_completed == 2)
    count = int(idle.sum())
    return _rows(
        cycle.person[idle],
        cycle.content[idle],
        np.zeros(count, dtype=np.int64),
        np.full(count, NEVER),
        Source.RESERVED,
        acbp=np.ones(count, dtype=bool),
    )


def top_up_enrolments(
    rng: np.random.Generator,
    catalogue: Catalogue,
    week: WeekResult,
    existing_in_window: int,
    scale: float,
) -> dict[str, np.ndarray]:
    """Unfinished enrolments inside the week, enough to reach the calibrated enrolment count."""
    first, _ = _window_days(week.edition)
    needed = max(round(week.edition.course_enrolments * scale) - existing_in_window, 0)
    participants = np.flatnonzero(week.participant)
    bystanders = np.flatnonzero(week.eligible & ~week.participant)
    from_participants = rng.random(needed) < 0.65
    person = np.where(
        from_participants,
        participants[rng.integers(0, max(len(participants), 1), needed)],
        bystanders[rng.integers(0, max(len(bystanders), 1), needed)],
    )
    content = rng.choice(catalogue.count, size=needed, p=catalogue.week_popularity)
    day = first + rng.choice(
        week.edition.days, size=needed, p=np.array(week.edition.daily_completion_share)
    )
    enrolled = day * DAY + _time_of_day(rng, needed)
    return _rows(person, content, enrolled, np.full(needed, NEVER), Source.TOP_UP)


def deduplicate_enrolments(
    rng: np.random.Generator, rows: dict[str, np.ndarray], catalogue: Catalogue, rounds: int = 8
) -> dict[str, np.ndarray]:
    """Make (person, content) unique: a repeated course is swapped for another of equal length.

    Swapping within the same duration keeps every person's learning hours unchanged; the first
    occurrence (ACBP rows come first) keeps its course. Rows still repeated afterwards are dropped.
    """
    duration_class = np.searchsorted(DURATION_GRID, catalogue.duration_hours)
    members = [np.flatnonzero(duration_class == k) for k in range(len(DURATION_GRID))]
    content = rows["content"].copy()
    for _ in range(rounds):
        repeated = _repeated(rows["person"], content, catalogue.count)
        if not repeated.any():
            break
        for index, pool in enumerate(members):
            hit = np.flatnonzero(repeated & (duration_class[content] == index))
            if len(hit):
                content[hit] = pool[rng.integers(0, len(pool), len(hit))].astype(np.int16)
    keep = ~_repeated(rows["person"], content, catalogue.count)
    result = {key: value[keep] for key, value in rows.items()}
    result["content"] = content[keep]
    return result


def _repeated(person: np.ndarray, content: np.ndarray, width: int) -> np.ndarray:
    """True for every row whose (person, content) pair appeared in an earlier row."""
    _, first_index = np.unique(person.astype(np.int64) * width + content, return_index=True)
    repeated = np.ones(len(person), dtype=bool)
    repeated[first_index] = False
    return repeated


# --------------------------------------------------------------------- outcomes


@dataclass
class Scores:
    """External assessment scores of one edition's measured sample."""

    edition: Edition
    person: np.ndarray
    pre_day: np.ndarray
    pre: np.ndarray
    post_day: np.ndarray  # -1 when the follow-up was missed
    post_if_not: np.ndarray
    post_if_took_part: np.ndarray


def assessment_scores(
    rng: np.random.Generator,
    people: People,
    week: WeekResult,
    multiplier: np.ndarray,
) -> Scores:
    """A 15 % sample of eligible people is assessed before and after the week (0-100 scale)."""
    first, last = _window_days(week.edition)
    person = np.flatnonzero(week.eligible & (rng.random(people.count) < 0.15))
    count = len(person)
    ability = people.ability[person]
    pre = np.clip(np.round(55 + 8 * ability + rng.normal(0, 4, count), 1), 0, 100)
    untreated = 56.5 + 8 * ability + rng.normal(0, 4, count)
    points = EFFECTS_BY_EDITION[week.edition.year].assessment_points
    treated = untreated + points * multiplier[person]
    followed = rng.random(count) < 0.9
    return Scores(
        edition=week.edition,
        person=person,
        pre_day=rng.integers(first - 40, first - 9, count),
        pre=pre,
        post_day=np.where(followed, rng.integers(last + 60, last + 91, count), NEVER),
        post_if_not=np.clip(np.round(untreated, 1), 0, 100),
        post_if_took_part=np.clip(np.round(treated, 1), 0, 100),
    )


# ------------------------------------------------------------------------- karma

#: Event attendance earned 5 points, 10 from this date (assumption; see the doc).
EVENT_POINTS_RAISED_ON = dt.date(2025, 4, 1)


#: Points of the platform's batch karma job (cb-core-data ``jobs/stage-2/karmaPoints.py``):
#: a Course completion earns 5, or 10 when the course has an assessment; a rating earns 2.
COMPLETION_POINTS, ASSESSED_COMPLETION_POINTS, RATING_POINTS = 5, 10, 2
#: Completions per person and calendar month that earn points (the job's ``rowNum <= 4``).
EARNING_COMPLETIONS_PER_MONTH = 4
#: Bonus for completing a course of one's ACBP by its due date: +10, as the Department of Posts
#: order of 19 Mar 2024 publishes (data/reference/platform_facts.csv). The batch job marks its
#: credits ``ACBP: false``; ACBP credits come from a stream processor whose code is not public
#: (docs/real-exports.md §12).
ACBP_BONUS_POINTS = 10
#: Share of completions the learner rates (a rating is drawn for these in ``_write.RowDetails``).
RATED_SHARE = 0.3


def completion_points(rows: dict[str, np.ndarray], catalogue: Catalogue) -> np.ndarray:
    """COURSE_COMPLETION points of each enrolment row, as the platform's batch karma job credits.

    Only content of category ``Course`` earns; each person's first
    :data:`EARNING_COMPLETIONS_PER_MONTH` Course completions of a calendar month (by completion
    time, ACBP or not) earn :data:`ASSESSED_COMPLETION_POINTS` when the course has an
    assessment, else :data:`COMPLETION_POINTS`.
    """
    completed = rows["completed_at"] >= 0
    is_course = (catalogue.content_type.to_numpy(zero_copy_only=False) == "Course")[rows["content"]]
    counted = completed & is_course
    month = np.where(counted, rows["completed_at"] // DAY, 0).astype("datetime64[D]")
    month = month.astype("datetime64[M]").astype(np.int64)
    order = np.lexsort((rows["completed_at"], month, rows["person"], ~counted))
    key = rows["person"][order].astype(np.int64) * 10_000 + month[order]
    starts = np.r_[True, key[1:] != key[:-1]]
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0))
    rank = np.empty(len(key), dtype=np.int64)
    rank[order] = np.arange(len(key)) - group_start
    earns = counted & (rank < EARNING_COMPLETIONS_PER_MONTH)
    assessed = catalogue.has_assessment[rows["content"]]
    points = np.where(assessed, ASSESSED_COMPLETION_POINTS, COMPLETION_POINTS) * earns
    return points.astype(np.int8)


def acbp_points(rows: dict[str, np.ndarray]) -> np.ndarray:
    """The ACBP bonus of each enrolment row: a course of one's ACBP completed by its due date."""
    on_time = (rows["completed_at"] >= 0) & rows["acbp"] & rows["acbp_on_time"]
    return (ACBP_BONUS_POINTS * on_time).astype(np.int8)


def rated(rows: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Which completed enrolments the learner rates (each rating earns :data:`RATING_POINTS`)."""
    return (rows["completed_at"] >= 0) & (rng.random(len(rows["person"])) < RATED_SHARE)


def karma_points(rows: dict[str, np.ndarray]) -> np.ndarray:
    """All points credited for each enrolment row: completion, ACBP bonus and rating."""
    total = rows["completion_karma"].astype(np.int16) + rows["acbp_karma"]
    return (total + RATING_POINTS * rows["rated"]).astype(np.int8)


def event_points(attendance: dict[str, np.ndarray]) -> np.ndarray:
    """Points for attended (completed) events: 5, or 10 after the rule change."""
    raised = day_number(EVENT_POINTS_RAISED_ON) * DAY
    attended = attendance["completed_at"] >= 0
    return np.where(attended, np.where(attendance["completed_at"] >= raised, 10, 5), 0)


def dose_band_name(index: np.ndarray) -> np.ndarray:
    """Dose band names for band indices."""
    return np.array([name for name, _, _ in DOSE_BANDS])[index]


#: Organisations that game the week's completions (a share of those with any in the week), and
#: the share of their same-day completions of long courses made implausibly fast.
GAMING_ORG_SHARE = 0.05
GAMED_COMPLETION_SHARE = 0.3


def game_some_completions(
    rng: np.random.Generator,
    rows: dict[str, np.ndarray],
    catalogue: Catalogue,
    people_mdo: np.ndarray,
    editions: Sequence[Edition],
    gaming: np.ndarray | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Make some in-week completions implausibly fast, as the DoP circular of June 2025 saw.

    In a few organisations, a share of the completions of courses of 20+ minutes made during a
    week get an enrolment time 3-15 seconds before the completion. Only completions enrolled
    the same day are touched, so every count by day (enrolments, completions) and every
    outcome stays as it was: the signal is in the seconds between enrolment and completion,
    which is what :mod:`evaluation.data.quality` flags.

    ``gaming`` gives the organisations that game (the first block's choice, so every block of
    a large world games in the same ones); ``None`` draws them. Returns the rows and the
    gaming organisations.
    """
    done = rows["completed_at"] >= 0
    in_week = np.zeros(done.shape, dtype=bool)
    for edition in editions:
        first, last = day_number(edition.start), day_number(edition.end)
        day = np.where(done, rows["completed_at"] // DAY, -1)
        in_week |= (day >= first) & (day <= last)
    # same day, and late enough in it that moving the enrolment 15 s back stays on that day
    same_day = (rows["enrolled_at"] // DAY == rows["completed_at"] // DAY) & (
        rows["completed_at"] % DAY >= 16
    )
    long_course = catalogue.duration_hours[rows["content"]] >= FAST_COMPLETION_MIN_MINUTES / 60
    candidates = in_week & same_day & long_course
    if gaming is None:
        orgs = np.unique(people_mdo[rows["person"][candidates]])
        gaming = rng.choice(orgs, size=int(round(len(orgs) * GAMING_ORG_SHARE)), replace=False)
    chosen = candidates & np.isin(people_mdo[rows["person"]], gaming)
    chosen &= rng.random(chosen.shape) < GAMED_COMPLETION_SHARE
    enrolled = rows["enrolled_at"].copy()
    enrolled[chosen] = rows["completed_at"][chosen] - rng.integers(3, 16, size=int(chosen.sum()))
    return {**rows, "enrolled_at": enrolled}, gaming
