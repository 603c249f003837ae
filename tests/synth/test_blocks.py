"""A world simulated in blocks of people (national scale in bounded memory) keeps every rule.

``generate`` simulates a world larger than ``people_per_block`` block by block (issue 18, item
1). Here the test world of ``conftest.py`` (68,000 people) is generated in three blocks of at
most 25,000, and the same checks that hold the whole world to the platform's rules, the
published counts and its own ground truth run on it: the tests are imported from their modules,
with ``synth_dir`` and ``truth`` pointing at the blocked world.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from evaluation.data.synth import generate
from evaluation.data.synth._generate import plan_blocks
from tests.synth.conftest import TEST_SCALE, TEST_SEED
from tests.synth.test_calibration import (  # noqa: F401  (fixtures and tests run here again)
    test_ground_truth_counts_agree_with_raw,
    test_week_reproduces_published_count,
    week,
)
from tests.synth.test_truth_and_privacy import (  # noqa: F401
    test_naive_difference_is_at_least_one_and_a_half_times_the_truth,
    test_naive_difference_recomputed_from_raw_files,
    test_planted_heterogeneity_shows_in_the_truth,
    test_truth_states_definitions_windows_and_subgroups,
)
from tests.synth.test_world_rules import (  # noqa: F401
    con,
    test_acbp_dates_are_consistent,
    test_course_completion_credits_follow_the_batch_karma_job,
    test_enrolments_are_unique_and_ordered_in_time,
    test_events_of_the_2024_week,
    test_group_text_is_messy_but_recoverable,
    test_karma_ledger_matches_user_balances,
    test_nobody_learns_before_registering,
    test_state_organisations_hold_most_users,
)

PEOPLE_PER_BLOCK = 25_000
BLOCKS = 3


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The conftest world (same scale and seed), simulated in three blocks of people."""
    out = tmp_path_factory.mktemp("blocked") / "raw"
    return generate(
        out,
        scale=TEST_SCALE,
        seed=TEST_SEED,
        formats=("warehouse",),
        variants="plain",
        people_per_block=PEOPLE_PER_BLOCK,
    )


@pytest.fixture(scope="module")
def truth(synth_dir: Path) -> dict:
    return json.loads((synth_dir / "ground_truth.json").read_text(encoding="utf-8"))


def test_the_world_is_three_blocks_of_people(synth_dir: Path, truth: dict) -> None:
    blocks = plan_blocks(TEST_SCALE, PEOPLE_PER_BLOCK)
    assert [b.people for b in blocks] == [22_667, 22_667, 22_666]
    assert [b.first_person for b in blocks] == [0, 22_667, 45_334]
    assert truth["population"]["registered_users_simulated"] == 68_000
    assert "(in 3 blocks of people)" in (synth_dir / "README.md").read_text(encoding="utf-8")
    assert plan_blocks(TEST_SCALE, 68_000) == [None]  # one block: the whole world, as before


def test_blocks_share_the_national_counts(truth: dict) -> None:
    """Each block takes its share of the published counts; only rounding per block differs."""
    counts = truth["editions"]["2024"]["week_counts"]
    assert abs(counts["trackable_participants"] - round(740_000 * TEST_SCALE)) <= BLOCKS
    assert abs(counts["group_a_target_met"] - round(23_800 * TEST_SCALE)) <= BLOCKS
    assert counts["peak_day"] == "2024-10-24"
    counts = truth["editions"]["2026"]["week_counts"]
    assert abs(counts["participants_one_completion"] / (46.9e5 * TEST_SCALE) - 1) < 0.02


def test_ids_and_personal_data_are_unique_across_blocks(con) -> None:  # noqa: F811
    users, ids, emails = con.execute(
        "SELECT COUNT(*), COUNT(DISTINCT user_id), COUNT(DISTINCT email) FROM user_detail"
    ).fetchone()
    assert users == ids == emails == 68_000
    certificates, distinct = con.execute(
        "SELECT COUNT(certificate_id), COUNT(DISTINCT certificate_id) FROM user_enrolments"
    ).fetchone()
    assert certificates == distinct > 0
    orphans = con.execute("""
        SELECT COUNT(*) FROM user_enrolments
        WHERE user_id NOT IN (SELECT user_id FROM user_detail)
    """).fetchone()[0]
    assert orphans == 0


def test_the_same_organisations_game_in_every_block(con) -> None:  # noqa: F811
    """Fast completions come from about 5 % of organisations, not 5 % chosen per block."""
    gaming, organisations = con.execute("""
        SELECT COUNT(DISTINCT u.mdo_id) FILTER (
                   WHERE date_diff('second', e.enrolled_on, e.first_completed_on) < 30),
               COUNT(DISTINCT u.mdo_id)
        FROM user_enrolments e JOIN user_detail u USING (user_id)
    """).fetchone()
    assert 0 < gaming <= 0.08 * organisations


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def test_blocked_parquet_is_one_spark_part_per_table_and_reproducible(tmp_path: Path) -> None:
    options = {"scale": 0.001, "seed": 3, "formats": ("warehouse",), "people_per_block": 6_000}
    first = generate(tmp_path / "a", warehouse_format="parquet", **options)
    again = generate(tmp_path / "b", warehouse_format="parquet", **options)
    assert _digest(first) == _digest(again)
    folder = first / "warehouse" / "user_enrolments"
    parts = sorted(folder.glob("part-*.parquet"))
    assert len(parts) == 1 and (folder / "_SUCCESS").exists()
    users = duckdb.sql(f"SELECT COUNT(DISTINCT user_id) FROM '{folder}/*.parquet'").fetchone()[0]
    assert users > 10_000  # people of all three blocks


def test_reports_need_one_block(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MDO reports need the whole world"):
        generate(tmp_path / "out", scale=0.001, formats=("reports",), people_per_block=6_000)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("size", [0, -5, 2.5, True])
def test_bad_block_size_is_refused(tmp_path: Path, size) -> None:
    with pytest.raises(ValueError, match="people_per_block"):
        generate(tmp_path / "out", scale=0.001, people_per_block=size)
