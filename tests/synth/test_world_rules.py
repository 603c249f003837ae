"""Platform rules the synthetic world must obey: karma points, events, ACBP, groups, dates."""

from __future__ import annotations

import re

import duckdb
import pytest


@pytest.fixture(scope="module")
def con(world) -> duckdb.DuckDBPyConnection:
    """The warehouse tables of the test world, written whole and in blocks (conftest)."""
    connection = duckdb.connect()
    for path in sorted((world.folder / "warehouse").glob("*.csv")):
        connection.execute(
            f"CREATE VIEW {path.stem} AS SELECT * FROM read_csv('{path}', header=true)"
        )
    return connection


def test_course_completion_credits_follow_the_batch_karma_job(con) -> None:
    """Karma credits as the platform's batch job and the published order give them.

    cb-core-data jobs/stage-2/karmaPoints.py: a user's first 4 Course completions of a month
    earn 10 points when the course has an assessment, else 5, ACBP or not; other categories
    earn nothing; each rating earns 2 (docs/real-exports.md §12).
    """
    per_month = con.execute("""
        WITH courses AS (
            SELECT e.user_id, date_trunc('month', e.first_completed_on) AS month, COUNT(*) AS n
            FROM user_enrolments e JOIN content c USING (content_id)
            WHERE c.content_type = 'Course' AND e.first_completed_on IS NOT NULL
            GROUP BY ALL),
        credits AS (
            SELECT userid AS user_id, date_trunc('month', credit_date) AS month, COUNT(*) AS k
            FROM user_karma_points WHERE operation_type = 'COURSE_COMPLETION' GROUP BY ALL)
        SELECT COUNT(*) FILTER (WHERE coalesce(k, 0) <> least(n, 4)), MAX(k), COUNT(*)
        FROM courses LEFT JOIN credits USING (user_id, month)
    """).fetchone()
    assert per_month[0] == 0 and per_month[1] == 4 and per_month[2] > 0
    kinds = con.execute("""
        SELECT operation_type, context_type, points, COUNT(*) FROM user_karma_points
        WHERE operation_type IN ('COURSE_COMPLETION', 'ACBP_COURSE_COMPLETION', 'RATING')
        GROUP BY ALL ORDER BY ALL
    """).fetchall()
    completion = {(ctx, pts) for op, ctx, pts, _ in kinds if op == "COURSE_COMPLETION"}
    assert completion == {("Course", 5), ("Course", 10)}
    assert {pts for op, _, pts, _ in kinds if op == "RATING"} == {2}
    assert {pts for op, _, pts, _ in kinds if op == "ACBP_COURSE_COMPLETION"} == {10}
    assert len({ctx for op, ctx, _, _ in kinds if op == "RATING"}) > 1  # ratings of any category
    ratings = con.execute("SELECT COUNT(user_rating) FROM user_enrolments").fetchone()[0]
    assert sum(n for op, _, _, n in kinds if op == "RATING") == ratings > 0
    # The on-time ACBP bonus (+10, Department of Posts order of 19 Mar 2024): exactly the
    # allocations completed by their due date.
    on_time = con.execute("""
        SELECT COUNT(*) FROM cbp_enrolment
        WHERE CAST(completed_on AS DATE) <= CAST(due_date AS DATE)
    """).fetchone()[0]
    late = con.execute("""
        SELECT COUNT(*) FROM cbp_enrolment WHERE CAST(completed_on AS DATE) > CAST(due_date AS DATE)
    """).fetchone()[0]
    assert sum(n for op, _, _, n in kinds if op == "ACBP_COURSE_COMPLETION") == on_time > 0
    assert late > 0
    # Each enrolment's karma_points is what the ledger credits for that user and course.
    mismatches = con.execute("""
        SELECT COUNT(*) FROM user_enrolments e
        LEFT JOIN (SELECT userid, context_id, SUM(points) AS total FROM user_karma_points
                   WHERE context_type <> 'Event' GROUP BY ALL) k
          ON k.userid = e.user_id AND k.context_id = e.content_id
        WHERE coalesce(k.total, 0) <> e.karma_points
    """).fetchone()[0]
    assert mismatches == 0


def test_karma_ledger_matches_user_balances(con) -> None:
    mismatches = con.execute("""
        SELECT COUNT(*) FROM user_detail u
        LEFT JOIN (SELECT userid, SUM(points) AS total FROM user_karma_points GROUP BY userid) k
          ON k.userid = u.user_id
        WHERE COALESCE(k.total, 0) <> u.no_of_karma_points
    """).fetchone()[0]
    assert mismatches == 0
    raised = con.execute("""
        SELECT MIN(points), MAX(points) FROM user_karma_points
        WHERE operation_type = 'EVENT_ATTENDED' AND credit_date >= '2025-04-01'
    """).fetchone()
    assert raised == (10, 10)


def test_events_of_the_2024_week(con) -> None:
    speakers = con.execute("""
        SELECT presenters FROM event_details
        WHERE event_type = 'Karmayogi Saptah'
          AND event_start_datetime BETWEEN '2024-10-19' AND '2024-10-28'
    """).fetchall()
    names = {name.strip() for (text,) in speakers for name in text.split(",")}
    assert len(names) == 24
    kinds = {
        row[0] for row in con.execute("SELECT DISTINCT event_type FROM event_details").fetchall()
    }
    assert kinds == {"Webinar", "Karmayogi Talks", "Karmayogi Saptah", "Samuhik Charcha"}


def test_acbp_dates_are_consistent(con) -> None:
    bad = con.execute("""
        SELECT COUNT(*) FROM cbp_enrolment
        WHERE due_date <= allocated_on
           OR (completed_on IS NOT NULL AND completed_on < allocated_on)
           OR (current_progress = 'Completed') <> (completed_on IS NOT NULL)
    """).fetchone()[0]
    assert bad == 0
    duplicates = con.execute("""
        SELECT COUNT(*) - COUNT(DISTINCT (user_id, content_id)) FROM cbp_enrolment
    """).fetchone()[0]
    assert duplicates == 0


def test_enrolments_are_unique_and_ordered_in_time(con) -> None:
    row = con.execute("""
        SELECT COUNT(*) - COUNT(DISTINCT (user_id, content_id)),
               COUNT(*) FILTER (first_completed_on < enrolled_on),
               COUNT(*) FILTER (first_completed_on >= '2026-08-01' OR enrolled_on >= '2026-08-01')
        FROM user_enrolments
    """).fetchone()
    assert row == (0, 0, 0)


def test_group_text_is_messy_but_recoverable(con) -> None:
    spellings = {
        row[0] or "" for row in con.execute("SELECT DISTINCT groups FROM user_detail").fetchall()
    }
    assert {"Group A", "A", "Grp. C", "Gazetted Group A", "", "Not Applicable"} <= spellings
    assert len(spellings) >= 20
    for text in spellings:
        letters = re.sub(r"gazetted|group|grp\.?|[-()]", " ", text.lower()).split()
        assert not letters or letters[0] in {"a", "b", "c", "not", "others", "na"}, text


def test_state_organisations_hold_most_users(con) -> None:
    share = con.execute("""
        SELECT AVG(CASE WHEN o.org_type = 'state' THEN 1 ELSE 0 END)
        FROM user_detail u JOIN org_hierarchy o USING (mdo_id)
    """).fetchone()[0]
    assert 0.55 < share < 0.7
    central_units = con.execute("""
        SELECT COUNT(DISTINCT department) FROM org_hierarchy
        WHERE org_type = 'central' AND department <> ''
    """).fetchone()[0]
    assert 85 <= central_units <= 100


def test_nobody_learns_before_registering(con) -> None:
    early = con.execute("""
        SELECT COUNT(*) FROM user_enrolments e JOIN user_detail u USING (user_id)
        WHERE e.enrolled_on < u.user_registration_date
    """).fetchone()[0]
    assert early == 0
