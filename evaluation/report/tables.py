"""Table specs: each shown table's columns, their labels, formats and disclosure roles, once.

A section used to pass three parallel dict literals to :meth:`Edition.show_table
<evaluation.report.edition.Edition.show_table>` (``rename``, ``formats``, ``derived``) plus a
list of ``count_columns``, and had to keep them consistent by hand. A :class:`TableSpec` lists
the columns once, each a :class:`Column` that says how it is headed, how it is printed and
whether disclosure control treats it as a count of persons or as derived from such counts.

Labels may hold :meth:`str.format` fields (``"Met the {target_hours:g}-hour target"``) that
:meth:`TableSpec.filled` fills from the edition's params, so a spec can be a module constant.

Examples
--------
>>> spec = TableSpec(
...     (
...         Column("n", "Persons", "count", counts_persons=True),
...         Column("rate", "Rate", "percent", derived_from=("n",)),
...     )
... )
>>> spec.rename, spec.formats, spec.derived, spec.count_columns
({'n': 'Persons', 'rate': 'Rate'}, {'n': 'count', 'rate': 'percent'}, {'rate': ['n']}, ['n'])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = ["Column", "Format", "TableSpec"]

#: Display formats understood by :meth:`Edition.show_table`: the CSV keeps exact values.
Format = Literal["count", "percent", "hours", "decimal", "std_error", "p_value"]


@dataclass(frozen=True)
class Column:
    """One column of a shown table.

    Attributes
    ----------
    name : str
        The column's name in the frame (and in the CSV).
    label : str or None
        The heading the reader sees; ``None`` keeps the name. May hold :meth:`str.format`
        fields, filled by :meth:`TableSpec.filled`.
    format : {"count", "percent", "hours", "decimal", "std_error", "p_value"} or None
        How the page prints the column; ``None`` prints it as it is. ``std_error`` is
        ``decimal`` with two significant figures below 0.01 (a national estimate's error of
        0.0007 would print as 0.00).
    derived_from : tuple of str
        Count columns this column is computed from: it is suppressed wherever any of them is.
    counts_persons : bool
        Whether the column counts persons, so that disclosure control suppresses small cells.
    part_of : str or None
        For a count of persons: the count column it is a part of, row by row (participants of
        the eligible users). The whole minus the part is then a cell too, suppressed below
        ``min_cell`` with the part and every rate derived from it.
    """

    name: str
    label: str | None = None
    format: Format | None = None
    derived_from: tuple[str, ...] = ()
    counts_persons: bool = False
    part_of: str | None = None


@dataclass(frozen=True)
class TableSpec:
    """The columns of a shown table, in order, and what follows from them.

    Parameters
    ----------
    columns : tuple of Column
        The columns the spec describes. A frame may hold columns the spec does not name
        (shown as they are) and a spec may name columns a frame lacks (ignored when formatting
        and renaming).
    """

    columns: tuple[Column, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"columns named more than once in a table spec: {repeated}")

    @property
    def rename(self) -> dict[str, str]:
        """Column name to the reader's heading, for the columns that have a label."""
        return {c.name: c.label for c in self.columns if c.label is not None}

    @property
    def formats(self) -> dict[str, str]:
        """Column name to display format, for the columns that have one."""
        return {c.name: c.format for c in self.columns if c.format is not None}

    @property
    def derived(self) -> dict[str, list[str]]:
        """Derived column to the count columns it is computed from (for ``suppress``)."""
        return {c.name: list(c.derived_from) for c in self.columns if c.derived_from}

    @property
    def parts_of(self) -> dict[str, str]:
        """Count column to the count column it is a part of (for ``suppress``)."""
        return {c.name: c.part_of for c in self.columns if c.part_of is not None}

    @property
    def count_columns(self) -> list[str]:
        """Columns that count persons, in spec order (for ``suppress``)."""
        return [c.name for c in self.columns if c.counts_persons]

    def filled(self, **fields: Any) -> TableSpec:
        """A copy with the labels' :meth:`str.format` fields filled from ``fields``.

        Examples
        --------
        >>> spec = TableSpec((Column("met", "Met the {hours:g}-hour target"),))
        >>> spec.filled(hours=4.0).rename
        {'met': 'Met the 4-hour target'}
        """
        return TableSpec(
            tuple(
                replace(c, label=c.label.format(**fields)) if c.label is not None else c
                for c in self.columns
            )
        )

    def plus(self, columns: Iterable[Column]) -> TableSpec:
        """A copy with ``columns`` added after the spec's own (or replacing a same-named one).

        Examples
        --------
        >>> base = TableSpec((Column("term", "Period"), Column("estimate", "Effect")))
        >>> base.plus([Column("term", "Hours")]).rename
        {'term': 'Hours', 'estimate': 'Effect'}
        """
        extra = {column.name: column for column in columns}
        kept = tuple(extra.pop(c.name, c) for c in self.columns)
        return TableSpec(kept + tuple(extra.values()))
