"""03_impact's pooled unit effects and 05_ministry_brief's impact lead on hand-made frames."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evaluation.analysis import editions, pooling  # noqa: E402
from evaluation.analysis.verdict import Interval  # noqa: E402
from evaluation.core.params import validate_params  # noqa: E402
from evaluation.report.edition import Edition  # noqa: E402
from evaluation.report.findings import Findings  # noqa: E402
from evaluation.report.sections import impact  # noqa: E402
from evaluation.report.sections import ministry as brief  # noqa: E402

CHANGE = "completions_90d_change"


def edition(tmp_path, **overrides) -> Edition:
    params = validate_params(
        {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}} | overrides
    )
    findings = Findings(tmp_path, edition="2024", synthetic=True, min_cell=params.min_cell)
    return Edition(params=params, store=None, findings=findings, output_dir=tmp_path)


def people(seed: int = 11) -> pd.DataFrame:
    """Five units of 300 staff (a third took part), true effects 0 to 1; one tiny unit."""
    rng = np.random.default_rng(seed)
    frames = []
    for name, effect in zip(["Zero", "S1", "S2", "S3", "Big"], np.linspace(0, 1, 5), strict=True):
        treat = np.tile([1, 0, 0], 100)
        change = rng.normal(0.0, 1.0, 300) + effect * treat
        keys = [f"{name}-{i}" for i in range(300)]  # the same staff in every edition
        frames.append(
            pd.DataFrame({"user_key": keys, "ministry": name, "treat": treat, CHANGE: change})
        )
    tiny = pd.DataFrame(
        {
            "user_key": [f"Tiny-{i}" for i in range(34)],
            "ministry": "Tiny",
            "treat": [1] * 4 + [0] * 30,
            CHANGE: 0.5,
        }
    )
    return pd.concat([*frames, tiny], ignore_index=True)


def test_unit_effects_section_records_the_pooled_results_and_lists_small_units(tmp_path):
    ed = edition(tmp_path)
    pooled = impact.unit_effects(ed, people())
    values = {item.key: item.value for item in ed.findings.items}
    assert values["unit_effects_overall"] == pooled.overall.estimate
    assert values["unit_effects_tau2"] == pooled.tau2 and values["unit_effects_i2"] == pooled.i2
    assert (values["unit_effects_estimated"], values["unit_effects_too_small"]) == (5, 1)
    lead = ed.findings.sentences["unit_effects_lead"]
    assert lead.startswith("Across the 5 ministries and States with enough staff to estimate")
    assert "The effect varies a lot between them: I² = " in lead
    assert "1 more are too small to estimate (fewer than 10 participants" in lead
    table = pd.read_csv(tmp_path / "tables" / "unit_effects.csv", dtype=str).set_index("unit")
    assert table.index[-1] == "Tiny", "too small: listed last"
    assert table.at["Tiny", "participants"] == "[c]", "4 participants: suppressed"
    assert table.at["Tiny", "non_participants"] == "30"
    assert table.at["Tiny", "reason"] == "fewer than 10 participants"
    assert table.at["Big", "rank"] == "1" and table.at["Zero", "rank"] == "5"
    # never estimated: empty, not "[c]" (only counts are suppressed)
    assert pd.isna(table.at["Tiny", "rank"]) and pd.isna(table.at["Tiny", "estimate"])
    published = table.drop(index="Tiny")
    assert (published[["participants", "non_participants"]].astype(int) >= 10).all().all()
    assert published["estimate"].notna().all()
    assert (tmp_path / "figures" / "unit_effects.png").is_file()
    assert "5 in all" in ed.findings.figures["unit_effects"]


def test_unit_effects_section_says_when_there_is_nothing_to_pool(tmp_path):
    ed = edition(tmp_path)
    few = people()
    assert impact.unit_effects(ed, few[few["ministry"].isin(["Big", "Tiny"])]) is None
    assert ed.findings.items == [] and ed.findings.tables == {}


def test_the_brief_leads_with_the_units_own_shrunk_effect_and_rank(tmp_path):
    ed = edition(tmp_path)
    frame = people()
    pooled = pooling.pool_unit_effects(frame, min_persons=10, seed=ed.params.seed)
    brief.impact_lead(ed, frame, "Big")
    lead = ed.findings.sentences["ministry_impact"]
    mine = pooled.units.set_index("unit").loc["Big"]
    assert lead.startswith(
        f"For staff of Big, taking part probably raised course completions in the 90 days "
        f"after the week, by about {mine['estimate']:.2f} per person (95 % interval "
        f"{mine['conf_low']:.2f} to {mine['conf_high']:.2f}; across all ministries and States "
        f"{pooled.overall.estimate:.2f}, "
    ), lead
    assert "Its effect ranks 1st of 5 ministries and States (95 % range 1st to " in lead
    values = {item.key: item.value for item in ed.findings.items}
    assert values["ministry_impact_effect"] == mine["estimate"]
    assert values["ministry_impact_rank"] == 1


def test_the_brief_says_plainly_when_its_unit_is_too_small_or_absent(tmp_path):
    ed = edition(tmp_path)
    brief.impact_lead(ed, people(), "Tiny")
    lead = ed.findings.sentences["ministry_impact"]
    assert lead.startswith(
        "For staff of Tiny, the effect of taking part on course completions cannot be "
        "estimated (fewer than 10 participants; an estimate needs at least 10 staff who took "
        "part and 10 who did not"
    ), lead
    assert "4" not in lead, "the small count itself is never published"
    assert not [item for item in ed.findings.items if item.key.startswith("ministry_impact")]
    brief.impact_lead(ed, people(), "Nowhere")
    assert (
        "none of its staff were registered 6 months before the week"
        in (ed.findings.sentences["ministry_impact"])
    )


def test_impact_sentence_for_an_effect_that_cannot_be_told_from_zero():
    standing = pooling.UnitStanding(
        "Zero", True, "", Interval(0.02, -0.05, 0.09), 0.01, Interval(0.5, 0.4, 0.6),
        "We cannot tell whether taking part changed", 67, 60, 68, 68,
    )  # fmt: skip
    assert brief.impact_sentence(standing, 10) == (
        "For staff of Zero, we cannot tell whether taking part changed course completions in "
        "the 90 days after the week: the estimate is 0.02 per person (95 % interval -0.05 to "
        "0.09; across all ministries and States 0.50, 0.40 to 0.60). Its effect ranks 67th of "
        "68 ministries and States (95 % range 60th to 68th)."
    )


def test_the_brief_gives_the_previous_editions_effect_and_tests_the_change(tmp_path, monkeypatch):
    ed = edition(tmp_path, edition="2026", previous_edition="2024")
    earlier, seen, said = people(seed=12), [], []

    def previous_people(store, params):
        seen.append(params.edition)
        return earlier

    monkeypatch.setattr(brief, "impact_people", previous_people)
    monkeypatch.setattr(brief.editions, "previous_impact_people", lambda store, params: earlier)
    monkeypatch.setattr(ed, "say", said.append)
    brief.impact_lead(ed, people(), "Big")
    assert seen == ["2024"], "the previous edition's own population"
    before = pooling.pool_unit_effects(earlier, min_persons=10, seed=ed.params.seed)
    mine = before.units.set_index("unit").loc["Big"]
    values = {item.key: item.value for item in ed.findings.items}
    assert values["ministry_impact_previous"] == mine["estimate"]
    # the change: the unit's own estimates of both editions, the staff compared with themselves
    change = editions.edition_effects(
        earlier[earlier["ministry"] == "Big"], people()[people()["ministry"] == "Big"],
        editions=("2024", "2026"),
    ).table.set_index("row")  # fmt: skip
    gap = change.loc["difference"]
    assert values["ministry_impact_change_estimate"] == gap["estimate"]
    assert values["ministry_impact_change_conf_low"] == gap["conf_low"]
    assert (
        f"In National Learning Week 2024 its effect was {mine['estimate']:.2f} per person (95 % "
        f"interval {mine['conf_low']:.2f} to {mine['conf_high']:.2f}; across all ministries and "
        f"States {before.overall.estimate:.2f}), ranking 1st of 5. Compared on its own "
        f"estimates (before pooling: {change.loc['earlier', 'estimate']:.2f} then, "
        f"{change.loc['later', 'estimate']:.2f} now), the two cannot be told apart: a change of "
        f"{impact.signed(gap['estimate'])} per person (95 % interval "
        f"{impact.signed(gap['conf_low'])} to {impact.signed(gap['conf_high'])}; 300 of its "
        "staff are in both editions and are compared with themselves)."
    ) in said


def test_the_change_sentence_never_publishes_a_count_under_min_cell(tmp_path, monkeypatch):
    """Only 4 of Big's staff were there in the earlier edition: the sentence does not say 4."""
    ed = edition(tmp_path, edition="2026", previous_edition="2024")
    earlier = people(seed=12)
    mine = earlier["ministry"] == "Big"
    keys = earlier.loc[mine, "user_key"].to_numpy().copy()
    keys[4:] = [f"new-{i}" for i in range(len(keys) - 4)]  # 296 of 300 were not there before
    earlier.loc[mine, "user_key"] = keys
    said = []
    monkeypatch.setattr(brief, "impact_people", lambda store, params: earlier)
    monkeypatch.setattr(brief.editions, "previous_impact_people", lambda store, params: earlier)
    monkeypatch.setattr(ed, "say", said.append)
    brief.impact_lead(ed, people(), "Big")
    text = next(line for line in said if "Compared on its own" in line)
    assert "fewer than 10 of its staff are in both editions" in text
    assert " 4 of its staff" not in text


def test_unit_changes_are_each_units_edition_effects_and_skip_small_units():
    earlier, later = people(seed=12), people(seed=13)
    later.loc[(later["ministry"] == "Zero") & (later["treat"] == 1), CHANGE] += 1.0
    table = editions.unit_edition_changes(earlier, later, editions=("2024", "2026"))
    assert table["unit"].tolist() == ["Big", "S1", "S2", "S3", "Zero"]  # Tiny: 4 participants
    for unit in table["unit"]:
        alone = editions.edition_effects(
            earlier[earlier["ministry"] == unit], later[later["ministry"] == unit],
            editions=("2024", "2026"),
        ).table.set_index("row")  # fmt: skip
        row = table.set_index("unit").loc[unit]
        assert row["difference"] == alone.loc["difference", "estimate"]
        assert row["earlier_low"] == alone.loc["earlier", "conf_low"]
        assert row["later_high"] == alone.loc["later", "conf_high"]
        assert row["persons_in_both"] == 300
    # Zero's participants gained 1.0 in the later edition: its effect grew, and clearly
    zero = table.set_index("unit").loc["Zero"]
    assert zero["change"] == "grew" and zero["conf_low"] > 0.5, zero
    assert set(table.loc[table["unit"] != "Zero", "change"]) == {"same"}


def test_signed_never_prints_minus_zero():
    assert [impact.signed(v) for v in (-0.004, 0.0, -0.006, 1.234)] == [
        "0.00",
        "0.00",
        "-0.01",
        "1.23",
    ]
