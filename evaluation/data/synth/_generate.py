"""Entry point: generate a synthetic platform export with planted, known effects."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pyarrow as pa

from evaluation.data.synth._config import DATA_END, EDITIONS, POPULATION_AT_SCALE_1
from evaluation.data.synth._simulate import Block, World, simulate
from evaluation.data.synth._truth import TruthTally
from evaluation.data.synth._variants import Variants, variants_from
from evaluation.data.synth._write import (
    WAREHOUSE_FORMATS,
    CsvTarget,
    WarehouseSink,
    dates,
    row_details,
    write_people_tables,
    write_reports,
    write_shared_tables,
)

__all__ = ["generate", "Format", "FORMATS", "PEOPLE_PER_BLOCK"]

Format = Literal["warehouse", "reports"]
FORMATS: tuple[str, ...] = get_args(Format)

#: Largest scale accepted (scale 1 is the national platform, 1.70 crore users; 2 doubles it).
MAX_SCALE = 2.0
#: People simulated at once. A larger world is simulated and written block by block, which
#: bounds the generator's memory whatever the scale (docs/scale.md: the measured peak).
PEOPLE_PER_BLOCK = 2_000_000
OUTCOME_COLUMNS = ["user_id", "outcome", "measured_on", "value"]


def plan_blocks(scale: float, people_per_block: int) -> list[Block | None]:
    """The blocks of people a world of ``scale`` is simulated in (``[None]``: one, whole)."""
    population = max(round(POPULATION_AT_SCALE_1 * scale), 200)
    count = -(-population // people_per_block)
    if count == 1:
        return [None]
    size, extra = divmod(population, count)
    sizes = [size + (index < extra) for index in range(count)]
    starts = np.cumsum([0, *sizes[:-1]])
    return [Block(i, n, int(first)) for i, (n, first) in enumerate(zip(sizes, starts, strict=True))]


def _validate(scale: float, seed: int, formats: Sequence[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        raise ValueError(f"formats must be a sequence such as ('warehouse',), got {formats!r}")
    chosen = tuple(dict.fromkeys(formats))
    unknown = [name for name in chosen if name not in FORMATS]
    if unknown or not chosen:
        raise ValueError(f"formats must be a non-empty subset of {FORMATS}, got {formats!r}")
    if not isinstance(scale, int | float) or not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be a number in (0, {MAX_SCALE}], got {scale!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return chosen


def generate(
    out: Path,
    *,
    scale: float = 0.004,
    seed: int = 2024,
    formats: Sequence[Format] = ("warehouse", "reports"),
    warehouse_format: str = "csv",
    variants: Variants | str = "mixed",
    people_per_block: int = PEOPLE_PER_BLOCK,
) -> Path:
    """Write a synthetic iGOT Karmayogi export with planted effects to ``out``.

    The files follow the real export shapes (see ``docs/synthetic-data.md``): warehouse CSVs
    under ``warehouse/``, MDO report CSVs under ``reports/``, an external outcomes file, the
    planted truth in ``ground_truth.json`` and a README saying the data are synthetic. The run
    writes into a temporary sibling folder and renames it at the end, so an interrupted run
    never looks complete; an existing ``out`` is replaced.

    Parameters
    ----------
    out : Path
        Destination folder.
    scale : float, default 0.004
        1 is the national platform (1.70 crore registered users by July 2026) with the published
        counts of NLW 2024 and SĀDHANA Saptah 2026; counts scale linearly.
    seed : int, default 2024
        Random seed; the same seed and scale give byte-identical files.
    formats : sequence of {"warehouse", "reports"}
        Which raw shapes to write.
    warehouse_format : {"csv", "parquet"}, default "csv"
        ``parquet`` writes each warehouse table as Spark does (``<table>/part-00000-<uuid>-c000
        .snappy.parquet`` and ``_SUCCESS``); ``csv`` one ``<table>.csv``.
    variants : Variants or {"mixed", "python", "scala", "plain"}, default "mixed"
        Which platform code lines write the MDO reports, drawn per MDO and report date, with the
        variant features of :data:`evaluation.data.synth.DEFAULT_FEATURES` (a
        :class:`Variants` chooses features and shares); ``plain`` writes no variant.
    people_per_block : int, default 2,000,000
        A world with more people is simulated and written in blocks of at most this many
        people (each with its share of the national counts and its own random streams), so
        memory stays bounded at any scale; the files are the same shape. MDO reports need a
        whole world at once, so a world of several blocks writes the warehouse only.

    Returns
    -------
    Path
        ``out``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = generate(pathlib.Path(tempfile.mkdtemp()) / "synthetic", scale=0.001)
    >>> (folder / "ground_truth.json").exists()
    True
    """
    chosen = _validate(scale, seed, formats)
    if warehouse_format not in WAREHOUSE_FORMATS:
        raise ValueError(f"warehouse_format must be one of {WAREHOUSE_FORMATS}")
    if (
        isinstance(people_per_block, bool)
        or not isinstance(people_per_block, int)
        or (people_per_block < 1)
    ):
        raise ValueError(f"people_per_block must be a positive integer, got {people_per_block!r}")
    blocks = plan_blocks(float(scale), people_per_block)
    if "reports" in chosen and len(blocks) > 1:
        raise ValueError(
            f"MDO reports need the whole world in memory: scale {scale} is {len(blocks)} blocks "
            f"of at most {people_per_block:,} people; write the warehouse only "
            "(formats=('warehouse',), nlw synth --format warehouse) or raise people_per_block "
            "(--people-per-block)"
        )
    variant = variants_from(variants)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{out.name}.tmp-", dir=out.parent))
    try:
        truth = _write_blocks(staging, int(seed), float(scale), blocks, chosen, warehouse_format,
                              variant)  # fmt: skip
        truth["formats"] = list(chosen)
        truth["export_variants"] = {"warehouse_format": warehouse_format} | variant.describe()
        text = json.dumps(truth, indent=2, ensure_ascii=False, allow_nan=False)
        (staging / "ground_truth.json").write_text(text + "\n", encoding="utf-8")
        readme = _readme(truth, chosen, warehouse_format, variant, len(blocks))
        (staging / "README.md").write_text(readme, encoding="utf-8")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace(staging, out)
    return out


def _write_blocks(
    staging: Path,
    seed: int,
    scale: float,
    blocks: list[Block | None],
    chosen: tuple[str, ...],
    warehouse_format: str,
    variant: Variants,
) -> dict:
    """Simulate and write each block of people in turn; returns the world's ground truth.

    Only one block is in memory at a time: the warehouse tables and the outcomes file stay
    open and each block appends to them, and the truth keeps sums and counts.
    """
    tally = TruthTally(seed, scale)
    rows_before, salt, gaming = 0, None, None
    with ExitStack() as files:
        sink = None
        if "warehouse" in chosen:
            sink = WarehouseSink(staging / "warehouse", seed, scale, warehouse_format)
            files.callback(sink.close)
        outcomes = CsvTarget(staging / "external" / "outcomes.csv", OUTCOME_COLUMNS)
        files.callback(outcomes.close)
        for block in blocks:
            world = simulate(seed, scale, block, gaming)
            details = row_details(world, rows_before, salt)
            if salt is None:  # the first block: its choices hold for the whole world
                salt, gaming = details.certificate_salt, world.gaming_mdos
                if sink is not None:
                    write_shared_tables(sink, world)
            if sink is not None:
                write_people_tables(sink, world, details)
            if "reports" in chosen:
                write_reports(world, staging / "reports", details, variant)
            outcomes.write(_outcome_table(world))
            tally.add(world)
            rows_before += len(world.enrolments["person"])
            del world, details  # before the next block is simulated
    return tally.result()


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        retired = Path(tempfile.mkdtemp(prefix=f"{out.name}.old-", dir=out.parent))
        out.rename(retired / out.name)
        staging.rename(out)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out)


def _outcome_table(world: World) -> pa.Table:
    """Assessment scores before and after each edition (realised values only)."""
    persons, days, values = [], [], []
    for scores, week in zip(world.scores, world.weeks, strict=True):
        took_part = week.participant[scores.person]
        post = np.where(took_part, scores.post_if_took_part, scores.post_if_not)
        followed = scores.post_day >= 0
        persons += [scores.person, scores.person[followed]]
        days += [scores.pre_day, scores.post_day[followed]]
        values += [scores.pre, post[followed]]
    person, day, value = (np.concatenate(part) for part in (persons, days, values))
    order = np.lexsort((day, person))
    return pa.table(
        {
            "user_id": world.people.user_id.take(pa.array(person[order])),
            "outcome": pa.array(np.full(len(order), "assessment_score")),
            "measured_on": dates(day[order]),
            "value": pa.array(np.round(value[order], 1)),
        }
    )


def _readme(
    truth: dict, formats: tuple[str, ...], warehouse_format: str, variant: Variants, blocks: int
) -> str:
    people = truth["population"]["registered_users_simulated"]
    simulated = f"{people:,}" + (f" (in {blocks} blocks of people)" if blocks > 1 else "")
    editions = ", ".join(f"{e.name}: {e.start} to {e.end}" for e in EDITIONS)
    return (
        "# SYNTHETIC DATA - not real people, not real platform figures\n\n"
        "Generated by `evaluation.data.synth.generate` (`nlw synth`). Every name, email, "
        "phone number,\n"
        "id and record here is invented; the shapes follow the iGOT Karmayogi exports.\n\n"
        f"- seed: {truth['seed']}\n- scale: {truth['scale']} (scale 1 = {POPULATION_AT_SCALE_1:,} "
        f"registered users, the national counts of both editions)\n"
        f"- simulated users: {simulated}\n- editions: {editions}\n"
        f"- data period: 2023-10-01 to {DATA_END}\n- formats: {', '.join(formats)}\n"
        f"- warehouse files: {warehouse_format}\n- report variants: {variant.mix} "
        f"({', '.join(variant.active()) or 'none'})\n\n"
        "`ground_truth.json` holds the planted effects. The analysis path must never read it;\n"
        "it exists to check that estimators recover the truth.\n"
    )
