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
from evaluation.data.ingest.layout import ZIP_PASSWORD_ENV
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
    # Scala warehouse CSV parts <report>/<date>-warehouse/part-*.csv, content (course-report)
    # and the KCM tables (kcm-report/<date>/...-warehouse) included; no events (Avro only).
    "scala-4.8.18/warehouse/tree": None,
    "scala-4.8.18/warehouse": None,
    # zipUpload.py's fullReport/reports.zip (password from NLW_ZIP_PASSWORD)
    "python/fullReport": None,
    "python/fullReport/reports.zip": None,
    "python/merged": None,  # merged/mdoid=<id>/reports.zip (an MDO's download)
}
#: The invented password of the fixture zip (make_fixtures.FULL_REPORT_PASSWORD).
ZIP_PASSWORD = "fixture-password"


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
def test_every_fixture_folder_ingests_or_names_its_error(
    rel: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ZIP_PASSWORD_ENV, ZIP_PASSWORD)
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


# --------------------------------------------------------------------------- Scala warehouse CSV


def _frame(tables: dict[str, pd.DataFrame], name: str, key: str) -> pd.DataFrame:
    return tables[name].set_index(key).sort_index()


def test_scala_warehouse_csv_content_values(tmp_path: Path) -> None:
    """S18 CourseReportModel.scala: ``course-report/<date>-warehouse/part-*.csv``, row by row."""
    result = ingest_with_summary(PLATFORM / "scala-4.8.18" / "warehouse" / "tree", tmp_path / "o")
    tables = _store(tmp_path / "o", "tree")
    content = _frame(tables, "content", "content_id")
    got = {
        cid: (
            row["content_name"],
            row["content_provider"],
            row["content_type"],
            None if pd.isna(row["duration_hours"]) else row["duration_hours"],
            row["competency_area"],
        )
        for cid, row in content.iterrows()
    }
    assert got == {
        # "01:30:00"; mapped to Functional twice (101, 102) and Behavioural once: functional
        "do_1100000000000000001": (
            "Fake Course on Noting, Drafting",
            "Karmayogi Bharat",
            "Course",
            1.5,
            "functional",
        ),
        # "10:00:00"; its ids 9/901/9001 are not in the dictionary: the inner join drops them
        "do_1100000000000000002": (
            "Fake Program on Ethics",
            "Institute of Examples",
            "Program",
            10.0,
            "behavioural",
        ),
        "do_1100000000000000003": (
            "Retired Fake Course",
            "Karmayogi Bharat",
            "Course",
            0.75,
            "domain",
        ),
        # one row per batch in the part file (two rows), one content item; not in the mapping
        "do_1100000000000000004": (
            "Fake Blended Program",
            "Institute of Examples",
            "Blended Program",
            20.0,
            "unknown",
        ),
        # durationFormat writes "" for a null duration; posexplode_outer: null competency ids
        "do_1100000000000000005": (
            "Draft Fake Course",
            "Karmayogi Bharat",
            "Course",
            None,
            "unknown",
        ),
        "ext_0000000000000001": (
            "External Fake Course",
            "Fake MOOC Partner",
            "External Content",
            2.0,
            "unknown",
        ),
    }
    assert result.manifest.normalisation["competency_area"] == {"mapped": 3, "unmapped": 3}
    assert result.manifest.normalisation["duration"] == {"missing": 1, "seconds": 5}
    # every enrolment of the S18 user_enrolments part links to a content row
    assert set(tables["enrolments"]["content_id"]) <= set(content.index)
    warned = sorted(
        (p.rule, p.message.split("'")[1])
        for p in result.report.problems
        if p.rule == "missing_file"
    )
    # DataWarehouseModel.scala writes the event tables only as Avro / Postgres: no CSV part.
    assert warned == [
        ("missing_file", "cbp_enrolment"),
        ("missing_file", "event_details"),
        ("missing_file", "event_enrolment_details"),
        ("missing_file", "user_karma_points"),
    ]
    events = [p for p in result.report.problems if "'event_details'" in p.message]
    assert "only as Avro (DataWarehouseModel.scala)" in events[0].message
    dup = [p for p in result.report.problems if p.rule == "duplicate_row"]
    assert [(Path(p.file).parent.name, p.line) for p in dup] == [("2025-10-09-warehouse", 6)]


def test_scala_warehouse_tree_and_flat_copies_give_the_same_tables(tmp_path: Path) -> None:
    tree = _ingest(PLATFORM / "scala-4.8.18" / "warehouse" / "tree", tmp_path / "tree")
    flat = _ingest(PLATFORM / "scala-4.8.18" / "warehouse", tmp_path / "flat")
    assert set(tree) == set(flat)
    for name in tree:
        pd.testing.assert_frame_equal(tree[name], flat[name], obj=name)


# --------------------------------------------------------------------------- KCM tables


def test_python_warehouse_areas_come_from_the_kcm_join(tmp_path: Path) -> None:
    """kcm_content_mapping x kcm_dictionary on the three ids (kcmReport.py's own join)."""
    result = ingest_with_summary(PLATFORM / "python" / "warehouse", tmp_path / "o", dataset="d")
    areas = _store(tmp_path / "o")["content"].set_index("content_id")["competency_area"]
    assert areas.to_dict() == {
        # (1, 101, 1001) Functional and (2, 201, 2001) Behavioural: one theme each, A-Z
        "do_1100000000000000001": "behavioural",
        "do_1100000000000000002": "behavioural",
        "do_1100000000000000003": "domain",
        "do_1100000000000000004": "unknown",  # not in kcm_content_mapping
        "ext_0000000000000001": "unknown",
    }
    assert "competency areas from the platform's kcm_content_mapping" in " ".join(
        result.report.shape_notes
    )
    assert not any("content_competency_mapping" in p.message for p in result.report.problems)


def test_kcm_tables_win_over_a_mapping_file(tmp_path: Path) -> None:
    src = _copy("scala-4.8.18/warehouse", tmp_path)
    # The report's mapping says do_1 is Functional + Behavioural (tie: behavioural); the
    # platform's tables say Functional twice.
    shutil.copy(PLATFORM / "python" / "ContentCompetencyMapping.csv", src)
    areas = _ingest(src, tmp_path / "o")["content"].set_index("content_id")["competency_area"]
    assert areas["do_1100000000000000001"] == "functional"
    (src / "kcm_dictionary.csv").unlink()
    (src / "kcm_content_mapping.csv").unlink()
    areas = _ingest(src, tmp_path / "o2")["content"].set_index("content_id")["competency_area"]
    assert areas["do_1100000000000000001"] == "behavioural"
    assert areas["do_1100000000000000004"] == "functional"


def test_a_kcm_mapping_without_its_dictionary_is_a_warning(tmp_path: Path) -> None:
    src = _copy("scala-4.8.18/warehouse", tmp_path)
    (src / "kcm_dictionary.csv").unlink()
    shutil.rmtree(src / "tree")
    result = ingest_with_summary(src, tmp_path / "o", dataset="d")
    warned = [p for p in result.report.problems if "kcm" in p.message]
    assert [(p.severity, p.rule) for p in warned] == [("warning", "missing_file")]
    assert "'kcm_dictionary' not found" in warned[0].message
    areas = set(_store(tmp_path / "o")["content"]["competency_area"])
    assert areas == {"unknown"}


# --------------------------------------------------------------------------- fullReport zip


def _tree_digest(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_full_report_zip_gives_the_parquet_warehouse_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipUpload.py: Spark CSV of every warehouse folder, ``zip -P <password> -j reports.zip``."""
    monkeypatch.setenv(ZIP_PASSWORD_ENV, ZIP_PASSWORD)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "scratch"))
    (tmp_path / "scratch").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read afresh
    src = _copy("python/fullReport", tmp_path)
    before = _tree_digest(src)
    result = ingest_with_summary(src, tmp_path / "zip", dataset="d")
    assert _tree_digest(src) == before  # the input is never modified
    assert list((tmp_path / "scratch").iterdir()) == []  # the scratch folder is gone
    assert result.report.shape_notes[0] == (
        "read from the zip reports.zip (unzipped into a scratch folder)"
    )
    read = {p.rule: p.file for p in result.report.problems if p.rule == "duplicate_row"}
    assert read == {"duplicate_row": "reports.zip/content.csv"}
    zipped = _store(tmp_path / "zip")
    parquet = _ingest(PLATFORM / "python" / "warehouse", tmp_path / "pq")
    assert set(zipped) == set(parquet)
    for name in parquet:
        pd.testing.assert_frame_equal(zipped[name], parquet[name], obj=name)


@pytest.mark.parametrize(
    ("password", "damage", "rule"),
    [
        (None, False, "zip_password_required"),
        ("not-the-password", False, "zip_password_wrong"),
        (ZIP_PASSWORD, True, "unreadable_zip"),
    ],
)
def test_an_unusable_zip_is_a_named_error(
    password: str | None, damage: bool, rule: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if password is None:
        monkeypatch.delenv(ZIP_PASSWORD_ENV, raising=False)
    else:
        monkeypatch.setenv(ZIP_PASSWORD_ENV, password)
    src = _copy("python/fullReport", tmp_path)
    if damage:
        data = (src / "reports.zip").read_bytes()
        (src / "reports.zip").write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["ingest", str(src / "reports.zip"), "--out", str(out)])
    assert result.exit_code != 0
    flat = " ".join(result.output.split())
    assert rule in flat and "reports.zip" in flat and "Traceback" not in result.output
    assert not out.exists() or not any(out.rglob("*.parquet"))
    with pytest.raises(IngestError) as caught:
        ingest(src, tmp_path / "out2")
    assert [(p.severity, p.rule, p.file) for p in caught.value.problems] == [
        ("error", rule, "reports.zip")
    ]


def test_an_mdo_reports_zip_gives_the_same_tables_as_its_unzipped_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipUpload.py: ``merged/mdoid=<id>/reports.zip`` with the org's CSVs and the KCM file."""
    monkeypatch.setenv(ZIP_PASSWORD_ENV, ZIP_PASSWORD)
    src = _copy("python/merged", tmp_path)
    before = _tree_digest(src)
    result = ingest_with_summary(src, tmp_path / "zip", dataset="d")
    assert _tree_digest(src) == before
    assert result.report.shape_notes[0] == (
        f"read from the zip mdoid={MDO}/reports.zip (unzipped into a scratch folder)"
    )
    assert sorted(p.file for p in result.report.problems if p.rule == "no_report_date") == [
        f"mdoid={MDO}/reports.zip/{name}.csv"
        for name in (
            "CBPEnrollmentReport",
            "ConsumptionReport",
            "ContentCompetencyMapping",
            "UserReport",
        )
    ]
    zipped = _store(tmp_path / "zip")
    # The same CSVs unzipped by hand into merged/mdoid=<id>/ (the flat layout read before).
    flat = tmp_path / "flat" / "merged" / f"mdoid={MDO}"
    flat.mkdir(parents=True)
    for name in ("UserReport", "ConsumptionReport", "CBPEnrollmentReport"):
        shutil.copy(PLATFORM / "python" / f"{name}.csv", flat / f"{name}.csv")
    shutil.copy(PLATFORM / "python" / "ContentCompetencyMapping.csv", flat)
    unzipped = _ingest(tmp_path / "flat" / "merged", tmp_path / "unzipped")
    assert set(zipped) == set(unzipped)
    for name in zipped:
        pd.testing.assert_frame_equal(zipped[name], unzipped[name], obj=name)
    assert set(zipped["learners"]["mdo_id"]) == {MDO} and len(zipped["learners"]) == 6


def test_an_mdo_zip_outside_its_mdoid_folder_is_a_named_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ZIP_PASSWORD_ENV, ZIP_PASSWORD)
    alone = tmp_path / "download"
    alone.mkdir()
    shutil.copy(PLATFORM / "python" / "merged" / f"mdoid={MDO}" / "reports.zip", alone)
    with pytest.raises(IngestError) as caught:
        ingest(alone, tmp_path / "out")
    assert [(p.rule, p.file) for p in caught.value.problems] == [
        ("zip_without_mdoid", "reports.zip")
    ]
    assert "mdoid=<your org id>" in caught.value.problems[0].message


# --------------------------------------------------------------------------- two-digit years


def test_two_digit_years_are_always_20yy() -> None:
    """Rule two_digit_year_2000s: DuckDB's %y would read 69-99 as 19xx; the platform began in
    2021 and Spark's ``dd/MM/yy`` writes 2099 as "99"."""
    sql = typed_sql(REPORT_SOURCES["cbp_report"], "Due Date of Completion")
    con = duckdb.connect()
    got = {
        v: con.execute(f'SELECT {sql} FROM (SELECT ? AS "Due Date of Completion")', [v]).fetchone()[
            0
        ]  # type: ignore[index]
        for v in ("01/09/24", "31/12/99", "01/01/69", "30/06/68", "01/09/2024", "01/09/1999")
    }
    assert got == {
        "01/09/24": dt.datetime(2024, 9, 1),
        "31/12/99": dt.datetime(2099, 12, 31),
        "01/01/69": dt.datetime(2069, 1, 1),
        "30/06/68": dt.datetime(2068, 6, 30),
        "01/09/2024": dt.datetime(2024, 9, 1),
        "01/09/1999": dt.datetime(1999, 9, 1),  # four digits: as written
    }


def test_a_far_due_date_in_a_scala_4_8_15_report_is_kept(tmp_path: Path) -> None:
    """Before the rule, "31/12/99" was 1999-12-31 and the row was rejected (date_outside_period)."""
    src = _copy("scala-4.8.15/tree", tmp_path)
    cbp = next(src.rglob("CBPEnrollmentReport.csv"))
    lines = cbp.read_text(encoding="utf-8").splitlines(keepends=True)
    assert ",31/03/25," in lines[1]
    lines[1] = lines[1].replace(",31/03/25,", ",31/12/99,", 1)
    cbp.write_text("".join(lines), encoding="utf-8")
    result = ingest_with_summary(src, tmp_path / "o", dataset="d")
    assert not [p for p in result.report.problems if p.rule == "date_outside_period"]
    acbp = _store(tmp_path / "o")["acbp_allocations"]
    one = acbp[acbp["user_key"] == _key("learner.one@example.invalid")].set_index("content_name")
    assert one.loc["Fake Course on Noting, Drafting", "due_on"] == dt.date(2099, 12, 31)


# --------------------------------------------------------------------------- quoting style


@pytest.mark.parametrize(
    "designation",
    [
        "Officer, Grade\\",  # DuckDB: "Officer, Grade\" (a backslash before the closing quote)
        'Officer \\"A\\"',  # DuckDB: "Officer \""A\""" (no quote doubled after a letter)
    ],
)
def test_a_duckdb_file_with_a_backslash_before_a_quote_is_read_as_duckdb(
    designation: str, tmp_path: Path
) -> None:
    """Rule quote_style_by_trial: the byte guess (``\\"``, no doubled quote) said Spark; before
    the rule both files stopped the ingest with bad_quoting."""
    src = _copy("python/tree/standalone-reports", tmp_path)
    path = _consumption(src)
    con = duckdb.connect()
    name = str(path).replace("'", "''")
    con.execute(
        f"CREATE TABLE t AS SELECT * FROM read_csv('{name}', header=true, all_varchar=true, "
        "quote='\"', escape='\"')"
    )
    con.execute(
        "UPDATE t SET Designation = ? WHERE Email = 'learner.one@example.invalid'", [designation]
    )
    # The job's writer: dfexportutil.write_csv_per_mdo_id_duckdb's COPY
    con.execute(f"COPY t TO '{name}' (FORMAT CSV, HEADER, DELIMITER ',')")
    assert '\\"' in path.read_text(encoding="utf-8")
    result = ingest_with_summary(src, tmp_path / "o", dataset="d")
    assert not [p for p in result.report.problems if p.rule == "bad_quoting"]
    enrolments = _store(tmp_path / "o")["enrolments"]
    assert len(enrolments) == 6
