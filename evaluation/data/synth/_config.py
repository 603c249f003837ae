"""Assumptions of the synthetic world: calendar, population, calibration targets, planted effects.

Every number here is an assumption of the simulation and is restated in
``docs/synthetic-data.md`` and in ``ground_truth.json``. Calibration targets for 2024 come from
``/work/shared/reference/nlw_2024_published.csv``; the 2025 edition has no published figures, so
its targets are the 2024 ones times :data:`EDITION_2025_GROWTH` (an assumption).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "DATA_START",
    "DATA_END",
    "EDITIONS",
    "Edition",
    "EffectParameters",
    "EFFECTS",
    "POPULATION_AT_SCALE_1",
    "REPORT_DATES",
]

DATA_START = dt.date(2023, 10, 1)
DATA_END = dt.date(2026, 4, 30)

#: Registered users simulated at scale 1 (by 30 April 2026). About 3.9 million of them are
#: active and registered before the 2024 week; the platform's "1 crore" includes many accounts
#: outside the tracked MDOs, which we do not simulate (they would add rows, not information).
POPULATION_AT_SCALE_1 = 4_500_000

#: Report download dates: an early snapshot for some MDOs and a final one for all.
REPORT_DATES = (dt.date(2025, 11, 3), dt.date(2026, 5, 1))

#: Growth of the 2025 edition over 2024 (assumption; no published 2025 figures are used).
EDITION_2025_GROWTH = 1.15


@dataclass(frozen=True)
class Edition:
    """One National Learning Week and the counts it is calibrated to at scale 1.

    Attributes
    ----------
    year : int
        Edition year.
    start, end : datetime.date
        First and last day of the week (inclusive).
    daily_completion_share : tuple of float
        Share of the week's course completions on each day (peak on ``peak_day``).
    participants_by_group : dict
        Participants per group A / B / C / Unknown at scale 1.
    target_met_by_group : dict
        Participants with at least 4 learning hours, per group, at scale 1.
    course_enrolments : int
        Course enrolments with ``enrolled_on`` inside the week, at scale 1.
    central_speakers : int
        Distinct speakers of the central webinars.
    """

    year: int
    start: dt.date
    end: dt.date
    daily_completion_share: tuple[float, ...]
    participants_by_group: dict[str, int]
    target_met_by_group: dict[str, int]
    course_enrolments: int
    central_speakers: int

    @property
    def days(self) -> int:
        """Length of the week in days."""
        return (self.end - self.start).days + 1

    @property
    def peak_day(self) -> dt.date:
        """Day with the largest share of completions."""
        shares = self.daily_completion_share
        return self.start + dt.timedelta(days=shares.index(max(shares)))


# Share of completions per day: rising to the Thursday peak (6.2 of 32.6 lakh = 19.0 %).
_DAILY_SHARE = (0.085, 0.075, 0.100, 0.110, 0.120, 0.193, 0.122, 0.100, 0.095)

# 37,000 Group A participants and 23,800 Group A achievers are published; the split of the other
# 7.03 lakh participants (4.0 lakh achievers) over B / C / Unknown is an assumption.
_PARTICIPANTS_2024 = {"A": 37_000, "B": 200_000, "C": 400_000, "Unknown": 103_000}
_TARGET_MET_2024 = {"A": 23_800, "B": 118_000, "C": 222_000, "Unknown": 56_200}


def _grown(counts: dict[str, int], factor: float) -> dict[str, int]:
    return {group: round(count * factor) for group, count in counts.items()}


EDITIONS: tuple[Edition, ...] = (
    Edition(
        year=2024,
        start=dt.date(2024, 10, 19),
        end=dt.date(2024, 10, 27),
        daily_completion_share=_DAILY_SHARE,
        participants_by_group=_PARTICIPANTS_2024,
        target_met_by_group=_TARGET_MET_2024,
        course_enrolments=4_560_000,
        central_speakers=24,
    ),
    Edition(
        year=2025,
        start=dt.date(2025, 10, 18),
        end=dt.date(2025, 10, 26),
        daily_completion_share=_DAILY_SHARE,
        participants_by_group=_grown(_PARTICIPANTS_2024, EDITION_2025_GROWTH),
        target_met_by_group=_grown(_TARGET_MET_2024, EDITION_2025_GROWTH),
        course_enrolments=round(4_560_000 * EDITION_2025_GROWTH),
        central_speakers=24,
    ),
)


@dataclass(frozen=True)
class EffectParameters:
    """Planted effects of taking part in a week, the same for both editions.

    The effect for person ``i`` on an outcome is ``base * group[g_i] * dose[band_i] *
    ministry.get(ministry_i, 1)``, added to what the person would have done without the week.

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
        Multipliers by group, by dose band (hours in the week) and for a few ministries.
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
        }
    )


EFFECTS = EffectParameters()
