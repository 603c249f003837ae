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
