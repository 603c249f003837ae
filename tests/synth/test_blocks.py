"""A world simulated in blocks of people (national scale in bounded memory) keeps every rule.

``generate`` simulates a world larger than ``people_per_block`` block by block (issue 18, item
1). The world-rule, calibration and truth-against-files tests run on the test world written
whole and in three blocks (the ``world`` fixture of conftest.py); this module checks what only
blocks can break: the split, the shared counts, ids and emails across blocks, the gaming
organisations, the Parquet part files and the refusals.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from evaluation.core.vocabulary import FAST_COMPLETION_SECONDS
from evaluation.data.synth import generate
from evaluation.data.synth._generate import plan_blocks

TEST_SCALE = 0.004  # the conftest world's scale and block size (fixture blocked_dir)
PEOPLE_PER_BLOCK = 25_000
BLOCKS = 3


@pytest.fixture(scope="module")
def truth(blocked_dir: Path) -> dict:
    return json.loads((blocked_dir / "ground_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con(blocked_dir: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    for path in sorted((blocked_dir / "warehouse").glob("*.csv")):
        connection.execute(
            f"CREATE VIEW {path.stem} AS SELECT * FROM read_csv('{path}', header=true)"
        )
    return connection


def test_the_world_is_three_blocks_of_people(blocked_dir: Path, truth: dict) -> None:
    blocks = plan_blocks(TEST_SCALE, PEOPLE_PER_BLOCK)
    assert [b.people for b in blocks] == [22_667, 22_667, 22_666]
    assert [b.first_person for b in blocks] == [0, 22_667, 45_334]
    assert truth["population"]["registered_users_simulated"] == 68_000
    assert "(in 3 blocks of people)" in (blocked_dir / "README.md").read_text(encoding="utf-8")
    assert plan_blocks(TEST_SCALE, 68_000) == [None]  # one block: the whole world, as before


def test_blocks_share_the_national_counts(truth: dict) -> None:
    """Each block takes its share of the published counts; only rounding per block differs."""
    counts = truth["editions"]["2024"]["week_counts"]
    assert abs(counts["trackable_participants"] - round(740_000 * TEST_SCALE)) <= BLOCKS
    assert abs(counts["group_a_target_met"] - round(23_800 * TEST_SCALE)) <= BLOCKS
    assert counts["peak_day"] == "2024-10-24"
    counts = truth["editions"]["2026"]["week_counts"]
    assert abs(counts["participants_one_completion"] / (46.9e5 * TEST_SCALE) - 1) < 0.02


def test_ids_and_personal_data_are_unique_across_blocks(con) -> None:
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


def test_the_same_organisations_game_in_every_block(con) -> None:
    """Fast completions come from about 5 % of organisations, not 5 % chosen per block."""
    gaming, organisations = con.execute(f"""
        SELECT COUNT(DISTINCT u.mdo_id) FILTER (
                   WHERE date_diff('second', e.enrolled_on, e.first_completed_on)
                         < {FAST_COMPLETION_SECONDS}),
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


def test_truth_added_up_over_blocks_keeps_the_planted_pattern(truth: dict) -> None:
    """Subgroup effects come from sums over blocks; the planted ordering and zero survive."""
    outcome = truth["editions"]["2024"]["outcomes"]["assessment_score"]
    by_dose, by_group = outcome["by_dose_band"], outcome["by_group"]
    assert by_dose["0-4h"]["att"] < by_dose["4-8h"]["att"] < by_dose["8h+"]["att"]
    assert by_group["C"]["att"] < by_group["B"]["att"] < by_group["A"]["att"]
    completions = truth["editions"]["2024"]["outcomes"]["completions_90d"]
    assert completions["by_ministry"]["Ministry of Home Affairs"]["att"] == 0.0
    assert (
        sum(g["n_treated"] for g in completions["by_ministry"].values())
        == (completions["n_treated"])
    )
