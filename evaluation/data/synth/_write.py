"""Write the simulated world in the platform's real shapes: warehouse tables and MDO reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from evaluation.data.synth import _vocab as vocab
from evaluation.data.synth._activity import DAY, EVENT_TYPES, NEVER, RATING_POINTS
from evaluation.data.synth._config import DATA_END, REPORT_DATES
from evaluation.data.synth._simulate import World, stream
from evaluation.data.synth._variants import (
    CODE_LINES,
    PYTHON,
    SCALA_15,
    SCALA_18,
    TextCache,
    Variants,
    csv_bytes,
)
from evaluation.data.synth._world import day_number

__all__ = [
    "WarehouseSink",
    "write_shared_tables",
    "write_people_tables",
    "write_reports",
    "RowDetails",
    "row_details",
    "WAREHOUSE_FORMATS",
    "part_file_name",
]

CHUNK_ROWS = 1_000_000
WRITER_THREADS = 2
_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed", batch_size=65_536)

TIMESTAMP = pa.timestamp("s")

# ------------------------------------------------------------------------ helpers


def write_csv(path: Path, table: pa.Table) -> None:
    """Write ``table`` with an unquoted header line (as Spark writes it) and quoted values."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as sink:
        sink.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, sink, _OPTIONS)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Seconds since epoch (``-1`` = missing) as a timestamp array with nulls."""
    seconds = np.asarray(seconds, dtype=np.int64)
    return pa.array(seconds, type=pa.int64(), mask=seconds < 0).cast(TIMESTAMP)


def dates(days: np.ndarray) -> pa.Array:
    """Day numbers (``-1`` = missing) as a date32 array with nulls."""
    days = np.asarray(days, dtype=np.int64)
    return pa.array(days.astype(np.int32), type=pa.int32(), mask=days < 0).cast(pa.date32())


def hms(seconds: np.ndarray) -> pa.Array:
    """Durations as ``HH:MM:SS`` strings."""
    seconds = np.asarray(seconds, dtype=np.int64)
    parts = [seconds // 3600, seconds // 60 % 60, seconds % 60]
    text = [pc.utf8_lpad(pa.array(part).cast(pa.string()), 2, "0") for part in parts]
    return pc.binary_join_element_wise(*text, ":")


def _take(array: pa.Array, index: np.ndarray) -> pa.Array:
    """``array[index]`` as a dictionary array: no string copies, same CSV text."""
    return pa.DictionaryArray.from_arrays(pa.array(index, type=pa.int64()), array)


def _plain(array: pa.Array, index: np.ndarray) -> pa.Array:
    """``array[index]`` as a plain array (for compute functions that reject dictionaries)."""
    return array.take(pa.array(index, type=pa.int64()))


def _strings(values: list[str]) -> pa.Array:
    return pa.array(values, type=pa.string())


# ------------------------------------------------------------------ row details


CERTIFICATE_SPACE = 10**11
_RATING_SHARE = [0.02, 0.03, 0.15, 0.35, 0.45]


class RowDetails:
    """Per-enrolment details not needed by the truth: progress, rating, certificate."""

    def __init__(self, world: World, first_row: int = 0, salt: int | None = None) -> None:
        rng = stream(world.seed, 70, world.block)
        rows = world.enrolments
        count = len(rows["person"])
        completed = rows["completed_at"] >= 0
        started = rng.random(count) < 0.6
        self.progress = np.where(
            completed, 100, np.where(started, rng.integers(1, 100, count), 0)
        ).astype(np.int8)
        self.snapshot_progress = rng.integers(5, 96, count, dtype=np.int8)
        self.status = np.where(completed, 2, np.where(self.progress > 0, 1, 0)).astype(np.int8)
        self.certificate = completed & (rng.random(count) < 0.97)
        rng.random(count)  # was who rates, now drawn with the karma (rows["rated"]): keeps draws
        rating = rng.choice(np.arange(1, 6, dtype=np.int8), size=count, p=_RATING_SHARE)
        self.rating = np.where(rows["rated"], rating, 0).astype(np.int8)
        drawn = int(rng.integers(1, CERTIFICATE_SPACE))
        # Blocks of one world share the salt and number their rows on from the blocks before,
        # so certificate ids stay unique across the whole world.
        self.certificate_salt = drawn if salt is None else salt
        self.first_row = first_row

    def certificate_ids(self, rows: np.ndarray) -> pa.Array:
        """Certificate ids of ``rows``: unique per row, computed on demand to save memory."""
        # Multiplying by a prime coprime to the id space makes a bijection of row numbers.
        row = rows.astype(np.int64) + self.first_row
        number = (row * 1_000_003 + self.certificate_salt) % CERTIFICATE_SPACE
        text = pa.array(number + CERTIFICATE_SPACE).cast(pa.string())
        return pc.binary_join_element_wise("cert-", text, "")


def row_details(world: World, first_row: int = 0, salt: int | None = None) -> RowDetails:
    """Details of every enrolment row, drawn once so chunked writing stays deterministic.

    ``first_row`` and ``salt`` continue the certificate numbering of earlier blocks of the same
    world (their row count and the first block's ``certificate_salt``).
    """
    return RowDetails(world, first_row, salt)


STATUS_TEXT = _strings(["not-started", "in-progress", "completed"])


# --------------------------------------------------------------------- warehouse


WAREHOUSE_FORMATS = ("parquet", "csv")
SPARK_VERSION = "3.5.1"


class CsvTarget:
    """One CSV file written in pieces: Spark's unquoted header line once, then quoted values."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.columns = columns
        self._sink = path.open("wb")
        self._sink.write((",".join(columns) + "\n").encode())

    def write(self, table: pa.Table) -> None:
        """Append ``table``'s rows (its columns in the header's order)."""
        pacsv.write_csv(table.select(self.columns), self._sink, _OPTIONS)

    def close(self) -> None:
        """Close the file."""
        self._sink.close()


class _ParquetTarget:
    """One table folder as Spark's ``coalesce(1).write.parquet`` leaves it, written in pieces."""

    def __init__(self, folder: Path, file_name: str, columns: list[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.columns = folder, columns
        self._path = folder / file_name
        self._writer: pq.ParquetWriter | None = None

    def write(self, table: pa.Table) -> None:
        """Append ``table`` (the first piece fixes the schema and its Spark metadata)."""
        table = _spark_columns(table.select(self.columns))
        if self._writer is None:
            schema = table.schema.with_metadata(_spark_metadata(table.schema))
            self._writer = pq.ParquetWriter(self._path, schema, compression="snappy")
        self._writer.write_table(table.cast(self._writer.schema))

    def close(self) -> None:
        """Finish the part file and mark the folder complete with ``_SUCCESS``."""
        if self._writer is not None:
            self._writer.close()
        (self.folder / "_SUCCESS").write_bytes(b"")


class WarehouseSink:
    """The warehouse tables of one world, kept open while its blocks of people are written.

    ``csv``: one ``<table>.csv`` each. ``parquet``: a folder per table as Spark's
    ``coalesce(1).write.parquet(dir)`` leaves it: ``<table>/part-00000-<uuid>-c000.snappy.parquet``
    and an empty ``_SUCCESS`` (the uuid comes from the seed, scale and table name, so runs are
    reproducible). Every block appends to the same file, so a world written in blocks has the
    same files as one written whole.
    """

    def __init__(self, root: Path, seed: int, scale: float, warehouse_format: str) -> None:
        if warehouse_format not in WAREHOUSE_FORMATS:
            raise ValueError(f"warehouse_format must be one of {WAREHOUSE_FORMATS}")
        root.mkdir(parents=True, exist_ok=True)
        self.root, self.seed, self.scale, self.format = root, seed, scale, warehouse_format
        self._targets: dict[str, CsvTarget | _ParquetTarget] = {}

    def write(self, name: str, columns: list[str], tables: Iterator[pa.Table]) -> None:
        """Append ``tables`` to table ``name`` (created with ``columns`` on first use)."""
        target = self._targets.get(name)
        if target is None:
            if self.format == "csv":
                target = CsvTarget(self.root / f"{name}.csv", columns)
            else:
                file_name = part_file_name(self.seed, self.scale, name)
                target = _ParquetTarget(self.root / name, file_name, columns)
            self._targets[name] = target
        for table in tables:
            target.write(table)

    def close(self) -> None:
        """Close every table."""
        for target in self._targets.values():
            target.close()

    def __enter__(self) -> WarehouseSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _single(sink: WarehouseSink, name: str, table: pa.Table) -> None:
    sink.write(name, table.column_names, iter([table]))


def write_shared_tables(sink: WarehouseSink, world: World) -> None:
    """Tables every block shares: organisations, courses, competencies, events."""
    _single(sink, "org_hierarchy", _org_table(world))
    _single(sink, "content", _content_table(world))
    _single(sink, "content_competency_mapping", competency_table(world))
    _single(sink, "event_details", _event_table(world))


def write_people_tables(sink: WarehouseSink, world: World, details: RowDetails) -> None:
    """Tables of people and what they did (one block of people at a time)."""
    _single(sink, "user_detail", _user_table(world))
    sink.write("user_enrolments", ENROLMENT_COLUMNS, _enrolment_chunks(world, details))
    _single(sink, "event_enrolment_details", _attendance_table(world))
    sink.write("user_karma_points", KARMA_COLUMNS, _karma_chunks(world))
    _single(sink, "cbp_enrolment", _cbp_table(world))


def part_file_name(seed: int, scale: float, table: str) -> str:
    """Spark's single part file name, with a uuid derived from the seed, scale and table."""
    digest = hashlib.sha256(f"nlw-synth:{seed}:{scale!r}:{table}".encode()).digest()
    return f"part-00000-{uuid.UUID(bytes=digest[:16], version=4)}-c000.snappy.parquet"


_SPARK_TYPES = {
    pa.string(): "string",
    pa.int32(): "integer",
    pa.int64(): "long",
    pa.float64(): "double",
    pa.bool_(): "boolean",
    pa.date32(): "date",
}


def _spark_columns(table: pa.Table) -> pa.Table:
    """Types as Spark writes them: plain strings, 32/64-bit integers, formatted timestamps."""
    arrays, names = [], table.column_names
    for column in table.columns:
        kind = column.type
        if pa.types.is_dictionary(kind):
            column = column.cast(kind.value_type)
            kind = column.type
        if pa.types.is_timestamp(kind):
            column = pc.strftime(column, "%Y-%m-%d %H:%M:%S")
        elif pa.types.is_integer(kind) and kind.bit_width < 32:
            column = column.cast(pa.int32())
        elif pa.types.is_null(kind):
            column = column.cast(pa.string())
        arrays.append(column)
    return pa.table(arrays, names=names)


def _spark_metadata(schema: pa.Schema) -> dict[bytes, bytes]:
    fields = [
        {"name": f.name, "type": _SPARK_TYPES.get(f.type, "string"), "nullable": True,
         "metadata": {}}
        for f in schema
    ]  # fmt: skip
    row = json.dumps({"type": "struct", "fields": fields}, separators=(",", ":"))
    return {
        b"org.apache.spark.version": SPARK_VERSION.encode(),
        b"org.apache.spark.sql.parquet.row.metadata": row.encode(),
    }


def _org_table(world: World) -> pa.Table:
    orgs = world.orgs
    return pa.table(
        {
            "mdo_id": _strings(orgs.mdo_id),
            "mdo_name": _strings(orgs.mdo_name),
            "ministry": _strings(orgs.ministry),
            "ministry_id": _strings(orgs.ministry_id),
            "department": _strings(orgs.department),
            "department_id": _strings(orgs.department_id),
            "org_type": _strings(orgs.org_type),
            "state": _strings(orgs.state),
            "mdo_created_on": dates(orgs.created_on),
        }
    )


def _content_table(world: World) -> pa.Table:
    cat = world.catalogue
    rng = np.random.default_rng([world.seed, 71])
    retired = rng.random(cat.count) < 0.04
    retired_day = np.where(retired, rng.integers(day_number(dt.date(2025, 6, 1)),
                                                 day_number(DATA_END), cat.count), -1)  # fmt: skip
    return pa.table(
        {
            "content_id": cat.content_id,
            "content_provider_name": cat.provider,
            "content_name": cat.content_name,
            "content_type": cat.content_type,
            "content_duration": pa.array(np.round(cat.duration_hours * 3600).astype(np.int64)),
            "language": cat.language,
            "content_status": pa.array(np.where(retired, "Retired", "Live")),
            "last_published_on": timestamps(cat.published_day * DAY + 11 * 3600),
            "content_retired_on": timestamps(np.where(retired, retired_day * DAY + 10 * 3600, -1)),
        }
    )


_AREA_TEXT = {
    "behavioural": "Behavioural competencies: attitudes and values of a public servant",
    "functional": "Functional competencies: skills used across departments",
    "domain": "Domain competencies: knowledge specific to a sector or ministry",
}


def competency_table(world: World) -> pa.Table:
    """One row per (course, competency theme); about 30 % of courses map to two themes."""
    cat = world.catalogue
    course = np.concatenate([np.arange(cat.count), np.flatnonzero(cat.second_competency >= 0)])
    theme = np.concatenate([cat.competency, cat.second_competency[cat.second_competency >= 0]])
    order = np.lexsort((theme, course))
    course, theme = course[order], theme[order]
    themes = vocab.COMPETENCY_THEMES
    area = _strings([t[0] for t in themes])
    return pa.table(
        {
            "content_id": _take(cat.content_id, course),
            "content_name": _take(cat.content_name, course),
            "competency_area": _take(area, theme),
            "competency_area_description": _take(
                _strings([_AREA_TEXT[t[0]] for t in themes]), theme
            ),
            "competency_theme": _take(_strings([t[1] for t in themes]), theme),
            "competency_theme_description": _take(
                _strings([f"Ability in {t[1].lower()}" for t in themes]), theme
            ),
            "competency_theme_type": _take(_strings([t[2] for t in themes]), theme),
            "competency_sub_theme": _take(_strings([t[3] for t in themes]), theme),
            "competency_sub_theme_description": _take(
                _strings([f"{t[3]} in day-to-day work" for t in themes]), theme
            ),
        }
    )


def _event_ids(world: World) -> pa.Array:
    # Event ids are derived from the seed so they do not collide with course ids.
    from evaluation.data.synth._world import numeric_ids

    return numeric_ids(np.random.default_rng([world.seed, 72]), world.events.count, "do_2", 18)


def _event_table(world: World) -> pa.Table:
    events = world.events
    mdo_ids = _strings(world.orgs.mdo_id)
    return pa.table(
        {
            "event_id": _event_ids(world),
            "event_name": _strings(events.title),
            "event_provider_mdo_id": _take(mdo_ids, events.provider_mdo),
            "event_start_datetime": timestamps(events.start_at),
            "duration": pa.array(events.minutes.astype(np.int64)),
            "event_type": _take(_strings(list(EVENT_TYPES)), events.event_type),
            "presenters": _strings(events.presenters),
            "event_tag": _strings(events.tag),
        }
    )


def _person_totals(world: World, until: int | None = None) -> dict[str, np.ndarray]:
    """Per-person enrolment, completion, hours and karma totals up to ``until`` (seconds)."""
    rows, att, n = world.enrolments, world.attendance, world.people.count
    limit = np.iinfo(np.int64).max if until is None else until
    enrolled = rows["enrolled_at"] < limit
    done = (rows["completed_at"] >= 0) & (rows["completed_at"] < limit)
    hours = world.catalogue.duration_hours[rows["content"]]
    att_enrolled = att["enrolled_at"] < limit
    att_done = (att["completed_at"] >= 0) & (att["completed_at"] < limit)
    karma = np.bincount(rows["person"][done], weights=rows["karma"][done], minlength=n)
    karma += np.bincount(att["person"][att_done], weights=att["karma"][att_done], minlength=n)
    first_login = _first_login(world)
    karma += np.where(first_login < limit, FIRST_LOGIN_POINTS, 0) * (first_login >= 0)
    return {
        "course_enrolments": np.bincount(rows["person"][enrolled], minlength=n),
        "course_completions": np.bincount(rows["person"][done], minlength=n),
        "course_hours": np.bincount(rows["person"][done], weights=hours[done], minlength=n),
        "event_enrolments": np.bincount(att["person"][att_enrolled], minlength=n),
        "event_completions": np.bincount(att["person"][att_done], minlength=n),
        "event_hours": np.bincount(
            att["person"][att_done], weights=att["watched_seconds"][att_done] / 3600, minlength=n
        ),
        "karma": karma.astype(np.int64),
    }


FIRST_LOGIN_POINTS = 5


def _first_login(world: World) -> np.ndarray:
    """Credit time of the first-login points (only for registrations inside the data period)."""
    start = day_number(dt.date(2023, 10, 1)) * DAY
    registered = world.people.registered_at
    return np.where(registered >= start, registered + 300, NEVER)


def _external_id(world: World) -> pa.Array:
    people = world.people
    has_system = pc.not_equal(people.external_system, "")
    return pc.if_else(has_system, people.external_system_id, pa.scalar(""))


def _user_table(world: World) -> pa.Table:
    people, totals = world.people, _person_totals(world)
    round2 = lambda values: pa.array(np.round(values, 2))  # noqa: E731
    return pa.table(
        {
            "user_id": people.user_id,
            "mdo_id": _take(_strings(world.orgs.mdo_id), people.mdo),
            "status": pa.array(people.active.astype(np.int64)),
            "no_of_karma_points": pa.array(totals["karma"]),
            "full_name": people.full_name,
            "designation": people.designation,
            "email": people.email,
            "phone_number": people.phone,
            "groups": people.group_text,
            "tag": people.tag,
            "profile_status": people.profile_status,
            "user_registration_date": timestamps(people.registered_at),
            "roles": people.roles,
            "gender": people.gender,
            "category": people.category,
            "total_event_learning_hours": round2(totals["event_hours"]),
            "total_content_learning_hours": round2(totals["course_hours"]),
            "total_learning_hours": round2(totals["event_hours"] + totals["course_hours"]),
            "employee_id": people.employee_id,
            "cadre": people.cadre,
            "civil_service_type": people.civil_service_type,
            "civil_services": people.civil_services,
            "cadre_batch": people.cadre_batch,
            "is_from_organised_service_of_govt": people.organised_service,
            "external_system": people.external_system,
            "external_system_id": _external_id(world),
        }
    )


ENROLMENT_COLUMNS = [
    "user_id", "batch_id", "content_id", "enrolled_on", "content_progress_percentage",
    "user_consumption_status", "first_completed_on", "last_completed_on",
    "certificate_generated", "user_rating", "live_cbp_plan_mandate", "karma_points",
    "certificate_id",
]  # fmt: skip


def _enrolment_chunks(world: World, details: RowDetails) -> Iterator[pa.Table]:
    rows, cat = world.enrolments, world.catalogue
    order = np.lexsort((rows["enrolled_at"], rows["person"]))
    for start in range(0, len(order), CHUNK_ROWS):
        index = order[start : start + CHUNK_ROWS]
        completed = rows["completed_at"][index]
        rating = details.rating[index]
        yield pa.table(
            {
                "user_id": _take(world.people.user_id, rows["person"][index]),
                "batch_id": _take(cat.batch_id, rows["content"][index]),
                "content_id": _take(cat.content_id, rows["content"][index]),
                "enrolled_on": timestamps(rows["enrolled_at"][index]),
                "content_progress_percentage": pa.array(details.progress[index]),
                "user_consumption_status": _take(STATUS_TEXT, details.status[index]),
                "first_completed_on": timestamps(completed),
                "last_completed_on": timestamps(completed),
                "certificate_generated": pa.array(
                    np.where(details.certificate[index], "Yes", "No")
                ),
                "user_rating": pa.array(rating, mask=rating == 0),
                "live_cbp_plan_mandate": pa.array(rows["acbp"][index]),
                "karma_points": pa.array(rows["karma"][index]),
                "certificate_id": pc.if_else(
                    pa.array(details.certificate[index]),
                    details.certificate_ids(index),
                    pa.scalar(None, pa.string()),
                ),
            }
        )


def _attendance_table(world: World) -> pa.Table:
    att, events = world.attendance, world.events
    order = np.lexsort((att["enrolled_at"], att["person"]))
    event = att["event"][order]
    completed = att["completed_at"][order]
    return pa.table(
        {
            "user_id": _take(world.people.user_id, att["person"][order]),
            "event_id": _take(_event_ids(world), event),
            "status": pa.array(np.where(completed >= 0, "completed", "in-progress")),
            "enrolled_on_datetime": timestamps(att["enrolled_at"][order]),
            "completed_on_datetime": timestamps(completed),
            "completion_percentage": pa.array(att["percent"][order]),
            "event_duration_seconds": pa.array(events.minutes[event].astype(np.int64) * 60),
            "progress_duration": pa.array(att["watched_seconds"][order]),
            "karma_points": pa.array(att["karma"][order].astype(np.int64)),
        }
    )


KARMA_COLUMNS = ["userid", "credit_date", "context_type", "operation_type", "context_id", "points"]


#: Enrolment credits in the ledger: operation type, the points column, seconds after completion.
_ENROLMENT_CREDITS = (
    ("COURSE_COMPLETION", "completion_karma", 120),
    ("ACBP_COURSE_COMPLETION", "acbp_karma", 150),
    ("RATING", "rated", 300),
)


def _karma_chunks(world: World) -> Iterator[pa.Table]:
    rows, att, people = world.enrolments, world.attendance, world.people
    category = world.catalogue.content_type
    for operation, column, delay in _ENROLMENT_CREDITS:
        earned = np.flatnonzero(rows[column] > 0)
        earned = earned[np.lexsort((rows["completed_at"][earned], rows["person"][earned]))]
        for start in range(0, len(earned), CHUNK_ROWS):
            index = earned[start : start + CHUNK_ROWS]
            points = rows[column][index].astype(np.int64)
            if operation == "RATING":
                points = points * RATING_POINTS
            yield pa.table(
                {
                    "userid": _take(people.user_id, rows["person"][index]),
                    "credit_date": timestamps(rows["completed_at"][index] + delay),
                    # the job writes the content's category (Course, Program, ...)
                    "context_type": _plain(category, rows["content"][index]),
                    "operation_type": pa.array(np.full(len(index), operation)),
                    "context_id": _take(world.catalogue.content_id, rows["content"][index]),
                    "points": pa.array(points),
                }
            )
    attended = np.flatnonzero(att["karma"] > 0)
    yield pa.table(
        {
            "userid": _take(people.user_id, att["person"][attended]),
            "credit_date": timestamps(att["completed_at"][attended] + 600),
            "context_type": pa.array(np.full(len(attended), "Event")),
            "operation_type": pa.array(np.full(len(attended), "EVENT_ATTENDED")),
            "context_id": _take(_event_ids(world), att["event"][attended]),
            "points": pa.array(att["karma"][attended].astype(np.int64)),
        }
    )
    first_login = _first_login(world)
    who = np.flatnonzero(first_login >= 0)
    yield pa.table(
        {
            "userid": _take(people.user_id, who),
            "credit_date": timestamps(first_login[who]),
            "context_type": pa.array(np.full(len(who), "User")),
            "operation_type": pa.array(np.full(len(who), "FIRST_LOGIN")),
            "context_id": _take(people.user_id, who),
            "points": pa.array(np.full(len(who), FIRST_LOGIN_POINTS, dtype=np.int64)),
        }
    )


def _allocations(world: World) -> dict[str, np.ndarray]:
    """All ACBP allocations with their realised state at the final export."""
    parts = []
    for cycle, week in zip(world.acbp, world.weeks, strict=True):
        _, completed_day = cycle.realised(week.participant)
        parts.append(
            {
                "person": cycle.person,
                "content": cycle.content,
                "allocated_day": cycle.allocated_day,
                "due_day": cycle.due_day,
                "completed_day": completed_day,
                "state": cycle.state_if_not_completed,
                "enrolled_at": cycle.enrolled_at,
                "isapar": cycle.isapar,
            }
        )
    keys = parts[0].keys()
    return {key: np.concatenate([part[key] for part in parts]) for key in keys}


_PROGRESS_TEXT = _strings(["In Progress", "Not Started", "Not Enrolled", "Completed"])


def _allocation_progress(alloc: dict[str, np.ndarray], cutoff_day: int) -> np.ndarray:
    done = (alloc["completed_day"] >= 0) & (alloc["completed_day"] < cutoff_day)
    # Allocations completed later are in progress at an earlier snapshot.
    later = (alloc["completed_day"] >= cutoff_day) & (alloc["state"] == 2)
    state = np.where(later, 0, alloc["state"])
    return np.where(done, 3, state)


def _cbp_table(world: World) -> pa.Table:
    alloc = _allocations(world)
    progress = _allocation_progress(alloc, day_number(DATA_END) + 1)
    return pa.table(
        {
            "user_id": _take(world.people.user_id, alloc["person"]),
            "content_id": _take(world.catalogue.content_id, alloc["content"]),
            "allocated_on": dates(alloc["allocated_day"]),
            "due_date": dates(alloc["due_day"]),
            "completed_on": dates(np.where(progress == 3, alloc["completed_day"], -1)),
            "current_progress": _take(_PROGRESS_TEXT, progress),
            "isapar": pa.array(alloc["isapar"]),
        }
    )


# ----------------------------------------------------------------------- reports

USER_REPORT_COLUMNS = [
    "Full_Name", "Designation", "Email", "Phone_Number", "MDO_Name", "Group", "Tag", "Ministry",
    "Department", "Organization", "User_Registration_Date", "Cadre", "Civil Service Type",
    "Civil Services", "Cadre Batch", "Is From Organised Service of Govt", "Roles", "Gender",
    "Category", "External_System", "External_System_Id", "Employee_Id", "MDO_Created_On",
    "Profile_Status", "weekly_claps_day_before_yesterday", "Karma_Points", "Event_Enrolments",
    "Event_Completions", "Event_Learning_Hours", "Course_Enrolments", "Course_Completions",
    "Course_Learning_Hours", "Total_Enrolments", "Total_Completions", "Total_Learning_Hours",
    "Report_Last_Generated_On",
]  # fmt: skip
CONSUMPTION_COLUMNS = [
    "Full_Name", "Designation", "Email", "Phone_Number", "MDO_Name", "Group", "Tag", "Ministry",
    "Department", "Organization", "Cadre", "Civil Service Type", "Civil Services", "Cadre Batch",
    "Is From Organised Service of Govt", "Content_Provider", "Content_Name", "Content_Type",
    "Content_Duration", "Batch_Id", "Batch_Name", "Batch_Start_Date", "Batch_End_Date",
    "Enrolled_On", "Status", "Content_Progress_Percentage", "Last_Published_On",
    "Content_Retired_On", "Completed_On", "Certificate_Generated", "User_Rating", "Gender",
    "Category", "External_System", "External_System_Id", "Certificate_ID",
    "Report_Last_Generated_On", "Live_CBP_Plan_Mandate",
]  # fmt: skip
CBP_COLUMNS = [
    "Name", "Email", "Phone", "MDO_Name", "Group", "Designation", "Ministry", "Department",
    "Organization", "Cadre", "Civil Service Type", "Civil Services", "Cadre Batch",
    "Is From Organised Service of Govt", "Name of CBP Allocated Course", "isapar", "Allocated On",
    "Current Progress", "Due Date of Completion", "Actual Date of Completion",
    "Report_Last_Generated_On",
]  # fmt: skip

REPORT_FOLDERS = {
    "UserReport": "user-report",
    "ConsumptionReport": "user-enrollment-report",
    "CBPEnrollmentReport": "cbp-report",
    "ContentCompetencyMapping": "content-competency-mapping",
}

#: Share of MDOs whose reports were also downloaded on the early date.
EARLY_SNAPSHOT_SHARE = 0.15


def snapshot_mdos(world: World) -> list[np.ndarray]:
    """Which MDOs have a report on each report date (all of them on the last date)."""
    rng = np.random.default_rng([world.seed, 73])
    early = rng.random(world.orgs.count) < EARLY_SNAPSHOT_SHARE
    return [early, np.ones(world.orgs.count, dtype=bool)]


# Column sets of the Scala report jobs (docs/real-exports.md sections 1, 3 and 4).
USER_REPORT_S18 = [
    "Full_Name", "Designation", "Email", "Phone_Number", "Group", "Tag", "Ministry",
    "Department", "Organization", "User_Registration_Date", "Roles", "Gender", "Category",
    "External_System", "External_System_Id", "Report_Last_Generated_On", "MDO_Created_On",
    "Verified Karmayogi", "weekly_claps_day_before_yesterday", "Event_Learning_Hr_After_19_Oct",
    "Content_Learning_Hr_After_19_Oct", "Total_Learning_Hr_After_19_Oct",
]  # fmt: skip
USER_REPORT_S15 = USER_REPORT_S18[:-3]
CONSUMPTION_SCALA = [
    "Full_Name", "Designation", "Email", "Phone_Number", "Group", "Tag", "Ministry",
    "Department", "Organization", "Content_Provider", "Content_Name", "Content_Type",
    "Content_Duration", "Batch_Id", "Batch_Name", "Batch_Start_Date", "Batch_End_Date",
    "Enrolled_On", "Status", "Content_Progress_Percentage", "Last_Published_On",
    "Content_Retired_On", "Completed_On", "Certificate_Generated", "User_Rating", "Gender",
    "Category", "External_System", "External_System_Id", "Certificate_ID",
    "Report_Last_Generated_On", "Live_CBP_Plan_Mandate",
]  # fmt: skip
CBP_SCALA = [
    "Name", "Email", "Phone", "Ministry", "Department", "Organization", "Group", "Designation",
    "Name of CBP Allocated Course", "Allocated On", "Current Progress", "Due Date of Completion",
    "Actual Date of Completion", "Report_Last_Generated_On",
]  # fmt: skip
SCALA_COLUMNS = {
    "UserReport": {SCALA_18: USER_REPORT_S18, SCALA_15: USER_REPORT_S15},
    "ConsumptionReport": {SCALA_18: CONSUMPTION_SCALA, SCALA_15: CONSUMPTION_SCALA},
    "CBPEnrollmentReport": {SCALA_18: CBP_SCALA, SCALA_15: CBP_SCALA},
}
#: Time of day each code line's job stamps in Report_Last_Generated_On (variant files only).
GENERATED_AT = {PYTHON: (14, 5, 33), SCALA_18: (2, 30, 0), SCALA_15: (19, 30, 12)}
#: Dates the 4.8.15 jobs write day first (UserReport dd/MM/yyyy, CBP report dd/MM/yy).
S15_DATES = {
    "UserReport": (("User_Registration_Date", "MDO_Created_On"), "%d/%m/%Y"),
    "CBPEnrollmentReport": (
        ("Allocated On", "Due Date of Completion", "Actual Date of Completion"),
        "%d/%m/%y",
    ),
}
NLW_2024_START = dt.date(2024, 10, 19)
NICKNAME_SHARE = 0.02


def write_reports(
    world: World, root: Path, details: RowDetails, variants: Variants | None = None
) -> None:
    """Write UserReport, ConsumptionReport and CBPEnrollmentReport per MDO and report date."""
    variants = variants or Variants(mix="plain")
    competency = competency_table(world)
    alloc = _allocations(world)
    lines = variants.code_lines(world.seed, world.orgs.count, len(REPORT_DATES))
    for report_date, mdos, line in zip(REPORT_DATES, snapshot_mdos(world), lines, strict=True):
        folder = report_date.isoformat()
        cutoff = day_number(report_date) * DAY
        generated = cutoff + 2 * 3600 + 30 * 60  # 02:30 on the report date
        kcm = (
            root / REPORT_FOLDERS["ContentCompetencyMapping"] / folder
            / "ContentCompetencyMapping.csv"
        )  # fmt: skip
        if variants.on("writer_text"):
            kcm.parent.mkdir(parents=True, exist_ok=True)
            escape = "\\" if variants.on("backslash_quotes") else '"'
            kcm.write_bytes(csv_bytes(competency, escape=escape))
        else:
            write_csv(kcm, competency)
        with ThreadPoolExecutor(max_workers=WRITER_THREADS) as pool:
            writer = _ReportWriter(world, details, alloc, root, folder, cutoff, generated, pool)
            writer.variants, writer.code_line = variants, line
            writer.user_reports(mdos)
            writer.consumption_reports(mdos)
            writer.cbp_reports(mdos)


def _write_payload(path: Path, payload: pa.Table | bytes) -> None:
    if isinstance(payload, bytes):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    else:
        write_csv(path, payload)


def _nicknamed(names: pa.Array, seed: int) -> pa.Array:
    """About 2 % of names with a quoted nickname (``Ravi "Ravi" Kumar``): exercises quoting."""
    rng = np.random.default_rng([seed, 76])
    chosen = np.flatnonzero(rng.random(len(names)) < NICKNAME_SHARE)
    if not len(chosen):
        return names
    old = names.take(pa.array(chosen)).to_pylist()
    new = []
    for name in old:
        first, _, rest = name.partition(" ")
        new.append(f'{first} "{first[:4]}" {rest}'.rstrip())
    mask = np.zeros(len(names), dtype=bool)
    mask[chosen] = True
    return pc.replace_with_mask(names, pa.array(mask), pa.array(new, pa.string()))


class _ReportWriter:
    """Writes one report date; each method sorts rows by MDO and writes one file per MDO."""

    variants: Variants = Variants(mix="plain")
    code_line: np.ndarray

    def __init__(self, world, details, alloc, root, folder, cutoff, generated, pool) -> None:
        self.world, self.details, self.alloc, self.pool = world, details, alloc, pool
        self.root, self.folder, self.cutoff, self.generated = root, folder, cutoff, generated
        people, orgs = world.people, world.orgs
        self.person_mdo = people.mdo
        self.ministry = _strings(orgs.ministry)
        self.department = _strings(orgs.department)
        self.mdo_name = _strings(orgs.mdo_name)
        self.mdo_created = dates(orgs.created_on)
        self.external_id = _external_id(world)
        self._names: pa.Array | None = None

    def _full_names(self) -> pa.Array:
        if self._names is None:
            names = self.world.people.full_name
            if self.variants.on("backslash_quotes"):
                names = _nicknamed(names, self.world.seed)
            self._names = names
        return self._names

    def _variant_files(
        self, report: str, part: pa.Table, mdo: int, columns: list[str], path: Path
    ) -> tuple[list[tuple[Path, pa.Table, int]], str | None, frozenset[str]]:
        """One MDO's report as its code line writes it.

        Returns the files (path, rows, first row within ``part``), the escape character of the
        CSV writer (``None``: the original pyarrow writer) and the columns changed here.
        """
        v = self.variants
        if v.plain:
            return [(path, self._date_style(part, mdo).select(columns), 0)], None, frozenset()
        line = int(self.code_line[mdo])
        changed: set[str] = set()
        if self.world.orgs.old_date_style[mdo]:
            part = self._date_style(part, mdo)
            changed |= set(part.column_names)
        if line != PYTHON and v.on("scala_columns"):
            columns = SCALA_COLUMNS[report][line]
        large = part.num_rows > v.large_org_rows * self.world.scale
        duckdb = line == PYTHON and (report != "UserReport" or large)
        if duckdb and v.on("mdoid_column"):
            columns = [*columns, "mdoid"]
        part = part.select(columns)
        pieces = [(path, part, 0)]
        if report == "UserReport" and line != PYTHON and v.on("numbered_parts"):
            size = max(round(v.part_rows * self.world.scale), 20)
            pieces = [
                (path.with_name(f"{report}{n or ''}.csv"), part.slice(n * size, size), n * size)
                for n in range(max(1, -(-part.num_rows // size)))
            ]
        if not v.on("writer_text"):
            return pieces, None, frozenset(changed)
        escape = "\\" if not duckdb and v.on("backslash_quotes") else '"'
        return pieces, escape, frozenset(changed)

    # -- shared pieces
    def _person_columns(self, person: np.ndarray) -> dict[str, pa.Array]:
        people, mdo = self.world.people, self.person_mdo[person]
        return {
            "Full_Name": _take(self._full_names(), person),
            "Designation": _take(people.designation, person),
            "Email": _take(people.email, person),
            "Phone_Number": _take(people.phone, person),
            "MDO_Name": _take(self.mdo_name, mdo),
            "Group": _take(people.group_text, person),
            "Tag": _take(people.tag, person),
            "Ministry": _take(self.ministry, mdo),
            "Department": _take(self.department, mdo),
            "Organization": _take(self.mdo_name, mdo),
            "Cadre": _take(people.cadre, person),
            "Civil Service Type": _take(people.civil_service_type, person),
            "Civil Services": _take(people.civil_services, person),
            "Cadre Batch": _take(people.cadre_batch, person),
            "Is From Organised Service of Govt": _take(people.organised_service, person),
            "Gender": _take(people.gender, person),
            "Category": _take(people.category, person),
            "External_System": _take(people.external_system, person),
            "External_System_Id": _take(self.external_id, person),
        }

    def _write_by_mdo(self, report: str, columns: list[str], mdo_of_row: np.ndarray,
                      order: np.ndarray, build) -> None:  # fmt: skip
        """Rows ``order`` (already sorted by MDO) are built in chunks and split per MDO."""
        mdo_sorted = mdo_of_row[order]
        boundaries = np.flatnonzero(np.r_[True, mdo_sorted[1:] != mdo_sorted[:-1], True])
        start_index = 0
        while start_index < len(boundaries) - 1:
            stop_index = start_index + 1
            last = len(boundaries) - 1
            while (
                stop_index < last
                and boundaries[stop_index + 1] - boundaries[start_index] <= CHUNK_ROWS
            ):
                stop_index += 1
            low, high = boundaries[start_index], boundaries[stop_index]
            table = build(order[low:high])
            if not self.variants.plain:
                table = self._chunk_variants(report, table, mdo_sorted[low:high])
            files: list[tuple[Path, pa.Table | bytes]] = []
            texts = TextCache(table)
            for edge in range(start_index, stop_index):
                a, b = boundaries[edge] - low, boundaries[edge + 1] - low
                mdo = int(mdo_sorted[boundaries[edge]])
                path = (self.root / REPORT_FOLDERS[report] / self.folder
                        / f"mdoid={self.world.orgs.mdo_id[mdo]}" / f"{report}.csv")  # fmt: skip
                pieces, escape, changed = self._variant_files(
                    report, table.slice(a, b - a), mdo, columns, path
                )
                for file, rows, offset in pieces:
                    if escape is None:
                        files.append((file, rows))
                    else:
                        files.append((file, texts.csv(rows, a + offset, escape, changed)))
            # pyarrow releases the GIL while writing, so two threads use both cores.
            list(self.pool.map(lambda item: _write_payload(*item), files))
            start_index = stop_index

    def _chunk_variants(self, report: str, table: pa.Table, mdo: np.ndarray) -> pa.Table:
        """Variants that differ by row only through the MDO's code line, made for a whole chunk.

        ``Report_Last_Generated_On`` with AM/PM and the 4.8.15 day-first dates become text here
        (once per chunk: per-file pyarrow calls would dominate the run time).
        """
        v, line = self.variants, self.code_line[mdo]
        if v.on("mdoid_column"):
            table = table.append_column("mdoid", _plain(_strings(self.world.orgs.mdo_id), mdo))
        if v.on("ampm"):
            texts = np.array([_generated_text(self.cutoff, n) for n in range(len(CODE_LINES))])
            table = _set(table, "Report_Last_Generated_On", pa.array(texts[line], pa.string()))
        if v.on("s15_dates") and report in S15_DATES:
            names, pattern = S15_DATES[report]
            is_s15 = pa.array(line == SCALA_15)
            for name in names:
                values = table.column(name)
                if pa.types.is_date(values.type):
                    values = values.cast(TIMESTAMP)
                    usual = pc.strftime(values, "%Y-%m-%d")
                else:
                    usual = pc.strftime(values, "%Y-%m-%d %H:%M:%S")
                table = _set(table, name, pc.if_else(is_s15, pc.strftime(values, pattern), usual))
        return table

    def _date_style(self, table: pa.Table, mdo: int) -> pa.Table:
        """Older MDO exports write every date as dd/MM/yyyy."""
        if not self.world.orgs.old_date_style[mdo]:
            return table
        for index, column in enumerate(table.schema):
            if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
                values = table.column(index)
                if pa.types.is_date(column.type):
                    values = values.cast(TIMESTAMP)
                table = table.set_column(index, column.name, pc.strftime(values, "%d/%m/%Y"))
            elif column.name == "Batch_Start_Date":
                values = pc.replace_substring_regex(
                    table.column(index), r"^(\d{4})-(\d{2})-(\d{2})$", r"\3/\2/\1"
                )
                table = table.set_column(index, column.name, values)
        return table

    # -- reports
    def user_reports(self, mdos: np.ndarray) -> None:
        people = self.world.people
        keep = people.active & (people.registered_at < self.cutoff) & mdos[people.mdo]
        person = np.flatnonzero(keep)
        order = person[np.argsort(people.mdo[person], kind="stable")]
        totals = _person_totals(self.world, self.cutoff)
        scala = self.variants.on("scala_columns")
        before = _person_totals(self.world, day_number(NLW_2024_START) * DAY) if scala else totals
        rng = np.random.default_rng([self.world.seed, 74, self.cutoff])
        claps = rng.integers(0, 5, people.count)

        def build(index: np.ndarray) -> pa.Table:
            columns = self._person_columns(index)
            mdo = people.mdo[index]
            event_hours = np.round(totals["event_hours"][index], 2)
            course_hours = np.round(totals["course_hours"][index], 2)
            columns |= {
                "User_Registration_Date": timestamps(people.registered_at[index]),
                "Roles": _take(people.roles, index),
                "Employee_Id": _take(people.employee_id, index),
                "MDO_Created_On": _plain(self.mdo_created, mdo),
                "Profile_Status": _take(people.profile_status, index),
                "weekly_claps_day_before_yesterday": pa.array(claps[index]),
                "Karma_Points": pa.array(totals["karma"][index]),
                "Event_Enrolments": pa.array(totals["event_enrolments"][index]),
                "Event_Completions": pa.array(totals["event_completions"][index]),
                "Event_Learning_Hours": pa.array(event_hours),
                "Course_Enrolments": pa.array(totals["course_enrolments"][index]),
                "Course_Completions": pa.array(totals["course_completions"][index]),
                "Course_Learning_Hours": pa.array(course_hours),
                "Total_Enrolments": pa.array(
                    totals["course_enrolments"][index] + totals["event_enrolments"][index]
                ),
                "Total_Completions": pa.array(
                    totals["course_completions"][index] + totals["event_completions"][index]
                ),
                "Total_Learning_Hours": pa.array(np.round(event_hours + course_hours, 2)),
                "Report_Last_Generated_On": timestamps(np.full(len(index), self.generated)),
            }
            if scala:
                event_after = np.round(event_hours - before["event_hours"][index], 2)
                course_after = np.round(course_hours - before["course_hours"][index], 2)
                columns |= {
                    "Verified Karmayogi": pc.equal(
                        _plain(people.profile_status, index), "VERIFIED"
                    ),
                    "Event_Learning_Hr_After_19_Oct": pa.array(event_after),
                    "Content_Learning_Hr_After_19_Oct": pa.array(course_after),
                    "Total_Learning_Hr_After_19_Oct": pa.array(
                        np.round(event_after + course_after, 2)
                    ),
                }
            return pa.table(columns)

        self._write_by_mdo("UserReport", USER_REPORT_COLUMNS, people.mdo, order, build)

    def consumption_reports(self, mdos: np.ndarray) -> None:
        rows, people = self.world.enrolments, self.world.people
        alloc = self.alloc
        cutoff_day = self.cutoff // DAY
        enrolled_rows = np.flatnonzero(
            (rows["enrolled_at"] < self.cutoff) & mdos[people.mdo[rows["person"]]]
        )
        progress = _allocation_progress(alloc, cutoff_day)
        open_alloc = np.flatnonzero(
            (progress == 2)
            & (alloc["allocated_day"] < cutoff_day)
            & mdos[people.mdo[alloc["person"]]]
        )
        # Row ids: enrolments first, then allocations nobody enrolled in ("not-enrolled").
        person = np.concatenate([rows["person"][enrolled_rows], alloc["person"][open_alloc]])
        started = np.concatenate([rows["enrolled_at"][enrolled_rows], np.full(len(open_alloc), 0)])
        order = np.lexsort((started, person, people.mdo[person]))
        row_mdo = people.mdo[person]
        build = _ConsumptionBuilder(self, enrolled_rows, open_alloc, person)
        self._write_by_mdo("ConsumptionReport", CONSUMPTION_COLUMNS, row_mdo, order, build)

    def cbp_reports(self, mdos: np.ndarray) -> None:
        alloc, people = self.alloc, self.world.people
        cutoff_day = self.cutoff // DAY
        visible = np.flatnonzero(
            (alloc["allocated_day"] < cutoff_day) & mdos[people.mdo[alloc["person"]]]
        )
        order_local = np.lexsort((alloc["allocated_day"][visible], alloc["person"][visible],
                                  people.mdo[alloc["person"][visible]]))  # fmt: skip
        order = visible[order_local]
        progress = _allocation_progress(alloc, cutoff_day)
        row_mdo = people.mdo[alloc["person"]]

        def build(index: np.ndarray) -> pa.Table:
            person = alloc["person"][index]
            columns = self._person_columns(person)
            done = progress[index] == 3
            columns |= {
                "Name": columns["Full_Name"],
                "Phone": columns["Phone_Number"],
                "Name of CBP Allocated Course": _take(
                    self.world.catalogue.content_name, alloc["content"][index]
                ),
                "isapar": pa.array(alloc["isapar"][index]),
                "Allocated On": dates(alloc["allocated_day"][index]),
                "Current Progress": _take(_PROGRESS_TEXT, progress[index]),
                "Due Date of Completion": dates(alloc["due_day"][index]),
                "Actual Date of Completion": dates(
                    np.where(done, alloc["completed_day"][index], -1)
                ),
                "Report_Last_Generated_On": timestamps(np.full(len(index), self.generated)),
            }
            return pa.table(columns)

        self._write_by_mdo("CBPEnrollmentReport", CBP_COLUMNS, row_mdo, order, build)


class _ConsumptionBuilder:
    """Builds ConsumptionReport rows for a slice of the combined (enrolment, allocation) ids."""

    def __init__(self, writer: _ReportWriter, enrolled_rows, open_alloc, person) -> None:
        self.writer, self.enrolled_rows, self.open_alloc = writer, enrolled_rows, open_alloc
        self.person = person
        cat = writer.world.catalogue
        self.duration_text = hms(np.round(cat.duration_hours * 3600).astype(np.int64))
        self.batch_name = pc.binary_join_element_wise("Batch for ", cat.content_name, "")
        retired_table = _content_table(writer.world)
        self.retired_on = retired_table.column("content_retired_on").combine_chunks()
        self.published_on = retired_table.column("last_published_on").combine_chunks()

    def __call__(self, index: np.ndarray) -> pa.Table:
        writer, world = self.writer, self.writer.world
        rows, details, cat = world.enrolments, writer.details, world.catalogue
        is_row = index < len(self.enrolled_rows)
        row = self.enrolled_rows[np.where(is_row, index, 0)]
        alloc_index = self.open_alloc[np.where(is_row, 0, index - len(self.enrolled_rows))]
        content = np.where(is_row, rows["content"][row], writer.alloc["content"][alloc_index])
        completed_at = np.where(is_row, rows["completed_at"][row], NEVER)
        finished = (completed_at >= 0) & (completed_at < writer.cutoff)
        # Completed later than this snapshot: shown as in progress, as the platform would.
        status = np.where(is_row, np.where(finished, 2, np.minimum(details.status[row], 1)), -1)
        status = np.where(is_row & ~finished & (completed_at >= 0), 1, status)
        progress = np.where(
            finished, 100,
            np.where(completed_at >= 0, details.snapshot_progress[row], details.progress[row]),
        )  # fmt: skip
        progress = np.where(is_row, progress, 0)
        certificate = is_row & finished & details.certificate[row]
        rating = np.where(is_row & finished, details.rating[row], 0)
        external = cat.is_external[content]
        person = self.person[index]
        columns = writer._person_columns(person)
        batch_start = dates(cat.published_day[content])
        not_available = pa.scalar("Not Available")
        columns |= {
            "Content_Provider": _take(cat.provider, content),
            "Content_Name": _take(cat.content_name, content),
            "Content_Type": _take(cat.content_type, content),
            "Content_Duration": _take(self.duration_text, content),
            "Batch_Id": pc.if_else(
                pa.array(external), not_available, _plain(cat.batch_id, content)
            ),
            "Batch_Name": pc.if_else(
                pa.array(external), not_available, _plain(self.batch_name, content)
            ),
            "Batch_Start_Date": pc.if_else(
                pa.array(external), not_available, batch_start.cast(pa.string())
            ),
            "Batch_End_Date": pc.if_else(pa.array(external), not_available, pa.scalar("")),
            "Enrolled_On": timestamps(np.where(is_row, rows["enrolled_at"][row], NEVER)),
            "Status": pa.array(
                np.array(["not-enrolled", "not-started", "in-progress", "completed"])[status + 1]
            ),
            "Content_Progress_Percentage": pa.array(progress.astype(np.int64)),
            "Last_Published_On": _plain(self.published_on, content),
            "Content_Retired_On": _plain(self.retired_on, content),
            "Completed_On": timestamps(np.where(finished, completed_at, NEVER)),
            "Certificate_Generated": pa.array(np.where(certificate, "Yes", "No")),
            "User_Rating": pa.array(rating, mask=rating == 0),
            "Category": pc.if_else(
                pa.array(external),
                pa.scalar("External Content"),
                _plain(world.people.category, person),
            ),
            "Certificate_ID": pc.if_else(
                pa.array(certificate),
                details.certificate_ids(row),
                pa.scalar(None, pa.string()),
            ),
            "Report_Last_Generated_On": timestamps(np.full(len(index), writer.generated)),
            "Live_CBP_Plan_Mandate": pa.array(np.where(is_row, rows["acbp"][row], True)),
        }
        return pa.table(columns)


def _set(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.column_names.index(name), name, values)


def _generated_text(cutoff: int, line: int) -> str:
    """Report_Last_Generated_On as the code line's job writes it (``HH`` and ``a`` together)."""
    hour, minute, second = GENERATED_AT[line]
    day = dt.date(1970, 1, 1) + dt.timedelta(days=cutoff // DAY)
    marker = "AM" if hour < 12 else "PM"
    pattern = "%d/%m/%Y" if line == SCALA_15 else "%Y-%m-%d"
    return f"{day.strftime(pattern)} {hour:02d}:{minute:02d}:{second:02d} {marker}"
