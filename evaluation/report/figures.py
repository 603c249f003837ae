"""Figures of the NLW reports: one style, and every figure with a caption that says what to see.

Each function takes a small results frame (never raw data), draws one matplotlib figure in the
workbench's style and returns a :class:`CaptionedFigure` (figure, caption, file name). The
caption is computed from the same numbers as the figure, so it cannot drift from it.

Style: seaborn's ``whitegrid`` theme, the Okabe-Ito colour-blind-safe palette ordered for
print (blue, orange, green first; yellow last), large enough type to read on paper, and
DejaVu Sans with a Devanagari font (Lohit Devanagari or Noto Sans Devanagari, when present)
as per-glyph fallback so Hindi names render. :func:`save_png` writes byte-identical files
for identical figures (no software or time stamp in the PNG metadata).
"""

from __future__ import annotations

import base64
import dataclasses
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates
import matplotlib.patches
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.figure import Figure

from evaluation.analysis.compare import funnel_limits

__all__ = [
    "DEVANAGARI_FONTS",
    "FOREST_TITLES",
    "PALETTE",
    "CaptionedFigure",
    "caterpillar_plot",
    "daily_trend",
    "devanagari_font",
    "forest_plot",
    "funnel_plot",
    "group_comparison",
    "save_png",
    "sensitivity_plot",
    "slope_chart",
    "use_style",
    "webinar_performance",
]

#: Okabe and Ito (2008) colour-blind-safe colours, in the order the workbench uses them.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#F0E442",  # yellow (last: faint on white paper)
)
_MAIN, _SECOND, _UP, _DOWN, _LIGHT = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]
_GREY = "#6E6E6E"

#: Devanagari-capable fonts tried in order (Debian: fonts-lohit-deva, fonts-noto-core).
DEVANAGARI_FONTS: tuple[str, ...] = (
    "Lohit Devanagari",
    "Noto Sans Devanagari",
    "Mukta",
    "Mangal",
)
_LATIN_FONT = "DejaVu Sans"
_PNG_DPI = 200


@dataclass(frozen=True)
class CaptionedFigure:
    """A figure, the sentence that tells a reader what to see in it, and its file name.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    caption : str
        One or two sentences: what is shown, then what to look at.
    name : str
        File stem for ``figures/<name>.png``.
    """

    fig: Figure
    caption: str
    name: str

    def save(self, folder: str | Path) -> Path:
        """Write ``<folder>/<name>.png`` deterministically (see :func:`save_png`)."""
        return save_png(self.fig, Path(folder) / f"{self.name}.png")

    def _repr_html_(self) -> str:
        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{encoded}" alt="{_escape(self.caption)}"/>'
            f"<figcaption>{_escape(self.caption)}</figcaption></figure>"
        )


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


#: File-name fragments of Devanagari fonts, for fonts installed after matplotlib's cache.
_DEVANAGARI_FILES: tuple[str, ...] = ("lohit-devanagari", "lohit_hi", "notosansdevanagari")


def devanagari_font() -> str | None:
    """Name of the first installed Devanagari-capable font, or None.

    Matplotlib caches the font list on first use, so a font installed later (``make
    chromium`` installs ``fonts-lohit-deva``) is looked for among the system's font files
    too and registered.
    """
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    found = next((name for name in DEVANAGARI_FONTS if name in installed), None)
    if found is None:
        for path in sorted(font_manager.findSystemFonts()):
            stem = Path(path).name.lower().replace(" ", "")
            if any(fragment in stem for fragment in _DEVANAGARI_FILES):
                font_manager.fontManager.addfont(path)
                found = font_manager.FontProperties(fname=path).get_name()
                break
    if found:
        _bold_from_regular(found)
    return found


def _weight(value: int | str) -> int:
    return font_manager.weight_dict.get(value, 400) if isinstance(value, str) else int(value)


def _bold_from_regular(name: str) -> None:
    """Give a font that ships one weight a bold entry: its regular face.

    Titles are bold, and Lohit Devanagari has no bold face. Asked for one, matplotlib takes the
    regular face anyway but logs ``findfont: Failed to find font weight bold for Lohit
    Devanagari`` into every output cell that draws a title. Registering the regular file as the
    family's bold face says once, here, what happens: Devanagari letters in bold text print in
    the regular weight (Latin letters stay bold, from DejaVu Sans Bold).
    """
    manager = font_manager.fontManager
    faces = [entry for entry in manager.ttflist if entry.name == name]
    if not faces or any(_weight(entry.weight) >= 600 for entry in faces):
        return
    regular = min(faces, key=lambda entry: abs(_weight(entry.weight) - 400))
    manager.ttflist.append(dataclasses.replace(regular, weight=700))
    cached = getattr(manager, "_findfont_cached", None)  # findfont remembers earlier misses
    if cached is not None:
        cached.cache_clear()


def use_style() -> list[str]:
    """Apply the workbench's figure style to matplotlib and seaborn.

    Returns
    -------
    list of str
        The font families in fallback order (DejaVu Sans, then a Devanagari font if one is
        installed); matplotlib takes each glyph from the first family that has it.
    """
    families = [_LATIN_FONT] + [name for name in [devanagari_font()] if name]
    sns.set_theme(context="notebook", style="whitegrid", palette=list(PALETTE))
    mpl.rcParams.update(
        {
            "font.family": families,
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.titlelocation": "left",
            "axes.labelsize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "figure.figsize": (8.0, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": _PNG_DPI,
            "savefig.bbox": "tight",
            "svg.hashsalt": "nlw-evaluation",  # stable ids in SVG output
            "lines.linewidth": 2.0,
        }
    )
    return families


def save_png(fig: Figure, path: str | Path, *, dpi: int = _PNG_DPI) -> Path:
    """Save a figure as PNG with no software or time stamp, so equal figures give equal bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Figure to save.
    path : str or pathlib.Path
        Destination; parent folders are created.
    dpi : int
        Resolution (200 reads well in print).

    Returns
    -------
    pathlib.Path
        The written path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, format="png", dpi=dpi, metadata={"Software": None})
    return target


def _check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"columns not in frame: {missing}; frame has {list(frame.columns)}")
    if frame.empty:
        raise ValueError("nothing to plot: the frame is empty")


def _check_intervals(frame: pd.DataFrame, estimate: str, low: str, high: str) -> None:
    outside = (frame[low] > frame[estimate]) | (frame[estimate] > frame[high])
    if outside.any():
        raise ValueError(
            f"every interval [{low}, {high}] must contain its {estimate}; "
            f"rows {frame.index[outside].tolist()} do not"
        )


def _count(value: float) -> str:
    return f"{value:,.0f}"


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


# --------------------------------------------------------------------------------------------


def daily_trend(
    daily: pd.DataFrame,
    *,
    date: str = "date",
    value: str = "completions",
    label: str = "Course completions",
    name: str = "daily_trend",
) -> CaptionedFigure:
    """Daily series of one edition with its peak day annotated.

    Parameters
    ----------
    daily : pandas.DataFrame
        One row per day: ``date`` and ``value``.
    date, value : str
        Column names.
    label : str
        What is counted, for the axis and the caption.
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(daily, [date, value])
    series = daily[[date, value]].assign(**{date: pd.to_datetime(daily[date])}).sort_values(date)
    peak = series.iloc[int(series[value].argmax())]
    average = series[value].mean()
    fig, ax = plt.subplots()
    ax.plot(series[date], series[value], marker="o", color=_MAIN)
    ax.axhline(average, color=_GREY, linestyle=":", linewidth=1.2)
    ax.annotate(
        f"Peak: {_count(peak[value])} on {peak[date]:%d %b}",
        xy=(peak[date], peak[value]),
        xytext=(0, 10),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontweight="bold",
    )
    ax.set_ylim(0, max(peak[value] * 1.2, 1))
    ax.xaxis.set_major_formatter(mpl.dates.DateFormatter("%d %b"))
    ax.set_ylabel(label)
    ax.set_xlabel("")
    ax.set_title(f"{label} per day")
    ax.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: _count(v)))
    fig.autofmt_xdate()
    first, last = series[date].iloc[0], series[date].iloc[-1]
    period = f"{label} per day, {first:%d %b} to {last:%d %b %Y}."
    if average > 0:
        caption = (
            f"{period} The peak, {_count(peak[value])} on {peak[date]:%d %b}, is "
            f"{peak[value] / average:.1f} times the daily average of {_count(average)} "
            "(dotted line)."
        )
    else:
        caption = f"{period} There were none on any day of the window."
    return CaptionedFigure(fig, caption, name)


def funnel_plot(
    rates: pd.DataFrame,
    *,
    unit: str = "ministry",
    n: str = "n",
    rate: str = "rate",
    target: float | None = None,
    rate_label: str = "Participation rate",
    label_outside: int = 5,
    name: str = "ministry_funnel",
) -> CaptionedFigure:
    """Funnel plot: each unit's rate against its size, with 95 % and 99.8 % limits.

    Parameters
    ----------
    rates : pandas.DataFrame
        One row per unit with its size and rate (e.g. ``compare.unit_rates``).
    unit, n, rate : str
        Column names.
    target : float, optional
        Centre line; default the pooled rate.
    rate_label : str
        What the rate is, for the axis and the caption.
    label_outside : int
        Label at most this many units outside the 99.8 % limits (the farthest first).
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(rates, [unit, n, rate])
    sizes = rates[n].to_numpy(dtype=float)
    values = rates[rate].to_numpy(dtype=float)
    centre = float(np.sum(values * sizes) / np.sum(sizes)) if target is None else target
    grid = np.unique(np.geomspace(max(sizes.min() * 0.8, 1), sizes.max() * 1.2, 200).round())
    limits = funnel_limits(grid, target=centre)
    at_units = funnel_limits(sizes, target=centre)
    above = values > at_units["upper_998"].to_numpy()
    below = values < at_units["lower_998"].to_numpy()
    fig, ax = plt.subplots()
    for coverage, style in (("95", "--"), ("998", "-")):
        for side in ("lower", "upper"):
            ax.plot(grid, limits[f"{side}_{coverage}"], style, color=_GREY, linewidth=1)
    for coverage, label in (("95", "95 %"), ("998", "99.8 %")):
        ax.annotate(
            label,
            (grid[-1], limits[f"upper_{coverage}"].iloc[-1]),
            fontsize=8,
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            color=_GREY,
        )
    ax.axhline(centre, color=_GREY, linewidth=1)
    colours = np.where(above, _UP, np.where(below, _DOWN, _LIGHT))
    ax.scatter(sizes, values, c=colours, s=28, edgecolors="white", linewidths=0.5, zorder=3)
    outside = np.flatnonzero(above | below)
    distance = np.abs(values[outside] - centre)
    for index in outside[np.argsort(-distance)][:label_outside]:
        ax.annotate(
            str(rates[unit].iloc[index]),
            (sizes[index], values[index]),
            fontsize=8,
            xytext=(4, 2),
            textcoords="offset points",
        )
    ax.set_xscale("log")
    ax.set_xlabel("Persons in the unit (log scale)")
    ax.set_ylabel(rate_label)
    ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_title(f"{rate_label} by {unit}: funnel plot")
    caption = (
        f"Each dot is a {unit}: its {rate_label.lower()} against its size. Dots outside the "
        f"solid 99.8 % limits differ from the overall {_percent(centre)} by more than chance: "
        f"{int(above.sum())} above (green), {int(below.sum())} below (red) of {len(rates)}; "
        "small units scatter widely by luck alone, so look at position relative to the funnel, "
        "not at raw rank."
    )
    return CaptionedFigure(fig, caption, name)


def group_comparison(
    estimates: pd.DataFrame,
    *,
    group: str = "group",
    estimate: str = "rate",
    conf_low: str = "conf_low",
    conf_high: str = "conf_high",
    outcome_label: str = "Share meeting the 4-hour target",
    percent: bool = True,
    name: str = "group_comparison",
) -> CaptionedFigure:
    """Point and 95 % interval of one outcome for each group (e.g. A, B, C).

    Parameters
    ----------
    estimates : pandas.DataFrame
        One row per group with an estimate and its interval (e.g. ``compare.unit_rates``
        with ``unit="group"``).
    group, estimate, conf_low, conf_high : str
        Column names.
    outcome_label : str
        What is estimated.
    percent : bool
        Show the axis as percentages (for shares).
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(estimates, [group, estimate, conf_low, conf_high])
    _check_intervals(estimates, estimate, conf_low, conf_high)
    table = estimates.sort_values(group, ascending=False).reset_index(drop=True)
    positions = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(7.0, 0.6 * len(table) + 1.6))
    errors = [table[estimate] - table[conf_low], table[conf_high] - table[estimate]]
    ax.errorbar(table[estimate], positions, xerr=errors, fmt="o", color=_MAIN, capsize=4)
    ax.set_yticks(positions, table[group].astype(str))
    ax.set_xlabel(outcome_label)
    ax.set_title(f"{outcome_label} by {group}")
    show = _percent if percent else (lambda v: f"{v:,.2f}")
    if percent:
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    top = table.iloc[int(table[estimate].argmax())]
    bottom = table.iloc[int(table[estimate].argmin())]
    caption = (
        f"{outcome_label} for each {group}, with 95 % intervals. Highest: {top[group]} "
        f"({show(top[estimate])}); lowest: {bottom[group]} ({show(bottom[estimate])}). "
        "Overlapping bars do not by themselves mean no difference: the adjusted tests table "
        "says which differences are beyond chance."
    )
    return CaptionedFigure(fig, caption, name)


def slope_chart(
    frame: pd.DataFrame,
    *,
    unit: str = "ministry",
    before: str = "value_1",
    after: str = "value_2",
    before_label: str = "2024",
    after_label: str = "2025",
    value_label: str = "Participation rate",
    percent: bool = True,
    label_top: int = 5,
    name: str = "year_over_year",
) -> CaptionedFigure:
    """Slope chart: one line per unit from its value in one edition to the next.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit with both editions' values (e.g. ``compare.rank_changes``).
    unit, before, after : str
        Column names.
    before_label, after_label : str
        Names of the two editions.
    value_label : str
        What is compared.
    percent : bool
        Show values as percentages.
    label_top : int
        Label the units with the largest absolute change, at most this many.
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(frame, [unit, before, after])
    change = frame[after] - frame[before]
    fig, ax = plt.subplots(figsize=(6.0, 6.0))
    show = _percent if percent else (lambda v: f"{v:,.2f}")
    labelled = set(change.abs().sort_values(ascending=False).index[:label_top])
    for (index, row), moved in zip(frame.iterrows(), change, strict=True):
        colour = _UP if moved > 0 else _DOWN if moved < 0 else _GREY
        ax.plot([0, 1], [row[before], row[after]], color=colour, alpha=0.8, marker="o")
        if index in labelled:
            ax.annotate(
                str(row[unit]),
                (1, row[after]),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    ax.set_xticks([0, 1], [before_label, after_label])
    ax.set_xlim(-0.15, 1.4)
    ax.set_ylabel(value_label)
    if percent:
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_title(f"{value_label}: {before_label} to {after_label}")
    rises, falls = int((change > 0).sum()), int((change < 0).sum())
    largest = int(change.abs().argmax())
    biggest, delta = frame.iloc[largest], change.iloc[largest]
    delta_text = f"{100 * delta:+.1f} points" if percent else f"{delta:+,.2f}"
    caption = (
        f"Each line joins a {unit}'s {value_label.lower()} in {before_label} (left) and "
        f"{after_label} (right): {rises} rose (green), {falls} fell (red). The largest change "
        f"is {biggest[unit]} ({show(biggest[before])} to {show(biggest[after])}, {delta_text})."
    )
    return CaptionedFigure(fig, caption, name)


def webinar_performance(
    webinars: pd.DataFrame,
    *,
    title: str = "event_name",
    attendance: str = "attendees",
    completion_rate: str = "completion_rate",
    watch_hours: str = "avg_watch_hours",
    central: str | None = "is_central",
    top: int = 15,
    name: str = "webinar_performance",
) -> CaptionedFigure:
    """Attendance, completion rate and average watch time of the most attended webinars.

    Parameters
    ----------
    webinars : pandas.DataFrame
        One row per webinar.
    title, attendance, completion_rate, watch_hours : str
        Column names (completion rate as a share, watch time in hours).
    central : str or None
        Boolean column: organised centrally (blue) or by a ministry (orange).
    top : int
        Show the ``top`` most attended webinars.
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    columns = [title, attendance, completion_rate, watch_hours] + ([central] if central else [])
    _check_columns(webinars, columns)
    shown = webinars.nlargest(top, attendance).iloc[::-1].reset_index(drop=True)
    is_central = shown[central].astype(bool) if central else pd.Series(True, index=shown.index)
    colours = np.where(is_central, _MAIN, _SECOND)
    positions = np.arange(len(shown))
    fig, axes = plt.subplots(1, 3, sharey=True, figsize=(11.0, 0.35 * len(shown) + 1.8))
    axes[0].barh(positions, shown[attendance], color=colours)
    axes[0].set_yticks(positions, [_shorten(text) for text in shown[title]])
    axes[0].set_xlabel("Attendees")
    axes[0].xaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: _count(v)))
    axes[1].scatter(shown[completion_rate], positions, color=colours)
    axes[1].set_xlabel("Completion rate")
    axes[1].xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    axes[2].scatter(shown[watch_hours] * 60, positions, color=colours)
    axes[2].set_xlabel("Average watch time (minutes)")
    axes[0].set_title(f"Top {len(shown)} webinars by attendance")
    if central:
        handles = [mpl.patches.Patch(color=_MAIN), mpl.patches.Patch(color=_SECOND)]
        axes[2].legend(handles, ["Central", "Ministry"], loc="lower right", fontsize=9)
    best = shown.iloc[int(shown[completion_rate].argmax())]
    caption = (
        f"The {len(shown)} most attended webinars: attendees (left), share who completed "
        f"(middle) and average minutes watched (right); blue = central, orange = ministry. "
        f"Look for webinars that draw many but keep few: the highest completion rate here is "
        f"{_percent(best[completion_rate])} ({_shorten(best[title])})."
    )
    return CaptionedFigure(fig, caption, name)


def _shorten(text: object, width: int = 40) -> str:
    text = str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


#: Titles and axis labels of the reports' forest plots, by figure name: what each one's rows
#: estimate, for a section that names the figure but not its title. An explicit ``title`` or
#: ``effect_label`` wins.
FOREST_TITLES: dict[str, tuple[str, str]] = {
    "impact_estimates": (
        "Effect of taking part on each outcome, by design",
        "Effect per person, in the outcome's own unit",
    ),
    "event_study": (
        "Participants minus others: course completions per 30 days, by month from the week",
        "Difference in completions per 30 days (month -1 = 0)",
    ),
    "staggered_did": (
        "Staggered DiD: extra course completions per month, by months since first joining",
        "Extra completions per month",
    ),
    "effects_by_group": (
        "Effect on course completions in the 90 days after, by Group",
        "Extra completions per person (before/after, AIPW)",
    ),
    "effects_by_ministry": (
        "Effect on course completions in the 90 days after, largest ministries and States",
        "Extra completions per person (before/after, AIPW)",
    ),
}
_EFFECT_LABEL = "Estimated effect"


def forest_plot(
    effects: pd.DataFrame,
    *,
    term: str = "term",
    estimate: str = "estimate",
    conf_low: str = "conf_low",
    conf_high: str = "conf_high",
    reference: float = 0.0,
    effect_label: str | None = None,
    title: str | None = None,
    panel: str | None = None,
    name: str = "forest_plot",
) -> CaptionedFigure:
    """Forest plot of estimates with their intervals against a reference line.

    Estimates of different outcomes never share an axis: hours, counts, shares and a 0-100
    score on one scale hide most intervals. With ``panel`` (by default ``"outcome"`` when the
    frame has that column with several values) each value gets its own panel and scale,
    titled by the value.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per estimate (the workbench's ``tidy()`` frame).
    term, estimate, conf_low, conf_high : str
        Column names.
    reference : float
        Value meaning "no effect" (0 for differences, 1 for ratios).
    effect_label : str, optional
        What is estimated, for the axis. Default: :data:`FOREST_TITLES` for the reports'
        figure names, else "Estimated effect".
    title : str, optional
        The figure's title. Default: :data:`FOREST_TITLES` for the reports' figure names, else
        ``effect_label``.
    panel : str, optional
        Column whose values get a panel each; a term's ``"<value>: "`` prefix is dropped there.
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(effects, [term, estimate, conf_low, conf_high])
    _check_intervals(effects, estimate, conf_low, conf_high)
    known_title, known_label = FOREST_TITLES.get(name, (None, None))
    label = effect_label or known_label or _EFFECT_LABEL
    heading = title or known_title or label
    if panel is None and "outcome" in effects and effects["outcome"].nunique() > 1:
        panel = "outcome"
    groups = [("", effects)] if panel is None else list(effects.groupby(panel, sort=False))
    heights = [0.45 * len(rows) + 0.9 for _, rows in groups]
    fig, axes = plt.subplots(
        len(groups),
        1,
        figsize=(7.0, sum(heights) + 0.7),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    excluded = 0
    for ax, (key, rows) in zip(axes[:, 0], groups, strict=True):
        labels = rows[term].astype(str)
        if panel is not None:
            labels = labels.str.removeprefix(str(key) + ": ")
            ax.set_title(str(key), fontsize=11)
        excluded += _forest_panel(ax, rows, labels, estimate, conf_low, conf_high, reference)
    axes[-1, 0].set_xlabel(label)
    if panel is None:
        axes[0, 0].set_title(heading)
    else:
        fig.suptitle(heading, x=0.02, ha="left", fontsize=13, fontweight="bold")
        fig.tight_layout()
    caption = (
        f"Each row is one estimate with its 95 % interval; the dotted line at {reference:g} "
        f"means no effect. {_excluded_sentence(excluded, len(effects))}"
    )
    if panel is not None:
        caption += f" Each {panel} has its own panel and scale."
    return CaptionedFigure(fig, caption, name)


def _excluded_sentence(excluded: int, total: int) -> str:
    """How many intervals exclude no effect, without naming a group that is empty."""
    if excluded == total:
        return f"All {total} intervals exclude it (dark blue)."
    if excluded == 0:
        return f"None of the {total} intervals excludes it: each is compatible with no effect."
    return (
        f"{excluded} of {total} intervals exclude it (dark blue); the others (light) are "
        "compatible with no effect."
    )


def _forest_panel(
    ax: plt.Axes,
    rows: pd.DataFrame,
    labels: pd.Series,
    estimate: str,
    conf_low: str,
    conf_high: str,
    reference: float,
) -> int:
    """Draw one panel of a forest plot (first row on top); returns how many exclude it."""
    table = rows.iloc[::-1].reset_index(drop=True)
    positions = np.arange(len(table))
    excludes = (table[conf_low] > reference) | (table[conf_high] < reference)
    ax.axvline(reference, color=_GREY, linestyle=":", linewidth=1.2)
    errors = [table[estimate] - table[conf_low], table[conf_high] - table[estimate]]
    for mask, colour in ((excludes, _MAIN), (~excludes, _LIGHT)):
        ax.errorbar(
            table.loc[mask, estimate],
            positions[mask.to_numpy()],
            xerr=[errors[0][mask], errors[1][mask]],
            fmt="s",
            color=colour,
            capsize=3,
        )
    ax.set_yticks(positions, labels.iloc[::-1].tolist())
    ax.set_ylim(-0.6, len(table) - 0.4)
    return int(excludes.sum())


def caterpillar_plot(
    units: pd.DataFrame,
    *,
    overall: float,
    term: str = "unit",
    estimate: str = "estimate",
    conf_low: str = "conf_low",
    conf_high: str = "conf_high",
    reference: float = 0.0,
    unit_label: str = "ministry or State",
    effect_label: str = "Effect on completions per person",
    label_units: int = 80,
    name: str = "caterpillar",
) -> CaptionedFigure:
    """Caterpillar plot: every unit's (shrunk) effect and interval, sorted, the overall as a line.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit with an estimate and its interval (e.g. the estimable rows of
        :class:`evaluation.analysis.pooling.PooledUnitEffects`).
    overall : float
        The overall effect across units (solid line).
    term, estimate, conf_low, conf_high : str
        Column names.
    reference : float
        Value meaning "no effect" (dotted line).
    unit_label : str
        What one row is, for the caption.
    effect_label : str
        What is estimated, for the axis.
    label_units : int
        Name every unit on the axis up to this many; above it, name none (the table does).
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(units, [term, estimate, conf_low, conf_high])
    _check_intervals(units, estimate, conf_low, conf_high)
    table = units.sort_values([estimate, term], ascending=[True, False]).reset_index(drop=True)
    positions = np.arange(len(table))
    above = (table[conf_low] > overall).to_numpy()
    below = (table[conf_high] < overall).to_numpy()
    height = min(0.22 * len(table) + 1.8, 16.0)
    fig, ax = plt.subplots(figsize=(8.0, height))
    ax.axvline(reference, color=_GREY, linestyle=":", linewidth=1.2)
    ax.axvline(overall, color=_MAIN, linewidth=1.5)
    for mask, colour in ((above, _UP), (below, _DOWN), (~(above | below), _LIGHT)):
        if not mask.any():
            continue
        shown = table[mask]
        ax.errorbar(
            shown[estimate],
            positions[mask],
            xerr=[shown[estimate] - shown[conf_low], shown[conf_high] - shown[estimate]],
            fmt="o",
            markersize=4,
            color=colour,
            elinewidth=1.2,
            capsize=0,
        )
    if len(table) <= label_units:
        ax.set_yticks(positions, [_shorten(text, 34) for text in table[term]], fontsize=7)
    else:
        ax.set_yticks([])
    ax.set_ylim(-1, len(table))
    ax.annotate(
        f"overall {overall:.2f}",
        (overall, len(table) - 0.5),
        xytext=(4, 0),
        textcoords="offset points",
        fontsize=8,
        color=_MAIN,
        va="bottom",
    )
    ax.set_xlabel(effect_label)
    ax.set_title(f"{effect_label}, each {unit_label}")
    covers_zero = int(((table[conf_low] <= reference) & (table[conf_high] >= reference)).sum())
    caption = (
        f"Each row is one {unit_label} ({len(table)} in all), sorted by its estimated effect "
        f"with a 95 % interval; each estimate is pulled towards the overall effect of "
        f"{overall:.2f} (solid blue line) the more, the fewer staff it rests on. "
        f"{int(above.sum())} lie clearly above the overall effect (green) and "
        f"{int(below.sum())} clearly below it (red); the rest (light blue) cannot be told "
        f"apart from it. {covers_zero} interval(s) include no effect at all (dotted line at "
        f"{reference:g})."
    )
    return CaptionedFigure(fig, caption, name)


def sensitivity_plot(
    intervals: pd.DataFrame,
    *,
    assumption: str = "assumption",
    conf_low: str = "conf_low",
    conf_high: str = "conf_high",
    reference: float = 0.0,
    effect_label: str = "Effect on completions per person",
    name: str = "trend_sensitivity",
) -> CaptionedFigure:
    """Robust intervals under weaker and weaker assumptions, the first (the original) on top.

    The sensitivity plot of Rambachan and Roth (2023) (HonestDiD's ``createSensitivityPlot``):
    one horizontal interval per assumption, so a reader sees at which assumption the interval
    first reaches "no effect".

    Parameters
    ----------
    intervals : pandas.DataFrame
        One row per assumption, the original interval (parallel trends) first, e.g. the
        ``trend_sensitivity`` table of 03_impact.
    assumption, conf_low, conf_high : str
        Column names.
    reference : float
        Value meaning "no effect" (dotted line).
    effect_label : str
        What is estimated, for the axis.
    name : str
        File stem.

    Returns
    -------
    CaptionedFigure
    """
    _check_columns(intervals, [assumption, conf_low, conf_high])
    if (intervals[conf_low] > intervals[conf_high]).any():
        raise ValueError(f"{conf_low} above {conf_high} in some rows")
    table = intervals.reset_index(drop=True)
    bounds = table[[conf_low, conf_high]].to_numpy(dtype=float)
    # honest_did gives NaN when a set could not be computed and +-inf when it is open-ended
    missing = np.isnan(bounds).any(axis=1)
    open_ended = np.isinf(bounds).any(axis=1) & ~missing
    finite = np.append(bounds[np.isfinite(bounds)], reference)
    pad = 0.05 * (float(finite.max() - finite.min()) or 1.0)
    x_low, x_high = float(finite.min()) - pad, float(finite.max()) + pad
    positions = np.arange(len(table))[::-1]  # the first row on top
    excludes = (bounds[:, 0] > reference) | (bounds[:, 1] < reference)
    fig, ax = plt.subplots(figsize=(8.0, 0.42 * len(table) + 1.6))
    ax.axvline(reference, color=_GREY, linestyle=":", linewidth=1.2)
    for i in np.flatnonzero(~missing):
        colour = _SECOND if i == 0 else _MAIN if excludes[i] else _LIGHT
        low, high = max(bounds[i, 0], x_low), min(bounds[i, 1], x_high)
        ax.hlines(positions[i], low, high, color=colour, linewidth=5)
    notes = np.where(missing, " (not computed)", np.where(open_ended, " (open-ended)", ""))
    labels = [_shorten(t, 60) + note for t, note in zip(table[assumption], notes, strict=True)]
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.set_xlim(x_low, x_high)
    ax.set_xlabel(effect_label)
    ax.set_title("How the interval widens if trends were not parallel")
    first_reaching = next((i for i in range(len(table)) if not (excludes[i] or missing[i])), None)
    if first_reaching is None:
        where = "every interval excludes no effect"
    elif first_reaching == 0:
        where = "even the interval under parallel trends includes no effect"
    else:
        where = f'the first to include it is "{table[assumption].iloc[first_reaching]}"'
    caption = (
        f"Each bar is a 95 % interval for the effect that stays valid under the assumption at "
        f"its left; the top bar (orange) assumes parallel trends, the bars below allow the "
        f"groups' trends to drift apart after the week by more and more. Dark bars exclude no "
        f"effect (dotted line at {reference:g}), light bars include it: {where}."
        + (
            f" {int(open_ended.sum())} interval(s) are open-ended and run off the chart."
            if open_ended.any()
            else ""
        )
        + (
            f" {int(missing.sum())} could not be computed and are left out."
            if missing.any()
            else ""
        )
    )
    return CaptionedFigure(fig, caption, name)
