"""Cross-check the MDO reports against the warehouse they came from.

When a raw folder holds both shapes (``warehouse/`` and ``reports/``), ingest builds the store
from the warehouse (the richer shape) and, here, compares it with the canonical tables built
from the reports alone. The platform writes both from the same database (docs/real-exports.md),
so counts that both shapes carry must agree exactly; a difference means a report variant was
read wrongly, or the two downloads are from different days.

The comparison is on aggregates, never on people: the reports link people by e-mail and the
warehouse by user id, so their pseudonymous keys differ by design.

Known differences are not disagreements, and are counted apart (``expected``):

- the user report lists active users only (the warehouse also holds inactive ones);
- the CBP report lists courses assigned but never enrolled in (status ``not-enrolled``), which
  the warehouse's enrolment table does not hold;
- reports list only organisations with at least one user;
- events, event attendance and the karma ledger exist only in the warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "CrossCheck",
    "compare_stores",
    "joined_sql",
    "summary_lines",
]

#: Rows shown per disagreeing check (all are counted).
EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Check:
    """One aggregate both shapes carry: ``sql`` selects ``key, value`` from one store.

    ``{<table>}`` fields in ``sql`` become ``read_parquet`` of that canonical table's file;
    ``{active}`` the warehouse's filter to active learners (``TRUE`` for reports, which list no
    others). Keys and values join their columns with :func:`joined_sql`, so a missing value stays
    in its place instead of being skipped.
    """

    name: str
    what: str
    sql: str


def joined_sql(*columns: str) -> str:
    """SQL joining ``columns`` with `` | ``; NULL shows as ``∅`` (``concat_ws`` would drop it)."""
    return (
        "concat_ws(' | ', "
        + ", ".join(f"coalesce(CAST({c} AS VARCHAR), '∅')" for c in columns)
        + ")"
    )


CHECKS: tuple[Check, ...] = (
    Check(
        "organisations",
        "ministry, department, type and state of every organisation the reports list",
        "SELECT mdo_id AS key, "
        + joined_sql("ministry", "department", "org_type", "state")
        + " AS value FROM {org_hierarchy}",
    ),
    Check(
        "active_learners",
        "active learners per organisation, group and frontline status",
        "SELECT "
        + joined_sql("mdo_id", '"group"', "is_frontline")
        + " AS key, count(*)::VARCHAR AS value FROM {learners} WHERE {active} GROUP BY ALL",
    ),
    Check(
        "content",
        "every content item's type, duration and AI flag",
        "SELECT content_id AS key, "
        + joined_sql("content_type", "round(duration_hours, 4)", "is_ai_related")
        + " AS value FROM {content}",
    ),
    Check(
        "enrolments",
        "enrolments per content item and status (not-enrolled CBP rows aside)",
        f"SELECT {joined_sql('content_id', 'status')} AS key, count(*)::VARCHAR AS value "
        "FROM {enrolments} WHERE status <> 'not-enrolled' GROUP BY ALL",
    ),
    Check(
        "completions_per_day",
        "course completions per day",
        "SELECT CAST(CAST(completed_on AS DATE) AS VARCHAR) AS key, count(*)::VARCHAR AS value "
        "FROM {enrolments} WHERE completed_on IS NOT NULL GROUP BY ALL",
    ),
    Check(
        "acbp_allocations",
        "ACBP allocations per course and due date",
        f"SELECT {joined_sql('content_name', 'due_on')} AS key, count(*)::VARCHAR AS value "
        "FROM {acbp_allocations} GROUP BY ALL",
    ),
)

# Keys present only in the warehouse that are not disagreements: the reports cannot list them.
_REPORTS_MAY_LACK = {"organisations"}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """How one aggregate compares: keys compared, keys that differ, and the first of them."""

    name: str
    what: str
    keys: int
    disagree: int
    examples: list[dict[str, str | None]] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """True when every key has the same value in both shapes."""
        return self.disagree == 0

    def line(self) -> str:
        """``name: agree on N keys`` or ``name: D of N keys differ (first: ...)``."""
        if self.agrees:
            return f"{self.name}: agree on {self.keys:,} keys"
        first = self.examples[0]
        return (
            f"{self.name}: {self.disagree:,} of {self.keys:,} keys differ (first: "
            f"{first['key']}: warehouse {first['warehouse']}, reports {first['reports']})"
        )


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The cross-check of the reports against the warehouse, as the manifest records it."""

    reports: str
    checks: list[CheckResult]
    expected: dict[str, int]
    reports_problems: dict[str, int] = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        """True when the reports were readable and every check agrees."""
        return not self.reports_problems and all(c.agrees for c in self.checks)

    def to_dict(self) -> dict[str, object]:
        """The manifest's ``cross_check`` entry."""
        data = asdict(self)
        data["agrees"] = self.agrees
        return data

    def lines(self) -> list[str]:
        """Plain lines for the ingest summary (see :func:`summary_lines`)."""
        return summary_lines(self.to_dict())


def summary_lines(data: Mapping[str, Any]) -> list[str]:
    """The ingest summary's lines for a manifest's ``cross_check`` entry (none when empty)."""
    if not data:
        return []
    verdict = "agree" if data.get("agrees") else "DISAGREE"
    out = [f"cross-check of {data['reports']} against the warehouse: {verdict}"]
    problems = data.get("reports_problems") or {}
    if problems:
        counts = ", ".join(f"{r} {n:,}" for r, n in problems.items())
        out.append(f"  the reports could not be read: {counts}")
    for check in data.get("checks", []):
        out.append(f"  {CheckResult(**check).line()}")
    expected = data.get("expected") or {}
    if expected:
        counts = ", ".join(f"{k} {v:,}" for k, v in expected.items())
        out.append(f"  known differences (not disagreements): {counts}")
    return out


def _select(check: Check, store: Path, *, warehouse: bool) -> str:
    tables = {
        name: f"read_parquet('{store / (name + '.parquet')}')"
        for name in ("org_hierarchy", "learners", "content", "enrolments", "acbp_allocations")
    }
    return check.sql.format(**tables, active="is_active" if warehouse else "TRUE")


def _compare(
    con: duckdb.DuckDBPyConnection, check: Check, warehouse: Path, reports: Path
) -> CheckResult:
    # FULL JOIN on the key: a key on one side only differs (NULL on the other side), except
    # organisations the reports cannot list.
    only_reports_side = "AND r.key IS NOT NULL" if check.name in _REPORTS_MAY_LACK else ""
    sql = f"""
        WITH w AS ({_select(check, warehouse, warehouse=True)}),
             r AS ({_select(check, reports, warehouse=False)})
        SELECT coalesce(w.key, r.key) AS key, w.value AS warehouse, r.value AS reports
        FROM w FULL JOIN r ON w.key IS NOT DISTINCT FROM r.key
        WHERE TRUE {only_reports_side}
        ORDER BY 1
    """
    frame = con.execute(sql).fetchall()
    differ = [row for row in frame if row[1] != row[2]]
    examples = [{"key": str(k), "warehouse": w, "reports": r} for k, w, r in differ[:EXAMPLES]]
    return CheckResult(check.name, check.what, len(frame), len(differ), examples)


def _expected(con: duckdb.DuckDBPyConnection, warehouse: Path, reports: Path) -> dict[str, int]:
    def one(sql: str) -> int:
        row = con.execute(sql).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    w, r = warehouse, reports
    return {
        "inactive_learners_only_in_warehouse": one(
            f"SELECT count(*) FROM read_parquet('{w / 'learners.parquet'}') WHERE NOT is_active"
        ),
        "not_enrolled_rows_only_in_reports": one(
            f"SELECT count(*) FROM read_parquet('{r / 'enrolments.parquet'}') "
            "WHERE status = 'not-enrolled'"
        ),
        "organisations_without_users_only_in_warehouse": one(
            f"SELECT count(*) FROM read_parquet('{w / 'org_hierarchy.parquet'}') WHERE mdo_id "
            f"NOT IN (SELECT mdo_id FROM read_parquet('{r / 'org_hierarchy.parquet'}'))"
        ),
        "warehouse_only_event_and_karma_rows": sum(
            one(f"SELECT count(*) FROM read_parquet('{w / (t + '.parquet')}')")
            for t in ("events", "event_attendance", "karma_ledger")
        ),
    }


def compare_stores(warehouse: Path, reports: Path, *, label: str = "reports/") -> CrossCheck:
    """Compare the canonical tables built from the warehouse with those built from the reports.

    Parameters
    ----------
    warehouse, reports : Path
        Folders of canonical Parquet tables (``<table>.parquet``) from each shape.
    label : str
        How the summary names the reports (their folder, relative to the raw root).

    Returns
    -------
    CrossCheck
        One :class:`CheckResult` per entry of :data:`CHECKS`, and the known differences.
    """
    con = duckdb.connect(":memory:")
    try:
        checks = [_compare(con, check, Path(warehouse), Path(reports)) for check in CHECKS]
        expected = _expected(con, Path(warehouse), Path(reports))
    finally:
        con.close()
    return CrossCheck(label, checks, expected)
