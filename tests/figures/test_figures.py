"""Tests of the figure style, the figures' captions and deterministic PNG output."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from evaluation.report import figures  # noqa: E402


def daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.date_range("2024-10-19", "2024-10-27"),
            "completions": [1000, 1500, 1300, 2000, 2500, 4000, 2200, 1800, 900],
        }
    )


def rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ministry": ["Big high", "Big low", "Small", "Mid", "Typical"],
            "n": [10000, 10000, 40, 2000, 5000],
            "rate": [0.56, 0.44, 0.70, 0.51, 0.50],
        }
    )


def test_use_style_sets_palette_and_fonts():
    families = figures.use_style()
    assert families[0] == "DejaVu Sans"
    assert matplotlib.rcParams["font.family"] == families
    cycle = [to_hex(c["color"]) for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle[:3] == [c.lower() for c in figures.PALETTE[:3]]
    found = figures.devanagari_font()
    assert (found in families) if found else len(families) == 1


def test_devanagari_font_is_used_when_installed(monkeypatch):
    monkeypatch.setattr(figures, "devanagari_font", lambda: "Lohit Devanagari")
    assert figures.use_style() == ["DejaVu Sans", "Lohit Devanagari"]


def test_devanagari_font_installed_after_the_cache_is_found_and_registered(tmp_path, monkeypatch):
    # A stand-in font file with a Devanagari font's file name (its family is DejaVu Sans).
    source = font_manager.findfont("DejaVu Sans")
    fake = tmp_path / "Lohit-Devanagari.ttf"
    shutil.copyfile(source, fake)
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: [str(fake)])
    assert figures.devanagari_font() == "DejaVu Sans"
    assert any(entry.fname == str(fake) for entry in font_manager.fontManager.ttflist)
    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: [])
    assert figures.devanagari_font() is None


def _bold_title_warnings(caplog, families: list[str], title: str = "Sharp title") -> list[str]:
    matplotlib.rcParams["font.family"] = families
    fig, ax = plt.subplots()
    ax.set_title(title, fontweight="bold")
    with caplog.at_level("WARNING", logger="matplotlib.font_manager"):
        fig.canvas.draw()
    return [r.getMessage() for r in caplog.records if "Failed to find font weight" in r.message]


def test_bold_text_with_a_one_weight_devanagari_font_logs_no_warning(monkeypatch, caplog):
    # A stand-in for Lohit Devanagari: a family with a regular face only (DejaVu Sans's file).
    manager = font_manager.fontManager
    regular = next(e for e in manager.ttflist if e.name == "DejaVu Sans" and e.weight == 400)
    monkeypatch.setattr(manager, "ttflist", [*manager.ttflist, replace(regular, name="Solo")])
    manager._findfont_cached.cache_clear()
    families = ["DejaVu Sans", "Solo"]
    assert _bold_title_warnings(caplog, families), "the stand-in must reproduce the warning"
    caplog.clear()
    figures._bold_from_regular("Solo")
    assert _bold_title_warnings(caplog, families) == []
    bold = [e for e in manager.ttflist if e.name == "Solo" and e.weight == 700]
    assert [e.fname for e in bold] == [regular.fname]  # the regular face, registered as bold
    manager._findfont_cached.cache_clear()


def test_the_installed_devanagari_font_draws_bold_titles_without_warnings(caplog):
    found = figures.devanagari_font()
    if found is None:
        pytest.skip("no Devanagari font installed (make chromium installs fonts-lohit-deva)")
    hindi = "\u0915\u093e\u0930\u094d\u092f\u0915\u094d\u0930\u092e"  # a Hindi word
    assert _bold_title_warnings(caplog, figures.use_style(), f"Title {hindi}") == []


def test_daily_trend_caption_names_the_peak_and_ratio():
    result = figures.daily_trend(daily())
    assert isinstance(result.fig, Figure)
    assert result.name == "daily_trend"
    # average = 17,200 / 9 = 1,911; 4,000 / 1,911.1 = 2.1
    assert "4,000 on 24 Oct" in result.caption
    assert "2.1 times the daily average of 1,911" in result.caption
    texts = [t.get_text() for t in result.fig.axes[0].texts]
    assert texts == ["Peak: 4,000 on 24 Oct"]


def test_daily_trend_of_an_empty_week_says_so():
    empty = daily().assign(completions=0)
    result = figures.daily_trend(empty)
    assert result.caption.endswith("There were none on any day of the window.")
    assert result.fig.axes[0].get_ylim()[1] >= 1


def test_daily_trend_accepts_python_dates_as_describe_returns_them():
    frame = daily().assign(date=lambda t: t["date"].dt.date)
    assert "4,000 on 24 Oct" in figures.daily_trend(frame).caption


def test_funnel_plot_counts_units_outside_the_limits():
    result = figures.funnel_plot(rates(), target=0.5)
    # at n = 10000 the 99.8 % limits are 0.5 +- 0.0155: 0.56 above, 0.44 below;
    # the 40-person ministry at 0.70 is inside its wide funnel
    assert "1 above (green), 1 below (red) of 5" in result.caption
    assert "50.0 %" in result.caption
    labels = {t.get_text() for t in result.fig.axes[0].texts}
    assert {"Big high", "Big low"} <= labels
    assert "Small" not in labels


def test_group_comparison_caption_and_points():
    estimates = pd.DataFrame(
        {"group": ["A", "B", "C"], "rate": [0.5, 0.4, 0.3], "conf_low": [0.45, 0.37, 0.28],
         "conf_high": [0.55, 0.43, 0.32]}
    )  # fmt: skip
    result = figures.group_comparison(estimates)
    assert "Highest: A (50.0 %); lowest: C (30.0 %)" in result.caption
    ticks = [t.get_text() for t in result.fig.axes[0].get_yticklabels()]
    assert ticks == ["C", "B", "A"]


def test_slope_chart_counts_rises_and_falls():
    frame = pd.DataFrame(
        {"ministry": ["p", "q", "r"], "value_1": [0.2, 0.5, 0.4], "value_2": [0.3, 0.45, 0.7]}
    )
    result = figures.slope_chart(frame, label_top=1)
    assert "2 rose (green), 1 fell (red)" in result.caption
    assert "r (40.0 % to 70.0 %, +30.0 points)" in result.caption
    assert [t.get_text() for t in result.fig.axes[0].texts] == ["r"]


def test_webinar_performance_shows_the_top_by_attendance():
    webinars = pd.DataFrame(
        {
            "event_name": [f"Webinar {i}" for i in range(6)],
            "attendees": [100, 600, 300, 500, 200, 400],
            "completion_rate": [0.9, 0.5, 0.6, 0.4, 0.3, 0.8],
            "avg_watch_hours": [0.5, 0.7, 0.2, 0.4, 0.3, 0.6],
            "is_central": [True, False, True, True, False, False],
        }
    )
    result = figures.webinar_performance(webinars, top=3)
    ticks = [t.get_text() for t in result.fig.axes[0].get_yticklabels()]
    assert ticks == ["Webinar 5", "Webinar 3", "Webinar 1"]  # bottom to top
    assert "highest completion rate here is 80.0 % (Webinar 5)" in result.caption


def test_forest_plot_counts_intervals_excluding_the_reference():
    effects = pd.DataFrame(
        {"term": ["a", "b", "c"], "estimate": [0.3, 0.01, -0.2], "conf_low": [0.1, -0.1, -0.3],
         "conf_high": [0.5, 0.12, -0.1]}
    )  # fmt: skip
    result = figures.forest_plot(effects)
    assert "2 of 3 intervals exclude it (dark blue); the others (light)" in result.caption
    ratio = figures.forest_plot(
        effects.assign(estimate=1.2, conf_low=0.5, conf_high=2.0), reference=1.0
    )
    assert "None of the 3 intervals excludes it: each is compatible" in ratio.caption
    assert "light" not in ratio.caption  # no group of light intervals to name
    assert "dotted line at 1 " in ratio.caption


def impact_estimates() -> pd.DataFrame:
    """03_impact's first figure: every outcome (hours, counts, shares, a score) x design."""
    rows = []
    for outcome, size in [
        ("Learning hours, 90 days", 3.0),
        ("Course completions, 90 days", 0.6),
        ("ACBP courses on time (share)", 0.05),
        ("Assessment score (0-100)", 2.0),
    ]:
        for design, factor in [("naive difference", 1.8), ("before/after (AIPW)", 1.0)]:
            value = size * factor
            rows.append(
                {"outcome": outcome, "design": design, "estimate": value,
                 "conf_low": value - 0.3 * size, "conf_high": value + 0.3 * size}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    return table.assign(term=table["outcome"] + ": " + table["design"])


def test_forest_plot_gives_each_outcome_its_own_panel_and_scale():
    table = impact_estimates()
    result = figures.forest_plot(table, term="term", name="impact_estimates")
    axes = result.fig.axes
    assert [ax.get_title(loc="left") for ax in axes] == table["outcome"].unique().tolist()
    for ax, (_, rows) in zip(axes, table.groupby("outcome", sort=False), strict=True):
        low, high = ax.get_xlim()
        # each scale fits its own intervals: the share's panel is not stretched to 6 hours
        assert low <= min(0, rows["conf_low"].min()) and high >= rows["conf_high"].max()
        assert high < 2 * rows["conf_high"].max() + 0.1
        shown = [tick.get_text() for tick in ax.get_yticklabels()]
        assert shown == ["before/after (AIPW)", "naive difference"]  # first row on top
    assert result.fig._suptitle.get_text() == figures.FOREST_TITLES["impact_estimates"][0]
    assert axes[-1].get_xlabel() == "Effect per person, in the outcome's own unit"
    assert result.caption.endswith("Each outcome has its own panel and scale.")
    assert "All 8 intervals exclude it (dark blue)." in result.caption
    assert "the others" not in result.caption  # there are none


def test_the_reports_forest_plots_have_specific_titles():
    effects = pd.DataFrame(
        {"term": ["month -1", "month +0"], "estimate": [0.0, 0.4], "conf_low": [-0.1, 0.2],
         "conf_high": [0.1, 0.6]}
    )  # fmt: skip
    for name, (title, label) in figures.FOREST_TITLES.items():
        if name == "impact_estimates":
            continue
        (ax,) = figures.forest_plot(effects, name=name).fig.axes
        assert (ax.get_title(loc="left"), ax.get_xlabel()) == (title, label)
        assert "Estimated effect" not in title
    staggered = figures.forest_plot(effects, name="staggered_did", effect_label="Completions")
    (ax,) = staggered.fig.axes
    assert ax.get_title(loc="left").startswith("Staggered DiD: extra course completions")
    assert ax.get_xlabel() == "Completions"  # an explicit label wins on the axis
    (mine,) = figures.forest_plot(effects, title="My title", name="event_study").fig.axes
    assert mine.get_title(loc="left") == "My title"
    (plain,) = figures.forest_plot(effects).fig.axes  # not a report figure: the label as before
    assert plain.get_title(loc="left") == plain.get_xlabel() == "Estimated effect"


def test_intervals_must_contain_their_estimates():
    effects = pd.DataFrame(
        {"term": ["a"], "estimate": [3.0], "conf_low": [0.5], "conf_high": [2.0]}
    )
    with pytest.raises(ValueError, match="interval"):
        figures.forest_plot(effects)


def test_every_figure_rejects_missing_columns_and_empty_frames():
    with pytest.raises(ValueError, match="not in frame"):
        figures.daily_trend(daily(), value="learners")
    with pytest.raises(ValueError, match="empty"):
        figures.funnel_plot(rates().iloc[0:0])


def test_save_png_is_byte_identical_and_has_no_software_stamp(tmp_path):
    first = figures.save_png(figures.daily_trend(daily()).fig, tmp_path / "a" / "trend.png")
    second = figures.daily_trend(daily()).save(tmp_path / "b")
    assert second.name == "daily_trend.png"
    content = first.read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert hashlib.sha256(content).digest() == hashlib.sha256(second.read_bytes()).digest()
    assert b"matplotlib" not in content.lower()
    assert b"tIME" not in content


def test_html_repr_embeds_image_and_escaped_caption():
    result = figures.forest_plot(
        pd.DataFrame({"term": ["a<b"], "estimate": [1.0], "conf_low": [0.5], "conf_high": [2.0]})
    )
    html = result._repr_html_()
    assert html.startswith('<figure><img src="data:image/png;base64,')
    assert "<figcaption>Each row is one estimate" in html
    assert np.char.count(html, "<figcaption>") == 1
