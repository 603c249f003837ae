"""Impact estimators behind one immutable result API.

``from evaluation import estimate`` then, with keyword-only options after ``data``:

- :func:`ols` - least squares, iid / HC0 / HC1 / HC3 or CRV1 (pyfixest);
- :func:`interaction_ols` - ``y ~ a * b`` for two 0/1 indicators, clustered, from cell sums
  (equal to :func:`ols`; no model copy of the rows);
- :func:`did` - two-way fixed-effects DiD; :func:`event_study` - leads and lags with a joint
  pre-trend test (pyfixest, fixest clustering convention);
- :func:`staggered_did` - Callaway and Sant'Anna (csdid, R ``did`` parity);
- :func:`regression_adjustment`, :func:`ipw`, :func:`aipw` - selection on observables
  (statsmodels ``TreatmentEffect``, Stata ``teffects`` parity; own doubly robust ATT);
- :func:`match` - propensity-score matching with Abadie-Imbens standard errors;
- :func:`dose_response` - binned or linear dose response with covariates;
- :func:`pool` - random-effects meta-analysis of unit-level estimates (REML / DL, metafor
  parity) with each unit's shrunk effect;
- :func:`honest_did` - confidence sets robust to bounded parallel-trend violations (Rambachan
  and Roth 2023; R HonestDiD parity), with the breakdown value;
- from engine moments, with discrete traits (no person-level frame): :func:`arm_cells` then
  :func:`cell_propensity`, :func:`cell_ipw`, :func:`cell_aipw_att`, :func:`exact_match_att`;
  :func:`cohort_moments` then :func:`staggered_did_from_moments` (equal to the person-level
  fits above).

Every function returns an :class:`EstimateResult` subclass with ``tidy()``, ``coef()``,
``se()``, ``confint()``, ``nobs``, ``method``, ``summary()`` and ``_repr_html_``.
"""

from evaluation.estimate.cell_designs import (
    arm_cells,
    cell_aipw_att,
    cell_ipw,
    cell_propensity,
    exact_match_att,
)
from evaluation.estimate.dose import dose_response
from evaluation.estimate.honest_did import honest_did
from evaluation.estimate.interaction import interaction_ols
from evaluation.estimate.matching import match
from evaluation.estimate.pooling import pool
from evaluation.estimate.regression import did, event_study, ols
from evaluation.estimate.results import (
    TIDY_COLUMNS,
    DiDResult,
    DoseResponseResult,
    EstimateResult,
    EventStudyResult,
    MatchingResult,
    PooledResult,
    RegressionResult,
    StaggeredDiDResult,
    TreatmentEffectResult,
    WaldTest,
)
from evaluation.estimate.staggered import staggered_did
from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments
from evaluation.estimate.treatment_effects import aipw, ipw, regression_adjustment

__all__ = [
    "ols",
    "interaction_ols",
    "did",
    "event_study",
    "staggered_did",
    "regression_adjustment",
    "ipw",
    "aipw",
    "match",
    "dose_response",
    "pool",
    "honest_did",
    "arm_cells",
    "cell_propensity",
    "cell_ipw",
    "cell_aipw_att",
    "exact_match_att",
    "cohort_moments",
    "staggered_did_from_moments",
    "TIDY_COLUMNS",
    "EstimateResult",
    "RegressionResult",
    "DiDResult",
    "EventStudyResult",
    "StaggeredDiDResult",
    "TreatmentEffectResult",
    "MatchingResult",
    "DoseResponseResult",
    "PooledResult",
    "WaldTest",
]
