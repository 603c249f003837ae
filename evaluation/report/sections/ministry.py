"""Sections of 05_ministry_brief: one ministry or state against its peers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from evaluation.analysis import briefs, editions, pooling, populations
from evaluation.analysis.briefs import (
    BriefInputs,
    LeaderboardPosition,
    leaderboard_position,
    ministry_scope_table,
)
from evaluation.analysis.impact import PRIMARY, impact_people
from evaluation.core.vocabulary import KPI_DEFINITIONS, OUTCOME_DEFINITIONS
from evaluation.report import figures
from evaluation.report.edition import Edition
from evaluation.report.figures import CaptionedFigure
from evaluation.report.formatting import format_count
from evaluation.report.sections import hindi
from evaluation.report.sections.common import label, mask_small_rows, pct
from evaluation.report.sections.impact import signed
from evaluation.report.tables import Column, TableSpec

_RATE = ("participants", "users")
#: The ministry, its peers and the nation (:func:`ministry_scope_table`).
SCOPE_SPEC = TableSpec(
    (
        Column("scope", ""),
        Column("users", "Eligible users", "count", counts_persons=True),
        Column("participants", "Participants", "count", counts_persons=True, part_of="users"),
        Column("participation_rate", "Participation rate", "percent", derived_from=_RATE),
        Column("conf_low", "95 % CI from", "percent", derived_from=_RATE),
        Column("conf_high", "95 % CI to", "percent", derived_from=_RATE),
        Column(
            "target_met",
            "Met {target_hours:g}-hour target",
            "count",
            counts_persons=True,
            part_of="participants",
        ),
        Column(
            "target_rate", "Target rate", "percent", derived_from=("target_met", "participants")
        ),
        Column(
            "hours_per_participant",
            "Hours per participant",
            "decimal",
            derived_from=("participants",),
        ),
        Column("karma_per_user", "Karma points per user", "decimal", derived_from=("users",)),
    )
)
_SHARE = ("count", "n")
#: The ministry's rates raw and shrunk, with their ranks (:func:`shrinkage`).
SHRINKAGE_SPEC = TableSpec(
    (
        Column("measure", "Measure"),
        Column("n", "Eligible users", "count", counts_persons=True),
        Column("count", "Persons", "count", counts_persons=True, part_of="n"),
        Column("rate", "Rate", "percent", derived_from=_SHARE),
        Column("conf_low", "Wilson from", "percent", derived_from=_SHARE),
        Column("conf_high", "Wilson to", "percent", derived_from=_SHARE),
        Column("rate_shrunk", "Shrunk rate", "percent", derived_from=_SHARE),
        Column("shrunk_low", "Posterior from", "percent", derived_from=_SHARE),
        Column("shrunk_high", "Posterior to", "percent", derived_from=_SHARE),
        Column("rank_raw", "Rank (raw)"),
        Column("rank_shrunk", "Rank (shrunk)"),
    )
)
#: The top of the ministry's leaderboard bucket (:func:`leaderboard`).
LEADERBOARD_SPEC = TableSpec(
    (
        Column("rank", "Rank"),
        Column("unit", "Ministry / State"),
        Column("users", "Users", "count", counts_persons=True),
        Column("total_points", "Karma points", "count", derived_from=("users",)),
        Column("points_per_user", "Points per user", "decimal", derived_from=("users",)),
    )
)

__all__ = [
    "LeaderboardPosition",
    "impact_lead",
    "impact_sentence",
    "leaderboard",
    "leaderboard_position",
    "ministry_scope_table",
    "shared_inputs",
    "shrinkage",
    "summary",
]

# --------------------------------------------------------------------------------------------
# 05_ministry_brief
# --------------------------------------------------------------------------------------------


def shared_folder(ed: Edition) -> Path:
    """The cache folder of the edition's shared brief results (beside ``ed.output_dir``).

    Under ``nlw run`` that is ``<run>/.shared`` (the runner removes it before the run is
    audited); a brief opened alone keeps it beside its own output folder.
    """
    return ed.output_dir.parent / briefs.CACHE_FOLDER


def shared_inputs(ed: Edition) -> BriefInputs:
    """The national results every brief of the edition shares, computed once and kept.

    Read from :func:`shared_folder` when a brief of the same params, data and library has
    computed them; else computed and kept there (:func:`evaluation.analysis.briefs.brief_inputs`).
    """
    return briefs.brief_inputs(ed.store, ed.params, shared_folder(ed))


def _inputs(source: pd.DataFrame | BriefInputs) -> BriefInputs:
    """The shared inputs, or those of one :func:`populations.ministry_people` frame."""
    if isinstance(source, BriefInputs):
        return source
    return BriefInputs(
        **briefs.unit_tables(source), pooled=None, previous=None, previous_title=None
    )


def _kind(org_type: str, plural: bool = True) -> str:
    if org_type == "state":
        return "states" if plural else "state"
    return "central ministries" if plural else "central ministry"


def _ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st..."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def impact_sentence(standing: pooling.UnitStanding, min_persons: int) -> str:
    """The brief's lead: the unit's own effect on completions, how sure, and its rank.

    Parameters
    ----------
    standing : UnitStanding
        The unit among the pooled units (:func:`evaluation.analysis.pooling.unit_standing`).
    min_persons : int
        The fewest participants and non-participants an estimate needs (``min_cell``).

    Returns
    -------
    str
        E.g. "For staff of X, taking part probably raised course completions in the 90 days
        after the week, by about 0.96 per person (95 % interval 0.90 to 1.03; across all
        ministries and States 0.57, 0.51 to 0.63). Its effect ranks 1st of 68 ministries
        and States (95 % range 1st to 4th)."; for a unit too small to estimate, a sentence
        that says so and why.
    """
    unit, overall = standing.unit, standing.overall
    national = (
        f"across all ministries and States {signed(overall.estimate)}, "
        f"{signed(overall.low)} to {signed(overall.high)}"
    )
    effect = standing.effect
    if not standing.estimable or effect is None or standing.strength is None:
        return (
            f"For staff of {unit}, the effect of taking part on course completions cannot be "
            f"estimated ({standing.reason}; an estimate needs at least {min_persons} staff who "
            f"took part and {min_persons} who did not, the smallest group this report "
            f"publishes). For comparison, {national} (per person, 95 % interval)."
        )
    strength = standing.strength[0].lower() + standing.strength[1:]
    interval = f"95 % interval {signed(effect.low)} to {signed(effect.high)}; {national}"
    if strength.endswith(("raised", "lowered")):
        text = (
            f"For staff of {unit}, {strength} course completions in the 90 days after the "
            f"week, by about {signed(abs(effect.estimate))} per person ({interval})."
        )
    else:
        text = (
            f"For staff of {unit}, {strength} course completions in the 90 days after the "
            f"week: the estimate is {signed(effect.estimate)} per person ({interval})."
        )
    if standing.rank is not None and standing.rank_low is not None:
        text += (
            f" Its effect ranks {_ordinal(standing.rank)} of {standing.of} ministries and "
            f"States (95 % range {_ordinal(standing.rank_low)} to "
            f"{_ordinal(standing.rank_high or standing.rank)})."
        )
    return text


def impact_lead(ed: Edition, source: pd.DataFrame | BriefInputs, ministry: str) -> None:
    """Heading and the brief's lead: the ministry's own effect on completions, pooled.

    ``source`` is the edition's shared inputs (:func:`shared_inputs`, which hold the pooled
    effects of this and the previous edition) or the impact population
    (:func:`evaluation.analysis.impact.impact_people`, pooled here): every ministry and State
    is estimated and pooled as in 03_impact, so the numbers are the impact report's.
    """
    p = ed.params
    ed.say(f"# {ministry}: {p.title}")
    if isinstance(source, BriefInputs):
        pooled = source.pooled
    else:
        pooled = pooling.pool_unit_effects(source, min_persons=p.min_cell, seed=p.seed)
    if pooled is None:
        ed.verdict(
            "ministry_impact",
            f"For staff of {ministry}, the effect of taking part cannot be estimated: fewer "
            f"than two ministries or States have {p.min_cell} participants and {p.min_cell} "
            "colleagues who did not take part, so there is nothing to compare or pool.",
        )
        return
    if ministry in set(pooled.units["unit"]):
        standing = pooling.unit_standing(pooled, ministry)
    else:
        standing = pooling.UnitStanding(
            ministry,
            False,
            f"none of its staff were registered {p.pre_months} months before the week",
            None,
            None,
            pooled.overall,
            None,
            None,
            None,
            None,
            len(pooled.estimated),
        )
    text = impact_sentence(standing, p.min_cell)
    ed.verdict("ministry_impact", text)
    effect = standing.effect
    if effect is None:
        return
    if standing.strength is not None:
        overall = standing.overall
        ed.summary_hi(
            "ministry_impact",
            hindi.unit_effect_hi(
                ministry,
                standing.strength,
                (effect.estimate, effect.low, effect.high),
                (overall.estimate, overall.low, overall.high),
            ),
        )
    definition = (
        f"{OUTCOME_DEFINITIONS[PRIMARY]} The ministry's before/after difference in differences "
        "(participants' change minus colleagues' change), shrunk towards the overall effect "
        "by a random-effects meta-analysis (REML) of every ministry and State."
    )
    for key, value, words in (
        ("ministry_impact_effect", effect.estimate, f"effect on completions in {ministry}"),
        ("ministry_impact_low", effect.low, "lower end of its 95 % interval"),
        ("ministry_impact_high", effect.high, "upper end of its 95 % interval"),
    ):
        ed.findings.number(key, value, label=words, definition=definition, decimals=2)
    ed.findings.number(
        "ministry_impact_rank",
        standing.rank,
        label=f"rank of {ministry}'s effect among {standing.of} ministries and States",
        definition=definition + " 1 = largest shrunk effect.",
        decimals=0,
    )
    earlier = _previous_standing(ed, ministry, source)
    if earlier is not None:
        ed.say(earlier)
    ed.say(
        f"How sure: the estimate compares each of its staff's change in completions (90 days "
        f"after minus 90 days before the week) with colleagues' who did not take part, and is "
        f"pulled towards the overall effect because one ministry's estimate is noisy (its own, "
        f"before pulling: {signed(standing.observed or 0.0)}). The design's checks (parallel "
        "trends before the week, a placebo week) are national and in the impact report."
    )


def _previous_pooled(
    ed: Edition, source: pd.DataFrame | BriefInputs
) -> tuple[str, pooling.PooledUnitEffects | None] | None:
    """The previous edition's title and pooled unit effects (None: no previous edition)."""
    if isinstance(source, BriefInputs):
        if source.previous_title is None:
            return None
        return source.previous_title, source.previous
    previous = populations.previous_params(ed.params)
    if previous is None:
        return None
    people = impact_people(ed.store, previous)
    pooled = pooling.pool_unit_effects(people, min_persons=ed.params.min_cell, seed=ed.params.seed)
    return previous.title, pooled


def _previous_standing(
    ed: Edition, ministry: str, source: pd.DataFrame | BriefInputs
) -> str | None:
    """The ministry's pooled effect in the previous edition and the tested change, in words.

    Estimated the same way on that edition's impact population (None: no previous edition).
    """
    found = _previous_pooled(ed, source)
    if found is None:
        return None
    title, pooled = found
    if pooled is None or ministry not in set(pooled.units["unit"]):
        return f"In {title} its effect cannot be estimated."
    standing = pooling.unit_standing(pooled, ministry)
    effect = standing.effect
    if effect is None or standing.rank is None:
        return f"In {title} its effect cannot be estimated ({standing.reason})."
    ed.findings.number(
        "ministry_impact_previous",
        effect.estimate,
        label=f"effect on completions in {ministry}, {title}",
        definition=f"{OUTCOME_DEFINITIONS[PRIMARY]} Estimated as this edition's, on {title}.",
        decimals=2,
    )
    return (
        f"In {title} its effect was {signed(effect.estimate)} per person (95 % interval "
        f"{signed(effect.low)} to {signed(effect.high)}; across all ministries and States "
        f"{signed(pooled.overall.estimate)}), ranking {_ordinal(standing.rank)} of "
        f"{standing.of}. " + _change_since(ed, ministry, source, title)
    )


def _unit_changes(ed: Edition, source: pd.DataFrame | BriefInputs) -> pd.DataFrame | None:
    """Every unit's own effect in both editions and the change (None: no previous edition)."""
    if isinstance(source, BriefInputs):
        return source.changes
    earlier = editions.previous_impact_people(ed.store, ed.params)
    if earlier is None or ed.params.previous_edition is None:
        return None
    return editions.unit_edition_changes(
        earlier,
        source,
        editions=(ed.params.previous_edition, ed.params.edition),
        min_persons=ed.params.min_cell,
    )


def _change_since(
    ed: Edition, ministry: str, source: pd.DataFrame | BriefInputs, title: str
) -> str:
    """The ministry's change in effect since the previous edition, tested, in a sentence.

    Its own estimates (before pooling) in both editions and their difference with standard
    errors clustered by person, so staff who took part in both are compared with themselves;
    only for a unit with ``min_cell`` participants and others in both editions.
    """
    changes = _unit_changes(ed, source)
    rows = None if changes is None else changes[changes["unit"] == ministry]
    p = ed.params
    if rows is None or rows.empty:
        return (
            f"Whether its effect changed since {title} cannot be tested: it needs {p.min_cell} "
            "participants and colleagues who did not take part in both editions."
        )
    row = rows.iloc[0]
    definition = (
        f"{OUTCOME_DEFINITIONS[PRIMARY]} The ministry's own before/after estimate (not pooled) "
        f"in this edition minus {title}'s, standard errors clustered by person."
    )
    for part, value in (
        ("estimate", row["difference"]),
        ("conf_low", row["conf_low"]),
        ("conf_high", row["conf_high"]),
    ):
        ed.findings.number(
            f"ministry_impact_change_{part}",
            float(value),
            label=f"change in {ministry}'s effect since {title} ({part.replace('_', ' ')})",
            definition=definition,
            decimals=2,
        )
    moved = {
        "grew": "it grew",
        "shrank": "it shrank",
        "same": "the two cannot be told apart",
    }[str(row["change"])]
    both = int(row["persons_in_both"])
    # a count of people is published only from min_cell up (the disclosure rule)
    staff = f"{both:,}" if both >= p.min_cell or both == 0 else f"fewer than {p.min_cell}"
    return (
        f"Compared on its own estimates (before pooling: {signed(float(row['earlier']))} then, "
        f"{signed(float(row['later']))} now), {moved}: a change of "
        f"{signed(float(row['difference']))} per person (95 % interval "
        f"{signed(float(row['conf_low']))} to {signed(float(row['conf_high']))}; "
        f"{staff} of its staff are in both editions and are compared with themselves)."
    )


def summary(
    ed: Edition, people: pd.DataFrame | BriefInputs, ministry: str, *, heading: bool = True
) -> None:
    """Lead sentence and the KPI table: the ministry, its size-bucket peers, the nation.

    ``people`` is the :func:`populations.ministry_people` frame or the shared inputs
    (:func:`shared_inputs`). ``heading=False`` leaves out the page heading (when
    :func:`impact_lead` wrote it).
    """
    inputs = _inputs(people)
    p, style = ed.params, ed.params.number_style
    position = leaderboard_position(inputs.board, ministry)
    table = inputs.scope_table(ministry)
    mine, peers, nation = (table.iloc[i] for i in range(3))
    if heading:
        ed.say(f"# {ministry}: {p.title}")
    lead = (
        f"In {ministry}, {format_count(mine['participants'], style=style)} of "
        f"{format_count(mine['users'], style=style)} eligible users took part in {p.title} "
        f"({pct(mine['participation_rate'])}, 95 % CI {pct(mine['conf_low'])} to "
        f"{pct(mine['conf_high'])}), against {pct(nation['participation_rate'])} nationally "
        f"and {pct(peers['participation_rate'])} among its peers (the other ministries and "
        f"states of its NLW leaderboard size band, {position['size_band']}); "
        f"{pct(mine['target_rate'])} of its participants met the {p.target_hours:g}-hour "
        f"target ({pct(nation['target_rate'])} nationally)."
    )
    ed.verdict("ministry_lead", lead)
    ed.findings.count(
        "ministry_participants",
        int(mine["participants"]),
        label=f"participants in {ministry}",
        definition=KPI_DEFINITIONS["participant"],
        unit="persons",
    )
    _show_scope_table(ed, table)


def _show_scope_table(ed: Edition, table: pd.DataFrame) -> None:
    p = ed.params
    ed.show_table(
        "ministry_kpis",
        table,
        caption=(
            "The ministry beside its peers (its NLW size band, taken together) and all "
            "ministries and states: eligible users (registered before the week), participants "
            "with the participation rate and its 95 % Wilson interval, target met (share of "
            "participants), learning hours per participant and karma points per user in the week."
        ),
        spec=SCOPE_SPEC.filled(target_hours=p.target_hours),
    )


def shrinkage(ed: Edition, people: pd.DataFrame | BriefInputs, ministry: str) -> None:
    """The ministry's rates raw (Wilson) and empirical-Bayes shrunk, with their ranks.

    Units are ranked among those of its kind (central or state); ``people`` as in
    :func:`summary`.
    """
    inputs = _inputs(people)
    org_type = inputs.kind_of(ministry)
    rows = []
    for outcome in briefs.SHRUNK_OUTCOMES:
        fitted = inputs.table(org_type, f"shrunk-{outcome}")
        row = fitted[fitted["ministry"] == ministry].iloc[0]
        rows.append(
            {
                "measure": label(outcome).replace(" (share)", ""),  # a rate column follows
                "n": row["n"],
                "count": row["count"],
                "rate": row["rate"],
                "conf_low": row["conf_low"],
                "conf_high": row["conf_high"],
                "rate_shrunk": row["rate_shrunk"],
                "shrunk_low": row["shrunk_low"],
                "shrunk_high": row["shrunk_high"],
                "rank_raw": f"{row['rank_raw']} of {len(fitted)}",
                "rank_shrunk": f"{row['rank_shrunk']} of {len(fitted)}",
            }
        )
    table = pd.DataFrame(rows)
    kind = _kind(org_type)
    first = table.iloc[0]
    ed.say(
        f"Small units' rates swing by luck, so each rate is also shown shrunk towards the "
        f"average of all {kind} (empirical Bayes, beta-binomial): {ministry}'s participation "
        f"rate of {pct(first['rate'])} becomes {pct(first['rate_shrunk'])}, rank "
        f"{first['rank_shrunk']} (raw: {first['rank_raw']})."
    )
    ed.show_table(
        "ministry_shrinkage",
        mask_small_rows(table, ["n", "count"], ["rank_raw", "rank_shrunk"], ed.params.min_cell),
        caption=(
            f"Share of eligible users who took part and who met the target: raw with its 95 % "
            f"Wilson interval, and shrunk with its 95 % posterior interval; ranks among {kind}."
        ),
        spec=SHRINKAGE_SPEC,
    )


def _highlight(
    figure: CaptionedFigure, size: float, rate: float, label: str, position: str
) -> CaptionedFigure:
    """Mark one unit on a funnel plot and say where it lies in the caption."""
    axes = figure.fig.axes[0]
    axes.scatter([size], [rate], s=140, facecolors="none", edgecolors="black", linewidths=2)
    axes.annotate(
        label,
        (size, rate),
        xytext=(8, -12),
        textcoords="offset points",
        fontsize=9,
        fontweight="bold",
    )
    where = {"above": "above", "below": "below", "within": "inside"}[position]
    caption = f"{figure.caption} {label} is circled: it lies {where} the 99.8 % limits" + (
        ", so its rate is within what chance alone would give." if position == "within" else "."
    )
    return CaptionedFigure(figure.fig, caption, figure.name)


def funnel(ed: Edition, people: pd.DataFrame | BriefInputs, ministry: str) -> None:
    """Funnel plot of participation rates of the ministry's kind, the ministry circled."""
    inputs = _inputs(people)
    org_type = inputs.kind_of(ministry)
    rates = inputs.table(org_type, "rates-participated")
    flags = inputs.table(org_type, "flags")
    mine = flags[flags["ministry"] == ministry].iloc[0]
    figure = figures.funnel_plot(rates, unit="ministry", name="ministry_funnel")
    ed.show_figure(_highlight(figure, mine["n"], mine["rate"], ministry, str(mine["position_998"])))


def leaderboard(ed: Edition, people: pd.DataFrame | BriefInputs, ministry: str) -> None:
    """The platform's NLW leaderboard: karma points credited in the week, by size band."""
    board = _inputs(people).board
    position = leaderboard_position(board, ministry)
    band = board[board["size_band"] == position["size_band"]]
    if position["rank"] == 1 and len(band) > 1:
        runner_up = band.sort_values("rank").iloc[1]
        standing = (
            f"it leads the band, ahead of {runner_up['unit']} ({runner_up['total_points']:,.0f})"
        )
    elif position["rank"] == 1:
        standing = "it is alone in the band"
    else:
        standing = f"the band's leader, {position['leader']}, has {position['leader_points']:,.0f}"
    text = (
        f"On the NLW leaderboard (karma points credited in the week, ministries and states "
        f"ranked within size bands set by their number of users, as the platform ranks them), "
        f"{ministry} ranks {position['rank']} of {position['of']} in band "
        f"{position['size_band']} with {position['total_points']:,.0f} points; {standing}."
    )
    ed.findings.sentence("ministry_leaderboard", text)
    ed.findings.number(
        "ministry_leaderboard_rank",
        position["rank"],
        label=f"leaderboard rank of {ministry} in its size band",
        definition=(
            "Rank by karma points credited in the week within the NLW size band (1 = most; "
            "ties to the earlier last credit), the platform's leaderboard rule."
        ),
        decimals=0,
    )
    ed.say(text)
    shown = band[(band["rank"] <= 10) | (band["unit"] == ministry)]
    ed.show_table(
        "ministry_leaderboard",
        shown[["rank", "unit", "users", "total_points", "points_per_user"]],
        caption=(
            f"Top of NLW size band {position['size_band']} ({ministry} included): ranked by "
            "karma points credited in the week, ties to the earlier last credit. Users are "
            "eligible users; the rank is the platform's rule, with no allowance for chance."
        ),
        spec=LEADERBOARD_SPEC,
    )
