"""The design matrix of selection-on-observables models: a constant, numbers, dummies.

One coding for every estimator that models people on their traits (AIPW, IPW, matching, dose
response, the cell-moment designs), so a cell-level fit and a person-level fit of the same
model have the same columns.
"""

from __future__ import annotations

import pandas as pd
import statsmodels.api as sm

__all__ = ["design_matrix"]


def design_matrix(frame: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Covariates with a constant; text, category and boolean columns become dummies.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to model.
    covariates : list of str
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``const`` followed by numeric covariates and dummy columns (first level dropped).
    """
    parts = frame[covariates]
    categorical = [
        c
        for c in covariates
        if not pd.api.types.is_numeric_dtype(parts[c]) or parts[c].dtype == bool
    ]
    if categorical:
        # a category column keeps levels no row has (after a subset); each would be a dummy
        # of zeros, which makes the design singular
        parts = parts.assign(
            **{
                c: parts[c].cat.remove_unused_categories()
                for c in categorical
                if isinstance(parts[c].dtype, pd.CategoricalDtype)
            }
        )
        parts = pd.get_dummies(parts, columns=categorical, drop_first=True, dtype=float)
    design = sm.add_constant(parts.astype(float), has_constant="add")
    return design
