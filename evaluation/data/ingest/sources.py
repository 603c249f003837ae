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
    """

    name: str
    shape: Literal["warehouse", "reports"]
    file_stems: tuple[str, ...]
    columns: dict[str, Kind]
    required: tuple[str | tuple[str, ...], ...]
    key: tuple[str, ...] = ()
    report_folder: str = ""
    pairs: tuple[tuple[str, str], ...] = field(default=())

    def required_groups(self) -> list[tuple[str, ...]]:
        """Required columns as groups of alternatives."""
        return [(r,) if isinstance(r, str) else r for r in self.required]


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

WAREHOUSE_SOURCES: dict[str, SourceSpec] = {
    "user_detail": SourceSpec(
        "user_detail", "warehouse", ("user_detail",), _USER_DETAIL, ("user_id",), ("user_id",)
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
    ),
    "cbp_report": SourceSpec(
        "cbp_report",
        "reports",
        ("CBPEnrollmentReport",),
        _CBP,
        (_LINK, "Name of CBP Allocated Course"),
        ("link_id", "Name of CBP Allocated Course"),
        report_folder="cbp-report",
    ),
    "competency_report": SourceSpec(
        "competency_report",
        "reports",
        ("ContentCompetencyMapping",),
        WAREHOUSE_SOURCES["content_competency_mapping"].columns,
        ("content_id", "competency_area"),
        ("content_id", "competency_area", "competency_theme", "competency_sub_theme"),
        report_folder="content-competency-mapping",
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
