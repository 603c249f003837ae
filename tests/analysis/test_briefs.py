"""The briefs' shared results: the same numbers as one brief alone, kept and invalidated by key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluation.analysis import briefs, compare, editions, pooling
from evaluation.analysis.briefs import BriefInputs
from evaluation.core.params import load_params

ROOT = Path(__file__).resolve().parents[2]


def people() -> pd.DataFrame:
    """Central M1 (50 users, 10 took part), M2 (500, 200), M3 (40, 30); states S1, S2."""
    rows = []
    for ministry, kind, users, took_part in (
        ("M1", "central", 50, 10),
        ("M2", "central", 500, 200),
        ("M3", "central", 40, 30),
        ("S1", "state", 30, 15),
        ("S2", "state", 80, 20),
    ):
        for i in range(users):
            rows.append(
                {
                    "ministry": ministry,
                    "org_type": kind,
                    "participated": int(i < took_part),
                    "target_met": int(i < took_part // 2),
                    "hours_in_week": 5.0 + (i % 3) / 7 if i < took_part else 0.0,
                    "karma_points": float(i < took_part) * (1 + i % 4),
                    "last_credit_date": pd.Timestamp("2024-10-20") if i < took_part else pd.NaT,
                }
            )
    return pd.DataFrame(rows)


def impact_people() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "ministry": np.repeat(["M1", "M2", "M3", "S1"], 60),
            "treat": np.tile([1, 0], 120),
            "completions_90d_change": rng.normal(0, 1, 240),
        }
    )
    frame.loc[frame["treat"] == 1, "completions_90d_change"] += 0.5
    return frame


def inputs() -> BriefInputs:
    pooled = pooling.pool_unit_effects(impact_people(), seed=3)
    staff = impact_people().assign(user_key=lambda f: [f"p{i}" for i in range(len(f))])
    changes = editions.unit_edition_changes(staff, staff, editions=("2024", "2026"))
    return BriefInputs(
        **briefs.unit_tables(people()),
        pooled=pooled,
        previous=pooled,
        previous_title="Before",
        changes=changes,
    )


def test_every_units_scope_table_is_the_one_a_brief_computes_alone():
    frame, shared = people(), inputs()
    for unit in ("M1", "M2", "M3", "S1", "S2"):
        position = briefs.leaderboard_position(shared.board, unit)
        alone = briefs.ministry_scope_table(
            frame, unit, position["peers"], briefs.peer_label(position)
        )
        pd.testing.assert_frame_equal(shared.scope_table(unit), alone, check_exact=True)
    # M1 (50 users) beside the rest of band XS (M3, S1, S2: 150) and everyone (700)
    assert shared.scope_table("M1")["users"].tolist() == [50, 150, 700]
    assert shared.scope_table("M2")["users"].tolist() == [500, 0, 700]  # alone in band S


def test_rates_of_each_kind_are_those_of_the_units_of_that_kind():
    frame, shared = people(), inputs()
    assert shared.kind_of("S2") == "state"
    central = frame[frame["org_type"] == "central"]
    rates = compare.unit_rates(central, unit="ministry", outcome="target_met")
    pd.testing.assert_frame_equal(shared.table("central", "rates-target_met"), rates)
    pd.testing.assert_frame_equal(
        shared.table("central", "shrunk-target_met"), compare.shrink_rates(rates).table
    )
    assert shared.table("state", "flags")["ministry"].tolist() == ["S1", "S2"]
    with pytest.raises(ValueError, match="no eligible staff"):
        shared.kind_of("Nowhere")


@pytest.fixture()
def project(tmp_path):
    """A project root with a store manifest and library source the key reads."""
    store = tmp_path / "data" / "processed" / "synthetic"
    store.mkdir(parents=True)
    (store / "manifest.json").write_text('{"created_at": "one"}')
    (tmp_path / "evaluation").mkdir()
    (tmp_path / "evaluation" / "module.py").write_text("x = 1\n")
    return tmp_path


def test_the_cache_is_read_back_exactly_and_recomputed_when_data_params_or_code_change(
    project, monkeypatch
):
    calls = []

    def compute(store, params):
        calls.append(params.target_hours)
        return inputs()

    monkeypatch.setattr(briefs, "compute", compute)
    params = load_params(ROOT / "params" / "2024.yaml")
    cache = project / "cache"
    first = briefs.brief_inputs(None, params, cache, root=project)
    again = briefs.brief_inputs(None, params, cache, root=project)
    assert len(calls) == 1
    for name in ("participants", "board", "scope"):
        pd.testing.assert_frame_equal(getattr(again, name), getattr(first, name))
    for kind, tables in first.kinds.items():
        for name, table in tables.items():
            pd.testing.assert_frame_equal(again.table(kind, name), table)
    assert again.pooled is not None and first.pooled is not None
    pd.testing.assert_frame_equal(again.pooled.units, first.pooled.units)
    assert again.pooled.overall == first.pooled.overall
    assert again.previous_title == "Before"
    assert first.changes is not None and len(first.changes) == 4
    pd.testing.assert_frame_equal(again.changes, first.changes)
    assert pooling.unit_standing(again.pooled, "M3") == pooling.unit_standing(first.pooled, "M3")

    # a brief's own parameters do not matter
    briefs.brief_inputs(None, params.model_copy(update={"ministry": "M1"}), cache, root=project)
    assert len(calls) == 1

    store = project / "data" / "processed" / "synthetic" / "manifest.json"
    store.write_text(json.dumps({"created_at": "two"}))  # data ingested again
    briefs.brief_inputs(None, params, cache, root=project)
    assert len(calls) == 2
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 1  # old key gone

    briefs.brief_inputs(None, params.model_copy(update={"target_hours": 6.0}), cache, root=project)
    assert calls[-1] == 6.0 and len(calls) == 3

    (project / "evaluation" / "module.py").write_text("x = 2\n")
    briefs.brief_inputs(None, params.model_copy(update={"target_hours": 6.0}), cache, root=project)
    assert len(calls) == 4


def test_without_a_cache_nothing_is_kept(project, monkeypatch):
    monkeypatch.setattr(briefs, "compute", lambda store, params: inputs())
    params = load_params(ROOT / "params" / "2024.yaml")
    assert briefs.brief_inputs(None, params, None, root=project).previous_title == "Before"
    assert not (project / "cache").exists()


def test_a_damaged_cache_is_computed_again(project, monkeypatch):
    calls = []
    monkeypatch.setattr(briefs, "compute", lambda store, params: calls.append(1) or inputs())
    params = load_params(ROOT / "params" / "2024.yaml")
    cache = project / "cache"
    briefs.brief_inputs(None, params, cache, root=project)
    (next(cache.glob("*/board.arrow"))).unlink()  # e.g. pruned while being read
    again = briefs.brief_inputs(None, params, cache, root=project)
    assert len(calls) == 2
    assert again.board["unit"].tolist() == inputs().board["unit"].tolist()
    assert briefs.brief_inputs(None, params, cache, root=project).scope.shape == (15, 11)
    assert len(calls) == 2
