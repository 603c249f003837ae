"""Small-cell suppression of exported tables, and the check a privacy audit runs on them.

The rule: no exported cell may count fewer than ``min_cell`` persons (params, default 10),
whether printed or recoverable by subtracting printed numbers from a printed total.

:func:`suppress` applies it to a count table and returns a copy in which

* every count below ``min_cell`` is suppressed (*primary* suppression; zeros too unless
  ``suppress_zeros=False``);
* more cells are suppressed where a published total would otherwise give a suppressed cell
  away (*complementary* suppression, see :func:`suppress` for the exact rules);
* every rate, mean or other figure derived from a suppressed count is suppressed as well;
* each suppressed cell is set to missing (``pd.NA``) *and* marked in a boolean
  ``<column>_suppressed`` column, so nothing disappears silently; :func:`export_view` turns
  the marks into a printable marker (``"[c]"``, the ONS convention for "confidential").

:func:`check_min_cell` lists the violations of the rule in any table (suppressed or not).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, optimize

__all__ = [
    "DEFAULT_MARKER",
    "DEFAULT_MIN_CELL",
    "SUPPRESSED_SUFFIX",
    "check_min_cell",
    "export_view",
    "suppress",
]

#: Smallest number of persons a published cell may count (params ``min_cell``).
DEFAULT_MIN_CELL = 10
#: Suffix of the boolean column marking suppressed cells of a column.
SUPPRESSED_SUFFIX = "_suppressed"
#: What a suppressed cell shows in an exported (printed or CSV) table.
DEFAULT_MARKER = "[c]"

# Tolerance when deciding that a null-space coordinate is zero (cell exactly recoverable).
_NULL_TOLERANCE = 1e-9

Cell = tuple[int, int]  # (row position, column position) in the count grid


@dataclass(frozen=True)
class _Line:
    """Cells that add up to a published total: one row or one column of the table.

    ``complete`` None follows the table's ``complete``; a part-of-whole pair (``parts_of``) is
    always incomplete: the whole holds persons outside the part.
    """

    parts: tuple[Cell, ...]
    total: Cell
    complete: bool | None = None


@dataclass(frozen=True)
class _Grid:
    """The count cells of a table as a float matrix, with the lines that tie them together."""

    columns: tuple[str, ...]
    values: np.ndarray
    lines: tuple[_Line, ...]
    complete: bool

    def remainder(self, line: _Line) -> float:
        """Total minus the sum of the parts: persons in no listed part of the line."""
        return self.values[line.total] - sum(self.values[cell] for cell in line.parts)

    def is_complete(self, line: _Line) -> bool:
        """Whether the line's parts add up to its total (no unlisted remainder)."""
        return self.complete if line.complete is None else line.complete


def _build_grid(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    row_total: str | None,
    total_row: Hashable | None,
    complete: bool,
    *,
    allow_missing: bool,
    parts_of: Mapping[str, str] | None = None,
) -> _Grid:
    parts = [column for column in count_columns if column != row_total]
    if not parts:
        raise ValueError("count_columns must name at least one column besides the row total")
    columns = tuple(parts + ([row_total] if row_total is not None else []))
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"columns not in table: {missing}")
    if table.index.has_duplicates:
        raise ValueError("table index must be unique (rows are addressed by label)")
    values = table.loc[:, list(columns)].apply(pd.to_numeric, errors="coerce")
    values = values.astype(float).to_numpy()
    if not allow_missing and np.isnan(values).any():
        raise ValueError("count columns must not contain missing values before suppression")
    if (values[~np.isnan(values)] < 0).any():
        raise ValueError("counts must be non-negative")
    total_position = _total_row_position(table, total_row)
    lines = _lines(len(table), len(parts), row_total is not None, total_position)
    lines += _pair_lines(len(table), columns, parts_of or {})
    return _Grid(columns, values, lines, complete)


def _pair_lines(
    n_rows: int, columns: Sequence[str], parts_of: Mapping[str, str]
) -> tuple[_Line, ...]:
    """One incomplete line per row and part-of-whole pair: the whole minus the part is a cell.

    A rate of 10 participants out of 11 eligible persons publishes 1 non-participant as surely
    as a count of 1 would.
    """
    unknown = sorted({c for pair in parts_of.items() for c in pair} - set(columns))
    if unknown:
        raise ValueError(f"parts_of names columns that are not count columns: {unknown}")
    lines = []
    for part, whole in parts_of.items():
        p, w = columns.index(part), columns.index(whole)
        lines += [_Line(((row, p),), (row, w), complete=False) for row in range(n_rows)]
    return tuple(lines)


def _total_row_position(table: pd.DataFrame, total_row: Hashable | None) -> int | None:
    if total_row is None:
        return None
    if total_row not in table.index:
        raise ValueError(f"total_row {total_row!r} is not in the table's index")
    position = table.index.get_loc(total_row)
    if not isinstance(position, int):  # a slice or a mask: the label is repeated
        raise ValueError(f"total_row {total_row!r} is not unique in the table's index")
    return position


def _lines(
    n_rows: int, n_parts: int, has_row_total: bool, total_position: int | None
) -> tuple[_Line, ...]:
    lines = []
    if has_row_total:
        for row in range(n_rows):
            lines.append(_Line(tuple((row, col) for col in range(n_parts)), (row, n_parts)))
    if total_position is not None:
        body = [row for row in range(n_rows) if row != total_position]
        for col in range(n_parts + int(has_row_total)):
            lines.append(_Line(tuple((row, col) for row in body), (total_position, col)))
    return tuple(lines)


def _check_additivity(grid: _Grid) -> None:
    for line in grid.lines:
        remainder = grid.remainder(line)
        if np.isnan(remainder):
            continue
        if grid.is_complete(line) and abs(remainder) > 1e-9:
            raise ValueError(
                f"parts do not add up to their total at {line.total} (difference {remainder:g});"
                " pass complete=False if the parts are not the whole total"
            )
        if remainder < -1e-9:
            raise ValueError(f"parts exceed their total at {line.total}")


def _is_small(values: np.ndarray, min_cell: int, suppress_zeros: bool) -> np.ndarray:
    small = values < min_cell
    return small if suppress_zeros else small & (values > 0)


def suppress(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    min_cell: int = DEFAULT_MIN_CELL,
    row_total: str | None = None,
    total_row: Hashable | None = None,
    complete: bool = True,
    derived: Mapping[str, str | Sequence[str]] | None = None,
    suppress_zeros: bool = True,
    parts_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Suppress cells counting fewer than ``min_cell`` persons, and those that would reveal them.

    Parameters
    ----------
    table : pandas.DataFrame
        A table of counts of persons (and figures derived from them), one row per unit.
        Rows are addressed by index label, so the index must be unique.
    count_columns : sequence of str
        Columns counting persons. A column ``row_total`` may be listed or not.
    min_cell : int
        Smallest count that may be published.
    row_total : str, optional
        Column holding each row's total of the (other) count columns.
    total_row : hashable, optional
        Index label of the row holding each column's total over the other rows.
    complete : bool
        True if the count columns add up exactly to ``row_total`` (and the rows to
        ``total_row``); False if the parts are a subset of the total (e.g. ``count`` of
        participants out of ``n`` persons), in which case the unlisted remainder is treated
        as an unpublished cell of the line.
    derived : mapping of str to str or sequence of str, optional
        Derived column -> the count column(s) it is computed from (``{"rate": ["count",
        "n"]}``). A derived cell is suppressed when any of its sources is.
    suppress_zeros : bool
        Treat a count of zero as a small cell (the literal rule "fewer than ``min_cell``").
    parts_of : mapping of str to str, optional
        Count column -> the count column it is a part of, row by row (``{"participants":
        "users"}``): the whole minus the part is a cell too, so a part (and every rate derived
        from it) is suppressed when fewer than ``min_cell`` persons of the whole are outside
        it (10 participants of 11 users reveal 1 non-participant).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with suppressed cells set to ``pd.NA`` (count columns become
        nullable ``Int64`` / ``Float64``) and one boolean ``<column>_suppressed`` column per
        count and derived column. ``result.attrs["disclosure"]`` records ``min_cell`` and
        the numbers of primary and complementary suppressions.

    Notes
    -----
    A *line* is a row with its ``row_total`` or a column with its ``total_row`` cell. The
    rules, applied until nothing changes:

    1. Primary: every count below ``min_cell`` is suppressed.
    2. Lines: where a line's total is published and any of its parts is suppressed (or the
       unlisted remainder of an incomplete line is below ``min_cell``), the unpublished cells
       of the line must be at least two and together count at least ``min_cell`` persons;
       otherwise the smallest published part is suppressed too (the standard "next smallest"
       rule), or, when no published part is left, the total itself.
    3. Recoverability: no suppressed cell may be exactly computable from the published
       cells through any combination of lines (checked with the null space of the line
       equations, so chains of rows and columns are covered); if one is, the smallest
       published cell of one of its lines is suppressed and the check is repeated.
    4. Non-negativity: counts cannot be negative, which an attacker can use too (a linear
       programme over the same equations): a suppressed cell it can narrow to less than one
       unit is treated as recoverable, as in rule 3. Hypothesis found a table the null-space
       check passed: a row of zeros beside rows whose hidden cells must sum to zero.

    A remainder of zero in an incomplete line (e.g. a 100 % rate) is not treated as a
    published zero: the parts are then simply the whole total.

    Examples
    --------
    >>> counts = pd.DataFrame({"A": [3, 40], "B": [25, 30], "total": [28, 70]}, index=["x", "y"])
    >>> out = suppress(counts, count_columns=["A", "B"], row_total="total")
    >>> out.loc["x", ["A_suppressed", "B_suppressed", "total_suppressed"]].tolist()
    [True, True, False]
    """
    if min_cell < 1:
        raise ValueError(f"min_cell must be at least 1, got {min_cell}")
    grid = _build_grid(
        table, count_columns, row_total, total_row, complete, allow_missing=False, parts_of=parts_of
    )
    _check_additivity(grid)
    suppressed = _is_small(grid.values, min_cell, suppress_zeros)
    primary = int(suppressed.sum())
    while (
        _apply_line_rule(grid, suppressed, min_cell)
        or _apply_recoverability_rule(grid, suppressed)
        or _apply_narrowing_rule(grid, suppressed)
    ):
        pass
    result = _render(table, grid, suppressed, derived or {})
    result.attrs["disclosure"] = {
        "min_cell": min_cell,
        "primary": primary,
        "complementary": int(suppressed.sum()) - primary,
    }
    return result


def _apply_line_rule(grid: _Grid, suppressed: np.ndarray, min_cell: int) -> bool:
    """Apply rule 2 to every line until stable; return True if anything was suppressed."""
    changed_any = False
    changed = True
    while changed:
        changed = False
        for line in grid.lines:
            changed |= _protect_line(grid, line, suppressed, min_cell)
        changed_any |= changed
    return changed_any


def _protect_line(grid: _Grid, line: _Line, suppressed: np.ndarray, min_cell: int) -> bool:
    if suppressed[line.total]:
        return False
    hidden = [grid.values[cell] for cell in line.parts if suppressed[cell]]
    remainder = grid.remainder(line)
    if not hidden and not 0 < remainder < min_cell:
        return False
    if remainder > 0:
        hidden.append(remainder)
    changed = False
    while len(hidden) < 2 or sum(hidden) < min_cell:
        published = [cell for cell in line.parts if not suppressed[cell]]
        if not published:
            suppressed[line.total] = True
            return True
        smallest = min(published, key=lambda cell: grid.values[cell])
        suppressed[smallest] = True
        hidden.append(grid.values[smallest])
        changed = True
    return changed


def _equations(grid: _Grid, suppressed: np.ndarray) -> tuple[np.ndarray, list[Cell], np.ndarray]:
    """Line equations restricted to the unknowns: ``A @ unknowns = b``.

    Unknowns are the suppressed cells, followed by one remainder per line when the lines are
    incomplete.
    """
    cells: list[Cell] = [(int(row), int(column)) for row, column in np.argwhere(suppressed)]
    position = {cell: i for i, cell in enumerate(cells)}
    # one remainder unknown per incomplete line, after the suppressed cells
    extra: dict[int, int] = {}
    for number, line in enumerate(grid.lines):
        if not grid.is_complete(line):
            extra[number] = len(cells) + len(extra)
    n_extra = len(extra)
    rows, rhs = [], []
    for number, line in enumerate(grid.lines):
        coefficients = np.zeros(len(cells) + n_extra)
        known = 0.0
        for cell, sign in [(cell, 1.0) for cell in line.parts] + [(line.total, -1.0)]:
            if cell in position:
                coefficients[position[cell]] = sign
            else:
                known += sign * grid.values[cell]
        if number in extra:
            coefficients[extra[number]] = 1.0
        if coefficients[: len(cells)].any():
            rows.append(coefficients)
            rhs.append(-known)
    matrix = np.array(rows) if rows else np.zeros((0, len(cells) + n_extra))
    return matrix, cells, np.array(rhs)


def _recoverable_cells(grid: _Grid, suppressed: np.ndarray) -> list[tuple[Cell, float]]:
    """Suppressed cells whose value follows exactly from the published cells."""
    matrix, cells, rhs = _equations(grid, suppressed)
    if not cells or matrix.shape[0] == 0:
        return []
    null = linalg.null_space(matrix)
    # A cell moves along no direction of the null space exactly when it is determined.
    if null.shape[1]:
        free = (np.abs(null) > _NULL_TOLERANCE).any(axis=1)
    else:
        free = np.zeros(matrix.shape[1], dtype=bool)
    solution = np.linalg.lstsq(matrix, rhs, rcond=None)[0]
    return [(cell, float(solution[i])) for i, cell in enumerate(cells) if not free[i]]


def _apply_recoverability_rule(grid: _Grid, suppressed: np.ndarray) -> bool:
    """Apply rule 3 once; return True if a cell was added."""
    for cell, _ in _recoverable_cells(grid, suppressed):
        if _suppress_next_to(grid, suppressed, cell):
            return True
    return False


#: An attacker's range on a suppressed count below this is a disclosure (rule 4).
_MIN_RANGE = 1.0 - 1e-6


def _narrowed_cells(grid: _Grid, suppressed: np.ndarray) -> list[Cell]:
    """Suppressed cells an attacker pins to less than one unit, knowing counts are >= 0."""
    matrix, cells, rhs = _equations(grid, suppressed)
    if not cells or matrix.shape[0] == 0:
        return []
    narrowed = []
    for i, cell in enumerate(cells):
        objective = np.zeros(matrix.shape[1])
        objective[i] = 1.0
        bounds = []
        for sign in (1.0, -1.0):
            fit = optimize.linprog(
                sign * objective, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs"
            )
            if fit.status != 0:  # unbounded or infeasible: no pin from this side
                break
            bounds.append(sign * fit.fun)
        if len(bounds) == 2 and bounds[1] - bounds[0] < _MIN_RANGE:
            narrowed.append(cell)
    return narrowed


def _apply_narrowing_rule(grid: _Grid, suppressed: np.ndarray) -> bool:
    """Apply rule 4 once; return True if a cell was added."""
    narrowed = _narrowed_cells(grid, suppressed)
    for cell in narrowed:
        if _suppress_next_to(grid, suppressed, cell):
            return True
    if narrowed:
        # Every line through the cell is hidden already: it is pinned through other lines,
        # so the smallest published cell anywhere is suppressed and the check repeated.
        published = [tuple(int(i) for i in cell) for cell in np.argwhere(~suppressed)]
        if published:
            suppressed[min(published, key=lambda c: grid.values[c])] = True
            return True
    return False


def _suppress_next_to(grid: _Grid, suppressed: np.ndarray, cell: Cell) -> bool:
    """Suppress the smallest published cell of a line through ``cell`` (its total if none)."""
    touching = [line for line in grid.lines if cell in line.parts or cell == line.total]
    candidates = [c for line in touching for c in line.parts if not suppressed[c]]
    candidates = candidates or [line.total for line in touching if not suppressed[line.total]]
    if candidates:
        suppressed[min(candidates, key=lambda c: grid.values[c])] = True
        return True
    return False


def _render(
    table: pd.DataFrame,
    grid: _Grid,
    suppressed: np.ndarray,
    derived: Mapping[str, str | Sequence[str]],
) -> pd.DataFrame:
    result = table.copy()
    flags: dict[str, np.ndarray] = {}
    for position, column in enumerate(grid.columns):
        values = grid.values[:, position]
        whole = np.all(values == np.round(values))
        result[column] = pd.array(values, dtype=pd.Int64Dtype() if whole else pd.Float64Dtype())
        result.loc[suppressed[:, position], column] = pd.NA
        flags[column] = suppressed[:, position].copy()
    for column, sources in derived.items():
        sources = [sources] if isinstance(sources, str) else list(sources)
        unknown = [source for source in sources if source not in grid.columns]
        if column not in table.columns or unknown:
            raise ValueError(
                f"derived column {column!r} and its sources {sources} must be in the table "
                f"and among the count columns {list(grid.columns)}"
            )
        hidden = np.logical_or.reduce([flags[source] for source in sources])
        numbers = pd.to_numeric(table[column], errors="coerce")
        # pandas accepts a Series here; pandas-stubs list no Series overload for Float64
        result[column] = pd.array(numbers, dtype=pd.Float64Dtype())  # type: ignore[call-overload]
        result.loc[hidden, column] = pd.NA
        flags[column] = hidden
    for column, flag in flags.items():
        result[f"{column}{SUPPRESSED_SUFFIX}"] = flag
    return result


def export_view(table: pd.DataFrame, *, marker: str = DEFAULT_MARKER) -> pd.DataFrame:
    """Printable copy of a suppressed table: marked cells show ``marker``, flags are dropped.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`suppress`.
    marker : str
        Text shown in place of a suppressed value.

    Returns
    -------
    pandas.DataFrame
        Columns that had suppressed cells become ``object`` columns holding the original
        (published) values and the marker.
    """
    result = table.copy()
    flag_columns = [column for column in table.columns if column.endswith(SUPPRESSED_SUFFIX)]
    for flag_column in flag_columns:
        column = flag_column[: -len(SUPPRESSED_SUFFIX)]
        if column not in result.columns:
            continue
        flags = table[flag_column].to_numpy(dtype=bool)
        shown = result[column].astype(object)
        shown[flags] = marker
        result[column] = shown
    return result.drop(columns=flag_columns)


def check_min_cell(
    table: pd.DataFrame,
    *,
    count_columns: Sequence[str],
    min_cell: int = DEFAULT_MIN_CELL,
    row_total: str | None = None,
    total_row: Hashable | None = None,
    complete: bool = True,
    derived: Mapping[str, str | Sequence[str]] | None = None,
    suppress_zeros: bool = True,
    parts_of: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """List the cells of a table that break the minimum-cell rule.

    Works on raw tables and on the output of :func:`suppress` alike: a missing count (or one
    flagged ``<column>_suppressed``) counts as suppressed.

    Parameters
    ----------
    table : pandas.DataFrame
        Table to audit.
    count_columns, min_cell, row_total, total_row, complete, derived, suppress_zeros, parts_of
        As in :func:`suppress`.

    Returns
    -------
    pandas.DataFrame
        One row per violation: ``row`` (index label), ``column``, ``value`` and ``rule``:

        * ``"small_cell"``: a published count below ``min_cell``;
        * ``"small_difference"``: a published total minus its published parts leaves fewer
          than ``min_cell`` persons in its suppressed (or unlisted) part (reported at the
          total's cell, with that difference as value);
        * ``"recoverable"``: a suppressed count that the published cells determine exactly
          (value: the recovered count);
        * ``"derived_from_suppressed"``: a published derived figure whose source count is
          suppressed.

        Empty when the table is safe to export.
    """
    grid = _build_grid(
        table, count_columns, row_total, total_row, complete, allow_missing=True, parts_of=parts_of
    )
    suppressed = np.isnan(grid.values) | _flags(table, grid.columns)
    values = np.where(suppressed, np.nan, grid.values)
    grid = _Grid(grid.columns, values, grid.lines, complete)
    labels = table.index
    violations = []
    small = ~suppressed & _is_small(np.nan_to_num(values, nan=np.inf), min_cell, suppress_zeros)
    for row, col in np.argwhere(small):
        violations.append((labels[row], grid.columns[col], values[row, col], "small_cell"))
    for line in grid.lines:
        difference = _hidden_difference(grid, line, suppressed, min_cell)
        if difference is not None:
            row, col = line.total
            violations.append((labels[row], grid.columns[col], difference, "small_difference"))
    for (row, col), value in _recoverable_cells(grid, suppressed):
        violations.append((labels[row], grid.columns[col], value, "recoverable"))
    violations += _derived_violations(table, grid, suppressed, derived or {})
    return pd.DataFrame(violations, columns=["row", "column", "value", "rule"])


def _flags(table: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    flags = np.zeros((len(table), len(columns)), dtype=bool)
    for position, column in enumerate(columns):
        flag_column = f"{column}{SUPPRESSED_SUFFIX}"
        if flag_column in table.columns:
            flags[:, position] = table[flag_column].fillna(True).to_numpy(dtype=bool)
    return flags


def _hidden_difference(
    grid: _Grid, line: _Line, suppressed: np.ndarray, min_cell: int
) -> float | None:
    """The persons a published total leaves in unpublished parts, if fewer than min_cell."""
    if suppressed[line.total]:
        return None
    published = sum(grid.values[cell] for cell in line.parts if not suppressed[cell])
    difference = float(grid.values[line.total] - published)
    any_hidden = any(suppressed[cell] for cell in line.parts)
    if any_hidden and difference < min_cell:
        return difference
    if not any_hidden and not grid.is_complete(line) and 0 < difference < min_cell:
        return difference
    return None


def _derived_violations(
    table: pd.DataFrame,
    grid: _Grid,
    suppressed: np.ndarray,
    derived: Mapping[str, str | Sequence[str]],
) -> list[tuple[Hashable, str, float, str]]:
    violations = []
    for column, sources in derived.items():
        sources = [sources] if isinstance(sources, str) else list(sources)
        positions = [grid.columns.index(source) for source in sources]
        hidden = suppressed[:, positions].any(axis=1)
        shown = pd.to_numeric(table[column], errors="coerce").notna().to_numpy()
        for row in np.flatnonzero(hidden & shown):
            value = float(pd.to_numeric(table[column].iloc[row]))
            violations.append((table.index[int(row)], column, value, "derived_from_suppressed"))
    return violations
