"""The verdict's wording follows the diagnostics: the pure rule, then the section that shows it."""

from types import SimpleNamespace

import pandas as pd
import pytest

from evaluation.analysis.impact import ImpactEvidence
from evaluation.analysis.verdict import Evidence, Interval, TrendRobustness, decide
from evaluation.report.findings import Findings
from evaluation.report.sections.impact import verdict

STRONG = {
    "did": Interval(0.8, 0.7, 0.9),
    "aipw": Interval(0.85, 0.6, 1.1),
    "pretrend_passed": True,
    "overlap_removed_share": 0.01,
}


def test_strong_when_every_check_passes():
    decided = decide(Evidence(naive=1.6, **STRONG))
    assert decided.strength == "The evidence is strong that taking part raised"
    assert decided.caveats == ()
    assert decided.text == (
        "The evidence is strong that taking part raised course completions in the following "
        "90 days, by about 0.80 per person (95 % interval 0.70 to 0.90) (a naive comparison "
        "would say 1.60)."
    )


def test_failed_pretrend_weakens_the_wording():
    decided = decide(Evidence(**{**STRONG, "pretrend_passed": False}))
    assert decided.text.startswith("Taking part probably raised")
    assert decided.caveats == ("participants' learning was already rising faster before the week",)
    assert "How sure: moderate at best, because participants' learning" in decided.text


def test_disagreeing_designs_and_poor_overlap_are_named():
    decided = decide(
        Evidence(**{**STRONG, "aipw": Interval(2.0, 1.5, 2.5), "overlap_removed_share": 0.2})
    )
    assert decided.caveats == (
        "the designs disagree about the size",
        "some participants have no comparable non-participants",
    )


def test_missing_aipw_counts_as_disagreement():
    decided = decide(Evidence(did=Interval(0.8, 0.7, 0.9), pretrend_passed=True))
    assert decided.caveats == ("the designs disagree about the size",)


def test_overlap_caveat_starts_above_ten_percent():
    assert decide(Evidence(**{**STRONG, "overlap_removed_share": 0.1})).caveats == ()
    assert decide(Evidence(**{**STRONG, "overlap_removed_share": 0.1001})).caveats != ()


def test_interval_across_zero_says_we_cannot_tell():
    decided = decide(Evidence(did=Interval(0.1, -0.2, 0.4), pretrend_passed=True))
    assert decided.text.startswith("We cannot tell whether taking part changed")


def test_interval_below_zero_says_lowered():
    decided = decide(Evidence(did=Interval(-0.5, -0.8, -0.2), aipw=Interval(-0.4, -0.9, 0.0)))
    assert decided.text.startswith("Taking part appears to have lowered")


def test_a_failed_placebo_weakens_the_wording():
    failed = decide(Evidence(**STRONG, placebo=Interval(0.3, 0.2, 0.4)))
    assert failed.text.startswith("Taking part probably raised")
    assert "a fake week three months earlier also shows an 'effect'" in failed.text
    passed = decide(Evidence(**STRONG, placebo=Interval(0.01, -0.05, 0.07)))
    assert passed.text.startswith("The evidence is strong")


def test_no_headline_no_verdict():
    assert decide(Evidence(aipw=Interval(1.0, 0.5, 1.5))) is None


class FittedResult:
    """The two methods of an estimate result the evidence reads."""

    def __init__(self, estimate, low, high):
        self._frame = pd.DataFrame({"low": [low], "high": [high]}, index=["ATT"])
        self._coef = pd.Series([estimate], index=["ATT"])

    def coef(self):
        return self._coef

    def confint(self, alpha=0.05):
        return self._frame


def test_evidence_reads_fitted_results():
    evidence = ImpactEvidence(
        naive=1.6, did=FittedResult(0.8, 0.7, 0.9), placebo=FittedResult(0.0, -0.1, 0.1)
    )
    assert evidence.for_verdict() == Evidence(
        did=Interval(0.8, 0.7, 0.9), placebo=Interval(0.0, -0.1, 0.1), naive=1.6
    )


@pytest.fixture
def ed(tmp_path):
    findings = Findings(tmp_path, edition="2024", synthetic=True)
    shown = {}
    return SimpleNamespace(
        findings=findings,
        verdict=lambda key, text: shown.update({key: text}),
        summary_hi=lambda key, text: shown.update({f"{key}_hi": text}),
    )


def test_the_section_shows_the_verdict_and_records_the_effect(ed):
    evidence = ImpactEvidence(
        did=FittedResult(0.8, 0.7, 0.9),
        aipw=FittedResult(0.85, 0.6, 1.1),
        pretrend_passed=True,
        overlap_removed_share=0.0,
    )
    text = verdict(ed, evidence)
    assert text == decide(evidence.for_verdict()).text
    recorded = {item.key: item.value for item in ed.findings.items}
    assert recorded["impact_did"] == pytest.approx(0.8)


def test_trend_breakdown_is_worded_after_the_effect():
    trend = TrendRobustness(breakdown=1.5, smallest=0.5, largest=2.0)
    decided = decide(Evidence(**STRONG, trend=trend))
    assert decided.strength == "The evidence is strong that taking part raised"
    assert decided.text.endswith(
        "(95 % interval 0.70 to 0.90). It stays above zero unless, after the week, the gap "
        "between the groups' trends changed by more than 1.5 times its largest month-to-month "
        "change before the week."
    )


def test_trend_robust_to_every_bound_checked_says_so():
    trend = TrendRobustness(breakdown=2.0, smallest=0.5, largest=2.0)
    decided = decide(Evidence(**{**STRONG, "did": Interval(-0.8, -0.9, -0.7)}, trend=trend))
    assert (
        "It stays below zero even if, after the week, the gap between the groups' trends "
        "changed by up to 2 times its largest month-to-month change before the week (the most "
        "this report checks)." in decided.text
    )


def test_trend_fragile_effect_is_a_caveat():
    trend = TrendRobustness(breakdown=None, smallest=0.5, largest=2.0)
    decided = decide(Evidence(**STRONG, trend=trend))
    assert decided.strength == "Taking part probably raised"
    assert decided.caveats == (
        "the effect cannot be told from zero if, after the week, the gap between the groups' "
        "trends could change by half its largest month-to-month change before the week",
    )
    assert "It stays" not in decided.text


def test_trend_is_not_worded_when_the_effect_covers_zero():
    trend = TrendRobustness(breakdown=None, smallest=0.5, largest=2.0)
    did = Interval(0.1, -0.1, 0.3)
    decided = decide(Evidence(**{**STRONG, "did": did, "aipw": did}, trend=trend))
    assert decided.caveats == ()
    assert decided.robustness == ""
