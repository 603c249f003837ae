"""03_impact's sensitivity to parallel-trend violations: the section and planted truth.

The section runs on an event study built from R HonestDiD's Medicaid example (the data beside
tests/estimate/test_honest_did.py); planted truth on a generated world, whose untreated
outcomes move in parallel by construction, so every robust set must cover the planted effect.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from evaluation import estimate  # noqa: E402
from evaluation.analysis import impact as analysis  # noqa: E402
from evaluation.analysis.impact import ImpactEvidence  # noqa: E402
from evaluation.core.params import Window, validate_params  # noqa: E402
from evaluation.data.backend import connect  # noqa: E402
from evaluation.data.ingest import ingest  # noqa: E402
from evaluation.data.synth import generate  # noqa: E402
from evaluation.estimate.results import EventStudyResult, make_table  # noqa: E402
from evaluation.report.edition import Edition  # noqa: E402
from evaluation.report.findings import Findings  # noqa: E402
from evaluation.report.sections import impact  # noqa: E402

REFERENCE = Path(__file__).parents[1] / "estimate" / "reference" / "honestdid_medicaid.json"
WINDOW = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))


def medicaid_study() -> EventStudyResult:
    """The README's event study as the workbench's result (years 2008-2012, 2014-2015)."""
    data = json.loads(REFERENCE.read_text())
    periods = [-6, -5, -4, -3, -2, 0, 1]
    sigma = np.array(data["sigma"])
    table = make_table(
        [f"event_time={k}" for k in periods],
        data["betahat"],
        np.sqrt(np.diag(sigma)),
        extra={"relative_period": periods},
    )
    return EventStudyResult(
        method="Event study",
        table=table,
        nobs=344,
        outcome="dins",
        se_type="CRV1",
        vcov=sigma,
        reference=-1,
    )


def test_honest_did_reads_an_event_study_result():
    # the result's terms give 5 pre and 2 post periods; equal to betahat/sigma (R parity there)
    data = json.loads(REFERENCE.read_text())
    from_result = estimate.honest_did(medicaid_study(), m=(1.0,))
    from_arrays = estimate.honest_did(
        np.array(data["betahat"]),
        np.array(data["sigma"]),
        num_pre_periods=5,
        num_post_periods=2,
        m=(1.0,),
    )
    assert (
        from_result["conf_low"][0]
        == from_arrays["conf_low"][0]
        == pytest.approx(0.01703951403034396, abs=1e-12)
    )
    with pytest.raises(ValueError, match="not both"):
        estimate.honest_did(medicaid_study(), np.eye(7))


def test_an_event_study_with_a_gap_is_refused():
    study = medicaid_study()
    keep = [0, 1, 2, 4, 5, 6]  # month -3 dropped
    gapped = EventStudyResult(
        method="Event study",
        table=study.table.iloc[keep],
        nobs=344,
        outcome="dins",
        se_type="CRV1",
        vcov=study.vcov[np.ix_(keep, keep)],
        reference=-1,
    )
    with pytest.raises(ValueError, match="consecutive event-time periods"):
        estimate.honest_did(gapped)


def test_the_section_shows_the_robust_sets_and_feeds_the_verdict(tmp_path):
    params = validate_params(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}}
    )
    findings = Findings(tmp_path, edition="2024", synthetic=True, min_cell=params.min_cell)
    ed = Edition(params=params, store=None, findings=findings, output_dir=tmp_path)
    evidence = ImpactEvidence(study=medicaid_study())
    trend = impact.trend_sensitivity(ed, evidence)
    assert evidence.trend is trend and trend.months == 2  # only two years after, of three
    # theta = tau_2014 + tau_2015 (l_vec = (1, 1)); the usual interval: sum +- 1.96 se
    assert trend.estimate == pytest.approx(0.04644685415994547 + 0.06920617547902183, abs=1e-14)
    table = trend.table
    assert table["restriction"].tolist() == (
        ["parallel trends"] + ["relative magnitudes"] * 4 + ["smoothness"] * 3
    )
    # the sum's robust sets widen with Mbar and reach zero between Mbar 1.5 and 2
    relative = table[table["restriction"] == "relative magnitudes"]
    assert (np.diff(relative["conf_low"]) < 0).all() and (np.diff(relative["conf_high"]) > 0).all()
    assert trend.breakdown == pytest.approx(1.5)
    recorded = {item.key: item.value for item in findings.items}
    assert recorded["trend_breakdown_mbar"] == pytest.approx(1.5)
    assert findings.sentences["trend_sensitivity_lead"].count("stays above zero unless") == 1
    assert (
        "more than 1.5 x its largest monthly change" in findings.sentences["trend_sensitivity_lead"]
    )
    assert (tmp_path / "tables" / "trend_sensitivity.csv").exists()
    verdict = evidence.for_verdict()
    assert verdict.trend.breakdown == pytest.approx(1.5) and verdict.trend.largest == 2.0


def test_the_section_needs_the_event_study(tmp_path):
    params = validate_params(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}}
    )
    findings = Findings(tmp_path, edition="2024", synthetic=True, min_cell=params.min_cell)
    ed = Edition(params=params, store=None, findings=findings, output_dir=tmp_path)
    assert impact.trend_sensitivity(ed, ImpactEvidence()) is None
    assert findings.items == []


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("trend")
    raw = generate(root / "raw", scale=0.002, seed=3)
    ingest(raw, root / "processed")
    truth = json.loads((raw / "ground_truth.json").read_text(encoding="utf-8"))
    return connect(root / "processed" / "raw"), truth


def test_planted_parallel_trends_every_robust_set_covers_the_planted_effect(world):
    store, truth = world
    att = truth["editions"]["2024"]["outcomes"]["completions_90d"]["att"]
    people = analysis.impact_population(
        analysis.person_edition(store, WINDOW), treatment="participated", pre_months=6
    )
    _, study = analysis.panel_designs(store, WINDOW, people, pre_months=6, post_months=6)
    trend = analysis.trend_sensitivity(study)
    assert trend.months == 3
    for row in trend.table.itertuples():
        assert row.conf_low <= att <= row.conf_high, (row, att)
    # and the effect is told from zero at least while the post-week trend gap changes by half its
    # largest pre-week monthly change (this draw: up to 1.5 times)
    assert trend.breakdown is not None and trend.breakdown >= 0.5
