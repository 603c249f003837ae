r"""How each MDO report file is written: the platform code line and writer behind it.

The platform's report jobs exist in three code lines that write the same reports differently
(``docs/real-exports.md``): the current Python/PySpark jobs (``python``, cb-core-data 4.8.28), the
Scala jobs of October 2024 (``scala-4.8.18``) and the older Scala jobs (``scala-4.8.15``). Each
(MDO, report date) is given one code line, drawn from the seed; ``features`` switches every
textual difference on or off on its own, so ingest can be tested one variant at a time.

Features (see docs/synthetic-data.md for which are on by default):

``writer_text``
    Files as the real writers write them: Spark CSV (UserReport, ContentCompetencyMapping, every
    Scala report) and DuckDB ``COPY`` (the Python jobs' other reports) quote a value only when it
    needs it (comma, quote, line end, empty string) and write doubles as ``1.0``. Off: every
    string quoted, doubles as ``1`` (the generator's original writer).
``backslash_quotes``
    Spark CSV escapes an embedded quote as ``\"`` (DuckDB doubles it). So that the difference
    shows, about 2 % of people's names carry a quoted nickname (``Ravi "Raju" Kumar``); names
    are personal data, dropped at ingest. Needs ``writer_text``.
``ampm``
    ``Report_Last_Generated_On`` with the Spark pattern ``yyyy-MM-dd HH:mm:ss a`` (24-hour hour and
    an AM/PM marker: ``2025-11-03 14:05:33 PM``; Python and Scala 4.8.18) or ``dd/MM/yyyy
    HH:mm:ss a`` (Scala 4.8.15). Off: ``yyyy-MM-dd HH:mm:ss``.
``mdoid_column``
    Files written by DuckDB (Python ConsumptionReport, CBPEnrollmentReport and the UserReport of
    large MDOs) carry ``mdoid`` as their last column; Spark files only in the folder name.
``scala_columns``
    Scala MDOs get the Scala column sets (UserReport without MDO_Name, cadre block, karma and
    enrolment counts, with ``Verified Karmayogi``; 4.8.18 adds the ``*_After_19_Oct`` hours;
    ConsumptionReport and CBPEnrollmentReport without MDO_Name / cadre / isapar, in Scala order).
``s15_dates``
    Scala 4.8.15 UserReport dates as ``dd/MM/yyyy`` and CBPEnrollmentReport dates as ``dd/MM/yy``.
``numbered_parts``
    Scala UserReports of MDOs with more than ``part_rows`` rows are split into
    ``UserReport.csv``, ``UserReport1.csv``, ... (each with its header), as ``renameCSV`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CODE_LINES",
    "DEFAULT_FEATURES",
    "FEATURES",
    "MIXES",
    "Variants",
    "csv_bytes",
    "csv_lines",
    "TextCache",
    "variants_from",
]

CODE_LINES = ("python", "scala-4.8.18", "scala-4.8.15")
PYTHON, SCALA_18, SCALA_15 = range(3)

FEATURES = (
    "writer_text",
    "backslash_quotes",
    "ampm",
    "mdoid_column",
    "scala_columns",
    "s15_dates",
    "numbered_parts",
)

#: Features on by default: every one. Ingest reads them to the same canonical tables as the
#: plain files, except what the Scala column sets do not carry (cadre, civil-service type,
#: profile status, karma points of Scala MDOs' learners), checked by tests/synth/test_variants.py;
#: the list is kept in docs/synthetic-data.md.
DEFAULT_FEATURES = frozenset(FEATURES)

#: Share of MDOs per code line (python, scala-4.8.18, scala-4.8.15), one triple per report date
#: (early snapshot, final download). ``plain`` writes every file the generator's original way.
MIXES: dict[str, tuple[tuple[float, float, float], ...] | None] = {
    "plain": None,
    "mixed": ((0.5, 0.3, 0.2), (0.6, 0.25, 0.15)),
    "python": ((1.0, 0.0, 0.0), (1.0, 0.0, 0.0)),
    "scala": ((0.0, 0.5, 0.5), (0.0, 0.6, 0.4)),
}


@dataclass(frozen=True)
class Variants:
    """Which real export variants the MDO reports are written in.

    Attributes
    ----------
    mix : {"mixed", "python", "scala", "plain"}
        Code lines drawn per (MDO, report date); ``plain`` = no variants at all.
    features : frozenset of str
        Variant features written (subset of :data:`FEATURES`).
    shares : tuple of (float, float, float), optional
        Share of MDOs per code line for each report date; default from ``mix``.
    large_org_rows : int
        The Python UserReport goes through DuckDB (``mdoid`` last) for MDOs with more than this
        many rows at scale 1 (the job's 100,000-row switch), scaled with the world.
    part_rows : int
        Rows per numbered Scala UserReport part at scale 1 (scaled with the world, at least 20).
    """

    mix: str = "mixed"
    features: frozenset[str] = DEFAULT_FEATURES
    shares: tuple[tuple[float, float, float], ...] | None = None
    large_org_rows: int = 100_000
    part_rows: int = 50_000

    def __post_init__(self) -> None:
        if self.mix not in MIXES:
            raise ValueError(f"variants must be one of {sorted(MIXES)}, got {self.mix!r}")
        unknown = sorted(set(self.features) - set(FEATURES))
        if unknown:
            raise ValueError(f"unknown variant feature(s) {unknown}; known: {list(FEATURES)}")
        if self.part_rows < 1 or self.large_org_rows < 1:
            raise ValueError("part_rows and large_org_rows must be positive")
        for triple in self.shares or ():
            if len(triple) != 3 or min(triple) < 0 or abs(sum(triple) - 1) > 1e-9:
                raise ValueError(
                    f"shares must be three non-negative numbers summing to 1: {triple}"
                )

    @property
    def plain(self) -> bool:
        """No variant at all: every file as the generator always wrote it."""
        return self.mix == "plain"

    def on(self, feature: str) -> bool:
        """Whether ``feature`` is written."""
        if self.plain or feature not in self.features:
            return False
        return feature != "backslash_quotes" or "writer_text" in self.features

    def code_lines(self, seed: int, mdo_count: int, dates: int) -> list[np.ndarray]:
        """Code line (index into :data:`CODE_LINES`) of every MDO, per report date."""
        shares = self.shares or MIXES[self.mix]
        if shares is None:
            return [np.zeros(mdo_count, dtype=np.int8) for _ in range(dates)]
        result = []
        for number in range(dates):
            p = np.asarray(shares[min(number, len(shares) - 1)], dtype=float)
            rng = np.random.default_rng([seed, 75, number])
            result.append(rng.choice(3, size=mdo_count, p=p / p.sum()).astype(np.int8))
        return result

    def active(self) -> list[str]:
        """Features actually written (none for ``plain``)."""
        return [f for f in FEATURES if self.on(f)]

    def describe(self) -> dict[str, object]:
        """For ``ground_truth.json`` and the README."""
        return {
            "mix": self.mix,
            "features": self.active(),
            "shares_by_report_date": [list(s) for s in (self.shares or MIXES[self.mix] or ())],
        }


def variants_from(
    value: Variants | str | None, features: Iterable[str] | str | None = None
) -> Variants:
    """A :class:`Variants` from a mix name and optional features (names, "all", "default")."""
    base = value if isinstance(value, Variants) else Variants(mix=value or "mixed")
    if features is None:
        return base
    if isinstance(features, str):
        if features == "all":
            chosen: frozenset[str] = frozenset(FEATURES)
        elif features in ("default", ""):
            chosen = DEFAULT_FEATURES
        else:
            chosen = frozenset(f.strip() for f in features.split(",") if f.strip())
    else:
        chosen = frozenset(features)
    return replace(base, features=chosen)


# ------------------------------------------------------------------- CSV writers


def _texts(column: pa.Array, escape: str) -> pa.Array:
    """One column as CSV field text, the way Spark CSV / DuckDB COPY write it."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.dictionary_decode()
        kind = column.type
    if pa.types.is_boolean(kind):
        text = pc.if_else(column, "true", "false")
    elif pa.types.is_floating(kind):
        text = column.cast(pa.string())
        whole = pc.match_substring_regex(text, r"^-?\d+$")
        text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    elif pa.types.is_timestamp(kind):
        text = pc.strftime(column, "%Y-%m-%d %H:%M:%S")
    elif pa.types.is_date(kind):
        text = pc.strftime(column.cast(pa.timestamp("s")), "%Y-%m-%d")
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = column.cast(pa.string())
        needs = pc.or_(
            pc.equal(pc.utf8_length(text), 0), pc.match_substring_regex(text, r'[,"\r\n]')
        )
        quoted = pc.binary_join_element_wise(
            '"', pc.replace_substring(text, '"', escape + '"'), '"', ""
        )
        text = pc.if_else(needs, quoted, text)
    else:
        text = column.cast(pa.string())
    return pc.fill_null(text, "")


def csv_bytes(table: pa.Table, *, escape: str = '"') -> bytes:
    r"""``table`` as CSV text with a header, quoted only where needed.

    ``escape="\\"`` (one backslash) gives Spark's ``\"`` inside quoted values, ``'"'`` DuckDB's
    ``""``.
    """
    fields = [_texts(table.column(i).combine_chunks(), escape) for i in range(table.num_columns)]
    return csv_lines(table.column_names, fields)


def csv_lines(header: list[str], fields: list[pa.Array]) -> bytes:
    """Header line and rows of already formatted field texts (see :class:`TextCache`)."""
    head = (",".join(header) + "\n").encode()
    if not fields or len(fields[0]) == 0:
        return head
    lines = pc.binary_join_element_wise(*fields, ",").cast(pa.large_string())
    lines = pc.binary_join_element_wise(
        lines, pa.scalar("", pa.large_string()), pa.scalar("\n", pa.large_string())
    )
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    start, stop = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return head + lines.buffers()[2].to_pybytes()[start:stop]


class TextCache:
    """Field texts of a whole chunk of rows, formatted once and sliced per file.

    Formatting column by column per MDO file costs one pyarrow call per column and file; a
    chunk holds hundreds of files, so texts are made once per (column, escape) here.
    """

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self._names = frozenset(table.column_names)
        self._texts: dict[tuple[str, str], pa.Array] = {}

    def csv(self, part: pa.Table, start: int, escape: str, changed: frozenset[str]) -> bytes:
        """``part`` (rows ``start ..`` of the chunk) as CSV; ``changed`` columns are re-made."""
        fields = []
        for name in part.column_names:
            if name in changed or name not in self._names:
                fields.append(_texts(part.column(name).combine_chunks(), escape))
                continue
            key = (name, escape)
            if key not in self._texts:
                self._texts[key] = _texts(self.table.column(name).combine_chunks(), escape)
            fields.append(self._texts[key].slice(start, part.num_rows))
        return csv_lines(part.column_names, fields)
