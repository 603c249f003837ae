"""Layout and verbatim columns of the synthetic raw export."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

WAREHOUSE_REQUIRED = {
    "user_detail": [
        "user_id", "mdo_id", "status", "no_of_karma_points", "full_name", "designation", "email",
        "phone_number", "groups", "tag", "profile_status", "user_registration_date", "roles",
        "gender", "category", "total_event_learning_hours", "total_content_learning_hours",
        "total_learning_hours", "employee_id", "cadre", "civil_service_type", "civil_services",
        "cadre_batch", "is_from_organised_service_of_govt",
    ],
    "user_enrolments": [
        "user_id", "batch_id", "content_id", "enrolled_on", "content_progress_percentage",
        "user_consumption_status", "first_completed_on", "last_completed_on",
        "certificate_generated", "user_rating", "live_cbp_plan_mandate", "karma_points",
    ],
    "content": [
        "content_id", "content_provider_name", "content_name", "content_type",
        "content_duration", "language",
    ],
    "org_hierarchy": [
        "mdo_id", "mdo_name", "ministry", "ministry_id", "department", "department_id",
    ],
}  # fmt: skip
WAREHOUSE_EXACT = {
    "event_details": [
        "event_id", "event_name", "event_provider_mdo_id", "event_start_datetime", "duration",
        "event_type", "presenters", "event_tag",
    ],
    "event_enrolment_details": [
        "user_id", "event_id", "status", "enrolled_on_datetime", "completed_on_datetime",
        "completion_percentage", "event_duration_seconds", "progress_duration", "karma_points",
    ],
    "user_karma_points": [
        "userid", "credit_date", "context_type", "operation_type", "context_id", "points",
    ],
    "content_competency_mapping": [
        "content_id", "content_name", "competency_area", "competency_area_description",
        "competency_theme", "competency_theme_description", "competency_theme_type",
        "competency_sub_theme", "competency_sub_theme_description",
    ],
    "cbp_enrolment": [
        "user_id", "content_id", "allocated_on", "due_date", "completed_on", "current_progress",
        "isapar",
    ],
}  # fmt: skip

# Report columns verbatim from DATA-CONTRACT.md, with mdoid removed (it is the folder name).
USER_REPORT = """Full_Name, Designation, Email, Phone_Number, MDO_Name, Group, Tag, Ministry,
Department, Organization, User_Registration_Date, Cadre, Civil Service Type, Civil Services,
Cadre Batch, Is From Organised Service of Govt, Roles, Gender, Category, External_System,
External_System_Id, Employee_Id, MDO_Created_On, Profile_Status,
weekly_claps_day_before_yesterday, Karma_Points, Event_Enrolments, Event_Completions,
Event_Learning_Hours, Course_Enrolments, Course_Completions, Course_Learning_Hours,
Total_Enrolments, Total_Completions, Total_Learning_Hours, Report_Last_Generated_On"""
CONSUMPTION_REPORT = """Full_Name, Designation, Email, Phone_Number, MDO_Name, Group, Tag,
Ministry, Department, Organization, Cadre, Civil Service Type, Civil Services, Cadre Batch,
Is From Organised Service of Govt, Content_Provider, Content_Name, Content_Type,
Content_Duration, Batch_Id, Batch_Name, Batch_Start_Date, Batch_End_Date, Enrolled_On, Status,
Content_Progress_Percentage, Last_Published_On, Content_Retired_On, Completed_On,
Certificate_Generated, User_Rating, Gender, Category, External_System, External_System_Id,
Certificate_ID, Report_Last_Generated_On, Live_CBP_Plan_Mandate"""
CBP_REPORT = """Name, Email, Phone, MDO_Name, Group, Designation, Ministry, Department,
Organization, Cadre, Civil Service Type, Civil Services, Cadre Batch,
Is From Organised Service of Govt, Name of CBP Allocated Course, isapar, Allocated On,
Current Progress, Due Date of Completion, Actual Date of Completion, Report_Last_Generated_On"""
COMPETENCY = WAREHOUSE_EXACT["content_competency_mapping"]

REPORTS = {
    "user-report": ("UserReport.csv", USER_REPORT),
    "user-enrollment-report": ("ConsumptionReport.csv", CONSUMPTION_REPORT),
    "cbp-report": ("CBPEnrollmentReport.csv", CBP_REPORT),
}


def _columns(text: str) -> list[str]:
    return [name.strip() for name in text.replace("\n", " ").split(",")]


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_top_level_layout(synth_dir: Path) -> None:
    names = sorted(p.name for p in synth_dir.iterdir())
    assert names == ["README.md", "external", "ground_truth.json", "reports", "warehouse"]
    assert "SYNTHETIC" in (synth_dir / "README.md").read_text(encoding="utf-8")
    assert not list(synth_dir.parent.glob("*.tmp-*")), "staging folder left behind"


@pytest.mark.parametrize("table", sorted(WAREHOUSE_REQUIRED))
def test_warehouse_columns_start_verbatim(synth_dir: Path, table: str) -> None:
    columns = header(synth_dir / "warehouse" / f"{table}.csv")
    expected = WAREHOUSE_REQUIRED[table]
    assert columns[: len(expected)] == expected


@pytest.mark.parametrize("table", sorted(WAREHOUSE_EXACT))
def test_warehouse_columns_exact(synth_dir: Path, table: str) -> None:
    assert header(synth_dir / "warehouse" / f"{table}.csv") == WAREHOUSE_EXACT[table]


def test_outcomes_columns(synth_dir: Path) -> None:
    assert header(synth_dir / "external" / "outcomes.csv") == [
        "user_id", "outcome", "measured_on", "value",
    ]  # fmt: skip


@pytest.mark.parametrize("folder", sorted(REPORTS))
def test_report_layout_and_columns(synth_dir: Path, folder: str) -> None:
    file_name, columns = REPORTS[folder]
    dates = sorted(p.name for p in (synth_dir / "reports" / folder).iterdir())
    assert len(dates) >= 2
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    files = sorted((synth_dir / "reports" / folder).glob(f"*/mdoid=*/{file_name}"))
    assert len(files) > 20
    for path in files[:: max(len(files) // 25, 1)]:
        assert re.fullmatch(r"mdoid=01\d{18}", path.parent.name)
        assert header(path) == _columns(columns)
        assert "mdoid" not in header(path)


def test_competency_report_has_no_mdo_level(synth_dir: Path) -> None:
    files = sorted((synth_dir / "reports" / "content-competency-mapping").glob("*/*.csv"))
    assert len(files) >= 2
    assert {p.name for p in files} == {"ContentCompetencyMapping.csv"}
    assert all(header(p) == COMPETENCY for p in files)


def test_status_values_and_duration_format(synth_dir: Path) -> None:
    files = sorted((synth_dir / "reports" / "user-enrollment-report").glob("*/*/*.csv"))
    statuses, durations = set(), set()
    for path in files[:40]:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                statuses.add(row["Status"])
                durations.add(row["Content_Duration"])
    assert statuses <= {"not-enrolled", "not-started", "in-progress", "completed"}
    assert {"completed", "in-progress"} <= statuses
    assert all(re.fullmatch(r"\d{2}:\d{2}:\d{2}", d) for d in durations)


def test_some_mdos_use_the_old_date_style(synth_dir: Path) -> None:
    old, new = 0, 0
    for path in sorted((synth_dir / "reports" / "user-report").glob("*/*/UserReport.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            row = next(csv.DictReader(handle))
        value = row["User_Registration_Date"]
        if re.fullmatch(r"\d{2}/\d{2}/\d{4}", value):
            old += 1
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", value):
            new += 1
        else:
            raise AssertionError(f"unexpected date {value!r} in {path}")
    assert 0 < old < 0.2 * (old + new)


def test_same_rows_appear_on_two_report_dates(synth_dir: Path) -> None:
    root = synth_dir / "reports" / "user-enrollment-report"
    early, late = sorted(p.name for p in root.iterdir())
    shared = sorted(p.name for p in (root / early).iterdir() if (root / late / p.name).exists())
    assert shared, "no MDO downloaded on both dates"

    def keys(path: Path) -> set[tuple[str, str, str]]:
        with path.open(encoding="utf-8", newline="") as handle:
            return {
                (r["Email"], r["Content_Name"], r["Enrolled_On"]) for r in csv.DictReader(handle)
            }

    overlap = 0
    for mdo in shared[:10]:
        first = keys(root / early / mdo / "ConsumptionReport.csv")
        second = keys(root / late / mdo / "ConsumptionReport.csv")
        overlap += len(first & second)
        assert len(first & second) >= 0.8 * len(first)
    assert overlap > 0
