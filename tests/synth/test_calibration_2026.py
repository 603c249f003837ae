"""Calibration: SĀDHANA Saptah 2026 in the raw files reproduces its published figures x scale.

Computed straight from the warehouse CSVs with DuckDB (not from the generator's own counting),
with the definitions of docs/synthetic-data.md: a completer has a course completion in the
window; a target achiever more than 4 hours of courses and events; an AI learner a completion
of a course mapped to the "Artificial Intelligence" competency sub-theme; frontline completions
are those of people whose designation the ingest rule calls frontline; the States/UTs share is
of the window's completions. Published figures: ``data/reference/sadhana_2026_published.csv``
(PIB PRID 2251187). Tolerance: the 5 % band plus four standard errors of sampling noise
(counts fixed by construction have none).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import duckdb
import pytest

from evaluation.core.vocabulary import FRONTLINE_DESIGNATION_PATTERN

REFERENCE = (
    Path(__file__).resolve().parents[2] / "data" / "reference" / "sadhana_2026_published.csv"
)
BAND = 0.05
SIGMAS = 4.0
WINDOW = "BETWEEN TIMESTAMP '2026-04-02 00:00:00' AND TIMESTAMP '2026-04-10 23:59:59'"


def _published() -> dict[str, str]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return {row["metric"]: row["value"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def week(world) -> dict:
    wh = world.folder / "warehouse"
    con = duckdb.connect()

    def table(name: str) -> str:
        return f"read_csv('{wh / name}.csv', header=true, all_varchar=true)"

    pattern = FRONTLINE_DESIGNATION_PATTERN.replace("'", "''")
    con.execute(f"""
        CREATE TABLE done AS
        SELECT e.user_id, CAST(c.content_duration AS DOUBLE) / 3600 AS hours,
               e.content_id IN (SELECT content_id FROM {table("content_competency_mapping")}
                                WHERE competency_sub_theme = 'Artificial Intelligence') AS ai,
               coalesce(regexp_matches(u.designation, '{pattern}', 'i'), FALSE) AS frontline,
               o.org_type = 'state' AS state
        FROM {table("user_enrolments")} e JOIN {table("content")} c USING (content_id)
        JOIN {table("user_detail")} u USING (user_id)
        JOIN {table("org_hierarchy")} o ON o.mdo_id = u.mdo_id
        WHERE e.first_completed_on <> '' AND CAST(e.first_completed_on AS TIMESTAMP) {WINDOW}
    """)
    con.execute(f"""
        CREATE TABLE seen AS
        SELECT a.user_id, CAST(a.progress_duration AS DOUBLE) / 3600 AS hours
        FROM {table("event_enrolment_details")} a JOIN {table("event_details")} d USING (event_id)
        WHERE CAST(a.progress_duration AS DOUBLE) > 0
          AND CAST(d.event_start_datetime AS TIMESTAMP) {WINDOW}
    """)
    people = con.execute("""
        SELECT COUNT(*) FILTER (completions > 0), COUNT(*) FILTER (hours > 4),
               COUNT(*) FILTER (ai > 0), AVG(completions) FILTER (completions > 0),
               STDDEV_POP(completions) FILTER (completions > 0)
        FROM (SELECT user_id, SUM(hours) AS hours, SUM(n) AS completions, SUM(ai) AS ai
              FROM (SELECT user_id, hours, 1 AS n, ai::INT AS ai FROM done
                    UNION ALL SELECT user_id, hours, 0, 0 FROM seen) GROUP BY user_id)
    """).fetchone()
    rows = con.execute("SELECT COUNT(*), AVG(frontline::INT), AVG(state::INT) FROM done").fetchone()
    return {
        "participants_one_completion": people[0],
        "participants_target_met": people[1],
        "participants_ai_course": people[2],
        "course_completions": rows[0],
        "frontline_completions": rows[0] * rows[1],
        "state_ut_engagement_share": rows[2],
        # relative standard error of a sum over completers (completions per person vary)
        "_cv": people[4] / (people[3] * math.sqrt(people[0])),
        "_n": rows[0],
    }


#: metric -> published metric and whether it scales with the population
METRICS = {
    "participants_one_completion": True,
    "participants_target_met": True,
    "participants_ai_course": True,
    "course_completions": True,
    "frontline_completions": True,
    "state_ut_engagement_share": False,
}


def _tolerance(week: dict, metric: str) -> float:
    if metric in ("participants_one_completion", "participants_ai_course"):
        return BAND  # fixed by construction
    if metric == "participants_target_met":
        return BAND  # fixed (4 hours of courses alone), events only add hours
    share_noise = math.sqrt(0.25 / week["_n"])
    noise = {"course_completions": week["_cv"], "frontline_completions": week["_cv"] + share_noise}
    return BAND + SIGMAS * noise.get(metric, share_noise)


@pytest.mark.parametrize("metric", sorted(METRICS))
def test_2026_week_reproduces_published_figure(week: dict, world, metric: str) -> None:
    published = float(_published()[metric])
    expected = published * world.truth["scale"] if METRICS[metric] else published
    tolerance = _tolerance(week, metric)
    ratio = week[metric] / expected
    assert abs(ratio - 1) <= tolerance, f"{metric}: {week[metric]} vs {expected} (±{tolerance:.3f})"


def test_2026_is_about_ten_times_2024(truth: dict) -> None:
    counts = {year: truth["editions"][year]["week_counts"] for year in ("2024", "2026")}
    ratio = counts["2026"]["course_completions"] / counts["2024"]["course_completions"]
    assert 9.0 <= ratio <= 10.5  # 3.18 crore / 32.6 lakh = 9.75


def test_ground_truth_2026_counts_agree_with_raw(week: dict, world) -> None:
    counts = world.truth["editions"]["2026"]["week_counts"]
    for metric in ("participants_one_completion", "participants_ai_course", "course_completions"):
        assert counts[metric] == week[metric], metric
    assert counts["frontline_completions"] == round(week["frontline_completions"])
