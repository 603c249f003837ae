"""Benchmark stages: every design from engine moments beside its person-level fit (issue 18).

``python -m benchmarks.run --scale S --only panel,cells_person,cells_moments,staggered_person,
staggered_moments`` runs each pair in one invocation (after ``synth`` and ``ingest`` have made
the store in ``--work``). Each stage prints its estimates and standard errors, so the results
table shows that the two versions agree as well as what each costs:

- ``cells_person`` / ``cells_moments``: the propensity logit, IPW (ATT), the doubly robust ATT
  and exact matching of participation in NLW 2024 on each person's change in completions (90
  days after minus before), on the discrete traits :data:`TRAITS`; person level
  (``estimate.aipw`` etc. on the person frame) vs :mod:`evaluation.estimate.cell_designs` on
  the engine's per-(arm, cell) moments.
- ``staggered_person`` / ``staggered_moments``: the Callaway-Sant'Anna DiD of 03_impact (both
  editions, doubly robust, not-yet-joined controls, effects by month since joining). The
  person-level one is what :func:`evaluation.analysis.impact.staggered_effects` runs (csdid on
  the person x month panel, a sample of at most 3 lakh people); the moments one
  (:mod:`evaluation.estimate.staggered_moments`) covers the whole population.

:func:`staggered_inputs` builds the moments' inputs as Ibis expressions on the store, with the
same definitions as :func:`evaluation.analysis.panels.staggered_panel` (population, cohorts,
months, week completions left out): it is ``analysis.panels.staggered_inputs``, which 03_impact
uses.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # benchmarks.stages imports this module: heavy imports stay lazy
    import ibis
    import pandas as pd
    from ibis.expr.types import Table

#: Discrete baseline traits of the cell designs (the person frame's own columns).
TRAITS = ["group", "org_type", "frontline"]
EDITIONS = (
    (dt.date(2024, 10, 19), dt.date(2024, 10, 27)),
    (dt.date(2026, 4, 2), dt.date(2026, 4, 10)),
)
PRE_MONTHS = POST_MONTHS = 6
CHANGE = "completions_90d_change"


def _store(work: Path):
    from evaluation.data.backend import connect

    return connect(work / "processed" / "synthetic")


def _windows():
    from evaluation.core.params import Window

    return [Window(start=start, end=end) for start, end in EDITIONS]


def _months() -> tuple[dt.date, dt.date]:
    import pandas as pd

    first = pd.Timestamp(EDITIONS[0][0]).to_period("M") - PRE_MONTHS
    last = pd.Timestamp(EDITIONS[-1][1]).to_period("M") + POST_MONTHS
    return first.to_timestamp().date(), last.to_timestamp().date()


def _ts(day: dt.date) -> ibis.Expr:
    import ibis

    return ibis.timestamp(dt.datetime.combine(day, dt.time()))


def _between(column: ibis.Expr, first: dt.date, last: dt.date) -> ibis.Expr:
    return (column >= _ts(first)) & (column < _ts(last + dt.timedelta(days=1)))


def staggered_inputs(
    store, windows, *, target_hours: float, first_month: dt.date, last_month: dt.date
) -> tuple[Table, Table, list[int]]:
    """The moments' inputs: :func:`evaluation.analysis.panels.staggered_inputs` (03_impact's)."""
    from evaluation.analysis.panels import staggered_inputs as inputs

    return inputs(
        store, windows, target_hours=target_hours, first_month=first_month, last_month=last_month
    )


def _person_frame(work: Path) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_parquet(work / "frames" / "person_edition.parquet")
    frame[CHANGE] = frame["completions_90d"] - frame["completions_pre_90d"]
    return frame


def _row(result, term: str) -> dict:
    tidy = result.tidy().set_index("term").loc[term]
    return {"estimate": float(tidy["estimate"]), "std_error": float(tidy["std_error"])}


def cells_person(work: Path, scale: float) -> dict:
    """Person level: logit, IPW, doubly robust ATT and matching on the person frame."""
    import time

    from evaluation import estimate
    from evaluation.estimate.treatment_effects import design_matrix, fit_propensity

    frame = _person_frame(work)[["participated", CHANGE, *TRAITS]].dropna()
    facts: dict = {"people": len(frame)}
    kwargs = {"outcome": CHANGE, "treatment": "participated", "covariates": TRAITS}
    clock = time.perf_counter()
    logit = fit_propensity(frame["participated"].to_numpy(), design_matrix(frame, TRAITS), "logit")
    facts["logit_s"] = round(time.perf_counter() - clock, 2)
    facts["logit_first_coef"] = float(logit.params.iloc[1])
    for name, fit in (
        ("ipw", lambda: estimate.ipw(frame, estimand="ATT", **kwargs)),
        ("aipw", lambda: estimate.aipw(frame, estimand="ATT", by_cells=False, **kwargs)),
        ("match", lambda: estimate.match(frame, **kwargs)),
    ):
        clock = time.perf_counter()
        result = fit()
        facts[name] = _row(result, "ATT") | {"s": round(time.perf_counter() - clock, 2)}
    return facts


def cells_moments(work: Path, scale: float) -> dict:
    """From the engine's per-(arm, cell) moments of the same person table."""
    import time

    import ibis

    from evaluation.estimate.cell_designs import (
        arm_cells,
        cell_aipw_att,
        cell_ipw,
        cell_propensity,
        exact_match_att,
    )

    table = ibis.duckdb.connect().read_parquet(work / "frames" / "person_edition.parquet")
    table = table.mutate(**{CHANGE: table.completions_90d - table.completions_pre_90d})
    clock = time.perf_counter()
    cells = arm_cells(table, outcome=CHANGE, treatment="participated", covariates=TRAITS)
    facts: dict = {
        "people": cells.nobs,
        "cells": len(cells.frame),
        "moments_s": round(time.perf_counter() - clock, 2),
    }
    facts["logit_first_coef"] = float(cell_propensity(cells).coef().iloc[1])
    for name, fit in (
        ("ipw", lambda: cell_ipw(cells, estimand="ATT")),
        ("aipw", lambda: cell_aipw_att(cells)),
        ("match", lambda: exact_match_att(cells)),
    ):
        clock = time.perf_counter()
        result = fit()
        facts[name] = _row(result, "ATT") | {"s": round(time.perf_counter() - clock, 3)}
    return facts


def _dynamic(result) -> dict:
    tidy = result.tidy().set_index("term")
    return {
        "ATT": _row(result, "ATT"),
        "month+0": {
            "estimate": float(tidy.loc["event_time=0", "estimate"]),
            "std_error": float(tidy.loc["event_time=0", "std_error"]),
        },
    }


def staggered_person(work: Path, scale: float) -> dict:
    """csdid on the person x month panel, as 03_impact runs it (sampled above 3 lakh)."""
    from evaluation import estimate
    from evaluation.analysis.impact import STAGGERED_MAX_PEOPLE
    from evaluation.analysis.panels import staggered_panel

    first, last = _months()
    panel = staggered_panel(
        _store(work),
        _windows(),
        target_hours=4,
        first_month=first,
        last_month=last,
        max_people=STAGGERED_MAX_PEOPLE,
        seed=2026,
    )
    result = estimate.staggered_did(
        panel,
        outcome="completions",
        unit="user_key",
        time="time",
        cohort="cohort",
        control="notyet",
        method="dr",
        aggregate="dynamic",
    )
    return {
        "people": int(panel["user_key"].nunique()),
        "population": int(panel.attrs["population"]),
        "rows": len(panel),
    } | _dynamic(result)


def staggered_moments(work: Path, scale: float) -> dict:
    """The same design from cohort x month moments in the engine, for the whole population."""
    from evaluation.estimate.staggered_moments import cohort_moments, staggered_did_from_moments

    first, last = _months()
    values, people, periods = staggered_inputs(
        _store(work), _windows(), target_hours=4, first_month=first, last_month=last
    )
    moments = cohort_moments(values, people, periods=periods, outcome="completions")
    result = staggered_did_from_moments(moments, control="notyet", aggregate="dynamic")
    return {
        "people": result.details["n_units"],
        "strata": result.details["n_strata"],
        "periods": len(periods),
    } | _dynamic(result)


MOMENT_STAGES = {
    "cells_person": cells_person,
    "cells_moments": cells_moments,
    "staggered_person": staggered_person,
    "staggered_moments": staggered_moments,
}
