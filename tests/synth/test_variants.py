"""The generator writes the platform's real export variants (docs/real-exports.md).

Parquet warehouse folders as Spark leaves them, MDO reports from three code lines mixed across
MDOs and report dates, byte-identical for a seed, and ingesting to the same canonical tables as
the plain files for every variant on by default.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from evaluation.data.ingest import ingest
from evaluation.data.synth import CODE_LINES, DEFAULT_FEATURES, FEATURES, Variants, generate

PART = re.compile(
    r"part-00000-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-c000\.snappy\.parquet"
)
SEED = 11
ALL = Variants(mix="mixed", features=frozenset(FEATURES))


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


@pytest.fixture(scope="module")
def parquet_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pq") / "raw"
    return generate(
        out, scale=0.0005, seed=SEED, formats=("warehouse",), warehouse_format="parquet"
    )


@pytest.fixture(scope="module")
def variant_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("variants") / "raw"
    return generate(out, scale=0.002, seed=SEED, formats=("reports",), variants=ALL)


def test_parquet_folders_are_laid_out_as_spark_writes_them(parquet_world: Path) -> None:
    tables = sorted(p for p in (parquet_world / "warehouse").iterdir())
    assert {t.name for t in tables} >= {
        "user_detail",
        "user_enrolments",
        "content",
        "org_hierarchy",
    }
    for table in tables:
        assert table.is_dir(), table
        names = sorted(p.name for p in table.iterdir())
        assert len(names) == 2 and names[0] == "_SUCCESS", names
        assert PART.fullmatch(names[1]), names[1]
        assert (table / "_SUCCESS").stat().st_size == 0
        meta = pq.read_metadata(table / names[1])
        assert meta.num_rows > 0
        codecs = {
            meta.row_group(g).column(c).compression
            for g in range(meta.num_row_groups)
            for c in range(meta.num_columns)
        }
        assert codecs == {"SNAPPY"}, (table.name, codecs)
        assert b"org.apache.spark.sql.parquet.row.metadata" in meta.metadata


def test_parquet_names_and_bytes_come_from_the_seed(parquet_world: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", scale=0.0005, seed=SEED, formats=("warehouse",),
                     warehouse_format="parquet")  # fmt: skip
    other = generate(tmp_path / "other", scale=0.0005, seed=SEED + 1, formats=("warehouse",),
                     warehouse_format="parquet")  # fmt: skip
    first = {k: v for k, v in _digest(parquet_world).items() if k.startswith("warehouse/")}
    assert first == {k: v for k, v in _digest(again).items() if k.startswith("warehouse/")}
    part = next((other / "warehouse" / "user_detail").glob("part-*"))
    assert not (parquet_world / "warehouse" / "user_detail" / part.name).exists()


def test_variant_reports_are_byte_identical_for_a_seed(variant_world: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", scale=0.002, seed=SEED, formats=("reports",), variants=ALL)
    reports = {k: v for k, v in _digest(variant_world).items() if k.startswith("reports/")}
    assert reports == {k: v for k, v in _digest(again).items() if k.startswith("reports/")}


def _line_of(header: list[str]) -> str:
    if "MDO_Name" in header:
        return "python"
    return "scala-4.8.18" if "Total_Learning_Hr_After_19_Oct" in header else "scala-4.8.15"


def test_code_lines_are_mixed_across_mdos_and_report_dates(variant_world: Path) -> None:
    root = variant_world / "reports" / "user-report"
    lines: dict[str, dict[str, str]] = {}
    for path in sorted(root.glob("*/mdoid=*/UserReport.csv")):
        date, mdo = path.parts[-3], path.parts[-2]
        lines.setdefault(date, {})[mdo] = _line_of(_header(path))
    assert len(lines) == 2
    for date, by_mdo in lines.items():
        assert set(by_mdo.values()) == set(CODE_LINES), date
    early, late = sorted(lines)
    shared = set(lines[early]) & set(lines[late])
    assert any(lines[early][m] != lines[late][m] for m in shared)
    # The draw follows the configured shares (0.6 / 0.25 / 0.15 on the final date).
    python_share = sum(v == "python" for v in lines[late].values()) / len(lines[late])
    assert 0.5 < python_share < 0.7


def test_each_code_line_writes_its_own_text(variant_world: Path) -> None:
    root = variant_world / "reports"
    generated = {
        "python": r"\d{4}-\d{2}-\d{2} 14:05:33 PM",
        "scala-4.8.18": r"\d{4}-\d{2}-\d{2} 02:30:00 AM",
        "scala-4.8.15": r"\d{2}/\d{2}/\d{4} 19:30:12 PM",
    }
    seen = set()
    for path in sorted(root.glob("user-report/*/mdoid=*/UserReport.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            row = next(csv.DictReader(handle, escapechar="\\"))
        line = _line_of(list(row))
        assert re.fullmatch(generated[line], row["Report_Last_Generated_On"]), path
        if line == "scala-4.8.15":
            assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", row["User_Registration_Date"])
        seen.add(line)
    assert seen == set(CODE_LINES)
    # DuckDB-written Python reports carry mdoid last, equal to the folder; Spark ones never.
    with_id = 0
    for path in sorted(root.glob("user-enrollment-report/*/mdoid=*/ConsumptionReport.csv")):
        header = _header(path)
        if "MDO_Name" in header:
            assert header[-1] == "mdoid"
            with path.open(encoding="utf-8", newline="") as handle:
                row = next(csv.DictReader(handle))
            assert f"mdoid={row['mdoid']}" == path.parent.name
            with_id += 1
        else:
            assert "mdoid" not in header
    assert with_id
    # Numbered parts only for Scala MDOs, each with its header.
    parts = sorted(root.glob("user-report/*/mdoid=*/UserReport1.csv"))
    assert parts
    assert all(_header(p) == _header(p.with_name("UserReport.csv")) for p in parts)
    assert all("MDO_Name" not in _header(p) for p in parts)


def test_spark_files_escape_quotes_with_backslashes_duckdb_doubles_them(
    variant_world: Path,
) -> None:
    spark = [p.read_text(encoding="utf-8") for p in (variant_world / "reports").glob(
        "user-report/*/mdoid=*/UserReport*.csv")]  # fmt: skip
    duckdb = [p.read_text(encoding="utf-8") for p in (variant_world / "reports").glob(
        "cbp-report/*/mdoid=*/CBPEnrollmentReport.csv")]  # fmt: skip
    # Large Python MDOs' UserReport goes through DuckDB (mdoid last): not a Spark file.
    spark = [text for text in spark if not text.split("\n", 1)[0].endswith(",mdoid")]
    assert any(re.search(r'"\w+ \\"\w+\\" ', text) for text in spark)
    assert not any(re.search(r' ""\w', text) for text in spark)
    python_cbp = [t for t in duckdb if "MDO_Name" in t.split("\n", 1)[0]]
    assert any(re.search(r'"\w+ ""\w+"" ', text) for text in python_cbp)


def test_variants_are_configurable() -> None:
    assert Variants().features == DEFAULT_FEATURES
    python = Variants(mix="python").code_lines(SEED, 400, 2)
    assert all((line == 0).all() for line in python)
    custom = Variants(shares=((0.0, 1.0, 0.0), (0.0, 0.0, 1.0))).code_lines(SEED, 50, 2)
    assert (custom[0] == 1).all() and (custom[1] == 2).all()
    assert Variants(mix="plain").active() == []
    with pytest.raises(ValueError, match="unknown variant"):
        Variants(features=frozenset({"nonsense"}))
    with pytest.raises(ValueError, match="variants must be"):
        Variants(mix="java")


def _canonical(src: Path, out: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("NLW_SALT", "variant-test-salt-0123456789abcdef")
    manifest = ingest(src, out, dataset=name)
    warnings = manifest.warnings.get("missing_optional_column", 0)
    frames = {}
    for path in sorted((out / name).glob("*.parquet")):
        frame = pd.read_parquet(path)
        frames[path.stem] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    rejected = {k: v["rejected"] for k, v in manifest.sources.items()}
    return {"frames": frames, "rejected": rejected, "missing_optional": warnings}


#: Learner columns the Scala UserReport does not carry (docs/real-exports.md §1, §15).
SCALA_ABSENT = ["cadre", "civil_service_type", "profile_status", "karma_points"]


def _assert_same(plain: dict, other: dict, *, scala_mdos: set[str] | None = None) -> None:
    """The same tables; with ``scala_mdos``, their learners lack the Scala-absent columns."""
    assert other["rejected"] == plain["rejected"]
    assert plain["frames"].keys() == other["frames"].keys()
    for table, frame in plain["frames"].items():
        if table == "learners" and scala_mdos is not None:
            _assert_scala_learners(frame, other["frames"][table], scala_mdos)
            continue
        pd.testing.assert_frame_equal(frame, other["frames"][table], obj=table)


def _assert_scala_learners(plain: pd.DataFrame, other: pd.DataFrame, scala_mdos: set[str]) -> None:
    plain, other = (
        plain.set_index("user_key").sort_index(),
        other.set_index("user_key").sort_index(),
    )
    kept = [c for c in plain.columns if c not in SCALA_ABSENT]
    pd.testing.assert_frame_equal(plain[kept], other[kept], obj="learners")
    scala = other["mdo_id"].isin(scala_mdos)
    assert 0 < scala.sum() < len(other)
    # Blank (text) and 0 (balance) exactly for the people whose final report is Scala's, as
    # ingest fills a column a file lacks (each such file warns), untouched for everyone else.
    assert (other.loc[scala, SCALA_ABSENT[:3]] == "").all().all()
    assert (other.loc[scala, "karma_points"] == 0).all()
    pd.testing.assert_frame_equal(plain.loc[~scala, SCALA_ABSENT], other.loc[~scala, SCALA_ABSENT])
    assert plain.loc[scala, "cadre"].notna().any()


def _scala_mdos_on_final_date(world: Path) -> set[str]:
    root = world / "reports" / "user-report"
    final = sorted(p.name for p in root.iterdir())[-1]
    return {
        path.parent.name.removeprefix("mdoid=")
        for path in (root / final).glob("mdoid=*/UserReport.csv")
        if _line_of(_header(path)) != "python"
    }


def test_default_variants_ingest_to_the_plain_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = generate(tmp_path / "plain", scale=0.001, seed=SEED, variants="plain")
    mixed = generate(tmp_path / "mixed", scale=0.001, seed=SEED, warehouse_format="parquet")
    assert (mixed / "warehouse" / "user_detail").is_dir()
    out = tmp_path / "store"
    plain_reports = _canonical(plain / "reports", out, "plain_reports", monkeypatch)
    mixed_reports = _canonical(mixed / "reports", out, "mixed_reports", monkeypatch)
    _assert_same(plain_reports, mixed_reports, scala_mdos=_scala_mdos_on_final_date(mixed))
    # Four missing-column warnings per Scala user report file (both report dates, every part).
    scala_files = [
        p
        for p in (mixed / "reports" / "user-report").glob("*/mdoid=*/UserReport*.csv")
        if _line_of(_header(p)) != "python"
    ]
    assert plain_reports["missing_optional"] == 0
    assert mixed_reports["missing_optional"] == 4 * len(scala_files) > 0
    _assert_same(
        _canonical(plain, out, "csv_warehouse", monkeypatch),
        _canonical(mixed, out, "parquet_warehouse", monkeypatch),
    )
