"""The rule that words the impact verdict: a pure function from evidence to a verdict.

The headline is the difference in differences on completions; its wording weakens with every
diagnostic that fails (pre-trends, designs that disagree, a placebo week with an "effect",
participants without comparable colleagues). Nothing here reads data or writes a report:
:func:`decide` takes numbers and returns a :class:`Verdict`, so the rule is tested alone
(``tests/analysis/test_verdict.py``) and the report only shows its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["OVERLAP_CAVEAT_SHARE", "Evidence", "Interval", "TrendRobustness", "Verdict", "decide"]

#: Share of participants without comparable non-participants above which the verdict says so.
OVERLAP_CAVEAT_SHARE = 0.1


class _Fitted(Protocol):
    def coef(self): ...  # noqa: D102

    def confint(self, alpha: float = 0.05): ...  # noqa: D102


@dataclass(frozen=True)
class Interval:
    """A point estimate and its 95 % interval."""

    estimate: float
    low: float
    high: float

    @classmethod
    def of(cls, result: _Fitted) -> Interval:
        """The first coefficient of a fitted result and its 95 % interval."""
        low, high = (float(v) for v in result.confint().iloc[0])
        return cls(float(result.coef().iloc[0]), low, high)

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share at least one value."""
        return other.low <= self.high and other.high >= self.low

    def covers_zero(self) -> bool:
        """Whether zero lies inside the interval."""
        return self.low <= 0 <= self.high


@dataclass(frozen=True)
class TrendRobustness:
    """How far parallel trends may fail before the headline's robust set reaches zero.

    ``breakdown``: the largest relative-magnitude bound (Mbar, Rambachan and Roth 2023) checked
    whose robust set excludes zero (None: not even ``smallest``); ``largest``: the largest
    bound checked.
    """

    breakdown: float | None
    smallest: float
    largest: float


@dataclass(frozen=True)
class Evidence:
    """What the verdict rests on, as numbers (None: not measured)."""

    did: Interval | None = None
    aipw: Interval | None = None
    placebo: Interval | None = None
    naive: float | None = None
    pretrend_passed: bool | None = None
    overlap_removed_share: float | None = None
    trend: TrendRobustness | None = None


@dataclass(frozen=True)
class Verdict:
    """The answer in plain English: how strong, how large, and why not surer."""

    strength: str
    effect: float
    low: float
    high: float
    naive: float | None
    caveats: tuple[str, ...]
    robustness: str = ""

    @property
    def text(self) -> str:
        """The verdict as the report's lead sentence(s)."""
        naive = (
            f" (a naive comparison would say {self.naive:.2f})" if self.naive is not None else ""
        )
        text = (
            f"{self.strength} course completions in the following 90 days, by about "
            f"{self.effect:.2f} per person (95 % interval {self.low:.2f} to {self.high:.2f})"
            f"{naive}."
        )
        if self.robustness:
            text += " " + self.robustness
        if self.caveats:
            text += " How sure: moderate at best, because " + "; ".join(self.caveats) + "."
        return text


def _caveats(evidence: Evidence, did: Interval) -> tuple[str, ...]:
    caveats = []
    if evidence.pretrend_passed is False:
        caveats.append("participants' learning was already rising faster before the week")
    if evidence.aipw is None or not did.overlaps(evidence.aipw):
        caveats.append("the designs disagree about the size")
    if evidence.placebo is not None and not evidence.placebo.covers_zero():
        caveats.append("a fake week three months earlier also shows an 'effect'")
    share = evidence.overlap_removed_share
    if share is not None and share > OVERLAP_CAVEAT_SHARE:
        caveats.append("some participants have no comparable non-participants")
    trend = evidence.trend
    if trend is not None and trend.breakdown is None and not did.covers_zero():
        caveats.append(
            f"the effect cannot be told from zero if, after the week, the gap between the groups' "
            f"trends could change by {_times(trend.smallest)} its largest month-to-month change "
            "before the week"
        )
    return tuple(caveats)


def _times(bound: float) -> str:
    return "half" if bound == 0.5 else f"{bound:g} times"


def _robustness(evidence: Evidence, did: Interval) -> str:
    """One sentence on how far parallel trends may fail before the effect's sign is in doubt."""
    trend = evidence.trend
    if trend is None or trend.breakdown is None or did.covers_zero():
        return ""
    side = "above" if did.low > 0 else "below"
    if trend.breakdown >= trend.largest:
        return (
            f"It stays {side} zero even if, after the week, the gap between the groups' trends "
            f"changed by up to {_times(trend.largest)} its largest month-to-month change before "
            "the week (the most this report checks)."
        )
    return (
        f"It stays {side} zero unless, after the week, the gap between the groups' trends "
        f"changed by more than {_times(trend.breakdown)} its largest month-to-month change "
        "before the week."
    )


def decide(evidence: Evidence) -> Verdict | None:
    """The verdict the evidence supports (None when there is no headline estimate).

    Examples
    --------
    >>> verdict = decide(Evidence(did=Interval(0.8, 0.7, 0.9), aipw=Interval(0.85, 0.6, 1.1)))
    >>> verdict.strength
    'The evidence is strong that taking part raised'
    """
    did = evidence.did
    if did is None:
        return None
    caveats = _caveats(evidence, did)
    if did.low > 0 and not caveats:
        strength = "The evidence is strong that taking part raised"
    elif did.low > 0:
        strength = "Taking part probably raised"
    elif did.high < 0:
        strength = "Taking part appears to have lowered"
    else:
        strength = "We cannot tell whether taking part changed"
    return Verdict(
        strength,
        did.estimate,
        did.low,
        did.high,
        evidence.naive,
        caveats,
        _robustness(evidence, did),
    )
