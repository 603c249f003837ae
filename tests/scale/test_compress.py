"""Compressed least squares equals the full-data fit (coefficients, iid / HC / CRV1 errors)."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.estimate.compressed import compress, compressed_logit, compressed_ols

#: Tolerances of the acceptance criterion (issue 7): coefficients absolute, SEs relative.
COEF_ATOL = 1e-8
SE_RTOL = 1e-6


@pytest.fixture(scope="module")
def microdata() -> pd.DataFrame:
    """Person x period rows with discrete regressors and heteroskedastic, clustered noise."""
    rng = np.random.default_rng(7)
    n = 30_000
    ministries = np.array([f"Ministry {i:02d}" for i in range(25)])
    frame = pd.DataFrame(
        {
            "treated": rng.integers(0, 2, n),
            "period": rng.integers(-3, 3, n),
            "ministry": rng.choice(ministries, n),
            "group": rng.choice(["A", "B", "C"], n),
        }
    )
    ministry_shock = dict(zip(ministries, rng.normal(0, 1, len(ministries)), strict=True))
    frame["completions"] = (
        2.0
        + 0.7 * frame["treated"] * (frame["period"] >= 0)
        + 0.1 * frame["period"]
        + frame["ministry"].map(ministry_shock)
        + rng.normal(0, 1 + frame["treated"], n)
    )
    frame.loc[rng.choice(n, 50, replace=False), "completions"] = np.nan  # dropped by both
    return frame


def _assert_same_fit(full: estimate.RegressionResult, small: estimate.RegressionResult) -> None:
    assert list(small.coef().index) == list(full.coef().index)
    np.testing.assert_allclose(small.coef(), full.coef(), rtol=0, atol=COEF_ATOL)
    np.testing.assert_allclose(small.se(), full.se(), rtol=SE_RTOL)
    assert small.nobs == full.nobs
    assert small.df == pytest.approx(full.df)


@pytest.mark.parametrize("vcov", ["iid", "HC0", "HC1", "HC3"])
def test_equals_full_fit_for_each_robust_vcov(microdata: pd.DataFrame, vcov: str) -> None:
    formula = "completions ~ treated * C(period) + C(group)"
    _assert_same_fit(
        estimate.ols(microdata, formula, vcov=vcov),
        compressed_ols(microdata, formula, vcov=vcov),
    )


def test_cluster_robust_errors_equal_full_fit(microdata: pd.DataFrame) -> None:
    formula = "completions ~ treated + C(period) + C(group)"
    full = estimate.ols(microdata, formula, cluster="ministry")
    small = compressed_ols(microdata, formula, cluster="ministry")
    _assert_same_fit(full, small)
    assert small.details["n_clusters"] == 25
    assert small.se_type.startswith("CRV1")


def test_runs_in_the_engine_on_an_ibis_table(microdata: pd.DataFrame, tmp_path) -> None:
    microdata.to_parquet(tmp_path / "panel.parquet")
    table = ibis.duckdb.connect().read_parquet(tmp_path / "panel.parquet")
    formula = "completions ~ treated + C(ministry)"
    small = compressed_ols(table, formula, cluster="ministry")
    _assert_same_fit(estimate.ols(microdata, formula, cluster="ministry"), small)
    # 2 treatment values x 25 ministries: the engine returned 50 rows, not 30,000
    assert small.details["n_cells"] == 50


def test_statistics_reused_across_formulas(microdata: pd.DataFrame) -> None:
    cells = compress(microdata, "completions", ["treated", "period", "group"])
    assert cells.nobs == microdata["completions"].notna().sum()
    assert cells.ratio > 100
    for formula in ("completions ~ treated", "completions ~ treated + C(group) + period"):
        _assert_same_fit(estimate.ols(microdata, formula), compressed_ols(cells, formula))


def test_cell_statistics_by_hand() -> None:
    frame = pd.DataFrame({"y": [1.0, 3.0, 5.0, 10.0], "d": [0, 0, 0, 1]})
    cells = compress(frame, "y", ["d"]).cells
    assert cells["_cell_n"].tolist() == [3, 1]
    assert cells["_cell_mean"].tolist() == [3.0, 10.0]
    assert cells["_cell_ssw"].tolist() == [8.0, 0.0]


def test_refuses_absorbed_effects_and_missing_cluster_key(microdata: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="fixed effects"):
        compressed_ols(microdata, "completions ~ treated | ministry")
    cells = compress(microdata, "completions", ["treated"])
    with pytest.raises(ValueError, match="compression key"):
        compressed_ols(cells, "completions ~ treated", cluster="ministry")
    with pytest.raises(ValueError, match="collinear"):
        compressed_ols(microdata.assign(copy=microdata["treated"]), "completions ~ treated + copy")


def test_logit_equals_full_data_maximum_likelihood(microdata: pd.DataFrame) -> None:
    import statsmodels.formula.api as smf

    frame = microdata.assign(took_part=(microdata["completions"] > 2.5).astype(int))
    formula = "took_part ~ C(group) + C(ministry) + period"
    full = smf.logit(formula, frame).fit(disp=False)
    small = compressed_logit(frame, formula)
    np.testing.assert_allclose(small.coef().to_numpy(), full.params.to_numpy(), atol=COEF_ATOL)
    np.testing.assert_allclose(small.se().to_numpy(), full.bse.to_numpy(), rtol=SE_RTOL)
    assert small.details["log_likelihood"] == pytest.approx(full.llf, rel=1e-10)
    assert small.nobs == int(full.nobs)
