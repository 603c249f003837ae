"""The synthetic generator's output (both shapes) goes through ingest cleanly and privately."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from evaluation.core.contract import TABLES, pandera_schema
from evaluation.data.ingest import Manifest, ingest, validate

synth = pytest.importorskip("evaluation.data.synth")

IDENTIFIER_COLUMNS = ("full_name", "email", "phone_number", "employee_id", "external_system_id")
# Reports carry no events or karma ledger; ``external/`` sits beside ``reports/`` at the root, so
# ingesting the reports folder itself reads no outcomes.
REPORT_ONLY_EMPTY = {"events", "event_attendance", "karma_ledger", "outcomes"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "synthetic"
    synth.generate(root, scale=0.002, seed=7)
    return root


@pytest.fixture(scope="module")
def stores(synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Manifest]:
    mp = pytest.MonkeyPatch()
    mp.setenv("NLW_SALT", "integration-salt-0123456789abcdef")
    out = tmp_path_factory.mktemp("processed")
    try:
        return {
            "warehouse": ingest(synthetic, out, dataset="warehouse"),
            "reports": ingest(synthetic / "reports", out, dataset="reports"),
            "_out": out,  # type: ignore[dict-item]
        }
    finally:
        mp.undo()


def _raw_identifiers(synthetic: Path) -> set[str]:
    values: set[str] = set()
    with open(synthetic / "warehouse" / "user_detail.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            values |= {row[c].strip() for c in IDENTIFIER_COLUMNS if row.get(c, "").strip()}
            values.add(row["user_id"])
    return values


def test_validate_finds_no_errors(synthetic: Path) -> None:
    report = validate(synthetic)
    assert report.ok, [p for p in report.problems if p.severity == "error"][:5]
    assert report.shape == "warehouse"
    assert any("ground_truth.json present" in note for note in report.shape_notes)


def test_both_shapes_fill_their_tables(stores: dict[str, Manifest]) -> None:
    warehouse, reports = stores["warehouse"], stores["reports"]
    assert warehouse.shape == "warehouse" and reports.shape == "reports"
    for table in TABLES:
        assert warehouse.tables[table]["rows"] > 0, table
        if table not in REPORT_ONLY_EMPTY:
            assert reports.tables[table]["rows"] > 0, table
    # Both shapes describe the same simulated people and courses.
    ratio = reports.tables["learners"]["rows"] / warehouse.tables["learners"]["rows"]
    assert 0.8 <= ratio <= 1.0  # reports list active users only
    # Reports know a course only through its enrolments: never more courses than the warehouse.
    courses = reports.tables["content"]["rows"] / warehouse.tables["content"]["rows"]
    assert 0.95 <= courses <= 1.0
    assert not any("ground_truth" in str(i["path"]) for i in warehouse.inputs)


def test_every_row_is_accounted_for(stores: dict[str, Manifest]) -> None:
    for manifest in (stores["warehouse"], stores["reports"]):
        for name, source in manifest.sources.items():
            lost = sum(source["rejected"].values()) + sum(source["duplicates_resolved"].values())
            assert source["rows_kept"] == source["rows_in"] - lost, name


def test_store_matches_contract_and_holds_no_identifier(
    stores: dict[str, Manifest], synthetic: Path
) -> None:
    out = stores["_out"]  # type: ignore[assignment]
    identifiers = _raw_identifiers(synthetic)
    assert len(identifiers) > 1000
    for dataset in ("warehouse", "reports"):
        for table in TABLES:
            data = pq.read_table(Path(out) / dataset / f"{table}.parquet")
            pandera_schema(table).validate(data.slice(0, 20_000).to_pandas())
            for column in data.column_names:
                if data.schema.field(column).type == "string":
                    values = set(data.column(column).drop_null().to_pylist())
                    assert not values & identifiers, f"{dataset}.{table}.{column}"
        manifest_text = (Path(out) / dataset / "manifest.json").read_text()
        assert not any(v in manifest_text for v in identifiers)


def test_groups_and_org_types_are_normalised(stores: dict[str, Manifest]) -> None:
    out = Path(stores["_out"])  # type: ignore[arg-type]
    groups = set(pq.read_table(out / "warehouse" / "learners.parquet").column("group").to_pylist())
    assert groups == {"A", "B", "C", "Unknown"}
    org_types = pq.read_table(out / "warehouse" / "org_hierarchy.parquet").column("org_type")
    assert set(org_types.to_pylist()) == {"central", "state"}
    assert set(stores["warehouse"].normalisation["group"]) >= {"canonical", "pattern", "blank"}


def test_reports_cross_check_agrees_with_the_warehouse(stores: dict[str, Manifest]) -> None:
    # The default mixed report variants (three code lines, two report dates) must give the same
    # aggregates as the warehouse they were written from: every key of every check agrees.
    check = stores["warehouse"].cross_check
    assert check["agrees"] is True and check["reports"] == "reports/"
    assert [c["name"] for c in check["checks"]] == [
        "organisations",
        "active_learners",
        "content",
        "enrolments",
        "completions_per_day",
        "acbp_allocations",
    ]
    assert all(c["keys"] > 0 and c["disagree"] == 0 for c in check["checks"]), check["checks"]
    assert check["expected"]["inactive_learners_only_in_warehouse"] > 0
    assert "reports_disagree_with_warehouse" not in stores["warehouse"].warnings
    # A reports-only ingest has nothing to cross-check.
    assert stores["reports"].cross_check == {}


def test_cross_check_names_a_changed_report_row(
    synthetic: Path,
    stores: dict[str, Manifest],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shutil

    from evaluation.data.ingest.pipeline import ingest_with_summary

    monkeypatch.setenv("NLW_SALT", "integration-salt-0123456789abcdef")
    root = tmp_path / "raw"
    shutil.copytree(synthetic / "warehouse", root / "warehouse")
    shutil.copytree(synthetic / "reports", root / "reports")
    # One completion in a newest consumption report (a DuckDB-written one: mdoid last, quotes
    # doubled, as the csv module writes them) becomes in progress.
    newest = sorted((root / "reports" / "user-enrollment-report").iterdir())[-1]
    path = next(
        p
        for p in sorted(newest.glob("mdoid=*/ConsumptionReport.csv"))
        if p.read_text(encoding="utf-8").split("\n", 1)[0].endswith(",mdoid")
    )
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    row = next(r for r in rows if r["Status"] == "completed")
    row.update(Status="in-progress", Content_Progress_Percentage="50", Completed_On="",
               Certificate_Generated="No", Certificate_ID="")  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    result = ingest_with_summary(root, tmp_path / "out", dataset="changed")
    check = result.manifest.cross_check
    assert check["agrees"] is False
    failed = {c["name"]: c["disagree"] for c in check["checks"] if c["disagree"]}
    # one content item: completed -1 and in-progress +1; one day: one completion fewer
    assert failed == {"enrolments": 2, "completions_per_day": 1}
    assert result.manifest.warnings["reports_disagree_with_warehouse"] == len(failed)
    lines = result.summary.lines()
    assert "cross-check of reports/ against the warehouse: DISAGREE" in lines
    assert any(line.startswith("  enrolments: 2 of ") for line in lines)
    # The store is still the warehouse's: the same enrolments table, byte for byte.
    assert (
        result.manifest.tables["enrolments"]["sha256"]
        == (stores["warehouse"].tables["enrolments"]["sha256"])
    )
