"""estimate.honest_did against R HonestDiD's own published examples and planted truth.

The R calls, their output and where each number comes from: reference/honestdid_medicaid.md.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation import estimate
from evaluation.estimate.honest_did import _r_normals, _r_uniforms, breakdown_value

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="module")
def medicaid():
    return json.loads((REFERENCE / "honestdid_medicaid.json").read_text())


def _args(data, controls=False):
    suffix = "_controls" if controls else ""
    return dict(
        betahat=np.array(data["betahat" + suffix]),
        sigma=np.array(data["sigma" + suffix]),
        num_pre_periods=5,
        num_post_periods=2,
    )


def _printed(values, printed):
    """Each value equals R's printed one to +/- half a unit in its last printed digit."""
    for value, text in zip(values, printed, strict=True):
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert abs(value - float(text)) <= 0.5 * 10.0**-decimals + 1e-12, (value, text)


def test_r_random_numbers_are_reproduced():
    # R: set.seed(0); runif(3) and set.seed(0); rnorm(3); set.seed(42); rnorm(1)
    np.testing.assert_allclose(_r_uniforms(3, 0), [0.8966972, 0.2655087, 0.3721239], atol=5e-8)
    np.testing.assert_allclose(
        _r_normals(3, 0), [1.262954285, -0.326233361, 1.329799263], atol=5e-10
    )
    np.testing.assert_allclose(_r_normals(1, 42), [1.370958447], atol=5e-10)


@pytest.fixture(scope="module")
def relative_magnitudes(medicaid):
    return estimate.honest_did(**_args(medicaid), m=(0, 0.5, 1, 1.5, 2))


def test_c_lf_equals_r_full_precision(relative_magnitudes):
    # README_cache chunk-5 (R, 2022): createSensitivityResults_relativeMagnitudes, Mbar 0..2
    r_lb = [
        0.02876563121251613,
        0.0240018961072587,
        0.01703951403034396,
        0.00824492614371483,
        -0.00091610290485719,
    ]
    r_ub = [
        0.06431042392097558,
        0.06724195321651863,
        0.07200568832177609,
        0.07970095272257657,
        0.08812909944726285,
    ]
    np.testing.assert_allclose(relative_magnitudes["conf_low"], r_lb, rtol=0, atol=1e-12)
    np.testing.assert_allclose(relative_magnitudes["conf_high"], r_ub, rtol=0, atol=1e-12)
    assert (relative_magnitudes["method"] == "C-LF").all()
    assert relative_magnitudes["m"].tolist() == [0, 0.5, 1, 1.5, 2]


def test_c_lf_within_one_grid_step_of_the_2024_readme(relative_magnitudes, medicaid):
    # README.md printed table (2024); R's grid step here is 40 * sd(theta) / 999
    step = 40 * np.sqrt(medicaid["sigma"][5][5]) / 999
    rows = relative_magnitudes[relative_magnitudes["m"] > 0]
    printed_lb = [
        0.02413012223779434,
        0.01709372096304423,
        0.00858690780210172,
        -0.00106702589708607,
    ]
    printed_ub = [0.06726330158312863, 0.07196297648143499, 0.0795988279137052, 0.08834728003302408]
    assert np.abs(rows["conf_low"].to_numpy() - printed_lb).max() < step
    assert np.abs(rows["conf_high"].to_numpy() - printed_ub).max() < step


def test_a_set_far_from_zero_is_found_not_reported_empty(medicaid, relative_magnitudes):
    """R searches +-20 standard errors around zero and returns NA when the whole set lies
    beyond (a large, precise effect: SĀDHANA Saptah 2026's was 39 standard errors from zero).
    Adding c to every post-week coefficient moves the effect, and the set, by exactly c (the
    weights sum to 1); here c is about 200 standard errors."""
    args = _args(medicaid)
    shifted = args["betahat"].copy()
    shifted[-2:] += 2.0
    moved = estimate.honest_did(**(args | {"betahat": shifted}), m=(0, 0.5, 1, 1.5, 2))
    sd = np.sqrt(np.full(2, 0.5) @ args["sigma"][-2:, -2:] @ np.full(2, 0.5))
    step = 40 * sd / (1000 - 1)  # one grid step of R's grid (the re-centred one has the same)
    for column in ("conf_low", "conf_high"):
        np.testing.assert_allclose(
            moved[column], relative_magnitudes[column] + 2.0, rtol=0, atol=2 * step
        )


def test_original_interval_and_breakdown(relative_magnitudes):
    original = relative_magnitudes.attrs["original"]
    # R constructOriginalCS (l_vec = c(0.5, 0.5) cached in chunk-7; e1 from the same sigma)
    assert original["estimate"] == pytest.approx(0.04644685415994547, abs=1e-15)
    assert original["conf_low"] == pytest.approx(
        0.04644685415994547 - 1.959963984540054 * np.sqrt(8.3756688246774854e-05), abs=1e-12
    )
    # README: "the breakdown value for a significant effect is Mbar = 2" (the first Mbar whose
    # set covers zero); the largest Mbar on the grid that still excludes zero is 1.5
    assert relative_magnitudes.attrs["breakdown"] == 1.5
    assert relative_magnitudes.attrs["restriction"] == "relative_magnitudes"


def test_average_effect_against_r_cache(medicaid):
    result = estimate.honest_did(**_args(medicaid), m=(0, 0.5, 1, 1.5, 2), l_vec=[0.5, 0.5])
    # README_cache chunk-7 (R, 2024), the grid step for theta = the average is 0.000357
    step = 40 * 0.008906573001546288 / 999
    r_lb = [
        0.04053046714881314,
        0.03214178319537053,
        0.01938431730559176,
        0.00582426487549143,
        -0.0085383740949305,
    ]
    r_ub = [
        0.07512256249015431,
        0.07981560160559506,
        0.09014856148539291,
        0.1035014948083135,
        0.11724861535515924,
    ]
    assert np.abs(result["conf_low"].to_numpy() - r_lb).max() < step
    assert np.abs(result["conf_high"].to_numpy() - r_ub).max() < step
    original = result.attrs["original"]
    assert original["conf_low"] == pytest.approx(0.04036995251077609, abs=1e-13)
    assert original["conf_high"] == pytest.approx(0.07528307712819136, abs=1e-13)


@pytest.fixture(scope="module")
def smoothness(medicaid):
    return estimate.honest_did(
        **_args(medicaid), restriction="smoothness", m=(0, 0.01, 0.02, 0.03, 0.04, 0.05)
    )


def test_flci_matches_readme_print(smoothness):
    # M = 0: R prints 0.0259 from 0.025941 (its solver on the boundary of the variance
    # constraint, see honestdid_medicaid.md); the exact FLCI's 0.025951 is checked against that
    # full-precision value in test_flci_close_to_r_full_precision
    _printed(smoothness["conf_low"][1:], ["0.0132", "0.00286", "-0.00714", "-0.0171", "-0.0271"])
    _printed(smoothness["conf_high"], ["0.0607", "0.0787", "0.0907", "0.101", "0.111", "0.121"])
    assert (smoothness["method"] == "FLCI").all()


def test_flci_close_to_r_full_precision(smoothness):
    # README_cache chunk-6; M = 0 differs by 1e-5 (R's solver on its constraint's boundary)
    r_lb = [
        0.01319702515144735,
        0.00285699595143354,
        -0.00714257640305339,
        -0.01714257640222575,
        -0.02714257640139812,
    ]
    r_ub = [
        0.0786707425358153,
        0.09071603940652409,
        0.10071561176101101,
        0.11071561176018338,
        0.12071561175935576,
    ]
    np.testing.assert_allclose(smoothness["conf_low"][1:], r_lb, rtol=0, atol=1e-6)
    np.testing.assert_allclose(smoothness["conf_high"][1:], r_ub, rtol=0, atol=1e-6)
    assert smoothness["conf_low"][0] == pytest.approx(0.02594147902742559, abs=2e-5)
    assert smoothness["conf_high"][0] == pytest.approx(0.06072578637633297, abs=2e-5)
    # README: "the breakdown value for a significant effect is M = 0.03"
    assert smoothness.attrs["breakdown"] == 0.02


def test_flci_with_controls_matches_readme_print(medicaid):
    result = estimate.honest_did(
        **_args(medicaid, controls=True),
        restriction="smoothness",
        m=(0, 0.01, 0.02, 0.03, 0.04, 0.05),
    )
    _printed(result["conf_low"], ["0.0264", "0.0128", "0.00186", "-0.00814", "-0.0181", "-0.0281"])
    _printed(result["conf_high"], ["0.0607", "0.0788", "0.0908", "0.101", "0.111", "0.121"])


@pytest.mark.slow
def test_flci_lovenheim_willen_vignette():
    data = json.loads((REFERENCE / "honestdid_lw.json").read_text())
    l_vec = np.zeros(data["num_post_periods"])
    l_vec[16] = 1.0
    result = estimate.honest_did(
        np.array(data["betahat"]),
        np.array(data["sigma"]),
        num_pre_periods=data["num_pre_periods"],
        num_post_periods=data["num_post_periods"],
        restriction="smoothness",
        m=np.arange(9) * 0.005,
        l_vec=l_vec,
    )
    r_lb = [
        3.9054468894744465,
        2.1063200338826045,
        -0.08290561389502837,
        -2.3839998964394824,
        -4.9460143939409456,
        -8.1304436469002,
        -10.559651076657207,
        -12.775202467828187,
        -14.103774707728325,
    ]
    r_ub = [
        8.374721275820278,
        8.156882226981828,
        8.19083565602173,
        8.030196380892102,
        7.505833646636194,
        6.220914858897489,
        5.548280293436117,
        5.03780559439237,
        5.384253362263047,
    ]
    np.testing.assert_allclose(result["conf_low"][1:], r_lb[1:], rtol=1e-3, atol=5e-4)
    np.testing.assert_allclose(result["conf_high"][1:], r_ub[1:], rtol=1e-3, atol=5e-4)
    assert result["conf_low"][0] == pytest.approx(r_lb[0], abs=3e-3)


def test_breakdown_value_reads_the_rows_in_order():
    frame = pd.DataFrame(
        {"m": [1.0, 0.5, 2.0], "conf_low": [0.1, 0.2, -0.1], "conf_high": [1, 1, 1.0]}
    )
    assert breakdown_value(frame) == 1.0
    assert breakdown_value(frame.assign(conf_low=[-0.1, -0.2, -0.3])) is None
    # a negative effect: the sets below zero count too
    assert breakdown_value(frame.assign(conf_low=-2.0, conf_high=[-0.1, -0.2, 0.1])) == 1.0
    # an empty set (NaN) stops the scan
    assert breakdown_value(frame.assign(conf_low=[np.nan, 0.2, 0.1])) == 0.5


def test_bad_input_gives_named_errors(medicaid):
    args = _args(medicaid)
    with pytest.raises(ValueError, match="num_pre_periods"):
        estimate.honest_did(**{**args, "num_pre_periods": 4})
    with pytest.raises(ValueError, match="l_vec"):
        estimate.honest_did(**args, l_vec=[1.0])
    with pytest.raises(ValueError, match="restriction"):
        estimate.honest_did(**args, restriction="linear")
    with pytest.raises(ValueError, match="not available for smoothness"):
        estimate.honest_did(**args, restriction="smoothness", method="C-LF")
    with pytest.raises(ValueError, match="non-negative"):
        estimate.honest_did(**args, m=(-1.0,))
    with pytest.raises(ValueError, match="positive semi-definite"):
        estimate.honest_did(**{**args, "sigma": -np.array(medicaid["sigma"])})
    with pytest.raises(ValueError, match="needs sigma"):
        estimate.honest_did(args["betahat"], num_pre_periods=5, num_post_periods=2)


def test_stata_port_prints_agree(relative_magnitudes, smoothness):
    # mcaceresb/stata-honestdid README (see honestdid_medicaid.md): 3 decimals
    rows = relative_magnitudes[relative_magnitudes["m"] > 0]
    _printed(rows["conf_low"], ["0.024", "0.017", "0.008", "-0.001"])
    _printed(rows["conf_high"], ["0.067", "0.072", "0.080", "0.088"])
    original = relative_magnitudes.attrs["original"]
    _printed([original["conf_low"], original["conf_high"]], ["0.029", "0.064"])
    _printed(smoothness["conf_low"], ["0.026", "0.013", "0.003", "-0.007", "-0.017", "-0.027"])
    _printed(smoothness["conf_high"], ["0.061", "0.079", "0.091", "0.101", "0.111", "0.121"])
