"""What each raw input looks like: file names, columns, their kinds and keys.

Column names are verbatim from the platform's exports (see ``/data/README.md``). A *kind* says how
a raw value is parsed and checked; ``pii`` columns are read only to be dropped (the email is the
exception: it is the link key of reports without user ids, hashed before anything is stored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Kind",
    "REPORT_SOURCES",
    "SourceSpec",
    "WAREHOUSE_SOURCES",
    "all_sources",
]

Kind = Literal[
    "id",  # identifier, kept as text
    "user_id",  # platform user id: hashed, never stored raw
    "text",  # free text kept as data
    "pii",  # direct identifier: read, checked for nothing, dropped
    "int",
    "float",
    "pct",  # percentage 0-100
    "rating",  # 1-5 or empty
    "timestamp",
    "date",
    "hms",  # duration HH:MM:SS
    "seconds",  # duration in seconds
    "minutes",  # duration in minutes
    "bool",  # true/false, yes/no, 1/0
]


@dataclass(frozen=True)
class SourceSpec:
    """One raw input table.

    Parameters
    ----------
    name : str
        Logical name (``user_enrolments``, ``consumption_report``, ...).
    shape : {"warehouse", "reports"}
        Which raw shape it belongs to.
    file_stems : tuple of str
        Accepted file stems (``UserReport`` or ``UserCustomReport``; warehouse: the table name).
    columns : dict
        Known column -> kind. Columns not listed are reported as unexpected (warning) and ignored.
    required : tuple of str
        Columns without which the file cannot be used. A tuple inside means "one of these".
    key : tuple of str
        Columns identifying a row, for duplicate checks (empty: no check).
    report_folder : str
        For reports: the report folder name under ``reports/``.
    pairs : tuple of (str, str)
        (start, end) date columns where the end must not precede the start.
    needed : tuple of (columns, purpose)
        Columns an analysis cannot do without, with what they are needed for. A file lacking
        them (all of a tuple of alternatives) stops the ingest with ``missing_column`` naming
        the file, the column and the purpose.
    optional : tuple of (column, purpose)
        Columns the workbench uses when present; a file without one gets a
        ``missing_optional_column`` warning saying what is lost.
    fallbacks : tuple of (column, substitute, why)
        When a file lacks ``column`` but has ``substitute``, the substitute is read in its place
        (a ``column_fallback`` warning says so).
    ignored : frozenset of str
        Columns the platform writes that the workbench does not use: never read, not reported
        as unexpected.
    """

    name: str
    shape: Literal["warehouse", "reports"]
    file_stems: tuple[str, ...]
    columns: dict[str, Kind]
    required: tuple[str | tuple[str, ...], ...]
    key: tuple[str, ...] = ()
    report_folder: str = ""
    pairs: tuple[tuple[str, str], ...] = field(default=())
    needed: tuple[tuple[str | tuple[str, ...], str], ...] = field(default=())
    optional: tuple[tuple[str, str], ...] = field(default=())
    fallbacks: tuple[tuple[str, str, str], ...] = field(default=())
    ignored: frozenset[str] = field(default=frozenset())
    report_folders: tuple[str, ...] = field(default=())

    def required_groups(self) -> list[tuple[str, ...]]:
        """Required columns as groups of alternatives."""
        return [(r,) if isinstance(r, str) else r for r in self.required]

    def needed_groups(self) -> list[tuple[tuple[str, ...], str]]:
        """Needed columns as (alternatives, purpose)."""
        return [((c,) if isinstance(c, str) else c, why) for c, why in self.needed]

    def fallback_for(self, column: str, header: set[str] | frozenset[str]) -> str | None:
        """The substitute read for ``column`` when a file's ``header`` lacks it, else None."""
        if column in header:
            return None
        return next(
            (sub for col, sub, _ in self.fallbacks if col == column and sub in header), None
        )

    def folders(self) -> tuple[str, ...]:
        """Report folder names this source is found under (ours and the platform's)."""
        return (self.report_folder, *self.report_folders) if self.report_folder else ()


_USER_DETAIL: dict[str, Kind] = {
    "user_id": "user_id",
    "mdo_id": "id",
    "status": "text",
    "no_of_karma_points": "int",
    "full_name": "pii",
    "designation": "text",
    "email": "pii",
    "phone_number": "pii",
    "groups": "text",
    "tag": "text",
    "profile_status": "text",
    "user_registration_date": "timestamp",
    "roles": "text",
    "gender": "text",
    "category": "text",
    "total_event_learning_hours": "float",
    "total_content_learning_hours": "float",
    "total_learning_hours": "float",
    "employee_id": "pii",
    "external_system": "text",
    "external_system_id": "pii",
    "cadre": "text",
    "civil_service_type": "text",
    "civil_services": "text",
    "cadre_batch": "text",
    "is_from_organised_service_of_govt": "text",
}

# What the analysis uses a column for (the "needed for" of a missing column's error).
_FOR_COMPLETIONS = (
    "the completion date: completions_90d, course_hours_90d, the window's completions and "
    "learning hours, and the daily completions figure"
)
_FOR_COURSE_HOURS = (
    "course learning hours (content.duration_hours): learning_hours, the 4-hour target and "
    "course_hours_90d"
)
_FOR_REGISTERED = (
    "the impact population (people registered before the week, learners.registered_on) and tenure"
)
_FOR_MANDATE = (
    "leaving ACBP-mandated courses out of the before/after comparison (without it none are)"
)
_FOR_GROUP = "the Group A/B/C comparisons (everyone is 'Unknown' without it)"
_FOR_ACBP_ON_TIME = "ACBP completion on time (acbp_on_time: completed by the due date)"
#: Scala UserReport / ConsumptionReport / CBPEnrollmentReport have no MDO_Name.
_MDO_NAME_FALLBACK = (
    (
        "MDO_Name",
        "Organization",
        "the Scala report jobs (4.8.15, 4.8.18) write no MDO_Name; their Organization is the "
        "user's organisation name (userOrgName), the value the Python job writes as MDO_Name",
    ),
)
_WAREHOUSE_STAMP = frozenset({"data_last_generated_on"})

WAREHOUSE_SOURCES: dict[str, SourceSpec] = {
    "user_detail": SourceSpec(
        "user_detail",
        "warehouse",
        ("user_detail",),
        _USER_DETAIL,
        ("user_id",),
        ("user_id",),
        needed=(
            ("mdo_id", "the learner's organisation: every ministry, department and MDO figure"),
            ("user_registration_date", _FOR_REGISTERED),
        ),
        optional=(
            ("groups", _FOR_GROUP),
            ("status", "is_active (without it no account counts as deactivated)"),
        ),
        ignored=_WAREHOUSE_STAMP
        | {
            "pincode",
            "marked_as_not_my_user",
            "is_verified_karmayogi",
            "created_by_id",
            "weekly_claps_day_before_yesterday",
        },
    ),
    "user_enrolments": SourceSpec(
        "user_enrolments",
        "warehouse",
        ("user_enrolments",),
        {
            "user_id": "user_id",
            "batch_id": "id",
            "content_id": "id",
            "enrolled_on": "timestamp",
            "content_progress_percentage": "pct",
            "user_consumption_status": "text",
            "first_completed_on": "timestamp",
            "last_completed_on": "timestamp",
            "certificate_generated": "bool",
            "certificate_id": "pii",
            "user_rating": "rating",
            "live_cbp_plan_mandate": "bool",
            "karma_points": "int",
        },
        ("user_id", "content_id"),
        ("user_id", "content_id", "batch_id"),
        pairs=(("enrolled_on", "first_completed_on"),),
        needed=(
            (("first_completed_on", "last_completed_on"), _FOR_COMPLETIONS),
            (("user_consumption_status", "content_progress_percentage"), "the enrolment status"),
        ),
        optional=(("live_cbp_plan_mandate", _FOR_MANDATE),),
        ignored=_WAREHOUSE_STAMP
        | {
            "resource_count_consumed",
            "first_certificate_generated_on",
            "last_certificate_generated_on",
            "content_last_accessed_on",
            "number_of_certificate",
        },
    ),
    "content": SourceSpec(
        "content",
        "warehouse",
        ("content",),
        {
            "content_id": "id",
            "content_provider_name": "text",
            "content_provider_id": "id",
            "content_name": "text",
            "content_type": "text",
            "content_duration": "seconds",
            "language": "text",
            "content_status": "text",
            "content_category": "text",
        },
        ("content_id",),
        ("content_id",),
        needed=(("content_duration", _FOR_COURSE_HOURS),),
        ignored=_WAREHOUSE_STAMP
        | {
            "batch_id",
            "batch_name",
            "batch_start_date",
            "batch_end_date",
            "content_rating",
            "last_published_on",
            "content_retired_on",
            "resource_count",
            "total_certificates_issued",
            "content_substatus",
            "content_sub_type",
            "scorm_flag",
        },
    ),
    "org_hierarchy": SourceSpec(
        "org_hierarchy",
        "warehouse",
        ("org_hierarchy",),
        {
            "mdo_id": "id",
            "mdo_name": "text",
            "ministry": "text",
            "ministry_id": "id",
            "department": "text",
            "department_id": "id",
            "org_type": "text",
            "organisation_type": "text",
            "state": "text",
            "sector": "text",
        },
        ("mdo_id",),
        ("mdo_id",),
        optional=(
            ("mdo_name", "MDO names in the tables and briefs"),
            ("ministry", "the ministry breakdowns and briefs (the MDO name stands in)"),
        ),
        ignored=_WAREHOUSE_STAMP
        | {"is_cca", "mdo_created_on", "is_content_provider", "organization"},
    ),
    "event_details": SourceSpec(
        "event_details",
        "warehouse",
        ("event_details",),
        {
            "event_id": "id",
            "event_name": "text",
            "event_provider_mdo_id": "id",
            "event_start_datetime": "timestamp",
            "duration": "minutes",
            "event_type": "text",
            "presenters": "text",
            "event_tag": "text",
        },
        ("event_id",),
        ("event_id",),
        needed=(
            (
                "event_start_datetime",
                "which events fall in a window (events.start_at): event hours, events attended "
                "and the 4-hour target",
            ),
        ),
        ignored=frozenset({"event_status", "video_link", "recording_link"}),
    ),
    "event_enrolment_details": SourceSpec(
        "event_enrolment_details",
        "warehouse",
        ("event_enrolment_details",),
        {
            "user_id": "user_id",
            "event_id": "id",
            "status": "text",
            "enrolled_on_datetime": "timestamp",
            "completed_on_datetime": "timestamp",
            "completion_percentage": "pct",
            "event_duration_seconds": "seconds",
            "progress_duration": "seconds",
            "karma_points": "int",
        },
        ("user_id", "event_id"),
        ("user_id", "event_id"),
        pairs=(("enrolled_on_datetime", "completed_on_datetime"),),
        needed=(
            (
                ("progress_duration", "completion_percentage"),
                "event watch hours (event_attendance.watch_hours): event hours and the 4-hour "
                "target",
            ),
        ),
        ignored=frozenset({"certificate_id", "event_duration", "duration"}),
    ),
    "user_karma_points": SourceSpec(
        "user_karma_points",
        "warehouse",
        ("user_karma_points",),
        {
            "userid": "user_id",
            "credit_date": "timestamp",
            "context_type": "text",
            "operation_type": "text",
            "context_id": "id",
            "points": "int",
        },
        ("userid", "points"),
        ("userid", "credit_date", "context_type", "operation_type", "context_id"),
        needed=(("credit_date", "karma points credited in a window and the NLW leaderboard"),),
        ignored=frozenset({"addinfo"}),
    ),
    "content_competency_mapping": SourceSpec(
        "content_competency_mapping",
        "warehouse",
        ("content_competency_mapping", "ContentCompetencyMapping"),
        {
            "content_id": "id",
            "content_name": "text",
            "competency_area": "text",
            "competency_area_description": "text",
            "competency_theme": "text",
            "competency_theme_description": "text",
            "competency_theme_type": "text",
            "competency_sub_theme": "text",
            "competency_sub_theme_description": "text",
        },
        ("content_id", "competency_area"),
        ("content_id", "competency_area", "competency_theme", "competency_sub_theme"),
    ),
    # The platform's own competency tables (PY kcmReport.py, S18 KCMModel.scala): the mapping of
    # content to competency ids, and the dictionary naming them. Joined on the three ids, as the
    # job joins them for ContentCompetencyMapping.csv, they give each content item its areas.
    "kcm_content_mapping": SourceSpec(
        "kcm_content_mapping",
        "warehouse",
        ("kcm_content_mapping",),
        {
            "course_id": "id",
            "competency_area_id": "id",
            "competency_theme_id": "id",
            "competency_sub_theme_id": "id",
        },
        ("course_id",),
        ("course_id", "competency_area_id", "competency_theme_id", "competency_sub_theme_id"),
        ignored=_WAREHOUSE_STAMP,
    ),
    "kcm_dictionary": SourceSpec(
        "kcm_dictionary",
        "warehouse",
        ("kcm_dictionary",),
        {
            "competency_area_id": "id",
            "competency_area": "text",
            "competency_theme_id": "id",
            "competency_theme": "text",
            "competency_sub_theme_id": "id",
            "competency_sub_theme": "text",
        },
        ("competency_area_id", "competency_area"),
        ("competency_area_id", "competency_theme_id", "competency_sub_theme_id"),
        ignored=_WAREHOUSE_STAMP
        | {
            "competency_area_description",
            "competency_theme_description",
            "competency_sub_theme_description",
            "competency_theme_type",
        },
    ),
    "cbp_enrolment": SourceSpec(
        "cbp_enrolment",
        "warehouse",
        ("cbp_enrolment",),
        {
            "user_id": "user_id",
            "content_id": "id",
            "allocated_on": "date",
            "due_date": "date",
            "completed_on": "date",
            "current_progress": "text",
            "isapar": "bool",
        },
        ("user_id", "content_id"),
        ("user_id", "content_id"),
        needed=(
            ("allocated_on", "the ACBP allocations of the cycle before the week"),
            ("due_date", _FOR_ACBP_ON_TIME),
            ("completed_on", _FOR_ACBP_ON_TIME),
        ),
    ),
}

# Columns shared by the three person-level MDO reports (profile block).
_PROFILE: dict[str, Kind] = {
    "userID": "user_id",
    "Full_Name": "pii",
    "Name": "pii",
    "Designation": "text",
    "Email": "pii",
    "Phone_Number": "pii",
    "Phone": "pii",
    "MDO_Name": "text",
    "Group": "text",
    "Tag": "text",
    "Ministry": "text",
    "Department": "text",
    "Organization": "text",
    "Cadre": "text",
    "Civil Service Type": "text",
    "Civil Services": "text",
    "Cadre Batch": "text",
    "Is From Organised Service of Govt": "text",
    "Gender": "text",
    "Category": "text",
    "External_System": "text",
    "External_System_Id": "pii",
    "mdoid": "id",
    "Report_Last_Generated_On": "timestamp",
}

_USER_REPORT: dict[str, Kind] = _PROFILE | {
    "User_Registration_Date": "timestamp",
    "Roles": "text",
    "Employee_Id": "pii",
    "MDO_Created_On": "timestamp",
    "Profile_Status": "text",
    "weekly_claps_day_before_yesterday": "int",
    "Karma_Points": "int",
    "Event_Enrolments": "int",
    "Event_Completions": "int",
    "Event_Learning_Hours": "float",
    "Course_Enrolments": "int",
    "Course_Completions": "int",
    "Course_Learning_Hours": "float",
    "Total_Enrolments": "int",
    "Total_Completions": "int",
    "Total_Learning_Hours": "float",
}

_CONSUMPTION: dict[str, Kind] = _PROFILE | {
    "Content_Provider": "text",
    "Content_Name": "text",
    "Content_Type": "text",
    "Content_Duration": "hms",
    "Batch_Id": "id",
    "Batch_Name": "text",
    "Batch_Start_Date": "text",  # "Not Available" for external content
    "Batch_End_Date": "text",
    "Enrolled_On": "timestamp",
    "Status": "text",
    "Content_Progress_Percentage": "pct",
    "Last_Published_On": "timestamp",
    "Content_Retired_On": "timestamp",
    "Completed_On": "timestamp",
    "Certificate_Generated": "bool",
    "User_Rating": "rating",
    "Certificate_ID": "pii",
    "Live_CBP_Plan_Mandate": "bool",
    "content_id": "id",
}

_CBP: dict[str, Kind] = _PROFILE | {
    "Name of CBP Allocated Course": "text",
    "isapar": "bool",
    "Allocated On": "date",
    "Current Progress": "text",
    "Due Date of Completion": "date",
    "Actual Date of Completion": "date",
}

_LINK = ("userID", "Email")

REPORT_SOURCES: dict[str, SourceSpec] = {
    "user_report": SourceSpec(
        "user_report",
        "reports",
        ("UserReport", "UserCustomReport"),
        _USER_REPORT,
        (_LINK, "MDO_Name"),
        ("link_id",),
        report_folder="user-report",
        needed=(("User_Registration_Date", _FOR_REGISTERED),),
        # The Scala user reports carry none of the last four (docs/real-exports.md §1, §15): a
        # blank text value and a balance of 0 stand in, as for a blank cell, and each file
        # without them gets a warning, so the loss is counted.
        optional=(
            ("Group", _FOR_GROUP),
            ("Cadre", "the learners' cadre (left blank)"),
            ("Civil Service Type", "the learners' civil-service type (left blank)"),
            ("Profile_Status", "the learners' profile status (left blank)"),
            ("Karma_Points", "the learners' karma-point balance (0 stands in)"),
        ),
        fallbacks=_MDO_NAME_FALLBACK,
        ignored=frozenset(
            {
                "Verified Karmayogi",
                "Event_Learning_Hr_After_19_Oct",
                "Content_Learning_Hr_After_19_Oct",
                "Total_Learning_Hr_After_19_Oct",
            }
        ),
    ),
    "consumption_report": SourceSpec(
        "consumption_report",
        "reports",
        ("ConsumptionReport",),
        _CONSUMPTION,
        (_LINK, "Content_Name", "Enrolled_On", "Status"),
        ("link_id", "Content_Name", "Batch_Id"),
        report_folder="user-enrollment-report",
        pairs=(("Enrolled_On", "Completed_On"),),
        needed=(
            ("Completed_On", _FOR_COMPLETIONS),
            ("Content_Duration", _FOR_COURSE_HOURS),
        ),
        optional=(
            ("Content_Progress_Percentage", "progress_pct, and the status of rows without one"),
            ("Live_CBP_Plan_Mandate", _FOR_MANDATE),
        ),
        fallbacks=_MDO_NAME_FALLBACK,
    ),
    "cbp_report": SourceSpec(
        "cbp_report",
        "reports",
        ("CBPEnrollmentReport",),
        _CBP,
        (_LINK, "Name of CBP Allocated Course"),
        ("link_id", "Name of CBP Allocated Course"),
        report_folder="cbp-report",
        report_folders=("cbp-report-mdo-enrolment",),
        needed=(
            ("Allocated On", "the ACBP allocations of the cycle before the week"),
            ("Due Date of Completion", _FOR_ACBP_ON_TIME),
            ("Actual Date of Completion", _FOR_ACBP_ON_TIME),
        ),
        fallbacks=_MDO_NAME_FALLBACK,
    ),
    "competency_report": SourceSpec(
        "competency_report",
        "reports",
        ("ContentCompetencyMapping",),
        WAREHOUSE_SOURCES["content_competency_mapping"].columns,
        ("content_id", "competency_area"),
        ("content_id", "competency_area", "competency_theme", "competency_sub_theme"),
        report_folder="content-competency-mapping",
        report_folders=("kcm-report",),
    ),
}

OUTCOMES_SOURCE = SourceSpec(
    "outcomes",
    "warehouse",
    ("outcomes",),
    {"user_id": "user_id", "outcome": "text", "measured_on": "date", "value": "float"},
    ("user_id", "outcome", "value"),
    ("user_id", "outcome", "measured_on"),
)


def all_sources() -> dict[str, SourceSpec]:
    """Every known raw input, by logical name."""
    return WAREHOUSE_SOURCES | REPORT_SOURCES | {"outcomes": OUTCOMES_SOURCE}
