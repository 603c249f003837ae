"""The planted truth: exact effects on the treated in this draw, and the calibration counts.

Participants, dose and outcomes are measured from the generated rows with the same definitions
the analysis uses (see ``docs/synthetic-data.md``). The untreated outcome of each participant is
known because the generator made the effect rows and both potential ACBP and score outcomes
itself, so the sample ATT is exact, not estimated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
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

__all__ = ["ground_truth", "week_measures"]


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


def _summary(
    observed: np.ndarray,
    untreated: np.ndarray,
    treated: np.ndarray,
    population: np.ndarray,
    labels: dict[str, np.ndarray],
    settled: np.ndarray,
) -> dict:
    """ATT overall and by subgroup, with the naive participant vs non-participant contrast.

    ``settled`` marks people registered at least :data:`IMPACT_TENURE_DAYS` before the week:
    the before/after designs can only use them (a balanced six-month panel before the week), so
    ``att_impact_population`` is the ATT those designs estimate. It differs from ``att`` by
    who the recent registrants happen to be, which is not small in a small world.
    """
    on, off = population & treated, population & ~treated
    effect = observed - untreated
    att = float(effect[on].mean()) if on.any() else float("nan")
    naive = float(observed[on].mean() - observed[off].mean()) if on.any() and off.any() else None
    on_settled = on & settled
    result: dict[str, object] = {
        "att": _round(att),
        "att_impact_population": (
            _round(float(effect[on_settled].mean())) if on_settled.any() else None
        ),
        "n_treated_impact_population": int(on_settled.sum()),
        "n_treated": int(on.sum()),
        "n_population": int(population.sum()),
        "mean_treated": _round(float(observed[on].mean())) if on.any() else None,
        "mean_treated_untreated_outcome": _round(float(untreated[on].mean())) if on.any() else None,
        "mean_non_participants": _round(float(observed[off].mean())) if off.any() else None,
        "naive_difference": _round(naive),
        "naive_to_att_ratio": _round(naive / att) if naive is not None and att else None,
    }
    for dimension, label in labels.items():
        groups = {}
        for value in sorted(set(label[on].tolist())):
            members = on & (label == value)
            settled_members = members & settled
            groups[str(value)] = {
                "att": _round(float(effect[members].mean())),
                "att_impact_population": (
                    _round(float(effect[settled_members].mean())) if settled_members.any() else None
                ),
                "n_treated": int(members.sum()),
            }
        result[f"by_{dimension}"] = groups
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _labels(
    world: World, hours: np.ndarray, treated: np.ndarray, edition: Edition
) -> dict[str, np.ndarray]:
    people, orgs = world.people, world.orgs
    band_names = np.array([name for name, _, _ in DOSE_BANDS])
    edges = np.array([low for _, low, _ in DOSE_BANDS[1:]])
    ministry = np.array([m or name for m, name in zip(orgs.ministry, orgs.mdo_name, strict=True)])
    person_ministry = ministry[people.mdo]
    # Report the ministries with planted multipliers and the three with most participants.
    names, code = np.unique(person_ministry, return_inverse=True)
    counts = np.bincount(code[treated], minlength=len(names))
    largest = [str(names[i]) for i in np.lexsort((names, -counts))[:3]]
    shown = set(EFFECTS_BY_EDITION[edition.year].ministry) | set(largest)
    return {
        "group": np.array(GROUPS)[people.group],
        "dose_band": band_names[np.searchsorted(edges, hours, side="right")],
        "ministry": np.where(np.isin(person_ministry, list(shown)), person_ministry, "(other)"),
        "org_type": np.array(orgs.org_type)[people.mdo],
        "frontline": np.where(people.frontline, "frontline", "other"),
    }


def _edition_truth(world: World, number: int) -> dict:
    edition, week = EDITIONS[number], world.weeks[number]
    measures = week_measures(world, edition)
    treated = measures["participant"]
    eligible = week.eligible
    labels = _labels(world, measures["hours"], treated & eligible, edition)
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
    mismatch = int((treated != week.participant).sum())
    first, last = post_window(edition)
    effects = EFFECTS_BY_EDITION[edition.year]
    settled = world.people.registered_day <= day_number(edition.start) - IMPACT_TENURE_DAYS
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
        "participants_differing_from_plan": mismatch,
        "outcomes": {
            "completions_90d": _summary(
                post["completions"], completions_0, treated, eligible, labels, settled
            ),
            "learning_hours_90d": _summary(
                post["hours"], hours_0, treated, eligible, labels, settled
            ),
            "acbp_on_time": _summary(
                on_time,
                acbp["on_time_0"],
                treated,
                eligible & (acbp["allocations"] > 0),
                labels,
                settled,
            ),
            "assessment_score": _summary(
                score_observed,
                score_untreated,
                treated,
                eligible & score_population,
                labels,
                settled,
            ),
        },
        "week_counts": _week_counts(world, edition, measures),
    }


def _iso(day: int) -> str:
    return (np.datetime64(int(day), "D")).astype(str)


def _week_counts(world: World, edition: Edition, measures: dict) -> dict:
    participant, hours = measures["participant"], measures["hours"]
    met = participant & (hours >= TARGET_HOURS)
    group_a = world.people.group == 0
    daily = measures["daily_completions"]
    observed = {
        "trackable_participants": int(participant.sum()),
        "participants_target_met": int(met.sum()),
        "course_enrolments": measures["enrolments"],
        "course_completions": measures["completions"],
        "learning_hours": round(float(hours.sum()), 2),
        "avg_daily_completions": round(float(daily.mean()), 2),
        "peak_daily_completions": int(daily.max()),
        "peak_day": (edition.start + dt.timedelta(days=int(daily.argmax()))).isoformat(),
        "group_a_participants": int((participant & group_a).sum()),
        "group_a_target_met": int((met & group_a).sum()),
        **_sadhana_measures(world, edition),
    }
    return observed


def _sadhana_measures(world: World, edition: Edition) -> dict[str, Any]:
    """The measures SĀDHANA Saptah 2026 published, computed for any edition from the rows."""
    rows, people = world.enrolments, world.people
    first, last = day_number(edition.start), day_number(edition.end)
    day = np.where(rows["completed_at"] >= 0, rows["completed_at"] // DAY, -1)
    done = (day >= first) & (day <= last)
    person = rows["person"][done]
    ai = world.catalogue.is_ai[rows["content"][done]]
    state = world.orgs.is_state[people.mdo]
    completions = int(done.sum())
    return {
        "participants_one_completion": int(len(np.unique(person))),
        "participants_ai_course": int(len(np.unique(person[ai]))),
        "frontline_completions": int(people.frontline[person].sum()),
        "state_ut_completion_share": round(float(state[person].mean()), 6) if completions else None,
        "registered_users_before_week": int((people.registered_day < first).sum()),
    }


def ground_truth(world: World) -> dict:
    """The JSON-ready ground truth of a generated world (never read by the analysis path)."""
    return {
        "synthetic": True,
        "seed": world.seed,
        "scale": world.scale,
        "population": {
            "registered_users_at_scale_1": POPULATION_AT_SCALE_1,
            "growth_milestones_at_scale_1": [
                {"date": day.isoformat(), "registered": count, "state_ut_share": round(share, 4)}
                for day, count, share in GROWTH_MILESTONES
            ],
            "registered_users_simulated": world.people.count,
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
            str(edition.year): _edition_truth(world, number)
            for number, edition in enumerate(EDITIONS)
        },
    }
