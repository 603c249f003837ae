"""Canonical tables of the workbench: names, columns and their meaning.

Every processed table under ``data/processed/<dataset>/`` has exactly these columns, in this
order. Raw platform exports (MDO report CSVs or warehouse tables, see ``data/README.md``) are
mapped onto them by :mod:`evaluation.ingest`; everything downstream reads only these names.
Direct identifiers (names, emails, phones, employee / external / certificate ids, raw user ids)
never appear here: people are known only by ``user_key``, a keyed hash.
"""

from __future__ import annotations

SCHEMA_VERSION = "1.0"

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
