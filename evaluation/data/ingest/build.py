"""Canonical tables from the clean staging tables, as DuckDB SELECTs (one per table and shape).

Each builder returns the SQL of one canonical table (columns in contract order, cast to contract
types) and records, per normalisation rule, how many rows it mapped. Raw user ids and emails are
replaced by ``user_key`` through the ``user_map`` table; no direct identifier is selected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb

from evaluation.core.contract import CANONICAL_COLUMNS
from evaluation.data.ingest.normalise import (
    CENTRAL_PROVIDER_PATTERN,
    ai_text_sql,
    competency_area_sql,
    enrolment_status_sql,
    event_status_sql,
    frontline_sql,
    group_sql,
    is_active_sql,
    org_type_sql,
    progress_label_sql,
    quote_ident,
)

__all__ = [
    "DUCKDB_TYPES",
    "Builder",
    "build_tables",
    "canonical_select",
    "empty_select",
    "file_order",
]

#: Contract dtype -> DuckDB type.
DUCKDB_TYPES = {
    "string": "VARCHAR",
    "date32": "DATE",
    "timestamp": "TIMESTAMP",
    "float64": "DOUBLE",
    "int64": "BIGINT",
    "bool": "BOOLEAN",
}


def _q(name: str) -> str:
    return quote_ident(name)


def canonical_select(
    table: str, exprs: dict[str, str], from_sql: str, order_by: str = "ALL"
) -> str:
    """SELECT the contract's columns of ``table`` in order, each cast to its contract type.

    Rows are sorted by ``order_by`` (default every column): the written bytes must not depend on
    DuckDB's threads. Large tables pass :func:`file_order` instead, which sorts two integers
    rather than every column (a 64-character ``user_key`` first).

    Raises
    ------
    ValueError
        If ``exprs`` does not cover exactly the contract's columns.
    """
    columns = CANONICAL_COLUMNS[table]
    if set(exprs) != set(columns):
        missing, extra = set(columns) - set(exprs), set(exprs) - set(columns)
        raise ValueError(f"{table}: columns missing {sorted(missing)}, extra {sorted(extra)}")
    parts = [
        f"CAST({exprs[c]} AS {DUCKDB_TYPES[dtype]}) AS {_q(c)}"
        for c, (dtype, _meaning) in columns.items()
    ]
    return f"SELECT {', '.join(parts)} {from_sql} ORDER BY {order_by}"


def file_order(alias: str) -> str:
    """ORDER BY items putting rows of staged source ``alias`` in raw file order (a total order).

    Every staged row has a distinct (input file number, position in the file); the builders'
    joins never repeat a row, so this order is total and the same on every run.
    """
    return f"{alias}._file, {alias}._ord"


def empty_select(table: str) -> str:
    """SELECT with the contract's columns and no rows (tables a shape cannot fill)."""
    return canonical_select(table, dict.fromkeys(CANONICAL_COLUMNS[table], "NULL"), "WHERE FALSE")


@dataclass
class Builder:
    """Context shared by the table builders."""

    con: duckdb.DuckDBPyConnection
    tables: set[str]
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def has(self, source: str) -> bool:
        """True when the clean table of ``source`` exists."""
        return f"clean_{source}" in self.tables

    def count_rules(self, family: str, rule_sql: str, from_sql: str) -> None:
        """Count rows per rule label and store them under ``family``."""
        rows = self.con.execute(
            f"SELECT {rule_sql} AS rule, count(*) {from_sql} GROUP BY 1"
        ).fetchall()
        counter = self.counts.setdefault(family, Counter())
        for rule, n in rows:
            counter[str(rule)] += int(n)

    def lookup(
        self, family: str, src: str, keys: dict[str, str], value_sql: str, rule_sql: str
    ) -> str:
        """Normalise each distinct key combination once (not each row); count rows per rule.

        Free-text codes (group, status) take a few hundred distinct values over millions of rows,
        so the regex-heavy rules run on a small table that the row-level SELECT then joins.

        Parameters
        ----------
        family : str
            Rule family (manifest key) and lookup table suffix.
        src : str
            FROM clause of the rows to normalise.
        keys : dict
            Alias -> SQL over ``src``; ``value_sql`` and ``rule_sql`` refer to the aliases.
        value_sql, rule_sql : str
            Normalised value and rule label.

        Returns
        -------
        str
            Name of the lookup table (columns: the aliases, ``value``, ``rule``, ``n``).
        """
        table = f"lk_{family}"
        key_cols = ", ".join(f"{sql} AS {alias}" for alias, sql in keys.items())
        self.con.execute(
            f"CREATE OR REPLACE TABLE {table} AS SELECT *, {value_sql} AS value, "
            f"{rule_sql} AS rule FROM (SELECT {key_cols}, count(*) AS n {src} GROUP BY ALL)"
        )
        counter = self.counts.setdefault(family, Counter())
        for rule, n in self.con.execute(f"SELECT rule, sum(n) FROM {table} GROUP BY 1").fetchall():
            counter[str(rule)] += int(n)
        return table


def _join_on(table: str, alias: str, keys: dict[str, str]) -> str:
    conditions = " AND ".join(f"{alias}.{k} IS NOT DISTINCT FROM {sql}" for k, sql in keys.items())
    return f"LEFT JOIN {table} {alias} ON {conditions}"


def _progress_bucket(progress: str) -> str:
    # The only thing a blank status needs from progress: complete, started or not.
    return f"CASE WHEN {progress} >= 100 THEN 100 WHEN {progress} > 0 THEN 1 ELSE 0 END"


def _active_lookup(b: Builder, src: str, column: str) -> tuple[str, str]:
    """Return (join clause, value SQL) mapping the account status through a lookup."""
    keys = {"raw": column}
    value, rule = is_active_sql("raw")
    table = b.lookup("is_active", src, keys, value, rule)
    return _join_on(table, "la", keys), "la.value"


def _group_lookup(b: Builder, src: str, column: str) -> tuple[str, str]:
    """Return (join clause, value SQL) normalising the group column through a lookup."""
    keys = {"raw": column}
    value, rule = group_sql("raw")
    table = b.lookup("group", src, keys, value, rule)
    return _join_on(table, "lg", keys), "lg.value"


def _status_lookup(b: Builder, src: str, status: str, progress: str) -> tuple[str, str]:
    keys = {"raw": status, "p": _progress_bucket(progress)}
    value, rule = enrolment_status_sql("raw", "p")
    table = b.lookup("enrolment_status", src, keys, value, rule)
    return _join_on(table, "ls", keys), "ls.value"


def _with_id(table: str, alias: str, id_column: str, joins: str = "") -> str:
    """FROM clause of the rows of a person-level table that reach the store, for rule counts.

    Every non-null raw id is in ``user_map`` (built from these very columns), so the builders'
    join to it drops exactly the rows without an id: counting those rows skips a join per row.
    """
    return f"FROM {table} {alias} {joins} WHERE {alias}.{id_column} IS NOT NULL"


def _text(x: str, default: str = "") -> str:
    return f"coalesce(nullif(trim({x}), ''), '{default}')"


# --------------------------------------------------------------------------- warehouse


def _wh_learners(b: Builder) -> str:
    src = "FROM clean_user_detail u JOIN user_map m ON m.raw_id = u.user_id"
    counted = _with_id("clean_user_detail", "u", "user_id")
    join, group = _group_lookup(b, counted, "u.groups")
    active_join, active = _active_lookup(b, counted, "u.status")
    frontline, rule = frontline_sql("u.designation")
    b.count_rules("frontline", rule, counted)
    return canonical_select(
        "learners",
        {
            "user_key": "m.user_key",
            "mdo_id": "u.mdo_id",
            "group": group,
            "gender": _text("u.gender", "Unknown"),
            "category": _text("u.category", "Unknown"),
            "designation": _text("u.designation"),
            "cadre": _text("u.cadre"),
            "civil_service_type": _text("u.civil_service_type"),
            "registered_on": "u.user_registration_date",
            "profile_status": _text("u.profile_status"),
            "karma_points": "coalesce(u.no_of_karma_points, 0)",
            "is_active": active,
            "is_frontline": frontline,
        },
        f"{src} {join} {active_join}",
        file_order("u"),
    )


def _org_exprs(b: Builder, src: str, explicit_type: str, state_col: str) -> dict[str, str]:
    """Org-hierarchy columns over alias ``o``; rule counts are taken over ``src``."""
    ministry = "coalesce(nullif(trim(o.ministry), ''), o.mdo_name)"
    department = f"coalesce(nullif(trim(o.department), ''), {ministry})"
    org_type, state, rule = org_type_sql(explicit_type, "o.ministry", "o.mdo_name")
    b.count_rules("org_type", rule, src)
    b.count_rules(
        "ministry",
        "CASE WHEN nullif(trim(o.ministry), '') IS NULL THEN 'from_mdo_name' ELSE 'recorded' END",
        src,
    )
    b.count_rules(
        "department",
        "CASE WHEN nullif(trim(o.department), '') IS NULL THEN 'from_ministry' ELSE 'recorded' END",
        src,
    )
    return {
        "mdo_id": "o.mdo_id",
        "mdo_name": "o.mdo_name",
        "ministry": ministry,
        "department": department,
        "org_type": org_type,
        "state": f"coalesce(nullif(trim({state_col}), ''), {state})",
    }


def _wh_org(b: Builder) -> str:
    src = "FROM clean_org_hierarchy o"
    explicit = "coalesce(o.org_type, o.organisation_type, o.sector)"
    return canonical_select("org_hierarchy", _org_exprs(b, src, explicit, "o.state"), src)


#: The job's own join (PY kcmReport.py ``competency_reporting``, S18 KCMModel.scala
#: ``competencyReporting``): inner, on the three ids; content without a competency drops out.
_KCM_JOIN = (
    "(SELECT m.course_id AS content_id, d.competency_area, d.competency_theme, "
    "d.competency_sub_theme FROM clean_kcm_content_mapping m JOIN clean_kcm_dictionary d "
    "USING (competency_area_id, competency_theme_id, competency_sub_theme_id))"
)


def _mapping_rows(b: Builder, mapping: str) -> str | None:
    """FROM-able rows (content_id, competency_area, competency_theme, competency_sub_theme).

    The warehouse's ``kcm_content_mapping`` joined with ``kcm_dictionary`` (the platform's own
    tables) wins over a ``content_competency_mapping`` file; None when there is neither.
    """
    if mapping == "content_competency_mapping" and all(
        b.has(t) for t in ("kcm_content_mapping", "kcm_dictionary")
    ):
        return _KCM_JOIN
    return f"clean_{mapping}" if b.has(mapping) else None


def _content_area_cte(b: Builder, mapping: str) -> str:
    """CTE ``areas`` (content_id, area, ai_theme) from a competency mapping (empty without one)."""
    rows = _mapping_rows(b, mapping)
    if rows is None:
        return (
            "areas AS (SELECT NULL::VARCHAR AS content_id, NULL::VARCHAR AS area, "
            "NULL::BOOLEAN AS ai_theme WHERE FALSE)"
        )
    area = competency_area_sql("competency_area")
    themes = ai_text_sql("concat_ws(' ', competency_theme, competency_sub_theme)")
    # A course mapped to several areas gets the one with most mapped themes (ties: A-Z).
    return (
        f"area_counts AS (SELECT content_id, {area} AS area, count(*) AS n, "
        f"bool_or({themes}) AS ai FROM {rows} mapping GROUP BY 1, 2), "
        "areas AS (SELECT content_id, first(area ORDER BY n DESC, area) AS area, "
        "bool_or(ai) AS ai_theme FROM area_counts GROUP BY 1)"
    )


def _ai_related(b: Builder, name: str, src: str) -> str:
    """is_ai_related from the mapped themes, else the title; the rule counted over ``src``."""
    title = ai_text_sql(name)
    b.count_rules(
        "ai_related",
        f"CASE WHEN coalesce(a.ai_theme, FALSE) THEN 'competency_theme' WHEN {title} "
        "THEN 'title' ELSE 'not_ai' END",
        src,
    )
    return f"coalesce(a.ai_theme, FALSE) OR {title}"


def _wh_content(b: Builder) -> str:
    cte = _content_area_cte(b, "content_competency_mapping")
    src = "FROM clean_content c LEFT JOIN areas a USING (content_id)"
    b.count_rules(
        "competency_area",
        "CASE WHEN a.area IS NULL THEN 'unmapped' ELSE 'mapped' END",
        f"FROM clean_content c LEFT JOIN (WITH {cte} SELECT * FROM areas) a USING (content_id)",
    )
    b.count_rules(
        "duration",
        "CASE WHEN c.content_duration IS NULL THEN 'missing' ELSE 'seconds' END",
        "FROM clean_content c",
    )
    return f"WITH {cte} " + canonical_select(
        "content",
        {
            "content_id": "c.content_id",
            "content_name": "c.content_name",
            "content_provider": _text("c.content_provider_name"),
            "content_type": _text("c.content_type"),
            "duration_hours": "c.content_duration / 3600.0",
            "competency_area": "coalesce(a.area, 'unknown')",
            "is_ai_related": _ai_related(
                b,
                "c.content_name",
                f"FROM clean_content c LEFT JOIN (WITH {cte} SELECT * FROM areas) a "
                "USING (content_id)",
            ),
        },
        src,
    )


def _wh_enrolments(b: Builder) -> str:
    src = "FROM clean_user_enrolments e JOIN user_map m ON m.raw_id = e.user_id"
    join, status = _status_lookup(
        b,
        _with_id("clean_user_enrolments", "e", "user_id"),
        "e.user_consumption_status",
        "e.content_progress_percentage",
    )
    return canonical_select(
        "enrolments",
        {
            "user_key": "m.user_key",
            "content_id": "e.content_id",
            "enrolled_on": "e.enrolled_on",
            "status": status,
            "progress_pct": "e.content_progress_percentage",
            "completed_on": "coalesce(e.first_completed_on, e.last_completed_on)",
            "certificate_generated": "coalesce(e.certificate_generated, FALSE)",
            "user_rating": "nullif(e.user_rating, 0)",
            "acbp_mandate": "coalesce(e.live_cbp_plan_mandate, FALSE)",
        },
        f"{src} {join}",
        file_order("e"),
    )


#: The platform's event_details.event_type is the object type, always "Event"; the kind of event
#: (Webinar, Karmayogi Talks, ...) is in event_tag (docs/real-exports.md section 10).
_EVENT_TYPE = (
    "CASE WHEN lower(trim(e.event_type)) = 'event' AND nullif(trim(e.event_tag), '') IS NOT NULL "
    f"THEN trim(e.event_tag) ELSE {_text('e.event_type', 'Unknown')} END"
)


def _wh_events(b: Builder) -> str:
    org_join = (
        "LEFT JOIN clean_org_hierarchy o ON o.mdo_id = e.event_provider_mdo_id"
        if b.has("org_hierarchy")
        else "LEFT JOIN (SELECT NULL::VARCHAR AS mdo_id, NULL::VARCHAR AS mdo_name) o ON FALSE"
    )
    src = f"FROM clean_event_details e {org_join}"
    central = (
        f"(e.event_provider_mdo_id IS NULL OR "
        f"regexp_matches(lower(coalesce(o.mdo_name, '')), '{CENTRAL_PROVIDER_PATTERN}'))"
    )
    b.count_rules(
        "event_type",
        "CASE WHEN lower(trim(e.event_type)) = 'event' AND nullif(trim(e.event_tag), '') "
        "IS NOT NULL THEN 'from_event_tag' ELSE 'event_type' END",
        "FROM clean_event_details e",
    )
    b.count_rules(
        "event_is_central",
        f"CASE WHEN e.event_provider_mdo_id IS NULL THEN 'no_provider' "
        f"WHEN {central} THEN 'central_provider_name' ELSE 'ministry_provider' END",
        src,
    )
    return canonical_select(
        "events",
        {
            "event_id": "e.event_id",
            "event_name": "e.event_name",
            "event_type": _EVENT_TYPE,
            "provider_mdo_id": "e.event_provider_mdo_id",
            "is_central": central,
            "start_at": "e.event_start_datetime",
            "duration_hours": "e.duration / 60.0",
            "presenters": _text("e.presenters"),
        },
        src,
    )


def _wh_attendance(b: Builder) -> str:
    status, rule = event_status_sql("a.status")
    ev_join = (
        "LEFT JOIN clean_event_details ev ON ev.event_id = a.event_id"
        if b.has("event_details")
        else "LEFT JOIN (SELECT NULL::VARCHAR AS event_id, NULL::DOUBLE AS duration) ev ON FALSE"
    )
    src = f"FROM clean_event_enrolment_details a JOIN user_map m ON m.raw_id = a.user_id {ev_join}"
    counted = _with_id("clean_event_enrolment_details", "a", "user_id", ev_join)
    watch = (
        "coalesce(a.progress_duration / 3600.0, "
        "a.completion_percentage / 100.0 * a.event_duration_seconds / 3600.0, "
        "a.completion_percentage / 100.0 * ev.duration / 60.0)"
    )
    b.count_rules("event_status", rule, counted)
    b.count_rules(
        "watch_hours",
        "CASE WHEN a.progress_duration IS NOT NULL THEN 'progress_seconds' "
        "WHEN a.completion_percentage IS NOT NULL AND a.event_duration_seconds IS NOT NULL "
        "THEN 'share_of_event_seconds' WHEN a.completion_percentage IS NOT NULL "
        "AND ev.duration IS NOT NULL THEN 'share_of_event_minutes' ELSE 'missing' END",
        counted,
    )
    return canonical_select(
        "event_attendance",
        {
            "user_key": "m.user_key",
            "event_id": "a.event_id",
            "status": status,
            "enrolled_on": "a.enrolled_on_datetime",
            "completed_on": "a.completed_on_datetime",
            "completion_pct": "a.completion_percentage",
            "watch_hours": watch,
            "karma_points": "coalesce(a.karma_points, 0)",
        },
        src,
        file_order("a"),
    )


def _wh_karma(b: Builder) -> str:
    # Profile credits (FIRST_LOGIN, context "User") carry the user's own id as context_id: a raw
    # identifier, so any context_id that is a known user id is blanked.
    src = (
        "FROM clean_user_karma_points k JOIN user_map m ON m.raw_id = k.userid "
        "LEFT JOIN user_map c ON c.raw_id = k.context_id"
    )
    b.count_rules(
        "karma_context_id",
        "CASE WHEN c.raw_id IS NOT NULL THEN 'user_id_removed' ELSE 'kept' END",
        _with_id(
            "clean_user_karma_points",
            "k",
            "userid",
            "LEFT JOIN user_map c ON c.raw_id = k.context_id",
        ),
    )
    return canonical_select(
        "karma_ledger",
        {
            "user_key": "m.user_key",
            "credit_date": "k.credit_date",
            "context_type": _text("k.context_type"),
            "operation_type": "upper(trim(k.operation_type))",
            "context_id": "CASE WHEN c.raw_id IS NULL THEN k.context_id END",
            "points": "k.points",
        },
        src,
        file_order("k"),
    )


def _wh_acbp(b: Builder) -> str:
    progress, rule = progress_label_sql("a.current_progress")
    join = (
        "LEFT JOIN clean_content c ON c.content_id = a.content_id"
        if b.has("content")
        else "LEFT JOIN (SELECT NULL::VARCHAR AS content_id, NULL::VARCHAR AS content_name) c "
        "ON FALSE"
    )
    src = f"FROM clean_cbp_enrolment a JOIN user_map m ON m.raw_id = a.user_id {join}"
    b.count_rules("acbp_progress", rule, _with_id("clean_cbp_enrolment", "a", "user_id"))
    return canonical_select(
        "acbp_allocations",
        {
            "user_key": "m.user_key",
            "content_name": "coalesce(c.content_name, a.content_id)",
            "allocated_on": "a.allocated_on",
            "due_on": "a.due_date",
            "completed_on": "a.completed_on",
            "progress": progress,
        },
        src,
        file_order("a"),
    )


def _outcomes(b: Builder) -> str:
    return canonical_select(
        "outcomes",
        {
            "user_key": "m.user_key",
            "outcome": "trim(x.outcome)",
            "measured_on": "x.measured_on",
            "value": "x.value",
        },
        "FROM clean_outcomes x JOIN user_map m ON m.raw_id = x.user_id",
        file_order("x"),
    )


# --------------------------------------------------------------------------- reports


def _rp_learners(b: Builder) -> str:
    src = "FROM clean_user_report u JOIN user_map m ON m.raw_id = u.link_id"
    counted = _with_id("clean_user_report", "u", "link_id")
    join, group = _group_lookup(b, counted, 'u."Group"')
    b.count_rules(
        "mdo_id", "CASE WHEN u.mdoid IS NULL THEN 'from_path' ELSE 'from_body' END", counted
    )
    # The platform's user reports list active users only.
    b.count_rules("is_active", "'listed_in_user_report'", counted)
    frontline, rule = frontline_sql('u."Designation"')
    b.count_rules("frontline", rule, counted)
    return canonical_select(
        "learners",
        {
            "user_key": "m.user_key",
            "mdo_id": "coalesce(u.mdoid, u._mdoid)",
            "group": group,
            "gender": _text('u."Gender"', "Unknown"),
            "category": _text('u."Category"', "Unknown"),
            "designation": _text('u."Designation"'),
            "cadre": _text('u."Cadre"'),
            "civil_service_type": _text('u."Civil Service Type"'),
            "registered_on": 'u."User_Registration_Date"',
            "profile_status": _text('u."Profile_Status"'),
            "karma_points": 'coalesce(u."Karma_Points", 0)',
            "is_active": "TRUE",
            "is_frontline": frontline,
        },
        f"{src} {join}",
        file_order("u"),
    )


def _rp_orgs_union(b: Builder) -> str:
    parts = [
        'SELECT coalesce(mdoid, _mdoid) AS mdo_id, "MDO_Name" AS mdo_name, '
        f'"Ministry" AS ministry, "Department" AS department FROM clean_{s}'
        for s in ("user_report", "consumption_report", "cbp_report")
        if b.has(s)
    ]
    return " UNION ALL ".join(parts)


def _rp_org(b: Builder) -> str:
    union = _rp_orgs_union(b)
    if not union:
        return empty_select("org_hierarchy")
    cte = (
        f"WITH o AS (SELECT mdo_id, mode(mdo_name) AS mdo_name, mode(ministry) AS ministry, "
        f"mode(department) AS department FROM ({union}) WHERE mdo_id IS NOT NULL GROUP BY 1)"
    )
    exprs = _org_exprs(b, f"FROM ({cte} SELECT * FROM o) o", "NULL", "NULL")
    return f"{cte} " + canonical_select("org_hierarchy", exprs, "FROM o")


_CONTENT_ID_FROM_NAME = "'name-' || substr(md5(lower(trim(r.\"Content_Name\"))), 1, 16)"


def _rp_content_id_cte(b: Builder) -> str:
    if b.has("competency_report"):
        by_name = (
            "SELECT lower(trim(content_name)) AS name_key, min(content_id) AS content_id "
            "FROM clean_competency_report GROUP BY 1"
        )
    else:
        by_name = "SELECT NULL::VARCHAR AS name_key, NULL::VARCHAR AS content_id WHERE FALSE"
    return (
        f"by_name AS ({by_name}), "
        f"cr AS (SELECT r.*, coalesce(r.content_id, n.content_id, {_CONTENT_ID_FROM_NAME}) "
        "AS cid, CASE WHEN r.content_id IS NOT NULL THEN 'column' WHEN n.content_id IS NOT NULL "
        "THEN 'mapping_by_name' ELSE 'hash_of_name' END AS cid_rule "
        "FROM clean_consumption_report r "
        'LEFT JOIN by_name n ON n.name_key = lower(trim(r."Content_Name")))'
    )


def _rp_content(b: Builder) -> str:
    if not b.has("consumption_report"):
        return empty_select("content")
    cte = f"{_rp_content_id_cte(b)}, {_content_area_cte(b, 'competency_report')}"
    b.count_rules("content_id", "cid_rule", f"FROM (WITH {cte} SELECT * FROM cr)")
    grouped = (
        'SELECT cid AS content_id, mode("Content_Name") AS content_name, '
        'mode("Content_Provider") AS provider, mode("Content_Type") AS content_type, '
        'max("Content_Duration") AS hours FROM cr GROUP BY 1'
    )
    return f"WITH {cte}, g AS ({grouped}) " + canonical_select(
        "content",
        {
            "content_id": "g.content_id",
            "content_name": "g.content_name",
            "content_provider": _text("g.provider"),
            "content_type": _text("g.content_type"),
            "duration_hours": "g.hours",
            "competency_area": "coalesce(a.area, 'unknown')",
            "is_ai_related": _ai_related(
                b,
                "g.content_name",
                f"FROM (WITH {cte}, g AS ({grouped}) SELECT * FROM g) g "
                f"LEFT JOIN (WITH {cte} SELECT * FROM areas) a USING (content_id)",
            ),
        },
        "FROM g LEFT JOIN areas a USING (content_id)",
    )


def _rp_enrolments(b: Builder) -> str:
    if not b.has("consumption_report"):
        return empty_select("enrolments")
    cte = _rp_content_id_cte(b)
    join, status = _status_lookup(
        b,
        _with_id("clean_consumption_report", "cr", "link_id"),
        'cr."Status"',
        'cr."Content_Progress_Percentage"',
    )
    src = f"FROM cr JOIN user_map m ON m.raw_id = cr.link_id {join}"
    return f"WITH {cte} " + canonical_select(
        "enrolments",
        {
            "user_key": "m.user_key",
            "content_id": "cr.cid",
            "enrolled_on": 'cr."Enrolled_On"',
            "status": status,
            "progress_pct": 'cr."Content_Progress_Percentage"',
            "completed_on": 'cr."Completed_On"',
            "certificate_generated": 'coalesce(cr."Certificate_Generated", FALSE)',
            "user_rating": 'nullif(cr."User_Rating", 0)',
            "acbp_mandate": 'coalesce(cr."Live_CBP_Plan_Mandate", FALSE)',
        },
        src,
        file_order("cr"),
    )


def _rp_acbp(b: Builder) -> str:
    if not b.has("cbp_report"):
        return empty_select("acbp_allocations")
    progress, rule = progress_label_sql('a."Current Progress"')
    src = "FROM clean_cbp_report a JOIN user_map m ON m.raw_id = a.link_id"
    b.count_rules("acbp_progress", rule, _with_id("clean_cbp_report", "a", "link_id"))
    return canonical_select(
        "acbp_allocations",
        {
            "user_key": "m.user_key",
            "content_name": 'a."Name of CBP Allocated Course"',
            "allocated_on": 'a."Allocated On"',
            "due_on": 'a."Due Date of Completion"',
            "completed_on": 'a."Actual Date of Completion"',
            "progress": progress,
        },
        src,
        file_order("a"),
    )


Recipe = Callable[[Builder], str]

_WAREHOUSE: dict[str, tuple[str, Recipe]] = {
    "learners": ("user_detail", _wh_learners),
    "org_hierarchy": ("org_hierarchy", _wh_org),
    "content": ("content", _wh_content),
    "enrolments": ("user_enrolments", _wh_enrolments),
    "events": ("event_details", _wh_events),
    "event_attendance": ("event_enrolment_details", _wh_attendance),
    "karma_ledger": ("user_karma_points", _wh_karma),
    "acbp_allocations": ("cbp_enrolment", _wh_acbp),
    "outcomes": ("outcomes", _outcomes),
}

_REPORTS: dict[str, tuple[str, Recipe]] = {
    "learners": ("user_report", _rp_learners),
    "org_hierarchy": ("", _rp_org),
    "content": ("", _rp_content),
    "enrolments": ("", _rp_enrolments),
    "acbp_allocations": ("", _rp_acbp),
    "outcomes": ("outcomes", _outcomes),
}


def build_tables(b: Builder, shape: str) -> dict[str, str]:
    """Return table name -> SELECT for every canonical table of ``shape``.

    Tables the shape cannot fill (events, attendance and karma from reports) or whose source is
    missing get an empty SELECT with the contract's columns, and a note says so.
    """
    recipes = _WAREHOUSE if shape == "warehouse" else _REPORTS
    selects: dict[str, str] = {}
    for table in CANONICAL_COLUMNS:
        source, recipe = recipes.get(table, ("-", None))
        if recipe is None:
            b.notes.append(f"{table}: not available in the {shape} shape (empty table)")
            selects[table] = empty_select(table)
        elif source and not b.has(source):
            if table != "outcomes":
                b.notes.append(f"{table}: source {source!r} missing or unusable (empty table)")
            selects[table] = empty_select(table)
        else:
            selects[table] = recipe(b)
    return selects
