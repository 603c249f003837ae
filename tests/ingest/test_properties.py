"""Property-based tests: hypothesis writes malformed files; validation must answer, not crash."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.raw_exports import FIXTURES, read_rows, to_csv

from evaluation.data.ingest import ingest, validate

SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
KARMA = "user_karma_points.csv"
HEADER, ROWS = read_rows(FIXTURES / "warehouse_ok" / "warehouse" / KARMA)


def _karma_only(folder: Path, data: bytes) -> Path:
    """A warehouse folder whose only table is the karma ledger with the given bytes."""
    (folder / "warehouse").mkdir(parents=True, exist_ok=True)
    (folder / "warehouse" / KARMA).write_bytes(data)
    return folder


@SETTINGS
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        report = validate(_karma_only(Path(tmp), data))
    assert not report.ok  # the required tables are missing, at least
    for problem in report.problems:
        assert problem.severity in ("error", "warning") and problem.rule
        assert problem.line is None or problem.line >= 1


@SETTINGS
@given(
    row=st.integers(min_value=0, max_value=len(ROWS) - 1),
    junk=st.text(alphabet="abcxyz!?%", min_size=1, max_size=8),
)
def test_a_non_number_is_reported_on_its_line(row: int, junk: str) -> None:
    rows = [dict(r) for r in ROWS]
    rows[row]["points"] = junk
    with tempfile.TemporaryDirectory() as tmp:
        report = validate(_karma_only(Path(tmp), to_csv(HEADER, rows).encode()))
    wrong = [p for p in report.problems if p.rule == "wrong_type"]
    assert [(p.file, p.line, p.column) for p in wrong] == [
        (f"warehouse/{KARMA}", row + 2, "points")
    ]


@SETTINGS
@given(cut=st.integers(min_value=1, max_value=200))
def test_a_file_cut_anywhere_is_diagnosed(cut: int) -> None:
    data = to_csv(HEADER, ROWS).encode()
    cut = min(cut, len(data) - 1)
    truncated = data[:cut]
    with tempfile.TemporaryDirectory() as tmp:
        report = validate(_karma_only(Path(tmp), truncated))
    lines = truncated.split(b"\n")
    last = lines[-1]
    if len(lines) > 1 and last and last.count(b",") < len(HEADER) - 1:
        assert "truncated_last_line" in report.rules()
        assert any(p.line == len(lines) for p in report.problems if p.rule == "truncated_last_line")
    if len(lines) == 1:  # no line end at all: a cut header or a header without rows
        assert report.rules() & {"missing_column", "header_only"}


@SETTINGS
@given(
    delimiter=st.sampled_from([";", "\t", "|"]),
)
def test_other_delimiters_are_named(delimiter: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = to_csv(HEADER, ROWS, delimiter=delimiter).encode()
        report = validate(_karma_only(Path(tmp), data))
    problems = [p for p in report.problems if p.rule == "wrong_delimiter"]
    assert len(problems) == 1 and repr(delimiter) in problems[0].message


INDIC = st.text(
    alphabet=st.characters(
        min_codepoint=0x0900, max_codepoint=0x0D7F, categories=["Lo", "Mn", "Mc", "Nd"]
    ),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() == s)


@settings(max_examples=5, deadline=None)
@given(name=INDIC, markup=st.sampled_from(["<script>x</script>", "=HYPERLINK(1)", "+1", "@a", ""]))
def test_indic_text_and_markup_pass_through_intact(name: str, markup: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(shutil.copytree(FIXTURES / "warehouse_ok", Path(tmp) / "src"))
        path = src / "warehouse" / "content.csv"
        header, rows = read_rows(path)
        rows[0]["content_name"] = markup + name
        path.write_text(to_csv(header, rows), encoding="utf-8")
        ingest(src, Path(tmp) / "out", dataset="d")
        import pyarrow.parquet as pq

        names = pq.read_table(Path(tmp) / "out" / "d" / "content.parquet").column("content_name")
        assert markup + name in names.to_pylist()
