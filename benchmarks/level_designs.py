"""Why 03_impact uses before/after designs: level designs on the default synthetic data.

Run ``python -m benchmarks.level_designs`` after ``make run`` (scale 0.01, seed 2024). It prints,
per edition, the planted ATT on completions in 90 days, AIPW and matching on levels conditioning
on past learning counts, and AIPW on each person's change when a past level is added to the
covariates. All miss the truth: selection is on a latent habit that past counts measure with
noise (docs/synthetic-data.md, "What identifies the effect here").
"""

import datetime as dt
import json

from evaluation import estimate
from evaluation.analysis.impact import BASELINE, impact_population
from evaluation.analysis.panels import person_edition
from evaluation.core.params import Window
from evaluation.data.backend import connect

store = connect("data/processed/synthetic")
truth = json.load(open("data/raw/synthetic/ground_truth.json"))["editions"]
for ed, w, earlier in [
    ("2024", Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27)), []),
    (
        "2025",
        Window(start=dt.date(2025, 10, 18), end=dt.date(2025, 10, 26)),
        [Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))],
    ),
]:
    p = impact_population(
        person_edition(store, w, earlier_windows=earlier), treatment="participated", pre_months=6
    )
    base = [c for c in BASELINE if p[c].nunique() > 1]
    lvl = base + ["completions_pre_365d", "course_hours_pre_365d", "completions_pre_90d"]
    a = estimate.aipw(
        p, outcome="completions_90d", treatment="treat", covariates=lvl, estimand="ATT"
    ).coef()["ATT"]
    m = estimate.match(p, outcome="completions_90d", treatment="treat", covariates=lvl).coef()[
        "ATT"
    ]
    c = estimate.aipw(
        p,
        outcome="completions_90d_change",
        treatment="treat",
        covariates=base + ["completions_pre_365d"],
        estimand="ATT",
    ).coef()["ATT"]
    print(
        ed,
        "truth",
        truth[ed]["outcomes"]["completions_90d"]["att"],
        "aipw level",
        round(a, 3),
        "match level",
        round(m, 3),
        "aipw change|pre365",
        round(c, 3),
    )
