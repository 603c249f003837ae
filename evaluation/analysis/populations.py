"""Who each comparison is about: the person frames the comparison notebooks start from."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence

import ibis
import pandas as pd
from ibis import _

from evaluation.analysis import describe
from evaluation.analysis import panels as panel
from evaluation.core.params import Params, Window, load_params, project_root
from evaluation.data.backend import Store


def previous_params(params: Params) -> Params | None:
    """The params of ``params.previous_edition`` (``params/<edition>.yaml``), or None.

    Only its window is used: the previous edition is measured with this edition's definitions
    (target hours, follow-up) and data, so the two are comparable.
    """
    if not params.previous_edition:
        return None
    return load_params(project_root() / "params" / f"{params.previous_edition}.yaml")


def edition_people(
    store: Store, params: Params, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Person x edition frame of this edition, ``took_part_before`` set from the previous one.

    ``columns``: only these (and ``user_key``), chosen in the engine.
    """
    earlier = previous_params(params)
    return panel.person_edition(
        store,
        params.window,
        target_hours=params.target_hours,
        earlier_windows=[earlier.window] if earlier else [],
        columns=columns,
    )


def two_editions(
    store: Store,
    params: Params,
    current: pd.DataFrame | None = None,
    *,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame | None:
    """Rows of the previous and this edition stacked with an ``edition`` column (or None).

    Both editions use this edition's target hours and follow-up, so each KPI has identical
    definitions; eligibility (registered before the week) is each edition's own.
    ``columns``: only these person-frame columns (and ``user_key``): at national scale two
    whole frames stacked need about 14 GB.
    """
    earlier = previous_params(params)
    if earlier is None:
        return None
    if current is None:
        current = panel.person_edition(
            store,
            params.window,
            target_hours=params.target_hours,
            earlier_windows=[earlier.window],
            columns=columns,
        )
    elif columns is not None:
        current = current[list(dict.fromkeys(["user_key", *columns]))]
    before = panel.person_edition(
        store, earlier.window, target_hours=params.target_hours, columns=columns
    )
    before, current = _shared_categories(before, current)
    return pd.concat(
        [before.assign(edition=earlier.edition), current.assign(edition=params.edition)],
        ignore_index=True,
    )


def _shared_categories(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give each category column of both frames the union of their (sorted) levels.

    ``pd.concat`` keeps a category column only when both sides have the same levels; else
    it falls back to text, which at national scale is GBs more (and sorts the same).
    """
    for column in a.columns.intersection(b.columns):
        if isinstance(a[column].dtype, pd.CategoricalDtype) and isinstance(
            b[column].dtype, pd.CategoricalDtype
        ):
            levels = sorted(set(a[column].cat.categories) | set(b[column].cat.categories))
            a = a.assign(**{column: a[column].cat.set_categories(levels)})
            b = b.assign(**{column: b[column].cat.set_categories(levels)})
    return a, b


def previous_kpis(store: Store, params: Params) -> describe.ParticipationKPIs | None:
    """Headline KPIs of the previous edition under this edition's target (or None)."""
    earlier = previous_params(params)
    if earlier is None:
        return None
    return describe.participation_kpis(store, earlier.window, params.target_hours)


def _karma_in_week(store: Store, window: Window) -> pd.DataFrame:
    """Karma points credited to each person inside the window, and when the last one came.

    Persons with no credit in the window are left out. The NLW leaderboard ranks by the points
    and breaks ties by the last credit's time (:func:`evaluation.analysis.compare.leaderboard`).
    """
    columns = ["user_key", "karma_points", "last_credit_date"]
    if not store.has("karma_ledger"):
        return pd.DataFrame(columns=columns)
    ledger = store.table("karma_ledger")
    start = ibis.timestamp(dt.datetime.combine(window.start, dt.time()))
    end = ibis.timestamp(dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time()))
    inside = ledger.filter((ledger.credit_date >= start) & (ledger.credit_date < end))
    return (
        inside.group_by("user_key")
        .aggregate(karma_points=_.points.sum(), last_credit_date=_.credit_date.max())
        .to_pandas()
    )


def ministry_people(
    store: Store, params: Params, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Eligible persons of this edition with the karma points credited to them in the week.

    Adds ``karma_points`` (0 for persons with none) and ``last_credit_date`` (missing then).
    ``columns``: only these of the person frame (and ``user_key``), chosen in the engine.
    """
    people = edition_people(store, params, columns=columns)
    points = _karma_in_week(store, params.window)
    people = people.merge(points, on="user_key", how="left")
    people["karma_points"] = people["karma_points"].fillna(0).astype("float64")
    return people


def choose_ministry(people: pd.DataFrame, ministry: str | None) -> str:
    """The ministry of the brief: the one asked for, or the one with the most participants.

    Raises
    ------
    ValueError
        The ministry asked for is not in the data (with the closest name).

    Examples
    --------
    >>> people = pd.DataFrame({"ministry": ["a", "b", "b"], "participated": [1, 1, 1]})
    >>> choose_ministry(people, None)
    'b'
    """
    known = people.loc[people["ministry"] != "Unknown", "ministry"].dropna().unique().tolist()
    if ministry is None:
        counts = people.groupby("ministry", observed=True)["participated"].sum()
        counts = counts[counts.index.isin(known)]
        # Largest first; ties broken by name so the choice is reproducible.
        return str(sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[0][0])
    if ministry not in known:
        close = difflib.get_close_matches(ministry, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"ministry {ministry!r} is not in the data{hint}")
    return ministry
