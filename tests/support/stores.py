"""A tiny hand-made processed store whose KPIs are known by hand, and params that run on it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd


def _ts(text: str | None) -> pd.Timestamp:
    return pd.Timestamp(text) if text else pd.NaT


def write_tiny_store(folder: Path) -> Path:
    """Write a processed store of 5 people, 3 courses and 2 events (window 2024-10-19..27).

    By hand: participants u1, u2, u3, u5 (u4 completed only before the window) = 4;
    hours u1 = 3 + 2 = 5 (target met), u2 = 1.5, u3 = 3 + 1 = 4 (met, event), u5 = 0.5 event only;
    target met = 2; completions in window = u1 x2, u2 x1, u3 x1 = 4, on 19 Oct (1), 24 Oct (3);
    enrolments in window = 4 (u1's second course, u2, u3, u4's second course).
    """
    folder.mkdir(parents=True, exist_ok=True)
    learners = pd.DataFrame(
        {
            "user_key": ["u1", "u2", "u3", "u4", "u5"],
            "mdo_id": ["m1", "m1", "m2", "m2", "m2"],
            "group": ["A", "B", "A", "C", "Unknown"],
            "gender": ["Female", "Male", "Female", "Male", "Unknown"],
            "category": ["General", "OBC", "SC", "General", "Unknown"],
            "registered_on": pd.to_datetime(["2023-01-01"] * 5),
        }
    )
    orgs = pd.DataFrame(
        {
            "mdo_id": ["m1", "m2"],
            "mdo_name": ["Department of Examples", "Odisha Department of Tests"],
            "ministry": ["Ministry of Examples", "Odisha"],
            "department": ["Department of Examples", "Odisha Department of Tests"],
            "org_type": ["central", "state"],
            "state": ["", "Odisha"],
        }
    )
    content = pd.DataFrame(
        {
            "content_id": ["c1", "c2", "c3"],
            "content_name": ["Ethics <b>in</b> governance", "=1+1 formula title", "योग और कार्य"],
            "content_provider": ["CBC", "CBC", "NIC"],
            "content_type": ["Course", "Course", "Program"],
            "duration_hours": [3.0, 2.0, 1.5],
            "competency_area": ["behavioural", "domain", "functional"],
        }
    )
    rows = [
        ("u1", "c1", "2024-10-18 10:00", "2024-10-19 09:00"),
        ("u1", "c2", "2024-10-20 10:00", "2024-10-24 11:00"),
        ("u2", "c3", "2024-10-24 08:00", "2024-10-24 23:59:59"),
        ("u3", "c1", "2024-10-21 10:00", "2024-10-24 10:00"),
        ("u4", "c2", "2024-09-01 10:00", "2024-09-02 10:00"),
        ("u4", "c3", "2024-10-27 23:00", None),
        ("u5", "c3", "2024-10-28 00:00", "2024-10-28 00:30"),
    ]
    enrolments = pd.DataFrame(
        rows, columns=["user_key", "content_id", "enrolled_on", "completed_on"]
    )
    enrolments["enrolled_on"] = enrolments["enrolled_on"].map(_ts)
    enrolments["completed_on"] = enrolments["completed_on"].map(_ts)
    events = pd.DataFrame(
        {
            "event_id": ["e1", "e2"],
            "event_name": ["Karmayogi Saptah: opening", "Samuhik Charcha 1"],
            "event_type": ["Karmayogi Saptah", "Samuhik Charcha"],
            "provider_mdo_id": ["m1", "m2"],
            "is_central": [True, False],
            "start_at": [_ts("2024-10-22 15:00"), _ts("2024-11-05 15:00")],
            "duration_hours": [1.0, 1.0],
            "presenters": ["Dr. A Speaker, Smt. B Speaker", ""],
        }
    )
    attendance = pd.DataFrame(
        {
            "user_key": ["u3", "u5", "u1", "u2"],
            "event_id": ["e1", "e1", "e2", "e1"],
            "status": ["completed", "in-progress", "completed", "in-progress"],
            "watch_hours": [1.0, 0.5, 1.0, 0.0],
            "karma_points": [5, 0, 5, 0],
        }
    )
    karma = pd.DataFrame(
        {
            "user_key": ["u1", "u1", "u3"],
            "credit_date": [
                _ts("2024-10-19 09:00"),
                _ts("2024-10-24 11:00"),
                _ts("2024-10-24 10:00"),
            ],
            "context_type": ["Course", "Course", "Course"],
            "operation_type": ["COURSE_COMPLETION"] * 3,
            "context_id": ["c1", "c2", "c1"],
            "points": [5, 5, 10],
        }
    )
    for name, frame in {
        "learners": learners,
        "org_hierarchy": orgs,
        "content": content,
        "enrolments": enrolments,
        "events": events,
        "event_attendance": attendance,
        "karma_ledger": karma,
    }.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def tiny_params(tmp_path: Path, notebooks: list[str]) -> Path:
    """Params for an edition on a fresh tiny store under ``tmp_path`` running ``notebooks``."""
    store = write_tiny_store(tmp_path / "processed" / "tiny")
    (store / "manifest.json").write_text("{}")
    (tmp_path / "raw").mkdir()
    path = tmp_path / "tiny.yaml"
    path.write_text(
        'edition: "2024"\ntitle: "Tiny edition"\n'
        'window: {start: "2024-10-19", end: "2024-10-27"}\n'
        f"data: {{raw: {tmp_path}/raw, processed: {tmp_path}/processed, dataset: tiny, "
        "synthetic: {scale: 0.01, seed: 1}}\n"
        f"notebooks: {json.dumps(notebooks)}\n"
        # five people: the tiny store tests mechanics, not disclosure control
        "min_cell: 1\n"
    )
    return path
