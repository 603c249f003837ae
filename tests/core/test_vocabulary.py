"""The shared vocabulary: one definition of each word, read by every layer."""

from __future__ import annotations

import pytest

from evaluation.analysis import compare, diagnose, panels
from evaluation.core import vocabulary
from evaluation.core.params import OUTCOMES


def test_layers_read_the_one_definition():
    assert compare.SMD_THRESHOLD is vocabulary.SMD_THRESHOLD
    assert diagnose.SMD_THRESHOLD is vocabulary.SMD_THRESHOLD
    assert panels.OUTCOME_DEFINITIONS is vocabulary.OUTCOME_DEFINITIONS
    assert panels.DOSE_BANDS is vocabulary.DOSE_BANDS


def test_every_outcome_is_defined_and_labelled():
    assert set(vocabulary.OUTCOME_DEFINITIONS) == set(OUTCOMES)
    assert set(vocabulary.OUTCOME_LABELS) == set(OUTCOMES)
    assert set(OUTCOMES) <= set(vocabulary.VARIABLE_LABELS)


def test_balance_measures_are_labelled():
    assert set(vocabulary.BALANCE_MEASURES) <= set(vocabulary.VARIABLE_LABELS)


def test_the_maps_cannot_be_changed_by_a_consumer():
    with pytest.raises(TypeError):
        vocabulary.VARIABLE_LABELS["participated"] = "other"  # type: ignore[index]


def test_dose_bands_cover_the_hours_without_gaps():
    bands = vocabulary.DOSE_BANDS
    assert bands[0][1] == 0.0 and bands[-1][2] == float("inf")
    assert all(a[2] == b[1] for a, b in zip(bands, bands[1:], strict=False))


def test_kpi_definitions_fill_the_target():
    text = vocabulary.KPI_DEFINITIONS["target_met"].format(target_hours=vocabulary.TARGET_HOURS)
    assert "(4 hours)" in text
