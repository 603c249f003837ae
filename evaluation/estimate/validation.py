"""Input checks shared by the estimators: clear ``ValueError``s, never ``assert``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, TypeVar, get_args, overload

import numpy as np
import pandas as pd

__all__ = [
    "VcovType",
    "PropensityModel",
    "Estimand",
    "StaggeredControl",
    "StaggeredMethod",
    "StaggeredAggregate",
    "MIN_CLUSTERS",
    "check_option",
    "check_columns",
    "check_binary",
    "check_variation",
    "check_clusters",
    "check_cluster_count",
    "check_formula",
    "check_period_columns",
    "check_ever_treated",
    "as_list",
    "complete_rows",
]

VcovType = Literal["iid", "HC0", "HC1", "HC3"]
PropensityModel = Literal["logit", "probit"]
Estimand = Literal["ATE", "ATT"]
StaggeredControl = Literal["never", "notyet"]
StaggeredMethod = Literal["dr", "ipw", "reg"]
StaggeredAggregate = Literal["simple", "group", "dynamic", "calendar"]

#: Cluster-robust (CRV1) inference with fewer clusters than this is refused: the sandwich is
#: badly biased and the t(G-1) reference is unreliable (Cameron and Miller 2015).
MIN_CLUSTERS = 5

T = TypeVar("T", bound=str)


def check_option(value: T, allowed: object, name: str) -> T:
    """Check that ``value`` is one of the ``Literal`` type's values.

    Parameters
    ----------
    value : str
        The option given by the caller.
    allowed : Literal type
        E.g. :data:`VcovType` (a typing special form, not a class: hence ``object``).
    name : str
        Argument name used in the error message.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    ValueError
        If ``value`` is not allowed.
    """
    options = get_args(allowed)
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")
    return value


def as_list(columns: str | Sequence[str] | None) -> list[str]:
    """Normalise ``None`` / one name / several names to a list of names."""
    if columns is None:
        return []
    if isinstance(columns, str):
        return [columns]
    return list(columns)


def check_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> None:
    """Raise a ``ValueError`` naming every column missing from ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        raise ValueError(
            f"unknown column(s) {missing}; available columns: {list(data.columns)[:30]}"
        )
    if data.empty:
        raise ValueError("data has no rows")


def check_binary(data: pd.DataFrame, column: str) -> np.ndarray:
    """Return ``column`` as a 0/1 integer array, or raise if it is not binary.

    Booleans are accepted. Both values must occur.
    """
    values = data[column]
    if values.isna().any():
        raise ValueError(f"treatment column {column!r} has missing values")
    try:
        unique = set(pd.unique(values.astype(float)))
    except (TypeError, ValueError):
        shown = list(pd.unique(values))[:6]
        raise ValueError(
            f"treatment column {column!r} must be binary 0/1, found values {shown}"
        ) from None
    if not unique <= {0.0, 1.0}:
        shown = sorted(unique)[:6]
        raise ValueError(f"treatment column {column!r} must be binary 0/1, found values {shown}")
    if len(unique) < 2:
        raise ValueError(
            f"treatment column {column!r} has no variation (every row is {unique.pop():g})"
        )
    return values.astype(float).astype(int).to_numpy()


def check_variation(data: pd.DataFrame, column: str) -> None:
    """Raise if ``column`` is constant (an effect on or of it cannot be estimated)."""
    if data[column].nunique(dropna=True) < 2:
        raise ValueError(f"column {column!r} has no variation")


@overload
def check_clusters(data: pd.DataFrame, column: str) -> int: ...
@overload
def check_clusters(data: pd.DataFrame, column: None) -> None: ...
@overload
def check_clusters(data: pd.DataFrame, column: str | None) -> int | None: ...


def check_clusters(data: pd.DataFrame, column: str | None) -> int | None:
    """Count clusters and refuse cluster-robust inference with too few of them."""
    if column is None:
        return None
    return check_cluster_count(int(data[column].nunique(dropna=True)), column)


def check_cluster_count(n_clusters: int, column: str) -> int:
    """Refuse cluster-robust inference with fewer than :data:`MIN_CLUSTERS` clusters.

    For callers that count clusters themselves (compressed fits count them in cells).

    Returns
    -------
    int
        ``n_clusters`` unchanged.
    """
    if n_clusters < MIN_CLUSTERS:
        raise ValueError(
            f"too few clusters in {column!r}: {n_clusters} (at least {MIN_CLUSTERS} needed for "
            "cluster-robust standard errors)"
        )
    return n_clusters


def check_formula(formula: str) -> str:
    """Raise unless ``formula`` has an outcome and a right-hand side (``"y ~ x"``)."""
    if "~" not in formula:
        raise ValueError(f"formula must contain '~', got {formula!r}")
    return formula


def check_period_columns(data: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise unless every one of ``columns`` is numeric (periods are compared and subtracted)."""
    for column in columns:
        if not pd.api.types.is_numeric_dtype(data[column]):
            raise ValueError(f"column {column!r} must be numeric (a period index)")


def check_ever_treated(data: pd.DataFrame, cohort: str) -> None:
    """Raise unless some unit has a positive first treated period (0 or missing: never)."""
    if not (data[cohort].fillna(0) > 0).any():
        raise ValueError(f"column {cohort!r} marks no unit as ever treated")


def complete_rows(data: pd.DataFrame, columns: Iterable[str | None]) -> pd.DataFrame:
    """Keep rows with no missing value in ``columns`` (listwise deletion, as Stata does)."""
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    return data.loc[data[wanted].notna().all(axis=1), wanted].reset_index(drop=True)
