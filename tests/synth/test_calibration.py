"""Calibration: the 2024 week in the raw CSVs reproduces the published counts times the scale.

Counts are computed straight from the warehouse CSVs with DuckDB, using the definitions the
``describe`` module uses (docs/synthetic-data.md). Tolerance: the 5 % calibration band of the
spec plus four standard errors of sampling noise at this small scale. Counts fixed by
construction (participants, achievers, enrolments, Group A) have no sampling noise; sums over
participants (completions, hours) have standard error sd_person / (mean_person * sqrt(n)) in
relative terms; the peak day adds binomial noise sqrt((1 - p) / (N p)). Both are estimated from
the generated data themselves.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import duckdb
import pytest

# The published figures, copied into the repository from ../shared/reference (data/README).
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference" / "nlw_2024_published.csv"
CALIBRATION_BAND = 0.05
SIGMAS = 4.0
# Reference copy so the test runs where /work/shared is absent (CI): the published figures.
PUBLISHED = {
    "trackable_participants": 740_000,
    "participants_target_met": 420_000,
    "course_enrolments": 4_560_000,
    "course_completions": 3_260_000,
    "learning_hours": 3_800_000,
    "avg_daily_completions": 350_000,
    "peak_daily_completions": 620_000,
    "group_a_participants": 37_000,
    "group_a_target_met": 23_800,
}


def _group_of(text: str) -> str:
    cleaned = re.sub(r"gazetted|group|grp\.?|[-()]", " ", text.lower()).split()
    return cleaned[0].upper() if cleaned and cleaned[0] in {"a", "b", "c"} else "Unknown"


@pytest.fixture(scope="module")
def week(world) -> dict:
    wh = world.folder / "warehouse"
    con = duckdb.connect()
    con.create_function("group_of", _group_of, ["VARCHAR"], "VARCHAR")

    def table(name: str) -> str:
        return f"read_csv('{wh / name}.csv', header=true, all_varchar=true)"

    window = "BETWEEN TIMESTAMP '2024-10-19 00:00:00' AND TIMESTAMP '2024-10-27 23:59:59'"
    con.execute(f"""
        CREATE TABLE done AS
        SELECT e.user_id, CAST(e.first_completed_on AS TIMESTAMP) AS completed_on,
               CAST(c.content_duration AS DOUBLE) / 3600 AS hours
        FROM {table("user_enrolments")} e JOIN {table("content")} c USING (content_id)
        WHERE e.first_completed_on <> '' AND CAST(e.first_completed_on AS TIMESTAMP) {window}
    """)
    con.execute(f"""
        CREATE TABLE seen AS
        SELECT a.user_id, CAST(a.progress_duration AS DOUBLE) / 3600 AS hours
        FROM {table("event_enrolment_details")} a JOIN {table("event_details")} d USING (event_id)
        WHERE CAST(a.progress_duration AS DOUBLE) > 0
          AND CAST(d.event_start_datetime AS TIMESTAMP) {window}
    """)
    con.execute("""
        CREATE TABLE person AS
        SELECT user_id, SUM(hours) AS hours, SUM(completions) AS completions
        FROM (SELECT user_id, hours, 1 AS completions FROM done
              UNION ALL SELECT user_id, hours, 0 AS completions FROM seen)
        GROUP BY user_id
    """)
    con.execute(f"""
        CREATE TABLE person_group AS
        SELECT p.*, group_of(u.groups) AS grp FROM person p
        JOIN {table("user_detail")} u USING (user_id)
    """)
    stats = con.execute("""
        SELECT COUNT(*), COUNT(*) FILTER (hours >= 4), SUM(hours),
               COUNT(*) FILTER (grp = 'A'), COUNT(*) FILTER (grp = 'A' AND hours >= 4),
               AVG(completions), STDDEV_POP(completions), AVG(hours), STDDEV_POP(hours)
        FROM person_group
    """).fetchone()
    daily = con.execute(
        "SELECT CAST(completed_on AS DATE) AS d, COUNT(*) AS n FROM done GROUP BY d ORDER BY d"
    ).fetchall()
    enrolments = con.execute(f"""
        SELECT COUNT(*) FROM {table("user_enrolments")}
        WHERE CAST(enrolled_on AS TIMESTAMP) {window}
    """).fetchone()[0]
    completions = sum(n for _, n in daily)
    peak_day, peak = max(daily, key=lambda item: item[1])
    return {
        "trackable_participants": stats[0],
        "participants_target_met": stats[1],
        "learning_hours": stats[2],
        "group_a_participants": stats[3],
        "group_a_target_met": stats[4],
        "course_completions": completions,
        "course_enrolments": enrolments,
        "avg_daily_completions": completions / 9,
        "peak_daily_completions": peak,
        "peak_day": peak_day.isoformat(),
        "days": len(daily),
        "_cv_completions": stats[6] / (stats[5] * math.sqrt(stats[0])),
        "_cv_hours": stats[8] / (stats[7] * math.sqrt(stats[0])),
        "_cv_peak": math.sqrt((1 - peak / completions) / peak),
    }


def test_reference_copy_matches_published_file() -> None:
    with REFERENCE.open(encoding="utf-8") as handle:
        published = {row["metric"]: row["value"] for row in csv.DictReader(handle)}
    for metric, value in PUBLISHED.items():
        assert float(published[metric]) == value
    assert published["peak_day"] == "2024-10-24"


NOISE = {
    "trackable_participants": [],
    "participants_target_met": [],
    "course_enrolments": [],
    "group_a_participants": [],
    "group_a_target_met": [],
    "course_completions": ["_cv_completions"],
    "avg_daily_completions": ["_cv_completions"],
    "learning_hours": ["_cv_hours"],
    "peak_daily_completions": ["_cv_completions", "_cv_peak"],
}


@pytest.mark.parametrize("metric", sorted(PUBLISHED))
def test_week_reproduces_published_count(week: dict, world, metric: str) -> None:
    expected = PUBLISHED[metric] * world.truth["scale"]
    sampling = math.sqrt(sum(week[name] ** 2 for name in NOISE[metric]))
    tolerance = CALIBRATION_BAND + SIGMAS * sampling
    ratio = week[metric] / expected
    assert abs(ratio - 1) <= tolerance, f"{metric}: {week[metric]} vs {expected} (±{tolerance:.3f})"


def test_fixed_counts_are_exact_and_peak_day_is_24_october(week: dict, world) -> None:
    # Exact for a whole world; a world in blocks rounds each block's share (one per block).
    slack = 0 if world.blocks == 1 else world.blocks
    scale = world.truth["scale"]
    assert abs(week["trackable_participants"] - round(740_000 * scale)) <= slack
    assert abs(week["group_a_target_met"] - round(23_800 * scale)) <= slack
    assert week["peak_day"] == "2024-10-24"
    assert week["days"] == 9


def test_ground_truth_counts_agree_with_raw(week: dict, world) -> None:
    counts = world.truth["editions"]["2024"]["week_counts"]
    exact = (
        "trackable_participants",
        "participants_target_met",
        "course_completions",
        "course_enrolments",
        "peak_daily_completions",
        "group_a_participants",
    )
    for metric in exact:
        assert counts[metric] == week[metric], metric
    assert counts["learning_hours"] == pytest.approx(week["learning_hours"], abs=0.01)
