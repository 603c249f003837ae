from __future__ import annotations

import builtins
import csv
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from support.raw_exports import FIXTURES, TEST_SALT, edit_rows, set_value

from evaluation.core.contract import TABLES, arrow_schema, pandera_schema
from evaluation.data.ingest import DataError, IngestError, Manifest, ingest, pipeline, pseudonymise

PII_COLUMNS = {
    "full_name", "email", "phone_number", "employee_id", "external_system_id", "certificate_id",
    "Full_Name", "Name", "Email", "Phone_Number", "Phone", "External_System_Id", "Employee_Id",
    "Certificate_ID", "user_id", "userid", "userID",
}  # fmt: skip


def _table(store: Path, name: str) -> pd.DataFrame:
    return duckdb.connect().execute(f"SELECT * FROM read_parquet('{store / name}.parquet')").df()


def _key(raw: str) -> str:
    return pseudonymise([raw], TEST_SALT.encode())[0] or ""


def _raw_identifiers(src: Path) -> set[str]:
    """Every value of a direct-identifier column in the raw CSV files (and emails lower-cased)."""
    values: set[str] = set()
    for path in src.rglob("*.csv"):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                for column, value in row.items():
                    if column in PII_COLUMNS and value and value.strip():
                        values |= {value.strip(), value.strip().lower()}
    return values


@pytest.mark.parametrize("fixture", ["warehouse_ok", "reports_ok"])
def test_ingest_writes_every_table_with_contract_schema(fixture: str, tmp_path: Path) -> None:
    manifest = ingest(FIXTURES / fixture, tmp_path / "processed")
    store = tmp_path / "processed" / fixture
    assert sorted(p.name for p in store.iterdir()) == sorted(
        [f"{t}.parquet" for t in TABLES] + ["manifest.json"]
    )
    for table in TABLES:
        assert pq.read_schema(store / f"{table}.parquet").equals(arrow_schema(table))
        frame = _table(store, table)
        pandera_schema(table).validate(frame)
        assert manifest.tables[table]["rows"] == len(frame)
    assert [p.name for p in (tmp_path / "processed").iterdir()] == [fixture]  # no leftovers


@pytest.mark.parametrize("fixture", ["warehouse_ok", "reports_ok"])
def test_no_direct_identifier_reaches_the_store(fixture: str, tmp_path: Path) -> None:
    ingest(FIXTURES / fixture, tmp_path / "out")
    identifiers = _raw_identifiers(FIXTURES / fixture)
    assert len(identifiers) > 20  # the fixtures do carry names, emails, phones, ids
    blobs = {p.name: p.read_bytes() for p in (tmp_path / "out" / fixture).iterdir()}
    for name, blob in blobs.items():
        text = blob.decode("utf-8", errors="ignore")
        leaked = sorted(v for v in identifiers if v in text or v.encode() in blob)
        assert not leaked, f"{name} contains {leaked}"
    for path in (tmp_path / "out" / fixture).glob("*.parquet"):  # decoded values too
        for column in pq.read_table(path).columns:
            assert not identifiers & {str(v) for v in column.to_pylist()}
    assert TEST_SALT not in blobs["manifest.json"].decode()


def test_warehouse_values_devanagari_and_inert_text(tmp_path: Path) -> None:
    ingest(FIXTURES / "warehouse_ok", tmp_path, dataset="wh")
    store = tmp_path / "wh"
    content = _table(store, "content").set_index("content_id")
    assert content.loc["c1", "content_name"] == "सुशासन के मूल सिद्धांत"
    assert content.loc["c2", "content_name"] == "<b>Leadership</b> & Ethics"  # stored, not parsed
    assert content.loc["c3", "content_name"].startswith("=SUM(")  # neutralised only at export
    assert content["duration_hours"].to_dict() == {"c1": 2.0, "c2": 1.5, "c3": 10.0}
    # c2 has two behavioural themes and one functional: the most frequent area wins.
    assert content["competency_area"].to_dict() == {
        "c1": "behavioural", "c2": "behavioural", "c3": "domain"
    }  # fmt: skip
    learners = _table(store, "learners").set_index("user_key")
    assert learners.loc[_key("u-0002"), "designation"] == "सहायक अनुभाग अधिकारी"
    groups = {u: learners.loc[_key(u), "group"] for u in ("u-0001", "u-0002", "u-0003", "u-0004")}
    assert groups == {"u-0001": "A", "u-0002": "B", "u-0003": "C", "u-0004": "A"}
    assert learners.loc[_key("u-0006"), "group"] == "Unknown"
    orgs = _table(store, "org_hierarchy").set_index("mdo_id")
    assert orgs.loc["o3", ["org_type", "state"]].tolist() == ["state", "Maharashtra"]
    assert orgs.loc["o4", "ministry"] == "राजस्व विभाग"  # fallback to the MDO name
    assert orgs.loc["o2", "department"] == orgs.loc["o2", "ministry"]
    events = _table(store, "events").set_index("event_id")
    assert events.loc["e1", "event_name"] == "कर्मयोगी सप्ताह उद्घाटन"
    assert events["is_central"].to_dict() == {"e1": True, "e2": False}
    assert events.loc["e1", "duration_hours"] == 1.5
    watch = _table(store, "event_attendance").set_index("user_key")["watch_hours"]
    assert watch[_key("u-0002")] == pytest.approx(0.75)  # 50 % of a 5400-second event
    karma = _table(store, "karma_ledger")
    first_login = karma[karma["operation_type"] == "FIRST_LOGIN"]
    assert len(first_login) == 1 and first_login["context_id"].isna().all()  # was the user id
    outcomes = _table(store, "outcomes")
    assert outcomes.set_index("user_key").loc[_key("u-0001"), "value"] == 78.5


def test_warehouse_enrolment_normalisation(tmp_path: Path) -> None:
    manifest = ingest(FIXTURES / "warehouse_ok", tmp_path, dataset="wh")
    enrolments = _table(tmp_path / "wh", "enrolments")
    by_user = enrolments.set_index(["user_key", "content_id"])
    assert by_user.loc[(_key("u-0004"), "c1"), "status"] == "completed"  # from progress 100
    assert by_user.loc[(_key("u-0002"), "c1"), "certificate_generated"]  # "yes"
    assert pd.isna(by_user.loc[(_key("u-0004"), "c1"), "user_rating"])  # 0 means no rating
    assert manifest.normalisation["enrolment_status"] == {
        "code": 3, "derived_from_progress": 1, "text": 2
    }  # fmt: skip
    assert manifest.normalisation["group"] == {"blank": 1, "not_applicable": 1, "pattern": 4}
    assert manifest.link_key == "user_id" and manifest.shape == "warehouse"


def test_learners_carry_account_status(warehouse_src: Path, tmp_path: Path) -> None:
    path = warehouse_src / "warehouse" / "user_detail.csv"
    set_value(path, 1, "status", "0")
    set_value(path, 2, "status", "")
    set_value(path, 3, "status", "Inactive")
    manifest = ingest(warehouse_src, tmp_path, dataset="wh")
    learners = _table(tmp_path / "wh", "learners").set_index("user_key")["is_active"]
    people = [_key(f"u-000{i}") for i in range(1, 5)]
    # blank status: unknown (NA), not inactive
    assert learners[people].astype(object).tolist() == [True, False, pd.NA, False]
    assert manifest.normalisation["is_active"] == {"blank": 1, "code": len(learners) - 2, "text": 1}
    reports = ingest(FIXTURES / "reports_ok", tmp_path, dataset="rp")
    listed = _table(tmp_path / "rp", "learners")["is_active"]
    assert listed.eq(True).all()  # user reports list active users only
    assert reports.normalisation["is_active"] == {"listed_in_user_report": len(listed)}


def test_reports_dedupe_latest_date_mdoid_from_path_and_email_link(tmp_path: Path) -> None:
    manifest = ingest(FIXTURES / "reports_ok", tmp_path, dataset="rp")
    assert manifest.link_key == "email" and manifest.shape == "reports"
    learners = _table(tmp_path / "rp", "learners").set_index("user_key")
    aarav = learners.loc[_key("aarav.sharma@example.gov.in")]
    assert aarav["karma_points"] == 25  # the 2024-10-28 report wins over 2024-10-20
    assert aarav["mdo_id"] == "o1"  # no mdoid column: taken from the path
    rohan = learners.loc[_key("rohan.patil@example.gov.in")]
    assert str(rohan["registered_on"].date()) == "2022-11-30"  # dd/MM/yyyy style
    enrolments = _table(tmp_path / "rp", "enrolments")
    assert len(enrolments) == 4
    row = enrolments.set_index(["user_key", "content_id"]).loc[(aarav.name, "c1")]
    assert row["status"] == "completed" and row["acbp_mandate"]
    assert manifest.sources["consumption_report"]["duplicates_resolved"] == {
        "older_report_date_superseded": 1
    }
    content = _table(tmp_path / "rp", "content").set_index("content_name")
    assert content.loc["<b>Leadership</b> & Ethics", "duration_hours"] == 1.5  # 01:30:00
    assert content.loc["External GST course", "content_id"].startswith("name-")
    allocations = _table(tmp_path / "rp", "acbp_allocations")
    assert sorted(allocations["due_on"].astype(str)) == ["2025-03-31", "2025-03-31"]
    assert any("not available in the reports shape" in n for n in manifest.notes)


def _add_user_ids(header: list[str], rows: list[dict[str, str]]) -> list[dict[str, str]]:
    known = {"aarav.sharma@example.gov.in": "u-0001"}
    return [{"userID": known.get(r["Email"].lower(), r["Email"][:5] + "-id")} | r for r in rows]


def test_reports_with_user_ids_link_by_id(reports_src: Path, tmp_path: Path) -> None:
    for path in reports_src.rglob("*.csv"):
        if path.stem == "ContentCompetencyMapping":
            continue
        edit_rows(path, _add_user_ids)
        if path.stem == "UserReport":
            path.rename(path.with_name("UserCustomReport.csv"))
    manifest = ingest(reports_src, tmp_path / "out")
    assert manifest.link_key == "user_id"
    learners = _table(tmp_path / "out" / "reports_ok", "learners")
    assert _key("u-0001") in set(learners["user_key"])


def test_manifest_records_inputs_rejections_and_never_ground_truth(
    warehouse_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = warehouse_src / "warehouse" / "user_enrolments.csv"
    set_value(path, 4, "content_progress_percentage", "120")
    set_value(path, 0, "first_completed_on", "2024-10-01 00:00:00")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        assert "ground_truth" not in str(file), "ingest opened ground_truth.json"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    manifest = ingest(warehouse_src, tmp_path / "out")
    monkeypatch.setattr(builtins, "open", real_open)
    assert manifest.sources["user_enrolments"]["rejected"] == {
        "completed_before_enrolled": 1, "progress_out_of_range": 1
    }  # fmt: skip
    assert manifest.sources["user_enrolments"]["rows_in"] == 6
    assert manifest.sources["user_enrolments"]["rows_kept"] == 4
    assert manifest.tables["enrolments"]["rows"] == 4
    paths = [i["path"] for i in manifest.inputs]
    assert "warehouse/user_enrolments.csv" in paths and "external/outcomes.csv" in paths
    assert not any("ground_truth" in p for p in paths)
    assert all(len(str(i["sha256"])) == 64 for i in manifest.inputs)
    text = (tmp_path / "out" / "warehouse_ok" / "manifest.json").read_text()
    assert "GROUND-TRUTH-DO-NOT-READ" not in text
    assert Manifest.read(tmp_path / "out" / "warehouse_ok" / "manifest.json") == manifest


def test_bom_counted_in_manifest(warehouse_src: Path, tmp_path: Path) -> None:
    path = warehouse_src / "warehouse" / "user_detail.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    manifest = ingest(warehouse_src, tmp_path)
    assert manifest.normalisation["encoding"] == {"utf8_bom_stripped": 1}
    assert manifest.tables["learners"]["rows"] == 6


def test_errors_raise_and_keep_previous_store(warehouse_src: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    ingest(warehouse_src, out)
    before = {p.name: p.read_bytes() for p in (out / "warehouse_ok").iterdir()}
    set_value(warehouse_src / "warehouse" / "user_enrolments.csv", 1, "enrolled_on", "soon")
    with pytest.raises(IngestError) as info:
        ingest(warehouse_src, out)
    assert isinstance(info.value, DataError)
    assert [p.rule for p in info.value.problems] == ["unparseable_date"]
    after = {p.name: p.read_bytes() for p in (out / "warehouse_ok").iterdir()}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["warehouse_ok"]


def test_failure_while_writing_leaves_previous_store_byte_identical(
    warehouse_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    ingest(warehouse_src, out)
    before = {p.name: p.read_bytes() for p in (out / "warehouse_ok").iterdir()}
    set_value(warehouse_src / "warehouse" / "user_detail.csv", 0, "groups", "Group C")
    real_write = pipeline._write_table
    calls = {"n": 0}

    def failing_write(con, select, path):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt("simulated interruption mid-ingest")
        real_write(con, select, path)

    monkeypatch.setattr(pipeline, "_write_table", failing_write)
    with pytest.raises(KeyboardInterrupt):
        ingest(warehouse_src, out)
    after = {p.name: p.read_bytes() for p in (out / "warehouse_ok").iterdir()}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["warehouse_ok"]
    monkeypatch.setattr(pipeline, "_write_table", real_write)
    ingest(warehouse_src, out)  # a clean re-run replaces the store
    learners = _table(out / "warehouse_ok", "learners").set_index("user_key")
    assert learners.loc[_key("u-0001"), "group"] == "C"


def test_parquet_warehouse_reads_like_csv(warehouse_src: Path, tmp_path: Path) -> None:
    folder = warehouse_src / "warehouse"
    con = duckdb.connect()
    for name in ("user_enrolments", "content"):
        csv_path = folder / f"{name}.csv"
        con.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar=true)) "
            f"TO '{folder / name}.parquet' (FORMAT parquet)"
        )
        csv_path.unlink()
    manifest = ingest(warehouse_src, tmp_path)
    reference = ingest(FIXTURES / "warehouse_ok", tmp_path, dataset="ref")
    assert manifest.tables["enrolments"]["rows"] == reference.tables["enrolments"]["rows"] == 6
    assert manifest.tables["content"]["sha256"] == reference.tables["content"]["sha256"]


def test_shape_folder_itself_and_both_shapes(tmp_path: Path) -> None:
    root = tmp_path / "both"
    shutil.copytree(FIXTURES / "warehouse_ok" / "warehouse", root / "warehouse")
    shutil.copytree(FIXTURES / "reports_ok" / "reports", root / "reports")
    manifest = ingest(root, tmp_path / "out")
    assert manifest.shape == "warehouse"
    assert any("reports/ also present, read only to cross-check" in n for n in manifest.shape_notes)
    # The two hand-written fixtures describe different worlds: the cross-check says where.
    check = manifest.cross_check
    assert check["agrees"] is False
    assert {c["name"]: (c["keys"], c["disagree"]) for c in check["checks"]} == {
        "organisations": (2, 0),
        "active_learners": (7, 4),
        "content": (4, 2),
        "enrolments": (4, 4),
        "completions_per_day": (3, 1),
        "acbp_allocations": (3, 3),
    }
    assert manifest.warnings["reports_disagree_with_warehouse"] == 5
    unchecked = ingest(root, tmp_path / "out", dataset="unchecked", cross_check=False)
    assert (
        unchecked.cross_check == {} and "reports_disagree_with_warehouse" not in unchecked.warnings
    )
    assert unchecked.tables == manifest.tables
    only_reports = ingest(FIXTURES / "reports_ok" / "reports", tmp_path / "out", dataset="r")
    assert only_reports.shape == "reports"


def test_invalid_dataset_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dataset"):
        ingest(FIXTURES / "warehouse_ok", tmp_path, dataset="../evil")


def test_output_breaking_the_contract_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evaluation.data.ingest import build

    monkeypatch.setattr(build, "competency_area_sql", lambda column: "'astrology'")
    with pytest.raises(IngestError) as info:
        ingest(FIXTURES / "warehouse_ok", tmp_path)
    assert [p.rule for p in info.value.problems] == ["contract"]
    assert "competency_area not in" in info.value.problems[0].message
    assert list(tmp_path.iterdir()) == []  # nothing published, no scratch folders left


def test_frontline_status_comes_from_the_designation(warehouse_src: Path, tmp_path: Path) -> None:
    path = warehouse_src / "warehouse" / "user_detail.csv"
    set_value(path, 0, "designation", "Assistant Teacher")  # frontline: a teacher
    set_value(path, 1, "designation", "HEAD CONSTABLE")  # case does not matter
    set_value(path, 2, "designation", "  ")  # blank: unknown, not "other"
    set_value(path, 3, "designation", "Principal Secretary")  # a senior officer, not frontline
    manifest = ingest(warehouse_src, tmp_path, dataset="wh")
    learners = _table(tmp_path / "wh", "learners").set_index("user_key")["is_frontline"]
    people = [_key(f"u-000{i}") for i in range(1, 5)]
    assert learners[people].astype(object).tolist() == [True, True, pd.NA, False]
    rules = manifest.normalisation["frontline"]
    assert rules["frontline_title"] == 2 and rules["blank"] >= 1
    assert sum(rules.values()) == len(learners)


@pytest.mark.parametrize("shape", ["warehouse", "reports"])
def test_ai_related_courses_from_the_mapped_theme_or_the_title(
    shape: str, warehouse_src: Path, reports_src: Path, tmp_path: Path
) -> None:
    if shape == "warehouse":
        mapping = warehouse_src / "warehouse" / "content_competency_mapping.csv"
        src, titles = warehouse_src, warehouse_src / "warehouse" / "content.csv"
        title_column = "content_name"
    else:
        mapping = next(reports_src.rglob("ContentCompetencyMapping.csv"))
        src, titles = reports_src, None
        title_column = ""
    # c1 (a Hindi title) is AI only through its mapped sub-theme, as the platform's KCM maps it
    set_value(mapping, 0, "competency_sub_theme", "Artificial Intelligence")
    if titles is not None:
        set_value(titles, 1, title_column, "Generative AI for Public Servants")
    manifest = ingest(src, tmp_path, dataset=shape)
    content = _table(tmp_path / shape, "content").set_index("content_id")["is_ai_related"]
    assert bool(content.loc["c1"]) is True
    rules = manifest.normalisation["ai_related"]
    assert rules["competency_theme"] >= 1
    if titles is not None:
        assert bool(content.loc["c2"]) is True and rules["title"] == 1
    assert content.sum() == rules["competency_theme"] + rules.get("title", 0)
