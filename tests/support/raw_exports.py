"""The hand-written raw-export fixtures (tests/ingest/fixtures) and helpers to damage copies.

The helpers edit copies of the fixture files in precise ways.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

#: Hand-written raw exports in both layouts (``warehouse_ok``, ``reports_ok``).
FIXTURES = Path(__file__).resolve().parents[1] / "ingest" / "fixtures"
#: The salt the ingest tests pseudonymise with (set as ``NLW_SALT`` by tests/ingest/conftest.py).
TEST_SALT = "test-salt-not-secret-0123456789abcdef"

Row = dict[str, str]


def read_rows(path: Path) -> tuple[list[str], list[Row]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def to_csv(header: list[str], rows: list[Row], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def edit_rows(path: Path, edit: Callable[[list[str], list[Row]], list[Row]]) -> None:
    header, rows = read_rows(path)
    rows = edit(header, rows)
    header = list(rows[0]) if rows else header
    path.write_text(to_csv(header, rows), encoding="utf-8")


def set_value(path: Path, row_index: int, column: str, value: str) -> int:
    """Set one value; return the physical line of that row (header = 1, no embedded newlines)."""

    def edit(_: list[str], rows: list[Row]) -> list[Row]:
        rows[row_index][column] = value
        return rows

    edit_rows(path, edit)
    return row_index + 2


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` in ``encoding`` (parents created); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
