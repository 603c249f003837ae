"""Canonical tables of the workbench: names, columns and their meaning.

Every processed table under ``data/processed/<dataset>/`` has exactly these columns, in this
order. Raw platform exports (MDO report CSVs or warehouse tables, see ``data/README.md``) are
mapped onto them by :mod:`evaluation.data.ingest`; everything downstream reads only these names.
Direct identifiers (names, emails, phones, employee / external / certificate ids, raw user ids)
never appear here: people are known only by ``user_key``, a keyed hash.
"""

from __future__ import annotations

__all__ = [
    "ACBP_PROGRESS",
    "ALLOWED_VALUES",
    "ARROW_TYPES",
    "CANONICAL_COLUMNS",
    "COMPETENCY_AREAS",
    "ENROLMENT_STATUSES",
    "EVENT_STATUSES",
    "GROUPS",
    "ORG_TYPES",
    "RANGES",
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "TABLES",
    "USER_KEY_PATTERN",
    "arrow_schema",
    "pandera_schema",
]

SCHEMA_VERSION = "1.2"  # 1.1: learners.is_active; 1.2: is_frontline, is_ai_related

GROUPS = ("A", "B", "C", "Unknown")
ENROLMENT_STATUSES = ("not-enrolled", "not-started", "in-progress", "completed")
COMPETENCY_AREAS = ("behavioural", "functional", "domain", "unknown")
ORG_TYPES = ("central", "state")

#: column -> (dtype, meaning). dtypes are pandas / Arrow logical types.
CANONICAL_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "learners": {
        "user_key": ("string", "keyed hash (HMAC-SHA256) of the platform user id"),
        "mdo_id": ("string", "organisation (MDO) id"),
        "group": ("string", "civil-service group A / B / C / Unknown, normalised"),
        "gender": ("string", "as recorded on the profile, or Unknown"),
        "category": ("string", "social category as recorded, or Unknown"),
        "designation": ("string", "job title as recorded (free text, kept inert)"),
        "cadre": ("string", "cadre, or empty"),
        "civil_service_type": ("string", "civil service type, or empty"),
        "registered_on": ("date32", "date the user registered on iGOT"),
        "profile_status": ("string", "profile completeness status as recorded"),
        "karma_points": ("int64", "karma points balance at the export date"),
        "is_active": (
            "bool",
            "account active on the platform; null when the export does not record it",
        ),
        "is_frontline": (
            "bool",
            "frontline worker (teacher, police, field functionary) by designation; null if blank",
        ),
    },
    "org_hierarchy": {
        "mdo_id": ("string", "organisation (MDO) id"),
        "mdo_name": ("string", "organisation name"),
        "ministry": ("string", "ministry (falls back to the MDO name)"),
        "department": ("string", "department (falls back to the ministry)"),
        "org_type": ("string", "central or state"),
        "state": ("string", "state / UT name for state organisations, empty for central"),
    },
    "content": {
        "content_id": ("string", "course / programme id"),
        "content_name": ("string", "title (kept inert)"),
        "content_provider": ("string", "provider organisation name"),
        "content_type": ("string", "Course / Program / Blended Program / ..."),
        "duration_hours": ("float64", "nominal duration in hours"),
        "competency_area": ("string", "behavioural / functional / domain / unknown"),
        "is_ai_related": ("bool", "AI-related course by competency theme or title"),
    },
    "enrolments": {
        "user_key": ("string", "learner"),
        "content_id": ("string", "course"),
        "enrolled_on": ("timestamp", "enrolment time"),
        "status": ("string", "not-enrolled / not-started / in-progress / completed"),
        "progress_pct": ("float64", "content progress 0-100"),
        "completed_on": ("timestamp", "first completion time, null if not completed"),
        "certificate_generated": ("bool", "a certificate was issued"),
        "user_rating": ("float64", "rating 1-5 given by the learner, null if none"),
        "acbp_mandate": ("bool", "the course is in the learner's ACBP / live CBP plan"),
    },
    "events": {
        "event_id": ("string", "event id"),
        "event_name": ("string", "title (kept inert)"),
        "event_type": ("string", "Webinar / Karmayogi Talks / Karmayogi Saptah / Samuhik Charcha"),
        "provider_mdo_id": ("string", "organising MDO"),
        "is_central": ("bool", "organised centrally (not by a ministry/department)"),
        "start_at": ("timestamp", "start time"),
        "duration_hours": ("float64", "scheduled duration in hours"),
        "presenters": ("string", "speakers (public role, not learners)"),
    },
    "event_attendance": {
        "user_key": ("string", "learner"),
        "event_id": ("string", "event"),
        "status": ("string", "enrolled / in-progress / completed"),
        "enrolled_on": ("timestamp", "registration time"),
        "completed_on": ("timestamp", "completion time, null if not completed"),
        "completion_pct": ("float64", "share of the event watched, 0-100"),
        "watch_hours": ("float64", "hours watched"),
        "karma_points": ("int64", "karma points earned"),
    },
    "karma_ledger": {
        "user_key": ("string", "learner"),
        "credit_date": ("timestamp", "when the points were credited"),
        "context_type": ("string", "what earned them (Course, Event, ...)"),
        "operation_type": ("string", "COURSE_COMPLETION, EVENT_ATTENDED, RATING, ..."),
        "context_id": ("string", "content or event id"),
        "points": ("int64", "points credited"),
    },
    "acbp_allocations": {
        "user_key": ("string", "learner"),
        "content_name": ("string", "allocated course"),
        "allocated_on": ("date32", "allocation date"),
        "due_on": ("date32", "due date of completion"),
        "completed_on": ("date32", "actual completion date, null if not completed"),
        "progress": ("string", "Completed / In Progress / Not Started / Not Enrolled"),
    },
    "outcomes": {
        "user_key": ("string", "learner"),
        "outcome": ("string", "outcome name, e.g. assessment_score"),
        "measured_on": ("date32", "measurement date"),
        "value": ("float64", "measured value"),
    },
}

TABLES = tuple(CANONICAL_COLUMNS)

# --------------------------------------------------------------------------- schemas
# Types are enforced on the Parquet files (``arrow_schema``); the pandera schemas check values
# (allowed codes, ranges, key format, non-null keys) on any pandas frame read from the store.

#: Contract dtype -> Arrow type name (see :func:`arrow_schema`).
ARROW_TYPES = {
    "string": "string",
    "date32": "date32",
    "timestamp": "timestamp[us]",
    "float64": "double",
    "int64": "int64",
    "bool": "bool",
}

USER_KEY_PATTERN = r"^[0-9a-f]{64}$"
EVENT_STATUSES = ("enrolled", "in-progress", "completed")
ACBP_PROGRESS = ("Completed", "In Progress", "Not Started", "Not Enrolled")

#: Columns that may never be null, per table.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "learners": ("user_key", "group"),
    "org_hierarchy": ("mdo_id", "org_type"),
    "content": ("content_id", "competency_area"),
    "enrolments": ("user_key", "content_id", "status"),
    "events": ("event_id",),
    "event_attendance": ("user_key", "event_id", "status"),
    "karma_ledger": ("user_key", "points"),
    "acbp_allocations": ("user_key", "progress"),
    "outcomes": ("user_key", "outcome"),
}

#: Columns whose values must come from a fixed list, per table.
ALLOWED_VALUES: dict[str, dict[str, tuple[str, ...]]] = {
    "learners": {"group": GROUPS},
    "org_hierarchy": {"org_type": ORG_TYPES},
    "content": {"competency_area": COMPETENCY_AREAS},
    "enrolments": {"status": ENROLMENT_STATUSES},
    "event_attendance": {"status": EVENT_STATUSES},
    "acbp_allocations": {"progress": ACBP_PROGRESS},
}

#: Numeric columns with a closed range [low, high] (None = unbounded).
RANGES: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "content": {"duration_hours": (0.0, None)},
    "enrolments": {"progress_pct": (0.0, 100.0), "user_rating": (0.0, 5.0)},
    "events": {"duration_hours": (0.0, None)},
    "event_attendance": {"completion_pct": (0.0, 100.0), "watch_hours": (0.0, None)},
}


def arrow_schema(table: str) -> object:
    """Return the :class:`pyarrow.Schema` a processed Parquet file of ``table`` must have.

    Parameters
    ----------
    table : str
        A canonical table name (one of ``TABLES``).

    Raises
    ------
    ValueError
        If ``table`` is not a canonical table.
    """
    import pyarrow as pa

    if table not in CANONICAL_COLUMNS:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
    types = {
        "string": pa.string(),
        "date32": pa.date32(),
        "timestamp": pa.timestamp("us"),
        "float64": pa.float64(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
    }
    return pa.schema([(c, types[d]) for c, (d, _) in CANONICAL_COLUMNS[table].items()])


def pandera_schema(table: str) -> object:
    """Return the pandera ``DataFrameSchema`` checking the values of a canonical table.

    Columns are required and ordered as in the contract; keys are non-null; ``user_key`` is 64 hex
    characters; coded columns take only their allowed values; percentages lie in 0-100 and
    durations are non-negative. Dtypes are not checked here (pandas nullable types vary); the
    Parquet schema is checked with :func:`arrow_schema`.

    Raises
    ------
    ValueError
        If ``table`` is not a canonical table.
    """
    import pandera.pandas as pa

    if table not in CANONICAL_COLUMNS:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
    columns = {}
    for name in CANONICAL_COLUMNS[table]:
        checks = []
        if name == "user_key":
            checks.append(pa.Check.str_matches(USER_KEY_PATTERN))
        if name in ALLOWED_VALUES.get(table, {}):
            checks.append(pa.Check.isin(ALLOWED_VALUES[table][name]))
        low, high = RANGES.get(table, {}).get(name, (None, None))
        if low is not None:
            checks.append(pa.Check.ge(low))
        if high is not None:
            checks.append(pa.Check.le(high))
        nullable = name not in REQUIRED_COLUMNS.get(table, ())
        columns[name] = pa.Column(checks=checks, nullable=nullable, required=True)
    return pa.DataFrameSchema(columns, ordered=True, strict=True, name=table)
