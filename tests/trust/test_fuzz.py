"""Bounded fuzzing: bad params, raw files and outputs get named errors, never a crash."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from evaluation.core.params import Params, ParamsError, load_params, validate_params
from evaluation.data.ingest import DataError, ingest, validate
from evaluation.run.audit import audit_outputs

ROOT = Path(__file__).resolve().parents[2]
WAREHOUSE = ROOT / "tests" / "ingest" / "fixtures" / "warehouse_ok"
# No shrinking: a failing example is reported as found, and the budget stays bounded.
_COMMON = dict(
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)
BUDGET = settings(max_examples=25, **_COMMON)
SMALL_BUDGET = settings(max_examples=8, **_COMMON)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates().map(str),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
keys = st.sampled_from(sorted(Params.model_fields) + ["windw", "data.raw", ""]) | st.text(
    max_size=10
)
VALID = {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}}


@BUDGET
@given(raw=st.dictionaries(keys, values, max_size=6))
def test_validate_params_raises_only_params_error(raw):
    try:
        validate_params(VALID | raw)
    except ParamsError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)


@BUDGET
@given(raw=values)
def test_validate_params_on_any_value_raises_only_params_error(raw):
    try:
        validate_params(raw)
    except ParamsError:
        pass


@BUDGET
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_load_params_on_any_file_raises_only_params_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            load_params(path)
        except ParamsError as exc:
            assert str(path) in str(exc)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


TABLES = sorted(p.name for p in (WAREHOUSE / "warehouse").glob("*.csv"))
junk = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "NULL", "-1", "2024-02-30", "99:99:99", "=1+1", "\x00", "🙂", "1e30"]),
)


@pytest.fixture(autouse=True)
def _salt(monkeypatch):
    monkeypatch.setenv("NLW_SALT", "fuzz-salt-0123456789abcdef")


@SMALL_BUDGET
@given(
    table=st.sampled_from(TABLES),
    edits=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 40), junk), min_size=1, max_size=5),
    drop_column=st.booleans(),
)
def test_ingest_of_corrupted_cells_raises_only_named_errors(table, edits, drop_column):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "raw"
        shutil.copytree(WAREHOUSE, src)
        path = src / "warehouse" / table
        header, rows = _rows(path)
        for row, column, value in edits:
            if rows:
                rows[row % len(rows)][header[column % len(header)]] = value
        if drop_column and len(header) > 1:
            header = header[1:]
            rows = [{k: r[k] for k in header} for r in rows]
        _write(path, header, rows)
        report = validate(src)
        assert all(p.rule and p.severity in ("error", "warning") for p in report.problems)
        try:
            ingest(src, Path(tmp) / "processed", dataset="fuzz")
        except DataError as exc:  # IngestError is a DataError
            assert str(exc)
        else:
            assert report.ok
            assert (Path(tmp) / "processed" / "fuzz" / "manifest.json").is_file()


@SMALL_BUDGET
@given(
    files=st.dictionaries(
        st.sampled_from(["a.ipynb", "b.json", "c.html", "d.pdf", "e.xlsx", "f.png", "g.csv"]),
        st.binary(max_size=300),
        min_size=1,
    )
)
def test_audit_of_corrupt_outputs_never_crashes(files):
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp)
        (run / "tables").mkdir()
        for name, data in files.items():
            target = run / "tables" / name if name.endswith(".csv") else run / name
            target.write_bytes(data)
        try:
            report = audit_outputs(run, raw_dir=None)
        except Exception as exc:  # noqa: BLE001 - the point is to see which ones escape
            pytest.fail(f"audit crashed on corrupt outputs: {type(exc).__name__}: {exc}")
        assert set(report.files_scanned) | set(report.files_skipped)


@pytest.mark.parametrize("value", ["1e309", "-inf", "Infinity", "1e19"])
def test_an_infinite_or_huge_integer_is_a_named_error_not_a_crash(tmp_path, value):
    # Found by the fuzz test above: 1e309 parsed as infinity, passed validation, then the cast to
    # an int64 column crashed with duckdb.ConversionException.
    src = tmp_path / "raw"
    shutil.copytree(WAREHOUSE, src)
    path = src / "warehouse" / "user_detail.csv"
    header, rows = _rows(path)
    rows[0]["no_of_karma_points"] = value
    _write(path, header, rows)
    found = [
        (p.rule, p.severity, p.line)
        for p in validate(src).problems
        if p.column == "no_of_karma_points"
    ]
    assert found == [("wrong_type", "error", 2)]
    with pytest.raises(DataError):
        ingest(src, tmp_path / "processed", dataset="fuzz")
