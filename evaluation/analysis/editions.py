"""The effect of taking part in each edition, and whether it grew or shrank between editions.

The same design in both editions: the before/after difference in differences of the report's
impact population (each person's change in the outcome, 90 days after minus 90 days before the
week; participants' mean change minus the others'), fitted on the two editions stacked as
``change ~ treat * later``. The interaction is the difference between the editions' effects.
Many people are in both editions, so the rows are not independent: standard errors are
clustered by person (CRV1, the fixest / Stata convention), which makes the comparison paired
for people present twice and plain for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evaluation import estimate
from evaluation.analysis.impact import BEFORE, MIN_CHANGES, PRIMARY, impact_people
from evaluation.analysis.populations import previous_params
from evaluation.core.params import Params
from evaluation.data.backend import Store

__all__ = [
    "EditionEffects",
    "compare_editions",
    "compare_editions_by_outcome",
    "edition_effects",
    "previous_impact_people",
    "unit_edition_changes",
]

#: Words for how the effect moved between editions (the interval of the difference decides).
CHANGE_WORDS = {"grew": "grew", "shrank": "shrank", "same": "cannot be told apart"}


@dataclass(frozen=True)
class EditionEffects:
    """Each edition's effect and their difference (later minus earlier), with 95 % intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``earlier``, ``later`` and ``difference`` with ``edition`` (label), ``estimate``,
        ``std_error``, ``conf_low``, ``conf_high``, ``participants`` and ``non_participants``
        (persons with a change; for the difference, person-edition rows of both editions).
    change : str
        ``"grew"``, ``"shrank"`` or ``"same"`` (the difference's interval covers zero).
    outcome : str
        The outcome compared.
    persons_in_both : int
        People in the impact population of both editions (the clusters with two rows).
    """

    table: pd.DataFrame
    change: str
    outcome: str
    persons_in_both: int


#: The person-frame columns :func:`edition_effects` reads (with the changes and ``treat``).
_EFFECT_COLUMNS = ("user_key",)


def previous_impact_people(
    store: Store, params: Params, *, columns: Sequence[str] | None = None
) -> pd.DataFrame | None:
    """The previous edition's impact population, under this edition's treatment (or None).

    ``columns``: as :func:`~evaluation.analysis.impact.impact_people`.
    """
    earlier = previous_params(params)
    if earlier is None:
        return None
    same_rules = earlier.model_copy(
        update={"treatment": params.treatment, "pre_months": params.pre_months}
    )
    return impact_people(store, same_rules, columns=columns)


def compare_editions(
    store: Store, params: Params, *, outcome: str = PRIMARY
) -> EditionEffects | None:
    """The edition's effect beside the previous edition's (None for a first edition)."""
    earlier = previous_impact_people(store, params)
    if earlier is None or params.previous_edition is None:
        return None
    later = impact_people(store, params)
    return edition_effects(
        earlier, later, editions=(params.previous_edition, params.edition), outcome=outcome
    )


def compare_editions_by_outcome(store: Store, params: Params) -> list[EditionEffects]:
    """:func:`compare_editions` for every outcome with a "before" measure (primary first).

    The two impact populations are built once. An outcome is compared when each edition has
    at least :data:`~evaluation.analysis.impact.MIN_CHANGES` people with its change (the rule
    of the impact report's before/after designs); empty for a first edition.
    """
    # the columns edition_effects reads: two national frames of all columns do not fit in
    # 24 GB beside the notebook's own (scale 1, 2026-12-03)
    earlier = previous_impact_people(store, params, columns=_EFFECT_COLUMNS)
    if earlier is None or params.previous_edition is None:
        return []
    later = impact_people(store, params, columns=_EFFECT_COLUMNS)
    names = (params.previous_edition, params.edition)
    outcomes = [PRIMARY, *[o for o in BEFORE if o != PRIMARY]]
    return [
        edition_effects(earlier, later, editions=names, outcome=outcome)
        for outcome in outcomes
        if all(
            frame[f"{outcome}_change"].notna().sum() >= MIN_CHANGES for frame in (earlier, later)
        )
    ]


def edition_effects(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    editions: tuple[str, str],
    outcome: str = PRIMARY,
) -> EditionEffects:
    """The before/after effect in two editions and its change, clustered by person.

    Parameters
    ----------
    earlier, later : pandas.DataFrame
        Impact populations (:func:`~evaluation.analysis.impact.impact_people`) of the two
        editions: ``user_key``, ``treat`` and ``<outcome>_change``.
    editions : tuple of str
        Labels of the earlier and the later edition.
    outcome : str
        An outcome with a "before" measure.

    Returns
    -------
    EditionEffects

    Examples
    --------
    >>> a = pd.DataFrame({"user_key": list("abcdef"), "treat": [1, 1, 1, 0, 0, 0],
    ...                   "completions_90d_change": [2.0, 1.0, 3.0, 0.0, 1.0, 2.0]})
    >>> b = a.assign(completions_90d_change=[1.0, 2.0, 1.5, 0.0, 1.0, 1.0])
    >>> result = edition_effects(a, b, editions=("2024", "2026"))
    >>> result.table["estimate"].round(2).tolist()
    [1.0, 0.83, -0.17]
    >>> result.change, result.persons_in_both
    ('same', 6)
    """
    change = f"{outcome}_change"
    stacked = pd.concat(
        [
            frame.loc[frame[change].notna(), ["user_key", "treat", change]].assign(later=flag)
            for frame, flag in ((earlier, 0), (later, 1))
        ],
        ignore_index=True,
    )
    # persons as integer codes: clustering and counting need only who is who, and at
    # national scale 2.4 crore 64-character keys are 1.7 GB
    stacked["user_key"] = pd.factorize(stacked["user_key"])[0]
    # `change ~ treat * later` clustered by person, from cell sums (equal to estimate.ols;
    # pyfixest's copies of the rows took 5 GB a fit at national scale)
    fit = estimate.interaction_ols(
        stacked, outcome=change, first="treat", second="later", cluster="user_key"
    )
    terms = _terms(fit)
    first, second = terms["treat"], terms["treat:later"]
    later_effect = _sum_of_terms(fit, terms, ("treat", "treat:later"))
    rows = [
        _row("earlier", editions[0], first, stacked[stacked["later"] == 0]),
        _row("later", editions[1], later_effect, stacked[stacked["later"] == 1]),
        _row("difference", f"{editions[1]} minus {editions[0]}", second, stacked),
    ]
    table = pd.DataFrame(rows)
    low, high = second["conf_low"], second["conf_high"]
    moved = "grew" if low > 0 else "shrank" if high < 0 else "same"
    both = int(stacked.groupby("user_key")["later"].nunique().eq(2).sum())
    return EditionEffects(table=table, change=moved, outcome=outcome, persons_in_both=both)


#: Columns of :func:`unit_edition_changes`.
UNIT_CHANGE_COLUMNS = (
    "unit",
    "earlier",
    "earlier_low",
    "earlier_high",
    "later",
    "later_low",
    "later_high",
    "difference",
    "conf_low",
    "conf_high",
    "change",
    "persons_in_both",
)


def unit_edition_changes(
    earlier: pd.DataFrame,
    later: pd.DataFrame,
    *,
    editions: tuple[str, str],
    unit: str = "ministry",
    outcome: str = PRIMARY,
    min_persons: int = 10,
) -> pd.DataFrame:
    """Each unit's own before/after effect in two editions and its change, clustered by person.

    :func:`edition_effects` on each unit's staff: the unit's own (unshrunk) estimates, the
    same as :func:`evaluation.analysis.pooling.unit_effects` per edition, and their difference
    with standard errors clustered by person (staff in both editions are compared with
    themselves). Only units with at least ``min_persons`` participants and ``min_persons``
    others with a change in *both* editions are estimated (the rule of the pooled effects).

    Returns
    -------
    pandas.DataFrame
        One row per estimated unit, columns :data:`UNIT_CHANGE_COLUMNS`: each edition's effect
        and 95 % interval, the difference (later minus earlier) with its interval, ``change``
        (``grew`` / ``shrank`` / ``same``) and the persons in both editions.
    """
    change = f"{outcome}_change"
    arms = {
        name: frame[frame[change].notna()].groupby([unit, "treat"], observed=True).size()
        for name, frame in (("earlier", earlier), ("later", later))
    }
    rows = []
    for name in sorted(set(earlier[unit].dropna()) & set(later[unit].dropna())):
        counts = [arms[side].get((name, arm), 0) for side in arms for arm in (0, 1)]
        if min(counts) < min_persons:
            continue
        result = edition_effects(
            earlier[earlier[unit] == name],
            later[later[unit] == name],
            editions=editions,
            outcome=outcome,
        )
        by = {str(r["row"]): r for r in result.table.to_dict("records")}
        rows.append(
            {
                "unit": str(name),
                **_parts("earlier", by["earlier"]),
                **_parts("later", by["later"]),
                "difference": by["difference"]["estimate"],
                "conf_low": by["difference"]["conf_low"],
                "conf_high": by["difference"]["conf_high"],
                "change": result.change,
                "persons_in_both": result.persons_in_both,
            }
        )
    return pd.DataFrame(rows, columns=list(UNIT_CHANGE_COLUMNS))


def _parts(name: str, row: dict) -> dict[str, float]:
    return {
        name: float(row["estimate"]),
        f"{name}_low": float(row["conf_low"]),
        f"{name}_high": float(row["conf_high"]),
    }


def _terms(fit: estimate.RegressionResult) -> dict[str, dict[str, float]]:
    """Each term's estimate, std_error, conf_low and conf_high as plain floats."""
    tidy = fit.tidy()
    parts = ("estimate", "std_error", "conf_low", "conf_high")
    columns = {part: tidy[part].to_numpy(dtype=float) for part in parts}
    return {
        str(term): {part: float(columns[part][i]) for part in parts}
        for i, term in enumerate(tidy["term"])
    }


def _sum_of_terms(
    fit: estimate.RegressionResult, terms: dict[str, dict[str, float]], names: tuple[str, str]
) -> dict[str, float]:
    """Estimate, clustered standard error and 95 % interval of the sum of two coefficients."""
    if fit.vcov is None:
        raise ValueError("the fit has no covariance matrix")
    order = list(terms)
    where = np.array([order.index(name) for name in names])
    value = sum(terms[name]["estimate"] for name in names)
    se = float(np.asarray(fit.vcov)[np.ix_(where, where)].sum()) ** 0.5
    # the same t reference as the coefficients' own intervals
    last = terms[names[1]]
    scale = (last["conf_high"] - last["estimate"]) / last["std_error"]
    return {
        "estimate": value,
        "std_error": se,
        "conf_low": value - scale * se,
        "conf_high": value + scale * se,
    }


def _row(kind: str, label: str, values: dict[str, float], frame: pd.DataFrame) -> dict[str, object]:
    return {
        "row": kind,
        "edition": label,
        **values,
        "participants": int((frame["treat"] == 1).sum()),
        "non_participants": int((frame["treat"] == 0).sum()),
    }
