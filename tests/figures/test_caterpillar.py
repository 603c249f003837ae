"""The caterpillar plot of every unit's pooled effect (:func:`figures.caterpillar_plot`)."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation.report import figures


def units() -> pd.DataFrame:
    """Overall 0.5: B clearly above, D clearly below, A and C cannot be told apart, E at 0."""
    return pd.DataFrame(
        {
            "unit": ["A", "B", "C", "D", "E"],
            "estimate": [0.5, 0.9, 0.45, 0.2, 0.05],
            "conf_low": [0.3, 0.7, 0.1, 0.1, -0.1],
            "conf_high": [0.7, 1.1, 0.8, 0.3, 0.2],
        }
    )


def test_caterpillar_sorts_units_and_counts_them_in_the_caption():
    figure = figures.caterpillar_plot(units(), overall=0.5, name="unit_effects")
    ax = figure.fig.axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == ["E", "D", "C", "A", "B"], "largest effect at the top"
    lines = sorted(round(line.get_xdata()[0], 2) for line in ax.lines if len(line.get_xdata()))
    assert 0.0 in lines and 0.5 in lines, "the no-effect and overall lines"
    assert figure.name == "unit_effects"
    assert "5 in all" in figure.caption and "overall effect of 0.50" in figure.caption
    assert "1 lie clearly above the overall effect (green) and 2 clearly below" in (
        figure.caption
    ), figure.caption  # B above; D and E below
    assert "1 interval(s) include no effect" in figure.caption  # E


def test_caterpillar_names_no_unit_when_there_are_too_many_to_read():
    many = pd.concat([units().assign(unit=units()["unit"] + str(k)) for k in range(3)])
    figure = figures.caterpillar_plot(many, overall=0.5, label_units=10)
    assert figure.fig.axes[0].get_yticklabels() == []


def test_caterpillar_refuses_an_interval_that_misses_its_estimate():
    bad = units().assign(conf_low=[0.6, 0.7, 0.1, 0.1, -0.1])
    with pytest.raises(ValueError, match="must contain its estimate"):
        figures.caterpillar_plot(bad, overall=0.5)
