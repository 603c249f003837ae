"""The planted truth: exact effects on the treated in this draw, and the calibration counts.

Participants, dose and outcomes are measured from the generated rows with the same definitions
the analysis uses (see ``docs/synthetic-data.md``). The untreated outcome of each participant is
known because the generator made the effect rows and both potential ACBP and score outcomes
itself, so the sample ATT is exact, not estimated.

Everything is kept as sums and counts (:class:`TruthTally`), so a world simulated in blocks of
people adds its blocks up to the same truth a whole world would give (to rounding of the sums).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from evaluation.core.vocabulary import (
    DOSE_BANDS,
    FOLLOW_UP_DAYS,
    GROUPS,
    OUTCOME_DEFINITIONS,
    TARGET_HOURS,
)
from evaluation.data.synth._activity import DAY, post_window
from evaluation.data.synth._activity import Source as RowSource
from evaluation.data.synth._config import (
    DATA_END,
    DATA_START,
    EDITIONS,
    EFFECTS_BY_EDITION,
    GROWTH_MILESTONES,
    POPULATION_AT_SCALE_1,
    REPORT_DATES,
    Edition,
)
from evaluation.data.synth._simulate import World
from evaluation.data.synth._world import day_number

#: The impact population's rule at the default ``pre_months`` (6 periods of 30 days): people
#: registered at least this many days before the week's first day (``analysis.impact``).
IMPACT_TENURE_DAYS = 6 * 30

__all__ = ["TruthTally", "ground_truth", "week_measures"]


def week_measures(world: World, edition: Edition) -> dict[str, Any]:
    """Participation, learning hours, completions and enrolments in a week, from the rows."""
    rows, att, n = world.enrolments, world.attendance, world.people.count
    first, last = day_number(edition.start), day_number(edition.end)
    completed_day = np.where(rows["completed_at"] >= 0, rows["completed_at"] // DAY, -1)
    done = (completed_day >= first) & (completed_day <= last)
    enrolled_day = rows["enrolled_at"] // DAY
    attended = _attended(world, first, last)
    event_hours = att["watched_seconds"] / 3600.0
    hours = np.bincount(
        rows["person"][done],
        weights=world.catalogue.duration_hours[rows["content"][done]],
        minlength=n,
    ) + np.bincount(att["person"][attended], weights=event_hours[attended], minlength=n)
    completions = np.bincount(rows["person"][done], minlength=n)
    events = np.bincount(att["person"][attended], minlength=n)
    return {
        "participant": (completions > 0) | (events > 0),
        "hours": hours,
        "daily_completions": np.bincount(completed_day[done] - first, minlength=edition.days),
        "enrolments": int(((enrolled_day >= first) & (enrolled_day <= last)).sum()),
        "completions": int(done.sum()),
    }


def _attended(world: World, first: int, last: int) -> np.ndarray:
    """Attendance rows of events starting on days first..last with some time watched."""
    start_day = world.events.start_at[world.attendance["event"]] // DAY
    watched = world.attendance["watched_seconds"] > 0
    return watched & (start_day >= first) & (start_day <= last)


def _post_outcomes(world: World, edition: Edition) -> dict[str, np.ndarray]:
    # Mandated (ACBP) courses are measured by acbp_on_time; the completion and hours outcomes
    # count the learning people chose, so ACBP deadlines (met more often by keen learners,
    # and falling just after the week) do not enter them.
    rows, att, n = world.enrolments, world.attendance, world.people.count
    first, last = post_window(edition)
    completed_day = np.where(rows["completed_at"] >= 0, rows["completed_at"] // DAY, -1)
    inside = (
        (completed_day >= first) & (completed_day <= last) & ~rows["acbp"]
    )  # ACBP courses: see below
    duration = world.catalogue.duration_hours[rows["content"]]
    attended = _attended(world, first, last)
    effect = inside & (rows["source"] == RowSource.EFFECT)
    return {
        "completions": np.bincount(rows["person"][inside], minlength=n).astype(float),
        "hours": np.bincount(rows["person"][inside], weights=duration[inside], minlength=n)
        + np.bincount(
            att["person"][attended],
            weights=att["watched_seconds"][attended] / 3600.0,
            minlength=n,
        ),
        "effect_completions": np.bincount(rows["person"][effect], minlength=n).astype(float),
        "effect_hours": np.bincount(rows["person"][effect], weights=duration[effect], minlength=n),
    }


def _acbp_channel(world: World, number: int) -> dict[str, np.ndarray]:
    """Per person: ACBP allocations of the cycle and on-time shares in both states."""
    cycle, n = world.acbp[number], world.people.count

    def per_person(values: np.ndarray) -> np.ndarray:
        return np.bincount(cycle.person, weights=values.astype(float), minlength=n)

    allocations = per_person(np.ones(len(cycle.person)))
    share = np.maximum(allocations, 1)
    return {
        "allocations": allocations,
        "on_time_1": per_person(cycle.on_time_if_took_part) / share,
        "on_time_0": per_person(cycle.on_time_if_not) / share,
    }


@dataclass
class _Mean:
    """A running mean: count and sum (a block's sum is numpy's, so one block equals ``mean``)."""

    n: int = 0
    total: float = 0.0

    def add(self, values: np.ndarray) -> None:
        self.n += len(values)
        self.total += float(values.sum())

    def merge(self, other: _Mean) -> None:
        self.n += other.n
        self.total += other.total

    def value(self) -> float | None:
        return self.total / self.n if self.n else None


@dataclass
class _OutcomeTally:
    """Sums behind one outcome's ATT, impact-population ATT, naive contrast and subgroups."""

    att: _Mean = field(default_factory=_Mean)
    impact: _Mean = field(default_factory=_Mean)
    treated: _Mean = field(default_factory=_Mean)
    untreated: _Mean = field(default_factory=_Mean)
    others: _Mean = field(default_factory=_Mean)
    n_population: int = 0
    # dimension -> label -> (ATT, impact-population ATT); ministries by their full name
    groups: dict[str, dict[str, tuple[_Mean, _Mean]]] = field(default_factory=dict)

    def add(self, observed, untreated, treated, population, labels, settled) -> None:
        on, off = population & treated, population & ~treated
        effect = observed - untreated
        self.att.add(effect[on])
        self.impact.add(effect[on & settled])
        self.treated.add(observed[on])
        self.untreated.add(untreated[on])
        self.others.add(observed[off])
        self.n_population += int(population.sum())
        for dimension, label in labels.items():
            groups = self.groups.setdefault(dimension, {})
            for value in sorted(set(label[on].tolist())):
                members = on & (label == value)
                att, impact = groups.setdefault(str(value), (_Mean(), _Mean()))
                att.add(effect[members])
                impact.add(effect[members & settled])

    def merge(self, other: _OutcomeTally) -> None:
        for name in ("att", "impact", "treated", "untreated", "others"):
            getattr(self, name).merge(getattr(other, name))
        self.n_population += other.n_population
        for dimension, groups in other.groups.items():
            mine = self.groups.setdefault(dimension, {})
            for value, (att, impact) in groups.items():
                into = mine.setdefault(value, (_Mean(), _Mean()))
                into[0].merge(att)
                into[1].merge(impact)

    def summary(self, shown_ministries: set[str]) -> dict:
        """ATT overall and by subgroup, with the naive participant vs non-participant contrast.

        ``att_impact_population`` is the ATT over people registered at least
        :data:`IMPACT_TENURE_DAYS` before the week: the before/after designs can only use them
        (a balanced six-month panel before the week), so it is the ATT those designs estimate.
        It differs from ``att`` by who the recent registrants happen to be, which is not small
        in a small world. Ministries outside ``shown_ministries`` are pooled as "(other)".
        """
        att, treated, others = self.att.value(), self.treated.value(), self.others.value()
        naive = treated - others if treated is not None and others is not None else None
        result: dict[str, object] = {
            "att": _round(float("nan") if att is None else att),
            "att_impact_population": _round(self.impact.value()),
            "n_treated_impact_population": self.impact.n,
            "n_treated": self.att.n,
            "n_population": self.n_population,
            "mean_treated": _round(treated),
            "mean_treated_untreated_outcome": _round(self.untreated.value()),
            "mean_non_participants": _round(others),
            "naive_difference": _round(naive),
            "naive_to_att_ratio": _round(naive / att) if naive is not None and att else None,
        }
        for dimension, groups in self.groups.items():
            if dimension == "ministry":
                groups = _pool_other(groups, shown_ministries)
            result[f"by_{dimension}"] = {
                value: {
                    "att": _round(att.value()),
                    "att_impact_population": _round(impact.value()),
                    "n_treated": att.n,
                }
                for value, (att, impact) in sorted(groups.items())
            }
        return result


def _pool_other(
    groups: dict[str, tuple[_Mean, _Mean]], shown: set[str]
) -> dict[str, tuple[_Mean, _Mean]]:
    pooled = {value: pair for value, pair in groups.items() if value in shown}
    rest = [pair for value, pair in groups.items() if value not in shown]
    if rest:
        att, impact = _Mean(), _Mean()
        for other_att, other_impact in rest:
            att.merge(other_att)
            impact.merge(other_impact)
        pooled["(other)"] = (att, impact)
    return pooled


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _labels(world: World, hours: np.ndarray) -> dict[str, np.ndarray]:
    """Each person's subgroup labels (the full ministry name: pooling comes at the end)."""
    people, orgs = world.people, world.orgs
    band_names = np.array([name for name, _, _ in DOSE_BANDS])
    edges = np.array([low for _, low, _ in DOSE_BANDS[1:]])
    return {
        "group": np.array(GROUPS)[people.group],
        "dose_band": band_names[np.searchsorted(edges, hours, side="right")],
        "ministry": _ministry_names(world)[people.mdo],
        "org_type": np.array(orgs.org_type)[people.mdo],
        "frontline": np.where(people.frontline, "frontline", "other"),
    }


def _ministry_names(world: World) -> np.ndarray:
    orgs = world.orgs
    return np.array([m or name for m, name in zip(orgs.ministry, orgs.mdo_name, strict=True)])


@dataclass
class _WeekTally:
    """Counts of one week, from the rows (see :func:`week_measures`)."""

    participants: int = 0
    target_met: int = 0
    learning_hours: float = 0.0
    daily_completions: np.ndarray | None = None
    enrolments: int = 0
    completions: int = 0
    group_a_participants: int = 0
    group_a_target_met: int = 0
    participants_one_completion: int = 0
    participants_ai_course: int = 0
    frontline_completions: int = 0
    state_completions: int = 0
    registered_before_week: int = 0
    differing_from_plan: int = 0

    def merge(self, other: _WeekTally) -> None:
        for name, value in vars(other).items():
            if name == "daily_completions":
                mine = self.daily_completions
                self.daily_completions = value if mine is None else mine + value
            else:
                setattr(self, name, getattr(self, name) + value)

    def counts(self, edition: Edition) -> dict[str, Any]:
        daily = self.daily_completions
        if daily is None:
            raise ValueError("no block has been added to the tally")
        completions = self.completions
        return {
            "trackable_participants": self.participants,
            "participants_target_met": self.target_met,
            "course_enrolments": self.enrolments,
            "course_completions": completions,
            "learning_hours": round(self.learning_hours, 2),
            "avg_daily_completions": round(float(daily.mean()), 2),
            "peak_daily_completions": int(daily.max()),
            "peak_day": (edition.start + dt.timedelta(days=int(daily.argmax()))).isoformat(),
            "group_a_participants": self.group_a_participants,
            "group_a_target_met": self.group_a_target_met,
            # the measures SĀDHANA Saptah 2026 published, computed for any edition
            "participants_one_completion": self.participants_one_completion,
            "participants_ai_course": self.participants_ai_course,
            "frontline_completions": self.frontline_completions,
            "state_ut_completion_share": (
                round(self.state_completions / completions, 6) if completions else None
            ),
            "registered_users_before_week": self.registered_before_week,
        }


def _week_tally(world: World, edition: Edition, measures: dict, mismatch: int) -> _WeekTally:
    participant, hours = measures["participant"], measures["hours"]
    met = participant & (hours >= TARGET_HOURS)
    group_a = world.people.group == 0
    rows, people = world.enrolments, world.people
    first, last = day_number(edition.start), day_number(edition.end)
    day = np.where(rows["completed_at"] >= 0, rows["completed_at"] // DAY, -1)
    done = (day >= first) & (day <= last)
    person = rows["person"][done]
    ai = world.catalogue.is_ai[rows["content"][done]]
    state = world.orgs.is_state[people.mdo]
    return _WeekTally(
        participants=int(participant.sum()),
        target_met=int(met.sum()),
        learning_hours=float(hours.sum()),
        daily_completions=measures["daily_completions"],
        enrolments=measures["enrolments"],
        completions=measures["completions"],
        group_a_participants=int((participant & group_a).sum()),
        group_a_target_met=int((met & group_a).sum()),
        participants_one_completion=int(len(np.unique(person))),
        participants_ai_course=int(len(np.unique(person[ai]))),
        frontline_completions=int(people.frontline[person].sum()),
        state_completions=int(state[person].sum()),
        registered_before_week=int((people.registered_day < first).sum()),
        differing_from_plan=mismatch,
    )


OUTCOMES = ("completions_90d", "learning_hours_90d", "acbp_on_time", "assessment_score")


@dataclass
class _EditionTally:
    outcomes: dict[str, _OutcomeTally] = field(
        default_factory=lambda: {name: _OutcomeTally() for name in OUTCOMES}
    )
    week: _WeekTally = field(default_factory=_WeekTally)
    # eligible participants per ministry: the three largest are reported by name
    ministry_participants: Counter = field(default_factory=Counter)

    def merge(self, other: _EditionTally) -> None:
        for name, tally in other.outcomes.items():
            self.outcomes[name].merge(tally)
        self.week.merge(other.week)
        self.ministry_participants.update(other.ministry_participants)


def _edition_tally(world: World, number: int) -> _EditionTally:
    edition, week = EDITIONS[number], world.weeks[number]
    measures = week_measures(world, edition)
    treated = measures["participant"]
    eligible = week.eligible
    labels = _labels(world, measures["hours"])
    post = _post_outcomes(world, edition)
    acbp = _acbp_channel(world, number)
    took_part = treated.astype(float)
    completions_0 = post["completions"] - took_part * post["effect_completions"]
    hours_0 = post["hours"] - took_part * post["effect_hours"]
    on_time = np.where(treated, acbp["on_time_1"], acbp["on_time_0"])
    scores = world.scores[number]
    score_population = np.zeros(world.people.count, dtype=bool)
    followed = scores.post_day >= 0
    score_population[scores.person[followed]] = True
    score_observed = np.zeros(world.people.count)
    score_untreated = np.zeros(world.people.count)
    realised = np.where(treated[scores.person], scores.post_if_took_part, scores.post_if_not)
    score_observed[scores.person] = realised
    score_untreated[scores.person] = scores.post_if_not
    settled = world.people.registered_day <= day_number(edition.start) - IMPACT_TENURE_DAYS
    tally = _EditionTally()
    inputs = {
        "completions_90d": (post["completions"], completions_0, eligible),
        "learning_hours_90d": (post["hours"], hours_0, eligible),
        "acbp_on_time": (on_time, acbp["on_time_0"], eligible & (acbp["allocations"] > 0)),
        "assessment_score": (score_observed, score_untreated, eligible & score_population),
    }
    for name, (observed, untreated, population) in inputs.items():
        tally.outcomes[name].add(observed, untreated, treated, population, labels, settled)
    mismatch = int((treated != week.participant).sum())
    tally.week = _week_tally(world, edition, measures, mismatch)
    names, code = np.unique(labels["ministry"], return_inverse=True)
    counts = np.bincount(code[treated & eligible], minlength=len(names))
    tally.ministry_participants.update(
        {str(name): int(n) for name, n in zip(names, counts, strict=True)}
    )
    return tally


def _edition_truth(tally: _EditionTally, number: int) -> dict:
    edition = EDITIONS[number]
    first, last = post_window(edition)
    effects = EFFECTS_BY_EDITION[edition.year]
    # Report the ministries with planted multipliers and the three with most participants.
    names = sorted(tally.ministry_participants)
    by_size = sorted(names, key=lambda name: -tally.ministry_participants[name])
    shown = set(effects.ministry) | set(by_size[:3])
    return {
        "name": edition.name,
        "window": {"start": edition.start.isoformat(), "end": edition.end.isoformat()},
        "planted_parameters": asdict(effects),
        "outcome_window": {
            "start": _iso(first),
            "end": _iso(last),
            "days": FOLLOW_UP_DAYS,
        },
        "peak_day_assumed": edition.peak_day.isoformat(),
        "participants_differing_from_plan": tally.week.differing_from_plan,
        "outcomes": {name: t.summary(shown) for name, t in tally.outcomes.items()},
        "week_counts": tally.week.counts(edition),
    }


def _iso(day: int) -> str:
    return (np.datetime64(int(day), "D")).astype(str)


class TruthTally:
    """The ground truth's sums and counts, added up over the blocks of one world."""

    def __init__(self, seed: int, scale: float) -> None:
        self.seed, self.scale, self.people = seed, scale, 0
        self.editions = [_EditionTally() for _ in EDITIONS]

    def add(self, world: World) -> None:
        """Add one block of people (or a whole world)."""
        self.people += world.people.count
        for number, tally in enumerate(self.editions):
            tally.merge(_edition_tally(world, number))

    def result(self) -> dict:
        """The JSON-ready ground truth (never read by the analysis path)."""
        return _ground_truth(self)


def ground_truth(world: World) -> dict:
    """The JSON-ready ground truth of a generated world (never read by the analysis path)."""
    tally = TruthTally(world.seed, world.scale)
    tally.add(world)
    return tally.result()


def _ground_truth(tally: TruthTally) -> dict:
    return {
        "synthetic": True,
        "seed": tally.seed,
        "scale": tally.scale,
        "population": {
            "registered_users_at_scale_1": POPULATION_AT_SCALE_1,
            "growth_milestones_at_scale_1": [
                {"date": day.isoformat(), "registered": count, "state_ut_share": round(share, 4)}
                for day, count, share in GROWTH_MILESTONES
            ],
            "registered_users_simulated": tally.people,
            "data_period": {"start": DATA_START.isoformat(), "end": DATA_END.isoformat()},
            "report_dates": [day.isoformat() for day in REPORT_DATES],
            "eligible_definition": (
                "active users registered before the first day of the week; participants and "
                "non-participants of an edition are both drawn from them"
            ),
        },
        "estimand": (
            "ATT: mean over participants (eligible people with at least one course completion "
            "or attended event inside the week) of Y(took part) - Y(did not), computed exactly "
            "for this draw from the generator's own potential outcomes"
        ),
        "outcome_definitions": dict(OUTCOME_DEFINITIONS),
        "planted_parameters": {
            "by_edition": {str(year): asdict(e) for year, e in EFFECTS_BY_EDITION.items()},
            "formula": (
                "effect_i = base * group[g_i] * dose[band_i] * ministry.get(ministry_i, 1) * "
                "(frontline if i is a frontline worker else 1), with each edition's parameters; "
                "completions: Poisson(extra_completions_90d * m_i) extra courses in the outcome "
                "window; ACBP: on-time probability + acbp_on_time_pp * m_i (capped at 1); "
                "assessment: + assessment_points * m_i (score clipped to 0-100)"
            ),
            "dose_bands_hours": [
                [name, low, None if high == float("inf") else high]
                for name, low, high in DOSE_BANDS
            ],  # fmt: skip
            "selection": (
                "participants are the K eligible people per cell (group x frontline x "
                "central/State) with the highest 1.6 * log(monthly learning rate) + ministry "
                "shift + 0.6 * took part before + Gumbel noise; the cells' K are raked to the "
                "published counts times the scale (participants per group; in 2026 also the "
                "frontline and States/UTs shares)"
            ),
            "untreated_outcomes": (
                "ordinary completions: Poisson with a flat personal part (0.8 x the person's "
                "monthly rate) plus a common additive season (0.012 a month on average, rising "
                "over the period, 1.4x in March) the same for every active account, so without "
                "the week completions move in parallel; ACBP on-time without the week is "
                "logistic in the latent learning rate (ACBP courses are not in the completion "
                "and hours outcomes); assessment: 56.5 + 8 x ability + noise (pre: 55 + ...)"
            ),
        },
        "editions": {
            str(edition.year): _edition_truth(tally.editions[number], number)
            for number, edition in enumerate(EDITIONS)
        },
    }
