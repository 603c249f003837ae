"""Privacy audit of a run's outputs: no direct identifier and no small cell may leave the machine.

:func:`audit_outputs` reads the direct identifiers of the raw inputs (names, emails, phones,
employee ids, raw user ids, external system ids, certificate ids; with the salt also the
pseudonymous user keys) and looks for each of them in every file under an output folder:
notebooks (sources, outputs and metadata), HTML, PDF text and metadata, JSON, CSV, XLSX (every
cell and the document properties), PNG text chunks (also of images embedded in notebooks and
pages) and plain text. Generic patterns (e-mail addresses, Indian mobile numbers) are searched
even without raw data. Published tables are checked against the minimum-cell rule of
:mod:`evaluation.report.disclosure`.

How the search stays fast with lakhs of identifiers: every identifier is normalised (case-folded,
blanks collapsed) and filed under one *anchor*, its rarest word. An output is cut into words;
each word is one dictionary look-up, and only when a word is an anchor are the identifiers filed
under it compared with the text around it. One pass over the words, whatever the number of
identifiers.

Which table columns count persons: the columns declared in ``findings.json`` under
``"disclosure"`` (``{table name: keyword arguments of check_min_cell}``), plus every column
whose name says it counts persons (:data:`PERSON_COUNT_NAMES`, :data:`PERSON_COUNT_SUFFIXES`).
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import os
import re
import struct
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from evaluation.report.disclosure import DEFAULT_MIN_CELL, check_min_cell

__all__ = [
    "PERSON_COUNT_NAMES",
    "PERSON_COUNT_SUFFIXES",
    "AuditFinding",
    "AuditReport",
    "IdentifierIndex",
    "Kind",
    "audit_outputs",
    "available_salt",
    "collect_identifiers",
    "mask",
    "output_vocabulary",
]

Kind = Literal[
    "email",
    "phone",
    "name",
    "employee_id",
    "raw_user_id",
    "external_id",
    "certificate_id",
    "user_key",
    "min_cell",
    "unreadable",
]

#: Column names (lower case) that count persons in a published table.
PERSON_COUNT_NAMES = frozenset(
    {
        "participants",
        "persons",
        "people",
        "learners",
        "users",
        "attendees",
        "completed",
        "target_met",
        "enrolled",
        "respondents",
    }
)
#: Endings of column names (lower case) that count persons (``group_a_participants``, ...).
PERSON_COUNT_SUFFIXES = tuple(f"_{name}" for name in sorted(PERSON_COUNT_NAMES))
#: ``unit`` values of findings that count persons.
_PERSON_UNITS = frozenset({"persons", "participants", "people", "learners", "attendees"})

# Raw column (any case) -> the kind of identifier it holds. Every ``pii`` and ``user_id``
# column of :func:`evaluation.data.ingest.sources.all_sources` must be here (a test checks it).
COLUMN_KINDS: dict[str, Kind] = {
    "full_name": "name",
    "name": "name",
    "email": "email",
    "phone_number": "phone",
    "phone": "phone",
    "employee_id": "employee_id",
    "external_system_id": "external_id",
    "certificate_id": "certificate_id",
    "user_id": "raw_user_id",
    "userid": "raw_user_id",
}
# Raw text that the platform publishes anyway (speakers, course and organisation names): an
# identifier found inside it is public and not searched (a learner who is also a speaker).
_PUBLIC_COLUMNS = frozenset(
    {
        "presenters",
        "event_name",
        "content_name",
        "content_provider_name",
        "content_provider",
        "mdo_name",
        "ministry",
        "department",
        "organization",
        "name of cbp allocated course",
    }
)

# A word: letters and digits of any script, with the combining marks Indic scripts need.
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u0900-\u0dff])+")
_BLANKS = re.compile(r"\s+")
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# Indian mobile numbers: 10 digits from 6-9, optionally +91 / 0 in front, or split 5 + 5.
# Digits glued to letters, dots or other digits (hashes, decimals) are not phone numbers.
_PHONE = re.compile(r"(?<![\w.])(?:\+91[\s-]?|0)?(?:[6-9]\d{9}|[6-9]\d{4}[\s-]\d{5})(?![\w]|\.\d)")
_DATA_URI = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=\s]+)")
_TEXT_SUFFIXES = frozenset(
    {".csv", ".tsv", ".txt", ".md", ".log", ".yaml", ".yml", ".svg", ".xml", ".css", ".js"}
)
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_MIN_ID_CHARS = 6
_MIN_NUMERIC_ID_DIGITS = 8


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class AuditFinding:
    """One problem found in an output.

    Attributes
    ----------
    file : str
        Path relative to the audited folder.
    where : str
        ``line 12``, ``page 3``, ``findings!B7``, ``cells[4].outputs[0].data.text/html line 2``,
        ``row 3, column attendees`` ...
    kind : str
        One of :data:`Kind`; ``unreadable`` when a file could not be parsed (the audit fails
        closed) and ``min_cell`` for small cells.
    match : str
        The matched text, masked (:func:`mask`); for ``min_cell`` the rule and value.
    source : str
        Where the identifier came from (``raw user_detail.csv:email``, ``pattern``) or the
        disclosure rule broken.
    """

    file: str
    where: str
    kind: str
    match: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.file} ({self.where}): {self.kind} {self.match} [{self.source}]"


@dataclass(frozen=True)
class AuditReport:
    """What an audit found and what it looked at.

    Attributes
    ----------
    output_dir : Path
        The folder audited.
    findings : tuple of AuditFinding
        Every problem, sorted by file and place. Empty when the outputs are clean.
    files_scanned : tuple of str
        Files read (relative paths).
    files_skipped : tuple of str
        Files the audit cannot read (e.g. JPEG): listed so nobody assumes they were checked.
    searched : dict
        Number of distinct raw identifiers searched, per kind.
    not_searched : dict
        Identifiers left out, per reason (``too_short``, ``public``), so the limits are visible.
    tables_checked : tuple of str
        Published tables checked against ``min_cell``, with the count columns used.
    min_cell : int
        The minimum cell size applied.
    seconds : float
        Wall time of the audit.
    """

    output_dir: Path
    findings: tuple[AuditFinding, ...]
    files_scanned: tuple[str, ...] = ()
    files_skipped: tuple[str, ...] = ()
    searched: Mapping[str, int] = field(default_factory=dict)
    not_searched: Mapping[str, int] = field(default_factory=dict)
    tables_checked: tuple[str, ...] = ()
    min_cell: int = DEFAULT_MIN_CELL
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    def kinds(self) -> Counter[str]:
        """Number of findings per kind."""
        return Counter(f.kind for f in self.findings)

    def summary(self, limit: int = 20) -> str:
        """A few lines for a terminal: verdict, then the first ``limit`` findings."""
        head = (
            f"privacy audit of {self.output_dir}: "
            + ("OK" if self.ok else f"FAILED, {len(self.findings)} finding(s)")
            + f" ({len(self.files_scanned)} files, {self.seconds:.1f} s)"
        )
        lines = [head] + [f"  {finding}" for finding in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"  ... and {len(self.findings) - limit} more")
        if self.files_skipped:
            lines.append(f"  not readable, not checked: {', '.join(self.files_skipped)}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (matches stay masked)."""
        return {
            "output_dir": str(self.output_dir),
            "ok": self.ok,
            "min_cell": self.min_cell,
            "findings": [vars(f) for f in self.findings],
            "files_scanned": list(self.files_scanned),
            "files_skipped": list(self.files_skipped),
            "searched": dict(self.searched),
            "not_searched": dict(self.not_searched),
            "tables_checked": list(self.tables_checked),
        }


def mask(text: str) -> str:
    """Hide all but the first two and last two letters or digits of ``text``.

    Examples
    --------
    >>> mask("advika.deshmukh@gov.in")
    'ad****.********@***.in'
    >>> mask("8008849803")
    '80******03'
    """
    positions = [i for i, char in enumerate(text) if char.isalnum()]
    keep = set(positions[:2] + positions[-2:]) if len(positions) > 6 else set(positions[:1])
    return "".join(
        char if (i in keep or not char.isalnum()) else "*" for i, char in enumerate(text)
    )


# ---------------------------------------------------------------------------------------------
# The identifier index


def _normalise(text: str) -> str:
    return _BLANKS.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def _is_word_char(char: str) -> bool:
    return bool(_WORD.fullmatch(char))


def _phone_digits(value: str) -> str | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) > 10 and digits.startswith(("91", "0")):
        digits = digits[-10:]
    return digits if len(digits) == 10 and digits[0] in "6789" else None


def _prepare(value: str, kind: str) -> tuple[str | None, list[str]]:
    """Normalised needle and its words, or ``(None, [])`` when it is not distinctive."""
    text = _normalise(str(value))
    if kind == "phone":
        digits = _phone_digits(text)
        return (digits, [digits]) if digits else (None, [])
    words = _WORD.findall(text)
    if not words:
        return None, []
    if kind == "name":
        distinctive = len(words) >= 2 and len(text) >= 5
    elif kind == "email":
        distinctive = "@" in text and len(text) >= _MIN_ID_CHARS
    elif text.isdigit():
        distinctive = len(text) >= _MIN_NUMERIC_ID_DIGITS
    else:
        distinctive = len(text) >= _MIN_ID_CHARS
    return (text, words) if distinctive else (None, [])


class IdentifierIndex:
    """Identifiers to look for, filed by anchor word; see the module docstring.

    The anchor of an identifier is its longest word: long words are rare words, and one
    ``findall`` per identifier is all it costs (lakhs of identifiers load in seconds).

    Examples
    --------
    >>> index = IdentifierIndex()
    >>> index.add("Advika Deshmukh", "name", source="raw")
    True
    >>> [hit[:2] for hit in index.search("Report for advika  DESHMUKH.")]
    [('name', 'advika deshmukh')]
    """

    def __init__(self, vocabulary: frozenset[str] | None = None) -> None:
        self._anchors: dict[str, dict[str, tuple[int, str, str]]] = {}
        self.searched: Counter[str] = Counter()
        self.not_searched: Counter[str] = Counter()
        # Words of the texts that will be searched (see output_vocabulary): an identifier whose
        # anchor word is not among them cannot match, so it is counted but not stored. At
        # national scale this keeps the index to the few identifiers that could occur.
        self.vocabulary = vocabulary

    def add(self, value: str, kind: str, *, source: str) -> bool:
        """File one raw value; returns False when it is too short to search for safely."""
        needle, words = _prepare(value, kind)
        if needle is None:
            self.not_searched["too_short"] += 1
            return False
        anchor = max(words, key=len)
        if self.vocabulary is not None and anchor not in self.vocabulary:
            self.searched[kind] += 1  # searched: its anchor word occurs in no output
            return True
        entries = self._anchors.setdefault(anchor, {})
        if needle not in entries:
            entries[needle] = (needle.find(anchor), kind, source)
            self.searched[kind] += 1
        return True

    def discard_found_in(self, texts: Iterable[str]) -> int:
        """Stop searching identifiers that occur in public text; returns how many were dropped."""
        public = {needle for text in texts for _, needle, _ in self.search(text)}
        for needle in public:
            anchor = max(_WORD.findall(needle), key=len)
            _offset, kind, _source = self._anchors[anchor].pop(needle)
            self.searched[kind] -= 1
            if not self._anchors[anchor]:
                del self._anchors[anchor]
        self.not_searched["public"] += len(public)
        return len(public)

    def __len__(self) -> int:
        return sum(self.searched.values())

    def search(self, text: str) -> Iterator[tuple[str, str, str]]:
        """Yield ``(kind, matched normalised text, source)`` for every identifier in ``text``."""
        if not self._anchors:
            return
        text = _normalise(text)
        for word in _WORD.finditer(text):
            entries = self._anchors.get(word.group())
            if not entries:
                continue
            for needle, (offset, kind, source) in entries.items():
                start = word.start() - offset
                end = start + len(needle)
                if start < 0 or not text.startswith(needle, start):
                    continue
                if start > 0 and _is_word_char(text[start - 1]):
                    continue
                if end < len(text) and _is_word_char(text[end]):
                    continue
                yield kind, needle, source


# ---------------------------------------------------------------------------------------------
# Reading the raw identifiers


def _sql_list(paths: Iterable[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _relation(files: list[Any]) -> str:
    paths = _sql_list(f.path for f in files)
    if all(f.format == "parquet" for f in files):
        return f"read_parquet({paths}, union_by_name = true)"
    return (
        f"read_csv({paths}, all_varchar = true, header = true, union_by_name = true, "
        "ignore_errors = true)"
    )


def _column_roles(spec: Any) -> dict[str, str]:
    """Identifier kind (or ``public``) of each raw column worth reading."""
    roles: dict[str, str] = {}
    for column, column_kind in spec.columns.items():
        if column_kind in ("pii", "user_id"):
            roles[column] = COLUMN_KINDS.get(column.lower(), "name")
        elif column.lower() in _PUBLIC_COLUMNS:
            roles[column] = "public"
    return roles


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


#: Distinct values of a column, or with a vocabulary only those that could match it: a value
#: made of ASCII characters only has exactly the words ``[a-z0-9]+`` of its lower case (what
#: ``_WORD`` finds in ``_normalise``), so it can match only if one of them is in the
#: vocabulary; any other value (Devanagari, accents) is always kept for Python to judge.
_DISTINCT = "SELECT DISTINCT {c} AS v FROM audit_raw WHERE trim({c}) <> ''"
_COULD_MATCH = r"""
WITH vals AS ({distinct}),
ascii AS (SELECT v FROM vals WHERE regexp_full_match(v, '[\x00-\x7f]*')),
words AS (SELECT v, unnest(regexp_extract_all(lower(v), '[a-z0-9]+')) AS w FROM ascii)
SELECT v FROM vals WHERE NOT regexp_full_match(v, '[\x00-\x7f]*')
UNION SELECT v FROM words WHERE w IN (SELECT w FROM audit_vocabulary)
ORDER BY 1
"""


def _raw_values(
    con: Any,
    layout: Any,
    *,
    filtered_roles: frozenset[str] = frozenset(),
    salt: bytes | None = None,
) -> Iterator[tuple[str, str, str, list[str], int]]:
    """Yield ``(source, column, role, values, distinct count)``; each file group is read once.

    Columns whose role is in ``filtered_roles`` yield only the values that could contain a word
    of the ``audit_vocabulary`` table (see ``_COULD_MATCH``); the filter runs in DuckDB, so at
    national scale Python sees thousands of values instead of crores. With ``salt``, each raw
    user id column also yields role ``user_key``: the keyed hashes (computed in DuckDB exactly
    as ingest does) that occur in the vocabulary.
    """
    from evaluation.data.ingest.sources import all_sources

    specs = all_sources()
    for name, files in sorted(layout.files.items()):
        roles = _column_roles(specs[name])
        for fmt in ("csv", "parquet"):
            group = [f for f in files if f.format == fmt]
            if not group or not roles:
                continue
            relation = _relation(group)
            present = [
                row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
            ]
            wanted = [column for column in roles if column in present]
            if not wanted:
                continue
            selected = ", ".join(f"CAST({_quote(c)} AS VARCHAR) AS {_quote(c)}" for c in wanted)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE audit_raw AS SELECT {selected} FROM {relation}"
            )
            for column in wanted:
                distinct = _DISTINCT.format(c=_quote(column))
                if roles[column] in filtered_roles:
                    query = _COULD_MATCH.format(distinct=distinct)
                else:
                    query = f"{distinct} ORDER BY 1"
                rows = con.execute(query).fetchall()
                total = len(rows)
                if roles[column] in filtered_roles or salt is not None:
                    total = con.execute(f"SELECT count(*) FROM ({distinct})").fetchone()[0]
                yield name, column, roles[column], [row[0] for row in rows], total
                if salt is not None and roles[column] == "raw_user_id":
                    keys = _matching_keys(con, distinct, salt)
                    yield name, column, "user_key", keys, total


def _matching_keys(con: Any, distinct: str, salt: bytes) -> list[str]:
    """Keyed hashes of the distinct ids that occur as words of the vocabulary (one word each)."""
    from evaluation.data.ingest.privacy import hmac_parameters, pseudonymise_sql

    rows = con.execute(
        f"SELECT DISTINCT {pseudonymise_sql('v')} AS k FROM ({distinct}) "
        "WHERE k IN (SELECT w FROM audit_vocabulary) ORDER BY 1",
        hmac_parameters(salt),
    ).fetchall()
    return [row[0] for row in rows]


def available_salt() -> bytes | None:
    """The pseudonymisation salt when one exists (``NLW_SALT`` or ``.nlw-salt``), else None.

    Never creates a salt file (unlike :func:`evaluation.data.ingest.privacy.load_salt`): without a
    salt no key can have been made with it. The caller keeps it in memory only; the audit never
    writes it to a report, a log or a manifest.
    """
    from evaluation.data.ingest.privacy import SALT_ENV_VAR, SALT_FILE_NAME, load_salt

    # The file load_salt() reads by default: the repository holding this package.
    salt_file = Path(__file__).resolve().parents[2] / SALT_FILE_NAME
    if os.environ.get(SALT_ENV_VAR) or salt_file.exists():
        return load_salt(salt_file)
    return None


def collect_identifiers(
    raw_dir: Path, *, salt: bytes | None = None, vocabulary: frozenset[str] | None = None
) -> IdentifierIndex:
    """Read every direct identifier of the raw inputs under ``raw_dir`` into an index.

    Parameters
    ----------
    raw_dir : Path
        A raw source folder as :func:`evaluation.data.ingest.detect_layout` reads it.
    salt : bytes, optional
        The pseudonymisation salt; when given, the keyed hash of every raw user id is searched
        too (kind ``user_key``): a person-level key has no place in a published output.
    vocabulary : frozenset of str, optional
        :func:`output_vocabulary` of the folders the index will search: identifiers that
        cannot occur in them are counted but not stored (the same findings, far less memory).

    Returns
    -------
    IdentifierIndex
        Ready to search; values that also occur in the platform's public text (speakers, course
        and organisation names) are left out and counted in ``not_searched["public"]``.
    """
    import duckdb

    from evaluation.data.ingest.layout import detect_layout
    from evaluation.data.ingest.privacy import pseudonymise

    index = IdentifierIndex(vocabulary)
    public: set[str] = set()
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")
    filtered: frozenset[str] = frozenset()
    if vocabulary is not None:
        con.execute(
            "CREATE TEMP TABLE audit_vocabulary AS SELECT unnest(?::VARCHAR[]) AS w",
            [sorted(vocabulary)],
        )
        # public text must stay whole (it un-flags identifiers); a phone's needle is its digits
        # run together, not its words
        filtered = frozenset(set(COLUMN_KINDS.values()) - {"public", "phone"})
    keyed = salt is not None and vocabulary is not None
    try:
        layout = detect_layout(Path(raw_dir))
        raw_values = _raw_values(con, layout, filtered_roles=filtered, salt=salt if keyed else None)
        for source, column, role, values, total in raw_values:
            if role == "public":
                public.update(values)
                continue
            # values filtered out in DuckDB were searched there: none can occur in an output
            index.searched[role] += total - len(values)
            label = f"raw {source}:{column}"
            if role == "user_key":  # keyed hashes computed (and filtered) in DuckDB
                for key in values:
                    index.add(key, "user_key", source=f"{label} (pseudonymised)")
                continue
            for value in values:
                index.add(value, role, source=label)
            if role == "raw_user_id" and salt is not None and not keyed:
                for hashed in pseudonymise(values, salt):
                    index.add(hashed or "", "user_key", source=f"{label} (pseudonymised)")
    finally:
        con.close()
    index.discard_found_in(sorted(public))
    return index


# ---------------------------------------------------------------------------------------------
# Cutting outputs into searchable segments: (where, text)

Segment = tuple[str, str]


def _lines(text: str, prefix: str = "") -> Iterator[Segment]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield f"{prefix}line {number}", line


def _png_text(data: bytes) -> Iterator[Segment]:
    """Text chunks (tEXt, zTXt, iTXt, eXIf) of a PNG, as ``(chunk keyword, text)``."""
    if not data.startswith(_PNG_SIGNATURE):
        return
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        chunk_type = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        decoded = _png_chunk_text(chunk_type, body)
        if decoded is not None:
            yield f"PNG {chunk_type.decode('latin-1')} {decoded[0]}", decoded[1]
        if chunk_type == b"IEND":
            return


def _png_chunk_text(chunk_type: bytes, body: bytes) -> tuple[str, str] | None:
    try:
        if chunk_type == b"tEXt":
            key, _, value = body.partition(b"\0")
            return key.decode("latin-1"), value.decode("latin-1")
        if chunk_type == b"zTXt":
            key, _, rest = body.partition(b"\0")
            return key.decode("latin-1"), zlib.decompress(rest[1:]).decode("latin-1")
        if chunk_type == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            translated, _, value = rest.partition(b"\0")
            value = zlib.decompress(value) if compressed else value
            text = translated.decode("utf-8", "replace") + " " + value.decode("utf-8", "replace")
            return key.decode("latin-1"), text
        if chunk_type == b"eXIf":
            return "exif", body.decode("latin-1")
    except (zlib.error, IndexError, UnicodeDecodeError):
        return "unreadable", body.decode("latin-1")
    return None


def _embedded(mime: str, payload: str, where: str) -> Iterator[Segment]:
    """Segments of a base64 payload: PNG text chunks, or decoded text for text types."""
    try:
        data = base64.b64decode(re.sub(r"\s", "", payload), validate=False)
    except (binascii.Error, ValueError):
        return
    if data.startswith(_PNG_SIGNATURE):
        for chunk, text in _png_text(data):
            yield f"{where} {chunk}", text
    elif mime.startswith("text/") or mime.endswith(("+xml", "/json")):
        yield from _lines(data.decode("utf-8", "replace"), f"{where} ")


def _without_data_uris(text: str, where: str, found: list[Segment]) -> str:
    def replace(match: re.Match[str]) -> str:
        found.extend(_embedded(match.group(1), match.group(2), f"{where} embedded {match[1]}"))
        return f"data:{match.group(1)};base64,"

    return _DATA_URI.sub(replace, text)


def _text_segments(text: str, *, is_html: bool = False) -> Iterator[Segment]:
    for where, line in _lines(text):
        embedded: list[Segment] = []
        line = _without_data_uris(line, where, embedded)
        yield from embedded
        yield where, html.unescape(line) if is_html else line


def _json_segments(node: Any, path: str = "") -> Iterator[Segment]:
    """Every key and string leaf of a parsed JSON document, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}" if path else str(key)
            yield f"{child} (key)", str(key)
            if isinstance(value, str) and key.startswith("image/") and not key.endswith("xml"):
                yield from _embedded(key, value, child)
            else:
                yield from _json_segments(value, child)
    elif isinstance(node, list):
        if node and all(isinstance(item, str) for item in node):  # notebook text as a line list
            yield from _json_segments("".join(node), path)
            return
        for number, value in enumerate(node):
            yield from _json_segments(value, f"{path}[{number}]")
    elif isinstance(node, str):
        embedded: list[Segment] = []
        text = _without_data_uris(node, path, embedded)
        yield from embedded
        if "\n" in text:
            yield from _lines(text, f"{path} ")
        else:
            yield path, text
    elif node is not None:
        yield path, str(node)


def _pdf_segments(path: Path) -> Iterator[Segment]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    for key, value in (reader.metadata or {}).items():
        yield f"metadata {key}", str(value)
    for number, page in enumerate(reader.pages, start=1):
        yield from _lines(page.extract_text() or "", f"page {number} ")


def _xlsx_segments(path: Path) -> Iterator[Segment]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=False)
    try:
        properties = book.properties
        for name in ("creator", "lastModifiedBy", "title", "subject", "description", "keywords"):
            value = getattr(properties, name, None)
            if value:
                yield f"properties {name}", str(value)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is not None and hasattr(cell, "coordinate"):
                        yield f"{sheet.title}!{cell.coordinate}", str(cell.value)
    finally:
        book.close()


def _read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:4096]:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _segments(path: Path) -> Iterator[Segment] | None:
    """Segments of one output file, or None when the audit cannot read its kind."""
    suffix = path.suffix.lower()
    if suffix in (".ipynb", ".json"):
        document = _read_text(path) or ""
        try:
            return _json_segments(json.loads(document))
        except json.JSONDecodeError:
            return _text_segments(document)
    if suffix in _HTML_SUFFIXES:
        return _text_segments(_read_text(path) or "", is_html=True)
    if suffix == ".pdf":
        return _pdf_segments(path)
    if suffix == ".xlsx":
        return _xlsx_segments(path)
    if suffix == ".png":
        return _png_text(path.read_bytes())
    text = _read_text(path)
    if suffix in _TEXT_SUFFIXES or text is not None:
        return _text_segments(text or "")
    return None


# ---------------------------------------------------------------------------------------------
# The audit


def _output_files(output_dir: Path) -> list[Path]:
    """Every regular file under ``output_dir`` (symlinked folders such as ``latest`` skipped)."""
    found = []
    for folder, subfolders, files in os.walk(output_dir, followlinks=False):
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _pattern_hits(text: str) -> Iterator[tuple[str, str, str]]:
    for match in _EMAIL.finditer(text):
        yield "email", match.group(), "pattern"
    for match in _PHONE.finditer(text):
        yield "phone", match.group(), "pattern"


def _search_segments(
    segments: Iterable[Segment],
    relative: str,
    index: IdentifierIndex,
    allowed: frozenset[str],
) -> list[AuditFinding]:
    findings: dict[tuple[str, str, str], AuditFinding] = {}
    for where, text in segments:
        hits = list(index.search(text)) + list(_pattern_hits(text))
        for kind, matched, source in hits:
            normalised = _normalise(matched)
            if normalised in allowed:
                continue
            key = (where, kind, _phone_digits(normalised) or normalised)
            if key not in findings or findings[key].source == "pattern":
                findings[key] = AuditFinding(relative, where, kind, mask(matched), source)
    return list(findings.values())


def _scan_file(
    path: Path,
    relative: str,
    index: IdentifierIndex,
    allowed: frozenset[str],
) -> list[AuditFinding] | None:
    """Findings in one file; None when its kind cannot be read at all.

    A file that its reader cannot parse (a corrupt PDF, workbook or notebook) is searched as
    plain text instead and reported as ``unreadable``: the audit fails closed, since a
    compressed stream it could not open might hide anything.
    """
    segments = _segments(path)
    if segments is None:
        return None
    try:
        return _search_segments(segments, relative, index, allowed)
    except Exception as exc:  # noqa: BLE001 - any parser error of a corrupt file ends here
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = _search_segments(_text_segments(text), relative, index, allowed)
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
        return found + [AuditFinding(relative, "whole file", "unreadable", "", problem)]


def output_vocabulary(output_dirs: Iterable[Path]) -> frozenset[str]:
    """Every word the audit will search in these folders, read the way :func:`_scan_file` reads.

    Identifiers are found by an anchor word that must occur in the searched text, so an index
    restricted to these words (``collect_identifiers(vocabulary=...)``) finds exactly what a
    full index finds. Corrupt files contribute the words of their raw bytes too, as the audit
    falls back to searching those.
    """
    words: set[str] = set()
    for output_dir in output_dirs:
        for path in _output_files(Path(output_dir).resolve()):
            segments = _segments(path)
            if segments is None:
                continue
            try:
                texts = [text for _where, text in segments]
            except Exception:  # noqa: BLE001 - the audit searches a corrupt file as plain text
                raw = path.read_bytes().decode("utf-8", errors="replace")
                texts = [text for _where, text in _text_segments(raw)]
            for text in texts:
                words.update(_WORD.findall(_normalise(text)))
    return frozenset(words)


def _table_spec(table: Path) -> dict[str, Any]:
    """Declared disclosure arguments of a published table (``findings.json`` -> disclosure)."""
    findings = table.parent.parent / "findings.json"
    if not findings.is_file():
        return {}
    try:
        declared = json.loads(findings.read_text(encoding="utf-8")).get("disclosure", {})
    except (json.JSONDecodeError, AttributeError):
        return {}
    spec = declared.get(table.stem, {}) if isinstance(declared, dict) else {}
    return dict(spec) if isinstance(spec, dict) else {}


def _counts_persons(column: str) -> bool:
    lowered = column.lower()
    return lowered in PERSON_COUNT_NAMES or lowered.endswith(PERSON_COUNT_SUFFIXES)


def _check_table(path: Path, relative: str, min_cell: int) -> tuple[list[AuditFinding], str | None]:
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except ValueError as exc:  # ParserError, EmptyDataError, UnicodeDecodeError
        problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:120]
        return [AuditFinding(relative, "whole file", "unreadable", "", problem)], None
    spec = _table_spec(path)
    declared = [c for c in spec.pop("count_columns", []) if c in table.columns]
    columns = declared + [c for c in table.columns if _counts_persons(c) and c not in declared]
    if not columns or table.empty:
        return [], None
    spec.pop("min_cell", None)
    spec.setdefault("complete", False)
    derived = {k: v for k, v in (spec.pop("derived", None) or {}).items() if k in table.columns}
    try:
        violations = check_min_cell(
            table, count_columns=columns, min_cell=min_cell, derived=derived, **spec
        )
    except (ValueError, TypeError) as exc:  # e.g. a negative count or a bad declaration
        problem = f"cannot check: {exc}".splitlines()[0][:120]
        return [AuditFinding(relative, "whole table", "min_cell", "", problem)], None
    findings = [
        AuditFinding(
            relative,
            f"row {int(row) + 2}, column {column}" if isinstance(row, int) else f"{row}, {column}",
            "min_cell",
            f"{value:g}",
            f"{rule} (min_cell {min_cell})",
        )
        for row, column, value, rule in violations.itertuples(index=False)
    ]
    return findings, f"{relative} [{', '.join(columns)}]"


def _check_findings_json(path: Path, relative: str, min_cell: int) -> list[AuditFinding]:
    """Headline counts of persons below ``min_cell`` in a notebook's findings.json."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return []
    items = data.get("findings", []) if isinstance(data, dict) else []
    found = []
    for number, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        value = item.get("value")
        if item.get("unit") in _PERSON_UNITS and isinstance(value, int | float):
            if 0 < value < min_cell:
                where = f"findings[{number}] {item.get('key', '')}"
                found.append(AuditFinding(relative, where, "min_cell", f"{value:g}", "small_cell"))
    return found


def audit_outputs(
    output_dir: Path,
    *,
    raw_dir: Path | None,
    min_cell: int = DEFAULT_MIN_CELL,
    salt: bytes | None = None,
    identifiers: IdentifierIndex | None = None,
    allow: Iterable[str] = (),
    progress: Callable[[str], None] = lambda _relative: None,
) -> AuditReport:
    """Audit every file under ``output_dir`` for personal data and small cells.

    Parameters
    ----------
    output_dir : Path
        A run folder (``outputs/2024/<run-id>``), an edition folder or ``outputs/`` itself.
        Symlinked folders inside (``latest``) are not followed; a symlink given as
        ``output_dir`` is.
    raw_dir : Path or None
        The raw inputs whose identifiers must not appear. None: generic patterns only.
    min_cell : int
        Smallest number of persons a published cell may count.
    salt : bytes, optional
        Pseudonymisation salt: also search the keyed hashes of the raw user ids.
    identifiers : IdentifierIndex, optional
        A prebuilt index (:func:`collect_identifiers`), to audit several folders while reading
        the raw data once; ``raw_dir`` and ``salt`` are then ignored.
    allow : iterable of str
        Exact texts never reported (e.g. a contact address printed on purpose).
    progress : callable
        Called with each file's relative path before it is read.

    Returns
    -------
    AuditReport
        ``.ok`` is False when any identifier or small cell was found.

    Examples
    --------
    >>> report = audit_outputs(Path("outputs/2024/latest"), raw_dir=Path("data/raw/synthetic"))
    ... # doctest: +SKIP
    >>> report.ok, report.findings[:1]  # doctest: +SKIP
    (True, ())
    """
    started = time.perf_counter()
    output_dir = Path(output_dir).resolve()
    if not output_dir.is_dir():
        raise FileNotFoundError(f"{output_dir} is not a folder")
    if identifiers is None:
        identifiers = IdentifierIndex()
        if raw_dir is not None:
            vocabulary = output_vocabulary([output_dir])
            identifiers = collect_identifiers(Path(raw_dir), salt=salt, vocabulary=vocabulary)
    allowed = frozenset(_normalise(text) for text in allow)
    findings: list[AuditFinding] = []
    scanned, skipped, tables = [], [], []
    for path in _output_files(output_dir):
        relative = path.relative_to(output_dir).as_posix()
        progress(relative)
        found = _scan_file(path, relative, identifiers, allowed)
        if found is None:
            skipped.append(relative)
            continue
        scanned.append(relative)
        findings += found
        if path.suffix == ".csv" and path.parent.name == "tables":
            small, checked = _check_table(path, relative, min_cell)
            findings += small
            tables += [checked] if checked else []
        elif path.name == "findings.json" and (path.parent / "tables").is_dir():
            findings += _check_findings_json(path, relative, min_cell)
    return AuditReport(
        output_dir=output_dir,
        findings=tuple(sorted(findings, key=lambda f: (f.file, f.where, f.kind, f.match))),
        files_scanned=tuple(scanned),
        files_skipped=tuple(skipped),
        searched=dict(sorted(identifiers.searched.items())),
        not_searched=dict(sorted(identifiers.not_searched.items())),
        tables_checked=tuple(tables),
        min_cell=min_cell,
        seconds=round(time.perf_counter() - started, 2),
    )
