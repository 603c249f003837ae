"""The parallel-trend sensitivity plot (:func:`figures.sensitivity_plot`), HonestDiD's layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation.report import figures


def intervals() -> pd.DataFrame:
    """Parallel trends first; the third assumption is the first whose interval reaches 0."""
    return pd.DataFrame(
        {
            "assumption": ["parallel trends", "Mbar 0.5", "Mbar 1", "Mbar 2"],
            "conf_low": [0.4, 0.1, -0.2, -0.6],
            "conf_high": [0.8, 1.1, 1.4, 1.8],
        }
    )


def test_first_row_on_top_and_the_caption_names_where_no_effect_is_reached():
    figure = figures.sensitivity_plot(intervals())
    ax = figure.fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    positions = list(ax.get_yticks())
    assert labels[positions.index(max(positions))] == "parallel trends"
    bars = ax.collections  # one line collection per interval, in table order
    assert len(bars) == 4
    colours = [tuple(bar.get_colors()[0]) for bar in bars]
    assert colours[0] != colours[1], "the original stands apart"
    assert colours[1] != colours[2], "dark excludes no effect, light includes it"
    assert 'the first to include it is "Mbar 1"' in figure.caption
    assert figure.name == "trend_sensitivity"


def test_caption_when_every_or_no_interval_excludes_no_effect():
    robust = intervals().assign(conf_low=[0.4, 0.3, 0.2, 0.1])
    assert "every interval excludes no effect" in figures.sensitivity_plot(robust).caption
    fragile = intervals().assign(conf_low=-1.0)
    assert "even the interval under parallel trends" in figures.sensitivity_plot(fragile).caption


def test_an_inverted_interval_is_refused():
    with pytest.raises(ValueError, match="conf_low above conf_high"):
        figures.sensitivity_plot(intervals().assign(conf_low=2.0))


def test_sets_not_computed_or_open_ended_are_said_not_drawn_wrong():
    """honest_did gives NaN for a set it could not compute and -inf/inf for an open one: the
    first is not drawn and not taken for "includes no effect", the second runs to the edge."""
    table = intervals().assign(
        conf_low=[0.4, np.nan, 0.2, -np.inf], conf_high=[0.8, np.nan, 1.4, np.inf]
    )
    figure = figures.sensitivity_plot(table)
    ax = figure.fig.axes[0]
    assert len(ax.collections) == 3  # the NaN row has no bar
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Mbar 0.5 (not computed)" in labels and "Mbar 2 (open-ended)" in labels
    assert 'the first to include it is "Mbar 2"' in figure.caption
    assert "1 interval(s) are open-ended" in figure.caption
    assert "1 could not be computed" in figure.caption
    low, high = ax.get_xlim()
    assert np.isfinite(low) and np.isfinite(high) and low < 0 < 0.8 < high
