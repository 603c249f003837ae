"""Section functions of 02_groups, 04_years and 05_ministry_brief on small hand-made frames."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.stats.proportion import (  # noqa: E402
    confint_proportions_2indep,
    proportion_confint,
)

from evaluation.analysis import (
    compare,  # noqa: E402
    populations,  # noqa: E402
)
from evaluation.analysis.describe import ParticipationKPIs  # noqa: E402
from evaluation.core.params import validate_params  # noqa: E402
from evaluation.report.edition import Edition  # noqa: E402
from evaluation.report.findings import Findings  # noqa: E402
from evaluation.report.sections import common, groups, years  # noqa: E402
from evaluation.report.sections import ministry as brief  # noqa: E402


def edition(tmp_path, **overrides) -> Edition:
    params = validate_params(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}} | overrides
    )
    findings = Findings(tmp_path, edition="2024", synthetic=True, min_cell=params.min_cell)
    return Edition(params=params, store=None, findings=findings, output_dir=tmp_path)


def people_by_group() -> pd.DataFrame:
    """Group A: 20 eligible, 10 took part, 6 met the target; B: 20, 4, 1."""
    rows = []
    for group, took_part, met in (("A", 10, 6), ("B", 4, 1)):
        for i in range(20):
            rows.append(
                {
                    "group": group,
                    "participated": int(i < took_part),
                    "target_met": int(i < met),
                    "completions_pre_365d": float(i % 3 + (i < took_part)),
                }
            )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- small helpers


def test_usable_variables_drops_constant_and_absent_columns():
    frame = pd.DataFrame({"a": [1, 2, np.nan], "b": [0, 0, 0], "c": [np.nan] * 3})
    assert common.usable_variables(frame, ["a", "b", "c", "d"]) == ["a"]


def test_mask_small_rows_marks_text_of_rows_with_small_or_zero_counts():
    table = pd.DataFrame(
        {"n_1": [5, 50, 0, 40], "n_2": [40, 50, 40, 9], "change": ["+1", "+2", "+3", "+4"]}
    )
    masked = common.mask_small_rows(table, ["n_1", "n_2"], ["change"], 10)
    assert masked["change"].tolist() == ["[c]", "+2", "[c]", "[c]"]
    assert table["change"].tolist() == ["+1", "+2", "+3", "+4"], "input left unchanged"


def test_tests_display_words_shares_in_points_and_means_with_welch_interval():
    frame = pd.DataFrame(
        {
            "group": ["A"] * 4 + ["B"] * 4,
            "participated": [1, 1, 0, 0, 1, 1, 1, 0],
            "hours_in_week": [1.0, 2.0, 3.0, 4.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    tests = compare.pairwise_tests(frame, outcomes=["participated", "hours_in_week"], by="group")
    shown = common.tests_display(tests, "group")
    share, mean = shown.iloc[0], shown.iloc[1]
    low, high = confint_proportions_2indep(3, 4, 2, 4, method="newcomb", compare="diff")
    assert share["comparison"] == "Group B vs Group A"
    assert (share["value_level"], share["value_reference"]) == ("75%", "50%")
    assert share["difference"] == f"+25.0 pts ({100 * low:+.1f} to {100 * high:+.1f})"
    assert share["effect"] == "Cohen's h +0.52"  # 2 asin(sqrt .75) - 2 asin(sqrt .5) = 0.5236
    # Welch with equal variances 5/3 and n = 4: se = 0.9129, df = 6, t = 2.4469 -> +-2.234
    assert mean["difference"] == "+1.00 (-1.23 to +3.23)"
    assert mean["effect"] == "Hedges' g +0.67"  # d 0.7746 x (1 - 3 / 23)
    welch = stats.ttest_ind([2, 3, 4, 5], [1, 2, 3, 4], equal_var=False)
    assert mean["p"] == f"{welch.pvalue:.3f}"
    assert shown["p_adjusted"].tolist() == [
        f"{p:.3f}" for p in compare.adjust_pvalues(tests["p_value"], "holm")
    ]


def test_p_values_below_a_thousandth_are_written_as_a_bound():
    assert common.p_text(0.0004) == "<0.001"
    assert common.p_text(0.0123) == "0.012"
    assert common.p_text(float("nan")) == "–"


# ---------------------------------------------------------------------------- groups


def test_group_lead_sentence_names_top_and_bottom_groups_and_the_imbalance():
    people = people_by_group()
    participation = compare.unit_rates(people, unit="group", outcome="participated")
    target = compare.unit_rates(
        people[people["participated"] == 1], unit="group", outcome="target_met"
    )
    balance = pd.DataFrame(
        {
            "variable": ["completions_pre_365d"] * 2 + ["tenure_years"] * 2,
            "level": [0, 1, 0, 1],
            "reference": [0, 0, 0, 0],
            "mean": [1.0, 2.5, 3.0, 3.1],
            "smd": [0.0, 0.8, 0.0, 0.05],
            "imbalanced": [False, True, False, False],
        }
    )
    text = common.group_lead_sentence(participation, target, balance)
    # Wilson 95 %: 10/20 -> 0.2993 to 0.7007; 4/20 -> 0.0807 to 0.4160.
    assert text == (
        "Group A took part most often: 50% of eligible users (95 % CI 30% to 70%), against 20% "
        "in Group B (8.1% to 42%). Among participants, Group A most often met the 4-hour target "
        "(60%). Participants already differed before the week on 1 of 2 measures (standardised "
        "difference above 0.1); the largest is completions in the year before (2.50 vs 1.00, "
        "standardised difference +0.80), so differences in later outcomes are not by themselves "
        "effects of the week."
    )


def test_groups_summary_suppresses_a_small_group_and_leaves_it_out_of_the_lead(tmp_path):
    ed = edition(tmp_path)
    small = pd.DataFrame(
        {"group": ["C"] * 5, "participated": [1, 1, 0, 0, 0], "target_met": [1, 0, 0, 0, 0]}
    ).assign(completions_pre_365d=[1.0, 2.0, 0.0, 1.0, 0.0])
    people = pd.concat([people_by_group(), small], ignore_index=True)
    groups.summary(ed, people)
    lead = ed.findings.sentences["group_lead"]
    assert lead.startswith("Group A took part most often: 50%")
    assert "Group C" not in lead
    table = pd.read_csv(tmp_path / "tables" / "group_rates.csv", dtype=str)
    row_c = table[table["group"] == "C"].iloc[0]
    assert (row_c["n"], row_c["count"], row_c["rate"]) == ("[c]", "[c]", "[c]")
    row_a = table[table["group"] == "A"].iloc[0]
    assert (row_a["n"], row_a["count"], row_a["target_met"]) == ("20", "10", "[c]")  # 6 < 10
    assert (tmp_path / "figures" / "group_participation.png").is_file()


def test_group_tests_section_writes_one_holm_family_per_table(tmp_path):
    ed = edition(tmp_path, min_cell=2, outcomes=["completions_90d"])
    rng = np.random.default_rng(1)
    people = pd.DataFrame(
        {
            "group": np.repeat(["A", "B", "C"], 30),
            "participated": rng.integers(0, 2, 90),
            "target_met": rng.integers(0, 2, 90),
            "hours_in_week": rng.gamma(2.0, 2.0, 90),
            "completions_90d": rng.poisson(2.0, 90),
        }
    )
    groups.tests(ed, people)
    exact = pd.read_csv(tmp_path / "tables" / "tests_group_values.csv")
    assert len(exact) == 4 * 3, "four outcomes x three pairs"
    expected = compare.adjust_pvalues(exact["p_value"], "holm")
    np.testing.assert_allclose(exact["p_adjusted"], expected)
    omnibus = pd.read_csv(tmp_path / "tables" / "omnibus_group.csv")
    assert omnibus["test"].tolist() == ["chi-square", "chi-square", "ANOVA F", "ANOVA F"]


# ---------------------------------------------------------------------------- years


def kpis(participants: int, group_a: int) -> ParticipationKPIs:
    return ParticipationKPIs(
        participants=participants,
        target_met=participants // 2,
        course_enrolments=4 * participants,
        course_completions=3 * participants,
        learning_hours=2.5 * participants,
        avg_daily_completions=participants / 3,
        peak_day=None,
        peak_daily_completions=participants // 2,
        group_a_participants=group_a,
        group_a_target_met=0,
    )


def test_kpi_changes_are_exact_differences_with_relative_change():
    table = years.kpi_changes(kpis(100, 0), kpis(120, 7)).set_index("kpi")
    assert table.loc["participants", ["previous", "current", "change"]].tolist() == [100, 120, 20]
    assert table.loc["participants", "relative_change"] == pytest.approx(0.2)
    assert table.loc["learning_hours", "change"] == pytest.approx(50.0)
    assert np.isnan(table.loc["group_a_participants", "relative_change"]), "0 before: no ratio"


def test_without_a_previous_edition_the_years_report_says_so_and_stops(tmp_path):
    ed = edition(tmp_path)
    years.summary(ed, None, None, kpis(100, 0))
    years.kpis(ed, None, None, kpis(100, 0))
    years.returning(ed, None)
    years.rank_changes(ed, None)
    assert ed.findings.sentences == {
        "years_lead": (
            "National Learning Week has no previous edition to compare with (previous_edition "
            "is not set), so this report has no year-on-year comparison."
        )
    }
    assert ed.findings.tables == {}


def test_years_summary_counts_returning_and_new_participants(tmp_path):
    ed = edition(tmp_path, edition="2025", previous_edition="2024")
    # 2024: u1..u4 took part; 2025: u1, u2 again, u5 new -> 2 of 4 came back, 1 of 3 new.
    both = pd.DataFrame(
        {
            "edition": ["2024"] * 5 + ["2025"] * 5,
            "user_key": [f"u{i}" for i in range(1, 6)] * 2,
            "participated": [1, 1, 1, 1, 0, 1, 1, 0, 0, 1],
        }
    )
    years.summary(ed, both, kpis(4, 0), kpis(3, 0))
    low, high = proportion_confint(2, 4, method="wilson")
    assert ed.findings.sentences["years_lead"] == (
        "3 people took part in 2025, 1 fewer than the 4 of 2024 (-25%) under identical "
        f"definitions. 50% of 2024's participants came back (95 % CI {low:.0%} to {high:.0%}), "
        "and 33% of 2025's participants were new."
    )


def test_rank_movers_keeps_the_largest_moves_and_writes_intervals():
    ranks = pd.DataFrame(
        {
            "unit": ["a", "b", "c"],
            "n_1": [50, 60, 70],
            "n_2": [55, 65, 75],
            "value_1": [0.1, 0.2, 0.3],
            "value_2": [0.3, 0.1, 0.3],
            "rank_1": [3, 1, 2],
            "rank_1_low": [2.0, 1.0, 1.0],
            "rank_1_high": [3.0, 2.0, 3.0],
            "rank_2": [1, 3, 2],
            "rank_2_low": [1.0, 2.0, 1.0],
            "rank_2_high": [2.0, 3.0, 3.0],
            "rank_change": [2, -2, 0],
            "change_low": [0.0, -2.0, -1.0],
            "change_high": [2.0, 1.0, 1.0],
        }
    )
    movers = years.rank_movers(ranks, top=2)
    assert movers["unit"].tolist() == ["a", "b"]
    assert movers.iloc[0][["rank_1", "rank_2", "rank_change"]].tolist() == [
        "3 (2-3)",
        "1 (1-2)",
        "+2 (+0 to +2)",
    ]
    assert movers.iloc[1]["rank_change"] == "-2 (-2 to +1)"


# ---------------------------------------------------------------------------- ministry brief


def ministry_frame() -> pd.DataFrame:
    """M1 (4 users), M2 (6) central; S1 (2) a state."""
    return pd.DataFrame(
        {
            "ministry": ["M1"] * 4 + ["M2"] * 6 + ["S1"] * 2,
            "org_type": ["central"] * 10 + ["state"] * 2,
            "participated": [1, 1, 0, 0] + [1, 1, 1, 0, 0, 0] + [1, 1],
            "target_met": [1, 0, 0, 0] + [1, 1, 0, 0, 0, 0] + [0, 0],
            "hours_in_week": [5.0, 1.0, 0, 0] + [4.0, 6.0, 2.0, 0, 0, 0] + [1.0, 1.0],
            "karma_points": [10.0, 0, 0, 2.0] + [1.0] * 6 + [0.0, 0.0],
            "last_credit_date": [pd.Timestamp("2024-10-20"), pd.NaT, pd.NaT]
            + [pd.Timestamp("2024-10-21")]
            + [pd.Timestamp("2024-10-22")] * 6
            + [pd.NaT] * 2,
        }
    )


def test_choose_ministry_takes_the_largest_or_checks_the_name():
    people = ministry_frame()
    assert populations.choose_ministry(people, None) == "M2"  # 3 participants
    assert populations.choose_ministry(people, "S1") == "S1"
    tied = pd.DataFrame({"ministry": ["b", "a", "Unknown", "Unknown"], "participated": [1] * 4})
    assert populations.choose_ministry(tied, None) == "a", "ties by name; Unknown never chosen"
    with pytest.raises(ValueError, match="'M11' is not in the data \\(did you mean 'M1'\\?\\)"):
        populations.choose_ministry(people, "M11")


def test_ministry_scope_table_by_hand():
    table = brief.ministry_scope_table(ministry_frame(), "M1", ["M2"], "peers").set_index("scope")
    mine = table.loc["M1"]
    assert mine[["users", "participants", "target_met"]].tolist() == [4, 2, 1]
    assert mine["participation_rate"] == 0.5
    low, high = proportion_confint(2, 4, method="wilson")
    assert (mine["conf_low"], mine["conf_high"]) == pytest.approx((low, high))
    assert mine["target_rate"] == 0.5
    assert mine["hours_per_participant"] == 3.0  # (5 + 1) / 2
    assert mine["karma_per_user"] == 3.0  # 12 / 4
    peers = table.loc["peers"]
    assert peers[["users", "participants", "target_met"]].tolist() == [6, 3, 2]
    assert peers["target_rate"] == pytest.approx(2 / 3)
    assert peers["hours_per_participant"] == 4.0
    nation = table.loc["All ministries and states"]
    assert nation[["users", "participants", "target_met"]].tolist() == [12, 7, 3]
    assert nation["hours_per_participant"] == pytest.approx(20 / 7)
    assert nation["karma_per_user"] == 1.5  # 18 / 12


def test_leaderboard_position_ranks_within_the_size_band():
    board = compare.leaderboard(ministry_frame(), unit="ministry")
    position = brief.leaderboard_position(board, "M1")  # 12 points vs M2's 6 and S1's none
    assert position | {"peers": None} == {
        "org_type": "central",
        "size_band": "XS",
        "rank": 1,
        "of": 3,
        "total_points": 12.0,
        "leader": "M1",
        "leader_points": 12.0,
        "peers": None,
    }
    assert position["peers"] == ["M2", "S1"], "states share the band, as on the platform"
    state = brief.leaderboard_position(board, "S1")
    assert (state["org_type"], state["size_band"], state["rank"], state["of"]) == (
        "state",
        "XS",
        3,
        3,
    )
    with pytest.raises(ValueError, match="not on the leaderboard"):
        brief.leaderboard_position(board, "M9")


def three_ministries() -> pd.DataFrame:
    """Central M1: 50 users, 10 took part; M2: 500, 200; M3: 40, 30; one state S1: 30, 15."""
    rows = []
    for ministry, kind, users, took_part in (
        ("M1", "central", 50, 10),
        ("M2", "central", 500, 200),
        ("M3", "central", 40, 30),
        ("S1", "state", 30, 15),
    ):
        for i in range(users):
            rows.append(
                {
                    "ministry": ministry,
                    "org_type": kind,
                    "participated": int(i < took_part),
                    "target_met": int(i < took_part // 2),
                    "hours_in_week": 5.0 if i < took_part else 0.0,
                    "karma_points": float(i < took_part),
                    "last_credit_date": pd.Timestamp("2024-10-20") if i < took_part else pd.NaT,
                }
            )
    return pd.DataFrame(rows)


def test_ministry_shrinkage_pulls_a_small_unit_towards_its_kind(tmp_path):
    ed = edition(tmp_path)
    brief.shrinkage(ed, three_ministries(), "M3")
    table = pd.read_csv(tmp_path / "tables" / "ministry_shrinkage.csv").set_index("measure")
    took_part = table.loc["Took part in the week"]
    central_rate = (10 + 200 + 30) / (50 + 500 + 40)  # the state is not in M3's prior
    assert took_part["rate"] == pytest.approx(0.75)
    assert central_rate < took_part["rate_shrunk"] < 0.75
    assert took_part["rank_raw"] == "1 of 3"
    low, high = proportion_confint(30, 40, method="wilson")
    assert (took_part["conf_low"], took_part["conf_high"]) == pytest.approx((low, high))


def test_ministry_funnel_circles_the_ministry_and_says_where_it_lies(tmp_path):
    ed = edition(tmp_path)
    brief.funnel(ed, three_ministries(), "M3")
    caption = ed.findings.figures["ministry_funnel"]
    assert caption.endswith("M3 is circled: it lies above the 99.8 % limits.")
    assert (tmp_path / "figures" / "ministry_funnel.png").is_file()


def test_ministry_summary_compares_with_the_peers_of_its_size_band(tmp_path):
    ed = edition(tmp_path)
    brief.summary(ed, three_ministries(), "M1")
    lead = ed.findings.sentences["ministry_lead"]
    low, high = proportion_confint(10, 50, method="wilson")
    # Nation 255 / 620 = 41 %; M1's band XS (under 500 users) holds M3 and the state S1, whose
    # 45 / 70 = 64 % is the peers' rate (M2's 500 users put it in band S);
    # target met: M1 5 / 10, nation (5 + 100 + 15 + 7) / 255 = 49.8 %.
    assert lead == (
        "In M1, 10 of 50 eligible users took part in National Learning Week (20%, 95 % CI "
        f"{low:.0%} to {high:.0%}), against 41% nationally and 64% among its peers (the other "
        "ministries and states of its NLW leaderboard size band, XS); 50% of its participants "
        "met the 4-hour target (50% nationally)."
    )


def test_the_leaderboard_sentence_names_the_runner_up_when_the_ministry_leads(tmp_path):
    ed = edition(tmp_path)
    brief.leaderboard(ed, ministry_frame(), "M1")
    assert ed.findings.sentences["ministry_leaderboard"].endswith(
        "M1 ranks 1 of 3 in band XS with 12 points; it leads the band, ahead of M2 (6)."
    )
    brief.leaderboard(ed, ministry_frame(), "S1")
    assert ed.findings.sentences["ministry_leaderboard"].endswith(
        "S1 ranks 3 of 3 in band XS with 0 points; the band's leader, M1, has 12."
    )
