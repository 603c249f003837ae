"""Checks that the data can identify an estimator, each failure named before a solver fails.

:mod:`evaluation.estimate.validation` checks the arguments (options, column names, types); this
module checks what the columns hold. Without it a bad design surfaces far from its cause:
``numpy.linalg.LinAlgError: Singular matrix`` from inside statsmodels for a constant covariate,
a ``KeyError`` for an all-missing one, a panic inside pyfixest for an empty panel, or a
"did not converge" warning and a meaningless estimate when a covariate separates the arms.
Every check here raises a ``ValueError`` that names the columns and says what to do:

- :func:`complete_cases` (:func:`check_not_all_missing`, :func:`check_rows_left`) - a column
  missing in every row, or listwise deletion leaving no row;
- :func:`check_arms` - a treatment with one arm (every row used treated, or none);
- :func:`check_constant` - a numeric covariate with one value;
- :func:`check_collinear` - design columns that are exact linear combinations of others, in all
  rows or within one arm (the per-arm outcome models of regression adjustment and AIPW);
- :func:`check_separation` and :func:`check_propensity_overlap` - no overlap: a covariate, or
  the propensity model, that tells treated from control rows perfectly;
- :func:`check_within_units` and :func:`check_panel_treatment` - what unit and period fixed
  effects absorb in a two-way fixed-effects DiD.

A text, category or boolean covariate with one value is not an error: it adds no column to the
design (:func:`~evaluation.estimate.treatment_effects.design_matrix` drops the first level),
so estimators fitted on subsets (one ministry, one group) keep working.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"x": [0.0, 0.0, 0.0], "z": [1.0, 2.0, 3.0]})
>>> check_constant(frame, ["x", "z"])
Traceback (most recent call last):
...
ValueError: covariate 'x' is constant (0 for every row); drop it
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from evaluation.estimate.validation import complete_rows

__all__ = [
    "COLLINEAR_TOLERANCE",
    "check_arms",
    "check_collinear",
    "check_constant",
    "check_not_all_missing",
    "check_panel_treatment",
    "check_propensity_overlap",
    "check_rows_left",
    "check_separation",
    "check_within_units",
    "complete_cases",
]

#: A design column counts as collinear when the others explain all but this share of its sum
#: of squares (``1 - R^2`` on the scaled columns). Exact dependencies leave about 1e-13 here;
#: at 1e-8 the coefficient's standard error is over 10^4 times its size without collinearity.
COLLINEAR_TOLERANCE = 1e-8
#: Coefficients smaller than this (on scaled columns) do not count as part of a dependency.
_INVOLVED = 1e-6


def _quoted(names: Sequence[str]) -> str:
    """``'a'``, ``'a' and 'b'``, ``'a', 'b' and 'c'``."""
    shown = [repr(n) for n in names]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _value_text(value: object) -> str:
    """A cell value as a reader would type it: ``0``, ``2.5``, ``'central'``, ``True``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return f"{float(value):g}"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def complete_cases(data: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """Rows with a value in every column of ``roles`` (listwise deletion), checked first.

    Parameters
    ----------
    data : pandas.DataFrame
        The caller's rows.
    roles : mapping of str to str
        Each column used and its role in messages (``"outcome"``, ``"treatment"``,
        ``"covariate"``, ``"dose"``, ``"cluster"``...), e.g. ``{"y": "outcome"}``.

    Returns
    -------
    pandas.DataFrame
        The columns of ``roles`` in the rows where none is missing, index reset.

    Raises
    ------
    ValueError
        A column is missing in every row (named with its role), or no row has all of them.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0], "x": [None, None]})
    >>> complete_cases(frame, {"y": "outcome", "x": "covariate"})
    Traceback (most recent call last):
    ...
    ValueError: covariate 'x' is missing in every row (2 of 2); drop it
    """
    check_not_all_missing(data, roles)
    frame = complete_rows(data, list(roles))
    check_rows_left(frame, data, list(roles))
    return frame


def check_not_all_missing(data: pd.DataFrame, roles: Mapping[str, str]) -> None:
    """Raise if a column of ``roles`` is missing in every row of ``data``.

    Parameters
    ----------
    data : pandas.DataFrame
        The caller's rows.
    roles : mapping of str to str
        Each column used and its role in messages (see :func:`complete_cases`).

    Raises
    ------
    ValueError
        ``covariate 'x' is missing in every row (200 of 200); drop it``.
    """
    for column, role in roles.items():
        if len(data) and data[column].isna().all():
            raise ValueError(
                f"{role} {column!r} is missing in every row ({len(data)} of {len(data)}); "
                + ("drop it" if role == "covariate" else "choose a column that has values")
            )


def check_rows_left(used: pd.DataFrame, data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise if listwise deletion over ``columns`` left no row of ``data`` in ``used``.

    Parameters
    ----------
    used : pandas.DataFrame
        The rows kept.
    data : pandas.DataFrame
        The caller's rows.
    columns : sequence of str
        The columns whose missing values dropped rows.

    Raises
    ------
    ValueError
        Naming how many rows each column is missing in.
    """
    if not used.empty or data.empty:
        return
    columns = list(dict.fromkeys(columns))
    missing = data[columns].isna().sum()
    missing = missing[missing > 0].sort_values(ascending=False)
    counts = ", ".join(f"{name!r} in {int(n)}" for name, n in missing.items())
    raise ValueError(
        f"no row has a value in every one of {_quoted(columns)}: listwise deletion leaves none "
        f"of the {len(data)} rows (missing: {counts}); drop a covariate or fill its missing values"
    )


def check_arms(frame: pd.DataFrame, treatment: str, *, dropped: int = 0) -> None:
    """Raise if the rows used hold one arm only (every row treated, or every row a control).

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows the estimator uses (after listwise deletion).
    treatment : str
        The 0/1 treatment column.
    dropped : int
        Rows left out before (missing values): said in the message, since they may have held
        the other arm.

    Raises
    ------
    ValueError
        Naming the treatment, the one value every row has and the arm that is absent.
    """
    values = frame[treatment].dropna().unique()
    if len(values) != 1:
        return  # both arms, or no rows: other checks speak to those
    value = values[0]
    try:
        arm = {1.0: "treated (1)", 0.0: "controls (0)"}.get(float(value))
    except (TypeError, ValueError):
        arm = None
    if arm is None:
        detail = f"every row is {_value_text(value)}"
    else:
        other = "controls (0)" if arm.startswith("treated") else "treated (1)"
        detail = f"all {len(frame)} rows used are {arm}, none are {other}"
    note = f"; {dropped} rows with a missing value were left out first" if dropped else ""
    raise ValueError(
        f"treatment {treatment!r} has one arm (no variation): {detail}{note}; an effect needs "
        "treated and control rows"
    )


def _numeric(frame: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` enters a design as itself (numeric, not boolean), not as dummies."""
    return pd.api.types.is_numeric_dtype(frame[column]) and frame[column].dtype != bool


def check_constant(frame: pd.DataFrame, covariates: Sequence[str]) -> None:
    """Raise if a numeric covariate has the same value in every row.

    Beside the intercept such a column makes the design singular. Text, category and boolean
    covariates with one value are allowed: they add no dummy column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows the estimator uses (no missing values).
    covariates : sequence of str
        Covariate columns.

    Raises
    ------
    ValueError
        ``covariate 'x' is constant (0 for every row); drop it`` (every such column named).
    """
    constant = []
    for column in dict.fromkeys(covariates):
        if not len(frame) or not _numeric(frame, column):
            continue
        values = frame[column]
        low, high = values.min(), values.max()
        if low == high:
            constant.append((column, low))
    if len(constant) == 1:
        column, value = constant[0]
        raise ValueError(
            f"covariate {column!r} is constant ({_value_text(value)} for every row); drop it"
        )
    if constant:
        listed = _quoted([c for c, _ in constant])
        each = ", ".join(f"{c!r} is {_value_text(v)}" for c, v in constant)
        raise ValueError(f"covariates {listed} are constant ({each} in every row); drop them")


def _design_label(column: str, covariates: Sequence[str]) -> tuple[str, str]:
    """The covariate a design column comes from, and how a message names the column."""
    if column == "const":
        return "", "the intercept"
    if column in covariates:
        return column, repr(column)
    sources = [c for c in covariates if column.startswith(f"{c}_")]
    if sources:
        source = max(sources, key=len)
        return source, f"{source!r} = {column[len(source) + 1 :]!r}"
    return column, repr(column)


def check_collinear(
    design: pd.DataFrame,
    covariates: Sequence[str],
    *,
    rows: np.ndarray | None = None,
    where: str = "",
) -> None:
    """Raise if a design column is (almost) an exact linear combination of the others.

    Columns are taken in order; each is regressed on the independent columns before it (on the
    cross-product matrix of the scaled columns, so the check costs one pass over the rows), and
    the first one the others explain up to :data:`COLLINEAR_TOLERANCE` is reported with the
    columns it depends on. Dummy columns are named by their covariate and level.

    Parameters
    ----------
    design : pandas.DataFrame
        The matrix the estimator fits (``const`` for the intercept, dummies named
        ``<covariate>_<level>``), as :func:`evaluation.estimate.treatment_effects.design_matrix`
        builds it.
    covariates : sequence of str
        The covariates behind ``design``, to name the columns.
    rows : numpy.ndarray of bool, optional
        Check only these rows (e.g. one arm, for a model fitted in each arm).
    where : str
        Said after the finding, e.g. ``" among the treated rows"``.

    Raises
    ------
    ValueError
        ``covariates 'x2' and 'x' are collinear: 'x2' is a linear combination of 'x' and the
        intercept; drop one of them``, or ``covariate 'x' is constant ...`` when a column
        depends on the intercept alone.
    """
    x = design.to_numpy(dtype=np.float64)
    if rows is not None:
        x = x[rows]
    if x.shape[0] == 0 or x.shape[1] == 0:
        return
    names = list(design.columns)
    norms = np.sqrt(np.einsum("ij,ij->j", x, x))
    scale = np.where(norms > 0, norms, 1.0)
    gram = (x.T @ x) / np.outer(scale, scale)
    kept: list[int] = []
    for j in range(x.shape[1]):
        if norms[j] == 0:
            _raise_constant(names[j], 0.0, covariates, where)
        if kept:
            coef = np.linalg.lstsq(gram[np.ix_(kept, kept)], gram[kept, j], rcond=None)[0]
            residual = 1.0 - float(gram[kept, j] @ coef)
        else:
            coef, residual = np.zeros(0), 1.0
        if residual >= COLLINEAR_TOLERANCE:
            kept.append(j)
            continue
        involved = [kept[i] for i in np.flatnonzero(np.abs(coef) > _INVOLVED)]
        others = [names[i] for i in involved]
        if others == ["const"]:
            _raise_constant(names[j], float(x[0, j]), covariates, where)
        _raise_collinear(names[j], others, covariates, where)


def _raise_constant(column: str, value: float, covariates: Sequence[str], where: str) -> None:
    source, label = _design_label(column, covariates)
    if column != source and column.startswith(f"{source}_"):  # a dummy: one level everywhere
        level = column[len(source) + 1 :]
        if value:
            raise ValueError(
                f"covariate {source!r} is constant{where} ({level!r} for every row); drop it"
            )
        raise ValueError(
            f"covariate {source!r} is never {level!r}{where} (its dummy is 0 for every row); "
            "drop it or leave those rows out"
        )
    raise ValueError(
        f"covariate {source!r} is constant{where} ({_value_text(value)} for every row); drop it"
    )


def _raise_collinear(column: str, others: list[str], covariates: Sequence[str], where: str) -> None:
    source, label = _design_label(column, covariates)
    labelled = [_design_label(o, covariates) for o in others]
    sources = list(dict.fromkeys([source, *(s for s, _ in labelled if s)]))
    if len(sources) == 1:  # levels of one covariate: one of its values does not occur here
        raise ValueError(
            f"the levels of covariate {source!r} are collinear{where}: {label} is a linear "
            f"combination of {_quoted_labels([lab for _, lab in labelled])} (some value of it "
            "does not occur there); merge or drop levels"
        )
    raise ValueError(
        f"covariates {_quoted(sources)} are collinear{where}: {label} is a linear combination "
        f"of {_quoted_labels([lab for _, lab in labelled])}; drop one of them"
    )


def _quoted_labels(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def check_separation(frame: pd.DataFrame, treated: np.ndarray, covariates: Sequence[str]) -> None:
    """Raise if one covariate on its own tells treated from control rows (no overlap).

    A numeric covariate separates the arms when every treated value lies above (or below)
    every control value; a text, category or boolean one when no value occurs in both arms.
    Treated and control rows then have nothing in common to compare on: the propensity model
    does not converge and any effect is an extrapolation.

    Parameters
    ----------
    frame : pandas.DataFrame
        The rows used (no missing values).
    treated : numpy.ndarray
        0/1 treatment of each row.
    covariates : sequence of str
        Covariate columns.

    Raises
    ------
    ValueError
        Naming the covariate and the values of each arm.
    """
    is_treated = np.asarray(treated) == 1
    if is_treated.all() or not is_treated.any():
        return
    for column in dict.fromkeys(covariates):
        values = frame[column]
        treated_values, control_values = values[is_treated], values[~is_treated]
        if _numeric(frame, column):
            t_low, t_high = treated_values.min(), treated_values.max()
            c_low, c_high = control_values.min(), control_values.max()
            if t_low > c_high or t_high < c_low:
                side, bound = (">", c_high) if t_low > c_high else ("<", c_low)
                raise ValueError(
                    f"no overlap: covariate {column!r} separates the arms (treated rows from "
                    f"{_value_text(t_low)} to {_value_text(t_high)}, control rows from "
                    f"{_value_text(c_low)} to {_value_text(c_high)}: every treated row has "
                    f"{column} {side} {_value_text(bound)}); the arms have nothing in common to "
                    "compare on: keep rows where both arms occur or rethink the comparison"
                )
            continue
        t_levels, c_levels = set(treated_values.unique()), set(control_values.unique())
        if not t_levels & c_levels:
            raise ValueError(
                f"no overlap: covariate {column!r} separates the arms (treated rows have "
                f"{_levels(t_levels)}, control rows {_levels(c_levels)}; no value occurs in "
                "both): keep rows where both arms occur or rethink the comparison"
            )


def _levels(levels: set) -> str:
    shown = sorted(levels, key=str)
    text = ", ".join(_value_text(v) for v in shown[:5])
    return text + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")


def check_propensity_overlap(
    propensity: np.ndarray, treated: np.ndarray, covariates: Sequence[str]
) -> None:
    """Raise if the fitted propensity scores of the two arms do not overlap at all.

    Every treated score above every control score (or below) means the covariates together
    predict the treatment perfectly (complete separation): the logit or probit has no maximum,
    its scores run to 0 and 1 and weights and matches are meaningless.

    Parameters
    ----------
    propensity : numpy.ndarray
        Fitted scores, one per row.
    treated : numpy.ndarray
        0/1 treatment of each row.
    covariates : sequence of str
        The propensity model's covariates, named in the message.

    Raises
    ------
    ValueError
        With the range of the scores in each arm.
    """
    p = np.asarray(propensity, dtype=np.float64)
    is_treated = np.asarray(treated) == 1
    if is_treated.all() or not is_treated.any():
        return
    pt, pc = p[is_treated], p[~is_treated]
    if pt.min() > pc.max() or pt.max() < pc.min():
        raise ValueError(
            f"no overlap: the propensity scores of treated rows ({pt.min():.3g} to "
            f"{pt.max():.3g}) and control rows ({pc.min():.3g} to {pc.max():.3g}) do not "
            f"overlap: covariates {_quoted(list(dict.fromkeys(covariates)))} together predict "
            "the treatment perfectly; keep rows where both arms occur or use fewer covariates"
        )


def check_within_units(frame: pd.DataFrame, covariates: Sequence[str], unit: str) -> None:
    """Raise if a covariate never changes within a unit (unit fixed effects absorb it).

    Parameters
    ----------
    frame : pandas.DataFrame
        A unit-by-period panel (no missing values in ``covariates`` and ``unit``).
    covariates : sequence of str
        Time-varying controls of a two-way fixed-effects model.
    unit : str
        Unit identifier (absorbed as fixed effects).

    Raises
    ------
    ValueError
        Naming every covariate fixed within each unit.
    """
    if not covariates or frame.empty:
        return
    spread = frame.groupby(unit, sort=False, observed=True)[list(dict.fromkeys(covariates))]
    fixed = [str(c) for c, n in spread.nunique().max().items() if n <= 1]
    if fixed:
        noun = "covariate" if len(fixed) == 1 else "covariates"
        verb = "does" if len(fixed) == 1 else "do"
        raise ValueError(
            f"{noun} {_quoted(fixed)} {verb} not vary within any unit of {unit!r}: the unit "
            "fixed effects absorb it; drop it (a DiD's controls must change over time)"
        )


def check_panel_treatment(frame: pd.DataFrame, treatment: str, unit: str, time: str) -> None:
    """Raise if unit or period fixed effects absorb the treatment of a two-way DiD.

    The treatment must switch within some unit (someone observed before and after) and differ
    between units in some period (someone untreated while others are treated).

    Parameters
    ----------
    frame : pandas.DataFrame
        A unit-by-period panel.
    treatment, unit, time : str
        The 0/1 treatment and the panel identifiers.

    Raises
    ------
    ValueError
        Naming the treatment and the fixed effect that absorbs it.
    """
    if frame.empty:
        return
    by_unit = frame.groupby(unit, sort=False, observed=True)[treatment].agg(["min", "max"])
    if (by_unit["min"] == by_unit["max"]).all():
        raise ValueError(
            f"treatment {treatment!r} never changes within a unit of {unit!r}: every unit is "
            "treated in all its periods or in none, so the unit fixed effects absorb it; a DiD "
            "needs units observed before and after treatment"
        )
    by_time = frame.groupby(time, sort=False, observed=True)[treatment].agg(["min", "max"])
    if (by_time["min"] == by_time["max"]).all():
        raise ValueError(
            f"treatment {treatment!r} is the same for every unit in each period of {time!r}: "
            "no unit is a control while others are treated, so the period fixed effects absorb "
            "it; a DiD needs untreated units in the treated periods"
        )
