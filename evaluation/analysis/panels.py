"""Analysis frames built from the processed tables by the engine (Ibis on DuckDB or Spark).

- :func:`person_edition`: one row per eligible person for an edition: who took part, the dose
  (hours in the week), pre-week covariates and the outcomes after the week.
- :func:`person_period`: person x 30-day period around the week (the week itself excluded), for
  difference-in-differences and event studies.
- :func:`staggered_panel`: person x calendar month across editions with the first edition joined
  as the cohort, for staggered DiD.

Outcome definitions (written once, shown in reports, and the same as the synthetic ground truth):
see :data:`evaluation.core.vocabulary.OUTCOME_DEFINITIONS`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ibis import _
from ibis.expr.types import Table

from evaluation.analysis.describe import window_activity
from evaluation.core.params import Window
from evaluation.core.vocabulary import DOSE_BANDS, FOLLOW_UP_DAYS, OUTCOME_DEFINITIONS, TARGET_HOURS
from evaluation.data.backend import Store
from evaluation.data.quality import is_fast_completion

__all__ = [
    "DOSE_BANDS",
    "OUTCOME_DEFINITIONS",
    "person_edition",
    "period_values",
    "person_period",
    "person_period_table",
    "staggered_inputs",
    "staggered_panel",
]

PERIOD_DAYS = 30


def _ts(day: dt.date) -> ibis.Expr:
    return ibis.timestamp(dt.datetime.combine(day, dt.time()))


def _between(column: ibis.Expr, first: dt.date, last: dt.date) -> ibis.Expr:
    """``first <= column < last + 1 day`` (both dates inclusive) for timestamps."""
    return (column >= _ts(first)) & (column < _ts(last + dt.timedelta(days=1)))


def chosen_enrolments(store: Store) -> Table:
    """Enrolments in courses the person chose: ACBP-allocated courses left out.

    Mandated courses are the ``acbp_on_time`` outcome. Counting them among completions would
    mix the week's effect with deadlines that keen learners meet anyway, and those deadlines
    fall right after the week, so they would break the before/after comparison.
    """
    enrolments = store.table("enrolments")
    if "acbp_mandate" not in enrolments.columns:  # an export without the plan flag
        return enrolments
    return enrolments.filter(~enrolments.acbp_mandate.fill_null(False))


def _completions(store: Store, first: dt.date, last: dt.date, prefix: str) -> Table:
    enrolments = chosen_enrolments(store)
    content = store.table("content").select("content_id", "duration_hours")
    done = enrolments.filter(_between(enrolments.completed_on, first, last))
    done = done.join(content, "content_id", how="left")
    return done.group_by("user_key").aggregate(
        **{
            f"completions_{prefix}": _.count(),
            f"course_hours_{prefix}": _.duration_hours.fill_null(0).sum(),
        }
    )


def _event_hours(store: Store, first: dt.date, last: dt.date, name: str) -> Table | None:
    if not (store.has("event_attendance") and store.has("events")):
        return None
    attendance = store.table("event_attendance")
    events = store.table("events").select("event_id", "start_at")
    seen = attendance.join(events, "event_id").filter(
        _between(events.start_at, first, last) & (attendance.watch_hours > 0)
    )
    return seen.group_by("user_key").aggregate(**{name: _.watch_hours.sum()})


def _acbp(store: Store, window: Window) -> Table | None:
    if not store.has("acbp_allocations"):
        return None
    alloc = store.table("acbp_allocations")
    cycle = alloc.filter(
        _between(
            alloc.allocated_on.cast("timestamp"),
            window.start - dt.timedelta(days=60),
            window.start - dt.timedelta(days=5),
        )
    )
    on_time = (cycle.completed_on.notnull() & (cycle.completed_on <= cycle.due_on)).cast("float64")
    return (
        cycle.mutate(on_time=on_time)
        .group_by("user_key")
        .aggregate(acbp_allocations=_.count(), acbp_on_time=_.on_time.mean())
    )


def _assessment(store: Store, first: dt.date, last: dt.date, name: str) -> Table | None:
    if not store.has("outcomes"):
        return None
    out = store.table("outcomes")
    scores = out.filter(
        (out.outcome == "assessment_score")
        & _between(out.measured_on.cast("timestamp"), first, last)
    )
    return scores.group_by("user_key").aggregate(**{name: _.value.mean()})


def _eligible(store: Store, window: Window) -> Table:
    learners = store.table("learners")
    people = learners.filter(learners.registered_on.cast("timestamp") < _ts(window.start))
    if "is_active" in learners.columns:
        # Deactivated accounts cannot take part; keeping them would pad the comparison group.
        people = people.filter(people.is_active.fill_null(True))
    columns = ["user_key", "mdo_id", "group", "gender", "category", "registered_on"]
    if "is_frontline" in learners.columns:
        # Frontline workers (teachers, police, field staff) vs others; unknown without a title.
        people = people.mutate(
            frontline=ibis.cases(
                (people.is_frontline, "frontline worker"), (~people.is_frontline, "other staff")
            )
        )
        columns.append("frontline")
    people = people.select(*columns)
    if store.has("org_hierarchy"):
        orgs = store.table("org_hierarchy").select("mdo_id", "ministry", "department", "org_type")
        people = people.left_join(orgs, "mdo_id").drop("mdo_id_right")
    return people


def person_edition(
    store: Store,
    window: Window,
    *,
    target_hours: float = TARGET_HOURS,
    earlier_windows: Sequence[Window] = (),
    columns: Sequence[str] | None = None,
    keep: Callable[[Table], ibis.Expr] | None = None,
) -> pd.DataFrame:
    """One row per eligible person (active, registered before the week) for one edition.

    Columns: identity and grouping (``user_key, group, ministry, department, org_type,
    frontline`` ("frontline worker" / "other staff", missing without a designation), ``gender,
    category``), treatment
    (``participated``, ``target_met``, ``hours_in_week``, ``dose_band``), covariates measured
    before the week (``completions_pre_365d``, ``course_hours_pre_365d``, ``tenure_years``,
    ``took_part_before``), the same measures as the outcomes over the 90 days before the week
    (``completions_pre_90d``, ``learning_hours_pre_90d``, ``assessment_pre``: the "before" of a
    before/after design), and
    outcomes (see :data:`~evaluation.core.vocabulary.OUTCOME_DEFINITIONS`). Counts are 0 when a
    person had no activity; ``acbp_on_time`` and ``assessment_*`` are missing for people without
    allocations or measurements. ``columns``: only these (and ``user_key``), chosen in the
    engine, for a caller that needs a few columns of the national frame; ``keep``: a
    condition on the finished frame's columns, applied in the engine (the rows a caller
    would otherwise filter in pandas, holding the frame twice).
    """
    start, end = window.start, window.end
    frame = _eligible(store, window)
    before = (start - dt.timedelta(days=FOLLOW_UP_DAYS), start - dt.timedelta(days=1))
    after = (end + dt.timedelta(days=1), end + dt.timedelta(days=FOLLOW_UP_DAYS))
    parts: list[Table | None] = [
        window_activity(store, window, target_hours)
        .mutate(participated=ibis.literal(1))
        .select("user_key", "participated", "target_met", hours_in_week=_.learning_hours),
        _completions(
            store, start - dt.timedelta(days=365), start - dt.timedelta(days=1), "pre_365d"
        ),
        _completions(store, *before, "pre_90d"),
        _event_hours(store, *before, "event_hours_pre_90d"),
        _completions(store, *after, "90d"),
        _event_hours(store, *after, "event_hours_90d"),
        _acbp(store, window),
        _assessment(
            store, start - dt.timedelta(days=60), start - dt.timedelta(days=1), "assessment_pre"
        ),
        _assessment(
            store, end + dt.timedelta(days=60), end + dt.timedelta(days=90), "assessment_score"
        ),
    ]
    for earlier in earlier_windows:
        joined = window_activity(store, earlier, target_hours).select("user_key")
        parts.append(joined.mutate(took_part_before=ibis.literal(1)))
    for part in parts:
        if part is not None:
            frame = frame.left_join(part, "user_key").drop("user_key_right")
    frame = _finish(frame, window, target_hours)
    if keep is not None:
        frame = frame.filter(keep(frame))
    if columns is not None:
        frame = frame.select(*dict.fromkeys(["user_key", *columns]))
    return _to_pandas(frame, sort_by="user_key", staged=store.backend == "duckdb")


#: Counts and hours that are 0 for a person with no such activity (missing after the joins).
ZERO_FILLED = {
    "participated": "int64",
    "completions_pre_365d": "int64",
    "course_hours_pre_365d": "float64",
    "completions_pre_90d": "int64",
    "course_hours_pre_90d": "float64",
    "event_hours_pre_90d": "float64",
    "completions_90d": "int64",
    "course_hours_90d": "float64",
    "event_hours_90d": "float64",
    "hours_in_week": "float64",
    "took_part_before": "int64",
    "acbp_allocations": "int64",
}


def _finish(frame: Table, window: Window, target_hours: float) -> Table:
    """Zero-fill counts, derive treatment, dose band and tenure, label missing groupings.

    Done in the engine, so the national frame is converted to pandas once and never copied
    column by column there (at scale 1 each pandas copy of it is about 1.4 GB).
    """
    present = set(frame.columns)
    zero = ibis.literal(0)
    frame = frame.mutate(
        **{
            column: (frame[column].fill_null(0) if column in present else zero).cast(kind)
            for column, kind in ZERO_FILLED.items()
        }
    )
    hours = frame.hours_in_week
    # the person's band of hours in the week; "none" for people who did not take part
    bands = [(hours < high, ibis.literal(name)) for name, _low, high in DOSE_BANDS[:-1]]
    dose_band = ibis.cases(
        (frame.participated == 0, ibis.literal("none")), *bands, else_=DOSE_BANDS[-1][0]
    )
    tenure_days = _ts(window.start).date().delta(frame.registered_on.cast("date"), unit="day")
    frame = frame.mutate(
        target_met=(hours >= target_hours).cast("int64"),
        learning_hours_90d=frame.course_hours_90d + frame.event_hours_90d,
        learning_hours_pre_90d=frame.course_hours_pre_90d + frame.event_hours_pre_90d,
        dose_band=dose_band,
        tenure_years=tenure_days.cast("float64") / 365.25,
        **{
            column: (frame[column] if column in frame.columns else ibis.null("float64"))
            for column in ("acbp_on_time", "assessment_pre", "assessment_score")
        },
        **{
            column: frame[column].fill_null("Unknown")
            for column in (
                "group",
                "ministry",
                "department",
                "org_type",
                "frontline",
                "gender",
                "category",
            )
            if column in frame.columns
        },
    )
    return frame.drop("registered_on")


#: Rows of each batch the engine hands over (its text is dictionary-encoded batch by batch).
BATCH_ROWS = 1_000_000


def _to_pandas(
    expr: Table, *, sort_by: str, batch_rows: int = BATCH_ROWS, staged: bool = False
) -> pd.DataFrame:
    """Execute ``expr``; return it as pandas sorted by ``sort_by`` (unique), memory-lean.

    The engine's output order is not deterministic (parallel joins), so rows are sorted, but
    in Arrow one column at a time rather than by an ORDER BY in the engine or a pandas sort:
    at scale 1 either of those holds the frame twice. The result arrives in batches whose
    text columns (but ``sort_by``) are dictionary-encoded as they come, so the national
    frame's text is never held whole: they become categories with sorted levels (a few
    hundred groups, ministries and departments over a crore of rows). ``staged``: the engine
    writes the whole result to a temporary Parquet file first and it is read back from there
    (:func:`_result_batches`), so the engine's working memory is freed before the result is
    held (DuckDB only).
    """
    with _result_batches(expr, batch_rows=batch_rows, staged=staged) as (schema, batches):
        return _sorted_frame(schema, batches, sort_by)


@contextlib.contextmanager
def _result_batches(
    expr: Table, *, batch_rows: int, staged: bool
) -> Iterator[tuple[pa.Schema, Iterable[pa.RecordBatch]]]:
    """The result of ``expr`` as its Arrow schema and an iterable of batches.

    Streamed from the engine, or (``staged``) written by the engine to a Parquet file in a
    temporary folder, read back batch by batch and deleted. Streaming holds the engine's
    hash tables (up to its memory limit, 4 GB) while the result piles up in Python; at
    national scale the two together were a person frame's peak (docs/scale.md). The
    staged batches are cast to the expression's schema, the types streaming gives.
    """
    if not staged:
        reader = expr.to_pyarrow_batches(chunk_size=batch_rows)
        yield reader.schema, reader
        return
    schema = expr.schema().to_pyarrow()
    with tempfile.TemporaryDirectory(prefix="nlw-frame-") as folder:
        path = Path(folder) / "result.parquet"
        expr.to_parquet(path)
        file = pq.ParquetFile(path)
        try:
            yield (
                schema,
                (
                    batch.select(schema.names).cast(schema)
                    for batch in file.iter_batches(batch_size=batch_rows)
                ),
            )
        finally:
            file.close()


def _sorted_frame(
    schema: pa.Schema, batches: Iterable[pa.RecordBatch], sort_by: str
) -> pd.DataFrame:
    """Batches gathered into a pandas frame sorted by ``sort_by``, text as sorted categories."""
    names = schema.names
    text = {
        name
        for name, kind in zip(names, schema.types, strict=True)
        if name != sort_by and (pa.types.is_string(kind) or pa.types.is_large_string(kind))
    }
    chunks: dict[str, list] = {name: [] for name in names}
    for batch in batches:
        for name, column in zip(names, batch.columns, strict=True):
            chunks[name].append(pc.dictionary_encode(column) if name in text else column)
    table = pa.table(
        {
            name: pa.chunked_array(
                parts,
                type=pa.dictionary(pa.int32(), schema.field(name).type)
                if name in text
                else schema.field(name).type,
            )
            for name, parts in chunks.items()
        }
    ).unify_dictionaries()
    del chunks
    order = pc.sort_indices(table[sort_by])
    columns = []
    for name in names:
        column = pc.take(table.column(0), order)
        table = table.remove_column(0)  # frees that column's buffers
        columns.append(_sorted_levels(column) if name in text else column)
    table = pa.table(columns, names=names)
    del columns
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    pa.default_memory_pool().release_unused()
    return frame


def _sorted_levels(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary column (one dictionary in every chunk) with its levels sorted.

    pandas then sorts and groups the categories as it would the text.
    """
    kind = column.type
    if column.num_chunks == 0:
        return column
    levels = column.chunk(0).dictionary
    order = pc.sort_indices(levels)
    rank = pc.sort_indices(order).cast(kind.index_type)  # old code -> new code
    levels = pc.take(levels, order)
    return pa.chunked_array(
        [
            pa.DictionaryArray.from_arrays(pc.take(rank, chunk.indices), levels)
            for chunk in column.chunks
        ],
        type=kind,
    )


def _relative_period(day: ibis.Expr, window: Window) -> ibis.Expr:
    """30-day periods around the week: ..., -2, -1 before it, 0, 1, ... after it."""
    days_before = _ts(window.start).date().delta(day, unit="day")  # >= 1 before the week
    days_after = day.delta(_ts(window.end).date(), unit="day")  # >= 1 after the week
    before = -((days_before - 1) // PERIOD_DAYS) - 1
    after = (days_after - 1) // PERIOD_DAYS
    return ibis.cases((days_before >= 1, before), (days_after >= 1, after), else_=ibis.null())


def complete_post_periods(store: Store, window: Window, post: int) -> int:
    """How many of the ``post`` 30-day periods after the week the data cover in full.

    The data end on the last recorded completion: a period that ends after it would count
    fewer days of completions for everyone (SĀDHANA Saptah 2026 with data to 31 July 2026:
    months +3 to +5 after the week). At least 1, at most ``post``.
    """
    last = last_completion_day(store)
    if last is None:
        return post
    days_after = (last - window.end).days
    return max(1, min(post, days_after // PERIOD_DAYS))


def last_completion_day(store: Store) -> dt.date | None:
    """The day of the latest completion in the store: where the data end (None: none)."""
    last = store.table("enrolments").completed_on.max().execute()
    return None if last is None or pd.isna(last) else pd.Timestamp(last).date()


def period_values(
    store: Store, window: Window, *, pre: int = 6, post: int = 6, without_fast: bool = False
) -> Table:
    """Sparse ``user_key, period, completions, learning_hours`` around the week (an expression).

    Only person-periods with a completion appear (the rest are zeros); periods as in
    :func:`person_period`. Stays in the engine, so large panels are never built in memory.
    ``without_fast`` leaves out implausibly fast completions
    (:func:`evaluation.data.quality.is_fast_completion`).
    """
    enrolments = chosen_enrolments(store)
    content = store.table("content").select("content_id", "duration_hours")
    done = enrolments.filter(enrolments.completed_on.notnull()).join(
        content, "content_id", how="left"
    )
    if without_fast:
        done = done.filter(~is_fast_completion(done))
    done = done.mutate(period=_relative_period(done.completed_on.date(), window))
    done = done.filter((done.period >= -pre) & (done.period < post))
    return done.group_by(["user_key", "period"]).aggregate(
        completions=_.count(), learning_hours=_.duration_hours.fill_null(0).sum()
    )


def person_period(
    store: Store,
    window: Window,
    people: pd.DataFrame,
    *,
    pre: int = 6,
    post: int = 6,
) -> pd.DataFrame:
    """Person x 30-day period panel around the week, every person and period present.

    ``people`` is a :func:`person_edition` frame (its ``participated`` column is the treatment
    group). Periods run from ``-pre`` to ``post - 1``; the week itself belongs to no period, so
    its mechanical burst of completions is not mistaken for an effect. Columns: ``user_key,
    period, completions, learning_hours, participated, treated`` (``treated`` = participated
    and period >= 0).
    """
    who = ibis.memtable(people[["user_key", "participated"]])
    panel = person_period_table(store, window, who, pre=pre, post=post)
    return panel.order_by(["user_key", "period"]).to_pandas()


def person_period_table(
    store: Store, window: Window, who: Table, *, pre: int = 6, post: int = 6
) -> Table:
    """:func:`person_period` as an engine expression, for ``who`` (``user_key, participated``).

    Nothing reaches Python: at scale 1 the panel has 47 million rows, more than pandas can
    build on a 24 GB machine; ``.to_parquet(path)`` writes it from the engine.
    """
    periods = ibis.memtable({"period": list(range(-pre, post))}, schema={"period": "int64"})
    grid = who.select("user_key", "participated").cross_join(periods)
    counts = period_values(store, window, pre=pre, post=post)
    panel = grid.left_join(counts, ["user_key", "period"]).drop("user_key_right", "period_right")
    return panel.select(
        "user_key",
        "period",
        completions=panel.completions.fill_null(0).cast("int64"),
        learning_hours=panel.learning_hours.fill_null(0.0),
        participated="participated",
        treated=((panel.participated == 1) & (panel.period >= 0)).cast("int64"),
    )


def _outcome_completions(
    store: Store, editions: Sequence[Window], first_month: dt.date, last_month: dt.date
) -> Table:
    """Completions of the staggered DiD's months, those inside any edition's week left out."""
    enrolments = chosen_enrolments(store)
    done = enrolments.filter(
        enrolments.completed_on.notnull()
        & _between(enrolments.completed_on, first_month, last_month + dt.timedelta(days=31))
    )
    for window in editions:
        done = done.filter(~_between(done.completed_on, window.start, window.end))
    return done


def staggered_inputs(
    store: Store,
    editions: Sequence[Window],
    *,
    target_hours: float = TARGET_HOURS,
    first_month: dt.date,
    last_month: dt.date,
) -> tuple[Table, Table, list[int]]:
    """The staggered DiD's inputs in the engine, for everyone: the moments' side of the panel.

    The definitions of :func:`staggered_panel` without building it: ``values`` (``user_key``,
    ``time``, ``completions``) holds only the person-months with completions, ``people``
    (``user_key``, ``cohort``) every eligible person, and the periods are ``1..`` months from
    ``first_month``. :func:`evaluation.estimate.cohort_moments` reduces them to cohort x
    period sums with ``GROUP BY``, so no person-level frame reaches Python at national scale.
    """
    months = pd.period_range(first_month, last_month, freq="M")
    people = _eligible(store, editions[0]).select("user_key")
    cohort = ibis.literal(0)
    for i, window in reversed(list(enumerate(editions))):
        after = (pd.Timestamp(window.end) + pd.offsets.MonthBegin(1)).to_period("M")
        joined = window_activity(store, window, target_hours).select("user_key")
        people = people.left_join(joined.mutate(**{f"j{i}": ibis.literal(1)}), "user_key")
        people = people.drop("user_key_right")
        # the earliest edition joined wins: later ones are applied first and overwritten
        month = list(months).index(after) + 1  # months are unique: one position
        cohort = ibis.ifelse(people[f"j{i}"].notnull(), month, cohort)
    people = people.select("user_key", cohort=cohort)
    done = _outcome_completions(store, editions, first_month, last_month)
    day = done.completed_on
    time = (day.year() - months[0].year) * 12 + (day.month() - months[0].month) + 1
    values = (
        done.mutate(time=time)
        .filter(_.time.between(1, len(months)))
        .group_by(["user_key", "time"])
        .aggregate(completions=_.count())
    )
    return values, people, list(range(1, len(months) + 1))


def staggered_panel(
    store: Store,
    editions: Sequence[Window],
    *,
    target_hours: float = TARGET_HOURS,
    first_month: dt.date,
    last_month: dt.date,
    max_people: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Person x calendar month panel with ``cohort`` = first month after the first edition joined.

    Months are numbered 1.. from ``first_month``; completions inside any edition's week are
    left out (the week's own burst is participation, not an outcome). ``cohort`` is 0 for people
    who joined no edition (never treated). Population: people registered before the first week.
    With ``max_people``, a simple random sample of that many people (``seed``) when there are
    more: the panel has one row per person and month, too many to build at national scale.
    The frame's ``attrs["population"]`` holds the number of people before sampling.
    """
    first_window = editions[0]
    people = _eligible(store, first_window).select("user_key").to_pandas()
    population = len(people)
    if max_people is not None and population > max_people:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(population, size=max_people, replace=False))
        people = people.sort_values("user_key", ignore_index=True).iloc[chosen]
        people = people.reset_index(drop=True)
    people["cohort"] = 0
    months = pd.period_range(first_month, last_month, freq="M")
    index = {period: number for number, period in enumerate(months, 1)}
    for window in editions:
        joined = set(
            window_activity(store, window, target_hours).select("user_key").to_pandas()["user_key"]
        )
        month_after = (pd.Timestamp(window.end) + pd.offsets.MonthBegin(1)).to_period("M")
        newly = people["user_key"].isin(joined) & (people["cohort"] == 0)
        people.loc[newly, "cohort"] = index[month_after]
    done = _outcome_completions(store, editions, first_month, last_month)
    if len(people) < population:
        sampled = ibis.memtable(people[["user_key"]])
        done = done.semi_join(sampled, "user_key")
    counts = (
        done.mutate(month=done.completed_on.truncate("M").date())
        .group_by(["user_key", "month"])
        .aggregate(completions=_.count())
        .to_pandas()
    )
    counts["time"] = pd.to_datetime(counts["month"]).dt.to_period("M").map(index)
    counts = counts.dropna(subset=["time"]).astype({"time": "int64"})
    grid = pd.MultiIndex.from_product(
        [people["user_key"], range(1, len(months) + 1)], names=["user_key", "time"]
    ).to_frame(index=False)
    panel = grid.merge(
        counts[["user_key", "time", "completions"]], on=["user_key", "time"], how="left"
    )
    panel["completions"] = panel["completions"].fillna(0).astype("int64")
    panel = panel.merge(people, on="user_key", how="left")
    # a fixed row order whatever order the engine returned people in (float sums downstream)
    panel = panel.sort_values(["user_key", "time"], ignore_index=True)
    panel.attrs["population"] = population
    return panel
