"""The pyfixest adapter hands over exactly what pyfixest computed, under public names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest

from evaluation.estimate.fixest import feols, vcov_options


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    data = pd.DataFrame(
        {"x": rng.normal(size=n), "z": rng.normal(size=n), "g": rng.integers(0, 20, size=n)}
    )
    data["y"] = 1.0 + 0.5 * data["x"] - 0.2 * data["z"] + rng.normal(size=n)
    return data


@pytest.mark.parametrize(
    ("vcov", "cluster"), [("iid", None), ("HC0", None), ("HC1", None), ("HC3", None), ("HC1", "g")]
)
def test_the_fit_equals_pyfixest_bit_for_bit(frame, vcov, cluster):
    options = vcov_options(vcov, cluster)
    fit = feols("y ~ x + z", frame, vcov=options.vcov, ssc=options.ssc)
    extra = {"ssc": options.ssc} if options.ssc is not None else {}
    direct = pf.feols("y ~ x + z", data=frame, vcov=options.vcov, **extra)
    assert fit.names == ["Intercept", "x", "z"]
    np.testing.assert_array_equal(fit.coef, direct.coef().to_numpy())
    np.testing.assert_array_equal(fit.se, direct.se().to_numpy())
    np.testing.assert_array_equal(fit.vcov, np.asarray(direct._vcov))
    assert (fit.nobs, fit.df_t) == (len(frame), float(direct._df_t))


def test_vcov_options_describe_what_they_ask_for():
    assert vcov_options("HC3", "g").vcov == {"CRV1": "g"}  # a cluster overrides vcov
    assert vcov_options("HC0", None).ssc is not None  # HC1 without its N/(N-K) factor
    assert vcov_options("HC1", None).se_type == "HC1 heteroskedasticity-robust"
