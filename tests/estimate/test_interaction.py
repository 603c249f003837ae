"""``estimate.interaction_ols`` equals pyfixest's clustered OLS of ``y ~ a * b``.

The reference is :func:`evaluation.estimate.ols` (pyfixest ``feols`` with CRV1, fixest's
small-sample factor and t(G-1)) on the same rows: estimates to 1e-10, standard errors and
the covariance to 1e-8 relative. The data mimic 04_years: two editions of people, many in
both (clustered by person), some in one only, with missing outcomes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import estimate


def editions(n: int = 3000, seed: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for later in (0, 1):
        people = rng.choice(n, size=int(0.8 * n), replace=False)  # most people in both
        treat = rng.binomial(1, 0.3 + 0.1 * later, size=len(people))
        person_level = (people % 7) / 3.0  # a person effect: clustering matters
        y = 1 + person_level + 0.5 * treat + 0.2 * later - 0.3 * treat * later
        y = y + rng.normal(0, 1, size=len(people))
        rows.append(
            pd.DataFrame(
                {"user_key": [f"u{p:05d}" for p in people], "treat": treat, "later": later, "y": y}
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame.loc[rng.random(len(frame)) < 0.05, "y"] = np.nan
    return frame


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return editions()


def test_equals_pyfixest(frame):
    ours = estimate.interaction_ols(
        frame, outcome="y", first="treat", second="later", cluster="user_key"
    )
    theirs = estimate.ols(frame, "y ~ treat * later", cluster="user_key")
    a, b = ours.tidy(), theirs.tidy()
    assert a["term"].tolist() == b["term"].tolist()
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=0, atol=1e-10)
    for column in ("std_error", "conf_low", "conf_high", "p_value"):
        np.testing.assert_allclose(a[column], b[column], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.vcov, np.asarray(theirs.vcov), rtol=1e-8, atol=1e-15)
    assert ours.nobs == theirs.nobs and ours.df == theirs.df
    # the clusters of the rows used (ols counts them before dropping rows without an outcome;
    # its standard errors, equal to ours above, use the rows' own)
    assert ours.details["n_clusters"] == frame.dropna()["user_key"].nunique() == ours.df + 1


def test_integer_clusters_give_the_same_fit(frame):
    codes = frame.assign(user_key=pd.factorize(frame["user_key"])[0])
    kwargs = {"outcome": "y", "first": "treat", "second": "later", "cluster": "user_key"}
    a = estimate.interaction_ols(codes, **kwargs).tidy()
    b = estimate.interaction_ols(frame, **kwargs).tidy()
    pd.testing.assert_frame_equal(a, b)


def test_refuses_an_empty_cell_and_non_binary_indicators(frame):
    kwargs = {"outcome": "y", "first": "treat", "second": "later", "cluster": "user_key"}
    with pytest.raises(ValueError, match="every combination"):
        estimate.interaction_ols(frame[(frame["treat"] == 0) | (frame["later"] == 0)], **kwargs)
    with pytest.raises(ValueError, match="binary"):
        estimate.interaction_ols(frame.assign(later=frame["later"] * 2 + 1), **kwargs)
