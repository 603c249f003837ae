"""Assumptions of the synthetic world: calendar, platform growth, editions, planted effects.

Every number here is an assumption of the simulation and is restated in
``docs/synthetic-data.md`` and in ``ground_truth.json``. Published figures come from
``data/reference/`` (NLW 2024, SĀDHANA Saptah 2026 and the platform's growth milestones);
what no source publishes (the split of participants over groups, the 2026 enrolments) is an
assumption derived from them and named as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DATA_START",
    "DATA_END",
    "EDITIONS",
    "Edition",
    "EffectParameters",
    "EFFECTS_BY_EDITION",
    "EVENT_ONLY_SHARE",
    "GROWTH_MILESTONES",
    "POPULATION_AT_SCALE_1",
    "REPORT_DATES",
    "registered_by",
]

DATA_START = dt.date(2023, 10, 1)
#: The last day of data: the 2026 week's 90-day follow-up ends on 9 July 2026.
DATA_END = dt.date(2026, 7, 31)

#: Report download dates: an early snapshot for some MDOs and a final one for all.
REPORT_DATES = (dt.date(2025, 11, 3), dt.date(2026, 8, 1))

#: Registered users on the platform (cumulative, scale 1) at the published milestones
#: (``data/reference/platform_facts.csv``), with the share from States/UTs where published.
#: The launch point and the last point are assumptions: a small start in June 2021, and growth
#: after December 2025 at the pace of July-December 2025 (about 3.6 lakh a month).
GROWTH_MILESTONES: tuple[tuple[dt.date, int, float], ...] = (
    (dt.date(2021, 6, 1), 10_000, 0.55),  # assumption: launch; share assumed
    (dt.date(2023, 1, 31), 300_000, 0.55),  # PIB 21 May 2025: 3 lakh till January 2023
    (dt.date(2025, 5, 21), 10_000_000, 0.60),  # PIB: 1 crore; over 60 % from States/UTs
    (dt.date(2025, 7, 21), 12_600_000, 85 / 126),  # Rajya Sabha: 1.26 crore, 41 lakh central
    (dt.date(2025, 12, 30), 14_500_000, 85 / 126),  # press, Dec 2025: 1.45 crore
    (DATA_END, 17_000_000, 85 / 126),  # assumption: the July-December 2025 pace continues
)

#: Registered users simulated at scale 1 (by the end of the data): the last milestone.
POPULATION_AT_SCALE_1 = GROWTH_MILESTONES[-1][1]


def registered_by(day: dt.date | np.ndarray, kind: str = "all") -> np.ndarray:
    """Registered users at scale 1 by ``day`` (``kind``: "all", "state" or "central").

    Between milestones the count grows geometrically (a constant monthly rate), which is how
    an onboarding platform grows and puts about 41 lakh users on it before NLW 2024; the
    States/UTs share moves linearly between its published values.
    """
    days = np.atleast_1d(np.asarray(day, dtype="datetime64[D]")).astype(np.int64)
    points = np.array([np.datetime64(d, "D").astype(np.int64) for d, _, _ in GROWTH_MILESTONES])
    total = np.exp(np.interp(days, points, np.log([n for _, n, _ in GROWTH_MILESTONES])))
    share = np.interp(days, points, [s for _, _, s in GROWTH_MILESTONES])
    total = np.where(days < points[0], 0.0, total)
    if kind == "all":
        return total
    if kind == "state":
        return total * share
    if kind == "central":
        return total * (1 - share)
    raise ValueError(f"kind must be 'all', 'state' or 'central', got {kind!r}")


@dataclass(frozen=True)
class Edition:
    """One National Learning Week and the counts it is calibrated to at scale 1.

    Attributes
    ----------
    year : int
        Edition year.
    name : str
        The week's own name.
    start, end : datetime.date
        First and last day of the week (inclusive).
    daily_completion_share : tuple of float
        Share of the week's course completions on each day (peak on ``peak_day``).
    participants_by_group : dict
        Participants (a course completion or an attended event in the week) per group
        A / B / C / Unknown at scale 1.
    target_met_by_group : dict
        Participants with at least 4 learning hours, per group, at scale 1.
    course_enrolments : int
        Course enrolments with ``enrolled_on`` inside the week, at scale 1.
    central_speakers : int
        Distinct speakers of the central webinars.
    met_hours_scale : float
        Scale of the Gamma-distributed hours achievers learn above 4 (sets completions).
    frontline_share : float or None
        Share of participants who are frontline workers (None: not calibrated).
    state_share : float or None
        Share of participants from States/UTs (None: not calibrated).
    ai_course_participants : int or None
        Participants completing at least one AI-related course in the week (None: AI courses
        are as popular as any other).
    acbp_due : tuple of datetime.date
        Due dates of the ACBP allocations made before the week (60 % / 40 %).
    """

    year: int
    name: str
    start: dt.date
    end: dt.date
    daily_completion_share: tuple[float, ...]
    participants_by_group: dict[str, int]
    target_met_by_group: dict[str, int]
    course_enrolments: int
    central_speakers: int
    met_hours_scale: float
    acbp_due: tuple[dt.date, dt.date]
    frontline_share: float | None = None
    state_share: float | None = None
    ai_course_participants: int | None = None

    @property
    def days(self) -> int:
        """Length of the week in days."""
        return (self.end - self.start).days + 1

    @property
    def peak_day(self) -> dt.date:
        """Day with the largest share of completions."""
        shares = self.daily_completion_share
        return self.start + dt.timedelta(days=shares.index(max(shares)))


# Share of completions per day: rising to the sixth day's peak (NLW 2024: 6.2 of 32.6 lakh on
# Thursday 24 October = 19.0 %). No daily figures are published for 2026: the same shape.
_DAILY_SHARE = (0.085, 0.075, 0.100, 0.110, 0.120, 0.193, 0.122, 0.100, 0.095)

# 37,000 Group A participants and 23,800 Group A achievers are published; the split of the other
# 7.03 lakh participants (4.0 lakh achievers) over B / C / Unknown is an assumption.
_PARTICIPANTS_2024 = {"A": 37_000, "B": 200_000, "C": 400_000, "Unknown": 103_000}
_TARGET_MET_2024 = {"A": 23_800, "B": 118_000, "C": 222_000, "Unknown": 56_200}

#: Share of the participants below 4 hours who only attend events (no course completion).
EVENT_ONLY_SHARE = 0.03


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` (largest remainders, so it sums exactly)."""
    names = list(weights)
    raw = np.array([weights[n] for n in names], dtype=float)
    raw = raw / raw.sum() * total
    counts = np.floor(raw).astype(int)
    for index in np.argsort(-(raw - counts))[: total - counts.sum()]:
        counts[index] += 1
    return dict(zip(names, (int(c) for c in counts), strict=True))


def _sadhana_2026() -> tuple[dict[str, int], dict[str, int]]:
    """Participants and achievers per group of SĀDHANA Saptah 2026 at scale 1.

    Published: 46.9 lakh employees with at least one course completion and 33.44 lakh with more
    than four hours (PIB PRID 2251187). Assumed: the groups' shares of participants as in 2024
    and achievers spread over groups in proportion to 2024's. Participants also include the
    event-only people (:data:`EVENT_ONLY_SHARE` of those below 4 hours), so
    ``participants = (completers - share * achievers) / (1 - share)``.
    """
    completers, achievers = 4_690_000, 3_344_000
    participants = round((completers - EVENT_ONLY_SHARE * achievers) / (1 - EVENT_ONLY_SHARE))
    by_group = _split(participants, {k: float(v) for k, v in _PARTICIPANTS_2024.items()})
    met = _split(achievers, {k: float(v) for k, v in _TARGET_MET_2024.items()})
    return by_group, met


_PARTICIPANTS_2026, _TARGET_MET_2026 = _sadhana_2026()

EDITIONS: tuple[Edition, ...] = (
    Edition(
        year=2024,
        name="National Learning Week 2024",
        start=dt.date(2024, 10, 19),
        end=dt.date(2024, 10, 27),
        daily_completion_share=_DAILY_SHARE,
        participants_by_group=_PARTICIPANTS_2024,
        target_met_by_group=_TARGET_MET_2024,
        course_enrolments=4_560_000,
        central_speakers=24,
        met_hours_scale=2.3,
        acbp_due=(dt.date(2024, 12, 31), dt.date(2025, 1, 15)),
    ),
    Edition(
        year=2026,
        name="SĀDHANA Saptah 2026",
        start=dt.date(2026, 4, 2),
        end=dt.date(2026, 4, 10),
        daily_completion_share=_DAILY_SHARE,
        participants_by_group=_PARTICIPANTS_2026,
        target_met_by_group=_TARGET_MET_2026,
        # Not published: 2024's enrolments per completion (45.6 / 32.6 lakh) times 3.18 crore.
        course_enrolments=round(31_800_000 * 4_560_000 / 3_260_000),
        central_speakers=24,
        met_hours_scale=5.0,  # calibrated: completions reach 3.18 crore (tests/synth)
        acbp_due=(dt.date(2026, 6, 30), dt.date(2026, 7, 15)),
        frontline_share=0.452,  # calibrated: frontline workers made 1.48 crore completions
        state_share=0.813,  # calibrated: States & UTs made nearly 80 % of the completions
        ai_course_participants=3_661_000,
    ),
)


@dataclass(frozen=True)
class EffectParameters:
    """Planted effects of taking part in one edition.

    The effect for person ``i`` on an outcome is ``base * group[g_i] * dose[band_i] *
    ministry.get(ministry_i, 1) * (frontline if i is a frontline worker else 1)``, added to what
    the person would have done without the week. ``ministry`` keys are ministries, or
    States/UTs for state organisations.

    Attributes
    ----------
    extra_completions_90d : float
        Expected extra course completions in the 90 days after the week (reference person).
        Realised as a Poisson number of extra completions, so the effect on learning hours is the
        duration of those courses.
    acbp_on_time_pp : float
        Added probability that an ACBP allocation due after the week is completed by its due date.
    assessment_points : float
        Added points on the external assessment score measured after the week.
    group, dose, ministry : dict
        Multipliers by group, by dose band (hours in the week) and for a few units.
    frontline : float
        Multiplier for frontline workers.
    """

    extra_completions_90d: float = 0.9
    acbp_on_time_pp: float = 0.08
    assessment_points: float = 2.5
    group: dict[str, float] = field(
        default_factory=lambda: {"A": 1.5, "B": 1.2, "C": 0.8, "Unknown": 1.0}
    )
    dose: dict[str, float] = field(default_factory=lambda: {"0-4h": 0.5, "4-8h": 1.0, "8h+": 1.6})
    ministry: dict[str, float] = field(
        default_factory=lambda: {
            "Ministry of Health and Family Welfare": 1.8,
            "Ministry of Finance": 1.4,
            "Ministry of Railways": 0.4,
            "Ministry of Home Affairs": 0.0,
            "Uttar Pradesh": 1.5,
            "Madhya Pradesh": 0.0,
        }
    )
    frontline: float = 1.3


#: Planted effects per edition: SĀDHANA Saptah 2026, ten times larger and less selective,
#: has smaller effects per participant than NLW 2024 (an assumption to recover).
EFFECTS_BY_EDITION: dict[int, EffectParameters] = {
    2024: EffectParameters(),
    2026: EffectParameters(extra_completions_90d=0.5, acbp_on_time_pp=0.05, assessment_points=1.5),
}
