"""The verdict's wording follows the diagnostics (a failed pre-trend test weakens it)."""

from types import SimpleNamespace

import pandas as pd
import pytest

from evaluation.findings import Findings
from evaluation.sections_impact import ImpactEvidence, verdict


class FakeResult:
    def __init__(self, estimate, low, high):
        self._frame = pd.DataFrame({"low": [low], "high": [high]}, index=["ATT"])
        self._coef = pd.Series([estimate], index=["ATT"])

    def coef(self):
        return self._coef

    def confint(self, alpha=0.05):
        return self._frame


@pytest.fixture
def ed(tmp_path):
    findings = Findings(tmp_path, edition="2024", synthetic=True)
    return SimpleNamespace(findings=findings, verdict=lambda key, text: None)


def test_strong_when_every_check_passes(ed):
    evidence = ImpactEvidence(
        naive=1.6,
        did=FakeResult(0.8, 0.7, 0.9),
        aipw=FakeResult(0.85, 0.6, 1.1),
        pretrend_passed=True,
        overlap_removed_share=0.01,
    )
    text = verdict(ed, evidence)
    assert text.startswith("The evidence is strong that taking part raised")
    assert "0.80 per person (95 % interval 0.70 to 0.90)" in text
    assert "a naive comparison would say 1.60" in text


def test_failed_pretrend_weakens_the_wording(ed):
    evidence = ImpactEvidence(
        did=FakeResult(0.8, 0.7, 0.9), aipw=FakeResult(0.85, 0.6, 1.1), pretrend_passed=False
    )
    text = verdict(ed, evidence)
    assert text.startswith("Taking part probably raised")
    assert "already rising faster before the week" in text


def test_disagreeing_designs_and_poor_overlap_are_named(ed):
    evidence = ImpactEvidence(
        did=FakeResult(0.8, 0.7, 0.9),
        aipw=FakeResult(2.0, 1.5, 2.5),
        pretrend_passed=True,
        overlap_removed_share=0.2,
    )
    text = verdict(ed, evidence)
    assert "the designs disagree about the size" in text
    assert "no comparable non-participants" in text


def test_interval_across_zero_says_we_cannot_tell(ed):
    evidence = ImpactEvidence(did=FakeResult(0.1, -0.2, 0.4), pretrend_passed=True)
    assert verdict(ed, evidence).startswith("We cannot tell whether taking part changed")


def test_a_failed_placebo_weakens_the_wording(ed):
    evidence = ImpactEvidence(
        did=FakeResult(0.8, 0.7, 0.9),
        aipw=FakeResult(0.85, 0.6, 1.1),
        pretrend_passed=True,
        overlap_removed_share=0.0,
        placebo=FakeResult(0.3, 0.2, 0.4),
    )
    text = verdict(ed, evidence)
    assert text.startswith("Taking part probably raised")
    assert "a fake week three months earlier also shows an 'effect'" in text
    evidence = ImpactEvidence(
        did=FakeResult(0.8, 0.7, 0.9),
        aipw=FakeResult(0.85, 0.6, 1.1),
        pretrend_passed=True,
        overlap_removed_share=0.0,
        placebo=FakeResult(0.01, -0.05, 0.07),
    )
    assert verdict(ed, evidence).startswith("The evidence is strong")
