"""Ingest reads the platform's exports as the platform's own jobs write them.

The fixtures in ``tests/data/platform/`` were written through the platform's writers (Spark CSV,
DuckDB COPY, Spark Parquet) from the conformance table ``docs/real-exports.md``; they are never
produced by our generator. Each folder must ingest (exit 0) or stop with the documented, named
error; the values that land in the canonical tables are checked row by row against the fixture's
text.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from evaluation.cli import app
from evaluation.data.ingest import ingest
from evaluation.data.ingest.checks import typed_sql
from evaluation.data.ingest.errors import IngestError
from evaluation.data.ingest.pipeline import ingest_with_summary
from evaluation.data.ingest.privacy import load_salt, normalise_email, pseudonymise
from evaluation.data.ingest.sources import REPORT_SOURCES, WAREHOUSE_SOURCES

PLATFORM = Path(__file__).resolve().parents[1] / "data" / "platform"
MDO = "0100000000000000000001"

#: Folder -> what ingest must do with it (None: succeed; else the named error's rule).
FOLDERS = {
    "python/tree": None,  # standalone-reports/ beside a warehouse/ without tables
    "python/tree/standalone-reports": None,
    "python_largeorg/tree": None,  # DuckDB UserReport with mdoid as its last column
    "scala-4.8.18/tree": None,
    "scala-4.8.15/tree": None,
    "python/warehouse": None,  # Spark Parquet folders: part-*.snappy.parquet + _SUCCESS
    # The Scala warehouse CSV parts hold user_detail, user_enrolments and org_hierarchy; the
    # content table (course-report) is not among them, and content is required.
    "scala-4.8.18/warehouse/tree": "missing_file",
    "scala-4.8.18/warehouse": "missing_file",
}


def _copy(rel: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(PLATFORM / rel, tmp_path / "src" / rel.replace("/", "_")))


def _store(out: Path, dataset: str = "d") -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted((out / dataset).glob("*.parquet"))}


def _key(email: str) -> str:
    key = pseudonymise([normalise_email(email)], load_salt())[0]
    assert key is not None
    return key


def _ingest(src: Path, out: Path, dataset: str = "d") -> dict[str, pd.DataFrame]:
    ingest(src, out, dataset=dataset)
    return _store(out, dataset)


# --------------------------------------------------------------------------- every folder


@pytest.mark.parametrize("rel", sorted(FOLDERS))
def test_every_fixture_folder_ingests_or_names_its_error(rel: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(PLATFORM / rel), "--out", str(out)])
    expected = FOLDERS[rel]
    if expected is None:
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert any(out.glob("*/learners.parquet"))
    else:
        assert result.exit_code != 0
        assert expected in result.output and "content" in result.output
        assert "Traceback" not in result.output
        assert not out.exists() or not any(out.glob("*/learners.parquet"))


# --------------------------------------------------------------------------- exact values


def test_pm_timestamps_parse_with_the_24_hour_clock() -> None:
    """``yyyy-MM-dd HH:mm:ss a`` writes 14:05 as "14:05:33 PM"; the marker is ignored."""
    spec = REPORT_SOURCES["user_report"]
    with open(PLATFORM / "python" / "UserReport.csv", encoding="utf-8") as fh:
        stamp = next(csv.DictReader(fh))["Report_Last_Generated_On"]
    with open(PLATFORM / "scala-4.8.15" / "UserReport.csv", encoding="utf-8") as fh:
        old = next(csv.DictReader(fh))["Report_Last_Generated_On"]
    assert (stamp, old) == ("2025-10-09 14:05:33 PM", "13/08/2024 12:24:07 PM")
    sql = typed_sql(spec, "Report_Last_Generated_On")
    parse = duckdb.connect()
    values = {
        v: parse.execute(
            f'SELECT {sql} FROM (SELECT ? AS "Report_Last_Generated_On")', [v]
        ).fetchone()[0]  # type: ignore[index]
        for v in (stamp, old, "2024-11-05 06:00:00 AM", "2024-10-24 19:30:12 PM")
    }
    assert values == {
        stamp: dt.datetime(2025, 10, 9, 14, 5, 33),
        old: dt.datetime(2024, 8, 13, 12, 24, 7),
        "2024-11-05 06:00:00 AM": dt.datetime(2024, 11, 5, 6, 0, 0),
        "2024-10-24 19:30:12 PM": dt.datetime(2024, 10, 24, 19, 30, 12),
    }


def test_python_reports_values(tmp_path: Path) -> None:
    tables = _ingest(PLATFORM / "python" / "tree" / "standalone-reports", tmp_path / "out")
    learners = tables["learners"].set_index("user_key")
    # Row 5 of UserReport.csv: "Test \"Quote\" Four" (Spark escapes quotes with a backslash);
    # the fields after the quoted name land in their own columns.
    four = learners.loc[_key("learner.four@example.invalid")]
    assert four["designation"] == "Consultant"
    assert four["registered_on"] == dt.date(2024, 10, 21)
    assert four["mdo_id"] == MDO
    assert set(learners["mdo_id"]) == {MDO}
    # ConsumptionReport (DuckDB writer, mdoid last): "Fake Course on Noting, Drafting" lasts
    # "01:30:00" and was completed "2024-10-20 18:40:02".
    content = tables["content"].set_index("content_name")
    assert content.loc["Fake Course on Noting, Drafting", "duration_hours"] == pytest.approx(1.5)
    assert content.loc["Fake Program on Ethics", "duration_hours"] == pytest.approx(10.0)
    # The marketplace row: Content_Type "External Content", Batch_Id / Batch_Name "Not Available".
    assert content.loc["External Fake Course", "content_type"] == "External Content"
    assert content.loc["External Fake Course", "duration_hours"] == pytest.approx(2.0)
    enrolments = tables["enrolments"]
    one = enrolments[enrolments["user_key"] == _key("learner.one@example.invalid")]
    noting = content.loc["Fake Course on Noting, Drafting", "content_id"]
    done = one[one["content_id"] == noting].iloc[0]
    assert done["completed_on"] == pd.Timestamp("2024-10-20 18:40:02")
    assert done["status"] == "completed" and bool(done["acbp_mandate"])
    assert done["user_rating"] == pytest.approx(4.0)
    # CBPEnrollmentReport (DuckDB: "Test ""Quote"" Four" doubled) reads every allocation.
    acbp = tables["acbp_allocations"]
    assert _key("learner.four@example.invalid") in set(acbp["user_key"])


def test_python_largeorg_takes_mdoid_from_the_body(tmp_path: Path) -> None:
    result = ingest_with_summary(PLATFORM / "python_largeorg" / "tree", tmp_path / "out")
    assert result.manifest.normalisation["mdo_id"] == {"from_body": 6}
    learners = _store(tmp_path / "out", "tree")["learners"]
    assert set(learners["mdo_id"]) == {MDO}


def test_scala_4_8_15_two_digit_years_and_day_first_dates(tmp_path: Path) -> None:
    tables = _ingest(PLATFORM / "scala-4.8.15" / "tree", tmp_path / "out")
    acbp = tables["acbp_allocations"]
    one = acbp[acbp["user_key"] == _key("learner.one@example.invalid")].set_index("content_name")
    noting = one.loc["Fake Course on Noting, Drafting"]
    # "01/09/24", "31/03/25", "20/10/24" (dd/MM/yy)
    assert noting["allocated_on"] == dt.date(2024, 9, 1)
    assert noting["due_on"] == dt.date(2025, 3, 31)
    assert noting["completed_on"] == dt.date(2024, 10, 20)
    assert noting["progress"] == "Completed"
    learners = tables["learners"].set_index("user_key")
    # "21/10/2024" (dd/MM/yyyy) for the backslash-quoted learner four
    assert learners.loc[_key("learner.four@example.invalid"), "registered_on"] == dt.date(
        2024, 10, 21
    )


def test_scala_reports_without_mdo_name_use_organization(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = ingest_with_summary(PLATFORM / "scala-4.8.18" / "tree", out, dataset="d")
    fallbacks = [p for p in result.report.problems if p.rule == "column_fallback"]
    assert {Path(p.file).name for p in fallbacks} == {
        "UserReport.csv",
        "ConsumptionReport.csv",
        "CBPEnrollmentReport.csv",
    }
    assert all(p.column == "MDO_Name" and "Organization" in p.message for p in fallbacks)
    orgs = _store(out)["org_hierarchy"]
    assert orgs.to_dict("records") == [
        {
            "mdo_id": MDO,
            "mdo_name": "Department of Fake Affairs",
            "ministry": "Ministry of Examples",
            "department": "Department of Fake Affairs",
            "org_type": "central",
            "state": "",
        }
    ]


def test_scala_numbered_parts_of_one_org_are_one_report(tmp_path: Path) -> None:
    """``StorageUtil.renameCSV``: UserReport.csv, UserReport1.csv, ... each with its header."""
    src = _copy("scala-4.8.18/tree", tmp_path)
    folder = src / "user-report" / "2025-10-09" / f"mdoid={MDO}"
    lines = (folder / "UserReport.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    (folder / "UserReport.csv").write_text(header + "".join(rows[:2]), encoding="utf-8")
    (folder / "UserReport1.csv").write_text(header + "".join(rows[2:4]), encoding="utf-8")
    (folder / "UserReport2.csv").write_text(header + "".join(rows[4:]), encoding="utf-8")
    split = _ingest(src, tmp_path / "split")
    whole = _ingest(PLATFORM / "scala-4.8.18" / "tree", tmp_path / "whole")
    assert len(split["learners"]) == len(rows) == len(whole["learners"])
    for name in ("learners", "enrolments", "org_hierarchy", "content"):
        pd.testing.assert_frame_equal(
            split[name].sort_values(list(split[name].columns)).reset_index(drop=True),
            whole[name].sort_values(list(whole[name].columns)).reset_index(drop=True),
        )


def test_python_warehouse_parquet_values(tmp_path: Path) -> None:
    tables = _ingest(PLATFORM / "python" / "warehouse", tmp_path / "out")
    content = tables["content"].set_index("content_name")
    # content_duration "01:30:00" (duration_format before the select)
    assert content.loc["Fake Course on Noting, Drafting", "duration_hours"] == pytest.approx(1.5)
    events = tables["events"].set_index("event_type")
    # event_type is always "Event"; the kind is event_tag; duration "00:45:00"
    assert set(events.index) == {"Webinar", "Karmayogi Talks", "Rajya Karmayogi Saptah"}
    assert events.loc["Karmayogi Talks", "duration_hours"] == pytest.approx(0.75)
    assert (tables["event_attendance"]["watch_hours"] > 0).any()


# --------------------------------------------------------------------------- Parquet vs CSV


def _spark_csv_twin(parquet_dir: Path, twin: Path) -> None:
    """Each Parquet folder as one CSV (user_detail: the platform's own Spark CSV of it)."""
    twin.mkdir(parents=True)
    con = duckdb.connect()
    for folder in sorted(p for p in parquet_dir.iterdir() if p.is_dir()):
        if folder.name == "user_detail":
            spark_csv = PLATFORM / "python" / "user_detail_fullReport.csv"
            shutil.copy(spark_csv, twin / "user_detail.csv")
            continue
        glob = str(folder / "*.parquet").replace("'", "''")
        target = str(twin / f"{folder.name}.csv").replace("'", "''")
        con.execute(f"COPY (SELECT * FROM read_parquet('{glob}')) TO '{target}' (HEADER)")


def test_parquet_folders_give_the_same_tables_as_their_csv_twin(tmp_path: Path) -> None:
    parquet = _ingest(PLATFORM / "python" / "warehouse", tmp_path / "pq")
    twin = tmp_path / "twin" / "warehouse"
    _spark_csv_twin(PLATFORM / "python" / "warehouse", twin)
    text = _ingest(twin, tmp_path / "csv")
    assert set(parquet) == set(text)
    for name in parquet:
        pd.testing.assert_frame_equal(parquet[name], text[name], obj=name)
    assert len(parquet["learners"]) > 0 and len(parquet["enrolments"]) > 0


# --------------------------------------------------------------------------- unusable forms


def test_avro_warehouse_is_named_not_skipped(tmp_path: Path) -> None:
    src = _copy("python/warehouse", tmp_path)
    shutil.rmtree(src / "content")
    (src / "content").mkdir()
    (src / "content" / "part-00000-0000-c000.avro").write_bytes(b"Obj\x01")
    (src / "event_details.avro").write_bytes(b"Obj\x01")
    shutil.rmtree(src / "event_details")
    with pytest.raises(IngestError) as caught:
        ingest(src, tmp_path / "out")
    found = {(p.severity, p.rule, p.message.split("'")[1]) for p in caught.value.problems}
    assert ("error", "unsupported_format", "content") in found
    assert ("warning", "unsupported_format", "event_details") in found
    assert any("Avro" in p.message for p in caught.value.problems)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))


# --------------------------------------------------------------------------- needed columns


def _drop_column(path: Path, column: str) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = [c for c in rows[0] if c != column]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _consumption(src: Path) -> Path:
    return next(src.rglob("ConsumptionReport.csv"))


def test_a_report_without_a_needed_column_stops_and_says_what_it_is_for(tmp_path: Path) -> None:
    good = PLATFORM / "python" / "tree" / "standalone-reports"
    out = tmp_path / "out"
    ingest(good, out, dataset="d")
    before = {p.name: p.read_bytes() for p in (out / "d").iterdir()}
    src = _copy("python/tree/standalone-reports", tmp_path)
    _drop_column(_consumption(src), "Completed_On")
    with pytest.raises(IngestError) as caught:
        ingest(src, out, dataset="d")
    problem = next(p for p in caught.value.problems if p.rule == "missing_column")
    assert problem.severity == "error"
    assert problem.file == _consumption(src).relative_to(src).as_posix()
    assert problem.column == "Completed_On" and problem.line == 1
    assert "needed for" in problem.message and "completions_90d" in problem.message
    assert "daily completions" in problem.message
    assert {p.name: p.read_bytes() for p in (out / "d").iterdir()} == before


@pytest.mark.parametrize(
    ("source", "column"),
    [
        (spec.name, group[0])
        for spec in (*WAREHOUSE_SOURCES.values(), *REPORT_SOURCES.values())
        for group, _ in spec.needed_groups()
    ],
)
def test_every_needed_column_has_a_purpose(source: str, column: str) -> None:
    spec = {**WAREHOUSE_SOURCES, **REPORT_SOURCES}[source]
    why = dict((g[0], w) for g, w in spec.needed_groups())[column]
    assert column in spec.columns and len(why) > 10


def test_a_missing_duration_names_the_learning_hours(tmp_path: Path) -> None:
    src = _copy("scala-4.8.18/tree", tmp_path)
    _drop_column(_consumption(src), "Content_Duration")
    result = CliRunner().invoke(app, ["ingest", str(src), "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    flat = " ".join(result.output.split())
    assert "Content_Duration" in flat and "learning hours" in flat and "missing_column" in flat


def test_a_missing_optional_column_is_a_warning(tmp_path: Path) -> None:
    src = _copy("python/tree/standalone-reports", tmp_path)
    _drop_column(_consumption(src), "Live_CBP_Plan_Mandate")
    result = ingest_with_summary(src, tmp_path / "out", dataset="d")
    warned = [p for p in result.report.problems if p.rule == "missing_optional_column"]
    consumption = [p for p in warned if "ConsumptionReport" in p.file]
    assert [(p.severity, p.column) for p in consumption] == [("warning", "Live_CBP_Plan_Mandate")]
    assert "ACBP" in consumption[0].message
    # The job's UserCustomReport carries no cadre block (§2): also warned.
    others = sorted((Path(p.file).name, p.column) for p in warned if p not in consumption)
    assert others == [
        ("UserCustomReport.csv", "Cadre"),
        ("UserCustomReport.csv", "Civil Service Type"),
    ]
    enrolments = _store(tmp_path / "out")["enrolments"]
    assert not enrolments["acbp_mandate"].any()


def test_a_warehouse_without_completion_dates_stops(tmp_path: Path) -> None:
    twin = tmp_path / "twin" / "warehouse"
    _spark_csv_twin(PLATFORM / "python" / "warehouse", twin)
    path = twin / "user_enrolments.csv"
    _drop_column(path, "first_completed_on")
    _drop_column(path, "last_completed_on")
    with pytest.raises(IngestError) as caught:
        ingest(twin, tmp_path / "out")
    problem = next(p for p in caught.value.problems if p.rule == "missing_column")
    assert problem.file == "user_enrolments.csv" and problem.column == "first_completed_on"
    assert "'last_completed_on'" in problem.message and "completions_90d" in problem.message


def test_an_unzipped_reports_zip_ingests(tmp_path: Path) -> None:
    """zipUpload.py copies one org's CSVs flat into ``merged/mdoid=<id>/`` (no date folder)."""
    merged = tmp_path / "merged" / f"mdoid={MDO}"
    merged.mkdir(parents=True)
    for name in ("UserReport", "ConsumptionReport", "CBPEnrollmentReport"):
        shutil.copy(PLATFORM / "python" / f"{name}.csv", merged / f"{name}.csv")
    shutil.copy(PLATFORM / "python" / "ContentCompetencyMapping.csv", merged)
    result = ingest_with_summary(tmp_path / "merged", tmp_path / "out", dataset="d")
    assert {p.rule for p in result.report.problems} >= {"no_report_date"}
    learners = _store(tmp_path / "out")["learners"]
    assert set(learners["mdo_id"]) == {MDO} and len(learners) == 6
