"""What every ministry brief of an edition shares, computed once and kept (05_ministry_brief).

A brief is about one ministry or State, but nearly everything it shows is national: the
leaderboard, the KPIs of its peers and of the nation, the rates and shrunk rates of every unit
of its kind, and the pooled unit effects of this and the previous edition (each an impact
population and a meta-analysis). :func:`brief_inputs` computes them once for every unit and
keeps them in a cache folder keyed by the params, the data manifest and the library source (as
the runner keys resume), so the ~100 briefs of a national edition each only select their unit.

The cache holds Arrow (Feather) tables and a JSON file; a brief run alone computes whatever is
missing. Nothing person-level is kept: every table has one row per unit (or scope).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from evaluation.analysis import compare, editions, pooling, populations
from evaluation.analysis.impact import impact_people
from evaluation.analysis.verdict import Interval
from evaluation.core.params import Params, project_root
from evaluation.data.backend import Store
from evaluation.data.ensure import data_fingerprint

__all__ = [
    "ALL_UNITS",
    "CACHE_FOLDER",
    "PER_BRIEF",
    "BriefInputs",
    "LeaderboardPosition",
    "brief_inputs",
    "cache_key",
    "leaderboard_board",
    "leaderboard_position",
    "library_fingerprint",
    "ministry_scope_table",
    "unit_tables",
]

#: The national row of a brief's KPI table.
ALL_UNITS = "All ministries and states"
#: The cache folder's name beside the briefs' output folders (``<run>/.shared`` under ``nlw
#: run``, which removes it before the run is audited and published).
CACHE_FOLDER = ".shared"
#: Parameters that differ between the briefs of one edition (left out of the cache key).
PER_BRIEF = ("ministry", "output_dir")
#: The rates a brief shows raw and shrunk.
SHRUNK_OUTCOMES = ("participated", "target_met")
#: Person-frame columns the unit tables read (:func:`unit_tables`; karma points are added).
UNIT_COLUMNS = ("ministry", "org_type", "participated", "target_met", "hours_in_week")
#: Impact-population columns the pooled unit effects and the changes between editions read
#: besides those :func:`~evaluation.analysis.impact.impact_people` always keeps.
EFFECT_COLUMNS = ("ministry",)
_META = "meta.json"
_FORMAT = 2  # bump when the cache's layout changes


# --------------------------------------------------------------------------------------------
# The brief's national tables, for one unit
# --------------------------------------------------------------------------------------------


def _scope_row(rows: pd.DataFrame, scope: str) -> dict[str, object]:
    participants = rows[rows["participated"] == 1]
    users, taking_part = len(rows), int(rows["participated"].sum())
    met = int(rows["target_met"].sum())
    low, high = (
        compare.unit_rates(rows[["participated"]].assign(_all="x"), unit="_all")[
            ["conf_low", "conf_high"]
        ]
        .iloc[0]
        .tolist()
        if users
        else (np.nan, np.nan)
    )
    return {
        "scope": scope,
        "users": users,
        "participants": taking_part,
        "participation_rate": taking_part / users if users else np.nan,
        "conf_low": low,
        "conf_high": high,
        "target_met": met,
        "target_rate": met / taking_part if taking_part else np.nan,
        "hours_per_participant": (participants["hours_in_week"].mean() if taking_part else np.nan),
        "karma_per_user": rows["karma_points"].mean() if users else np.nan,
    }


def ministry_scope_table(
    people: pd.DataFrame, ministry: str, peers: list[str] | tuple[str, ...], peer_label: str
) -> pd.DataFrame:
    """The ministry's KPIs beside its peers' (together) and the national picture.

    Parameters
    ----------
    people : pandas.DataFrame
        :func:`~evaluation.analysis.populations.ministry_people` frame (eligible persons with
        ``karma_points`` in the week).
    ministry : str
        The ministry of the brief.
    peers : sequence of str
        The other ministries and states of its NLW size band (the ministry itself left out).
    peer_label : str
        How the peers are named in the table.

    Returns
    -------
    pandas.DataFrame
        One row per scope: ``scope, users, participants, participation_rate, conf_low,
        conf_high, target_met, target_rate, hours_per_participant, karma_per_user``; the
        participation rate's interval is Wilson's; ``target_rate`` is among participants.
    """
    return pd.DataFrame(
        [
            _scope_row(people[people["ministry"] == ministry], ministry),
            _scope_row(people[people["ministry"].isin(list(peers))], peer_label),
            _scope_row(people, ALL_UNITS),
        ]
    )


class LeaderboardPosition(TypedDict):
    """Where a unit stands on the leaderboard (see :func:`leaderboard_position`)."""

    org_type: str
    size_band: str
    rank: int
    of: int
    total_points: float
    leader: str
    leader_points: float
    peers: list[str]


def leaderboard_position(board: pd.DataFrame, ministry: str) -> LeaderboardPosition:
    """Where ``ministry`` stands on :func:`compare.leaderboard`: rank, band and its peers.

    Returns
    -------
    LeaderboardPosition
        ``org_type, size_band, rank, of`` (units in the band), ``total_points``, ``leader``,
        ``leader_points`` and ``peers`` (the other units of the band).
    """
    mine = board[board["unit"] == ministry]
    if mine.empty:
        raise ValueError(f"{ministry!r} is not on the leaderboard")
    row = mine.iloc[0]
    band = board[board["size_band"] == row["size_band"]].sort_values("rank")
    return {
        "org_type": str(row["org_type"]),
        "size_band": str(row["size_band"]),
        "rank": int(row["rank"]),
        "of": len(band),
        "total_points": float(row["total_points"]),
        "leader": str(band.iloc[0]["unit"]),
        "leader_points": float(band.iloc[0]["total_points"]),
        "peers": [str(unit) for unit in band["unit"] if unit != ministry],
    }


def leaderboard_board(people: pd.DataFrame) -> pd.DataFrame:
    """The NLW leaderboard of known central ministries and states (one entry per ministry).

    The platform ranks each organisation (MDO); a brief speaks of a ministry or state, so its
    organisations are taken together as one entry.
    """
    known = people[
        (people["ministry"] != "Unknown") & people["org_type"].isin(["central", "state"])
    ]
    return compare.leaderboard(known, unit="ministry")


def peer_label(position: LeaderboardPosition) -> str:
    """How a brief names its peers: the rest of its NLW size band."""
    return f"Peers: the rest of NLW size band {position['size_band']} ({len(position['peers'])})"


# --------------------------------------------------------------------------------------------
# Every unit's tables at once
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefInputs:
    """The national results every brief of an edition shares (:func:`brief_inputs`).

    Attributes
    ----------
    participants : pandas.DataFrame
        ``ministry, org_type, participated``: one row per ministry (its first person's
        ``org_type``; participants summed), enough to choose a brief's ministry.
    board : pandas.DataFrame
        :func:`leaderboard_board`.
    scope : pandas.DataFrame
        ``unit`` and :func:`ministry_scope_table`'s columns: three rows for every unit on the
        board (the unit, its peers, the nation).
    kinds : dict of str to dict of str to pandas.DataFrame
        For each kind of unit (``central``, ``state``...): ``rates-<outcome>``
        (:func:`compare.unit_rates` of the units of that kind), ``shrunk-<outcome>`` (the
        :func:`compare.shrink_rates` table) and ``flags`` (:func:`compare.funnel_flags` of
        participation).
    pooled, previous : PooledUnitEffects or None
        Pooled unit effects on completions in this edition's impact population and in the
        previous edition's (None: fewer than two units estimable, or no previous edition);
        read back from the cache they carry no fitted model (``result`` is None).
    previous_title : str or None
        The previous edition's title.
    changes : pandas.DataFrame or None
        :func:`evaluation.analysis.editions.unit_edition_changes`: each unit's own effect in
        both editions and the change, clustered by person (None: no previous edition).
    """

    participants: pd.DataFrame
    board: pd.DataFrame
    scope: pd.DataFrame
    kinds: dict[str, dict[str, pd.DataFrame]]
    pooled: pooling.PooledUnitEffects | None
    previous: pooling.PooledUnitEffects | None
    previous_title: str | None
    changes: pd.DataFrame | None = None

    def kind_of(self, ministry: str) -> str:
        """The kind (``org_type``) of ``ministry``'s first person, as the brief ranks it."""
        rows = self.participants[self.participants["ministry"] == ministry]
        if rows.empty:
            raise ValueError(f"{ministry!r} has no eligible staff in this edition")
        return str(rows["org_type"].iloc[0])

    def scope_table(self, ministry: str) -> pd.DataFrame:
        """:func:`ministry_scope_table` of ``ministry`` (its peers: the rest of its band)."""
        rows = self.scope[self.scope["unit"] == ministry]
        if rows.empty:
            raise ValueError(f"{ministry!r} is not on the leaderboard")
        return rows.drop(columns="unit").reset_index(drop=True)

    def table(self, kind: str, name: str) -> pd.DataFrame:
        """A table of one kind of unit: ``rates-<outcome>``, ``shrunk-<outcome>`` or ``flags``."""
        tables = self.kinds.get(kind, {})
        if name not in tables:
            raise ValueError(
                f"{name} cannot be computed for the {kind} units (a prior needs two units with "
                "persons; a funnel, a rate strictly between 0 and 1)"
            )
        return tables[name]


def unit_tables(people: pd.DataFrame) -> dict[str, Any]:
    """Every unit's national tables from the :func:`populations.ministry_people` frame.

    Returns the fields of :class:`BriefInputs` that come from this frame (``participants``,
    ``board``, ``scope``, ``kinds``), each computed once with the same functions a single
    brief would call, so every brief's numbers are those it would compute on its own.
    """
    slim = people[
        ["ministry", "org_type", "participated", "target_met", "hours_in_week", "karma_points"]
    ]
    first = people.drop_duplicates("ministry")[["ministry", "org_type"]]
    counts = people.groupby("ministry", observed=True, sort=False)["participated"].sum()
    participants = first.assign(participated=first["ministry"].map(counts).to_numpy()).reset_index(
        drop=True
    )
    board = leaderboard_board(people)
    return {
        "participants": participants,
        "board": board,
        "scope": _every_scope(slim, board),
        "kinds": {
            str(kind): _kind_tables(people, kind)
            for kind in first.loc[first["ministry"].isin(board["unit"]), "org_type"].unique()
        },
    }


def _every_scope(people: pd.DataFrame, board: pd.DataFrame) -> pd.DataFrame:
    """:func:`ministry_scope_table` for every unit on the board, the nation computed once."""
    nation = _scope_row(people, ALL_UNITS)
    codes = people["ministry"]
    tables = []
    for unit in board["unit"]:
        position = leaderboard_position(board, str(unit))
        mine = _scope_row(people[codes == unit], str(unit))
        peers = _scope_row(people[codes.isin(position["peers"])], peer_label(position))
        tables.append(pd.DataFrame([mine, peers, nation]).assign(unit=str(unit)))
    columns = ["unit", *nation]
    if not tables:
        return pd.DataFrame(columns=columns)
    return pd.concat(tables, ignore_index=True)[columns]


def _kind_tables(people: pd.DataFrame, kind: object) -> dict[str, pd.DataFrame]:
    """Rates, shrunk rates and funnel flags of the units of one kind.

    A table that cannot be computed (a kind with one unit has no prior to fit) is left out;
    :meth:`BriefInputs.table` then raises, as the brief computing it alone would.
    """
    units = people[(people["org_type"] == kind) & (people["ministry"] != "Unknown")]
    tables: dict[str, pd.DataFrame] = {}
    for outcome in SHRUNK_OUTCOMES:
        rates = compare.unit_rates(units, unit="ministry", outcome=outcome)
        tables[f"rates-{outcome}"] = rates
        with suppress(ValueError):
            tables[f"shrunk-{outcome}"] = compare.shrink_rates(rates).table
    with suppress(ValueError):  # e.g. every unit's rate is 1: no funnel around it
        tables["flags"] = compare.funnel_flags(tables["rates-participated"])
    return tables


def _pooled(people: pd.DataFrame, params: Params) -> pooling.PooledUnitEffects | None:
    """Pooled unit effects in an impact population, with ``params``' settings."""
    return pooling.pool_unit_effects(people, min_persons=params.min_cell, seed=params.seed)


def compute(store: Store, params: Params) -> BriefInputs:
    """Compute every brief's shared results for this edition (no cache).

    Each impact population is built once: this edition's, the previous edition's under its
    own rules (its pooled effects, as its impact report showed them) and, when the rules
    differ, under this edition's (the change between editions, as 04_years compares them).
    """
    tables = unit_tables(populations.ministry_people(store, params, columns=UNIT_COLUMNS))
    # the pooled effects and the changes between editions read the unit, ``treat`` and the
    # changes (added by impact_people): two national frames of every column held together
    # were the first brief's peak at scale 1 (11 GB)
    people = impact_people(store, params, columns=EFFECT_COLUMNS)
    previous = populations.previous_params(params)
    if previous is None or params.previous_edition is None:
        return BriefInputs(
            **tables, pooled=_pooled(people, params), previous=None, previous_title=None
        )
    as_it_was = impact_people(store, previous, columns=EFFECT_COLUMNS)
    same_rules = (previous.treatment, previous.pre_months) == (params.treatment, params.pre_months)
    earlier = (
        as_it_was
        if same_rules
        else editions.previous_impact_people(store, params, columns=EFFECT_COLUMNS)
    )
    if earlier is None:  # cannot happen: the previous edition's params were found above
        raise RuntimeError(f"no impact population for {params.previous_edition}")
    return BriefInputs(
        **tables,
        pooled=_pooled(people, params),
        previous=_pooled(as_it_was, params),
        previous_title=previous.title,
        changes=editions.unit_edition_changes(
            earlier,
            people,
            editions=(params.previous_edition, params.edition),
            min_persons=params.min_cell,
        ),
    )


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------


def library_fingerprint(root: Path) -> str:
    """sha256 of every source file (and its path) of ``evaluation/`` under ``root``."""
    digest = hashlib.sha256()
    for path in sorted((root / "evaluation").rglob("*")):
        if path.suffix in (".py", ".css", ".j2") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(params: Params, root: Path) -> str:
    """Key of an edition's shared results: its params (but the brief's own), data and code.

    The previous edition's params file is part of the key (its window sets the previous
    pooled effects), and so is the store's manifest (:func:`data_fingerprint`).
    """
    shared = {k: v for k, v in params.notebook_parameters().items() if k not in PER_BRIEF}
    previous = populations.previous_params(params)
    digest = hashlib.sha256(str(_FORMAT).encode())
    for part in (
        json.dumps(shared, sort_keys=True),
        json.dumps(previous.notebook_parameters(), sort_keys=True) if previous else "",
        data_fingerprint(params.data.store_path(root)),
        library_fingerprint(root),
    ):
        digest.update(hashlib.sha256(part.encode()).digest())
    return digest.hexdigest()[:24]


def brief_inputs(
    store: Store, params: Params, cache: Path | None = None, *, root: Path | None = None
) -> BriefInputs:
    """The edition's shared brief results: read from ``cache`` if kept there, else computed.

    Parameters
    ----------
    store : Store
        The edition's processed store.
    params : Params
        The edition's params (a brief's ``ministry`` and ``output_dir`` do not matter).
    cache : pathlib.Path, optional
        Folder of kept results (one sub-folder per :func:`cache_key`; others are removed when
        a new one is written). None computes without keeping.
    root : pathlib.Path, optional
        Project root the params' data paths start from (default
        :func:`~evaluation.core.params.project_root`).

    Notes
    -----
    Briefs running at once (``nlw run --jobs 2``) take a lock on the key, so one computes and
    the others wait and read.
    """
    if cache is None:
        return compute(store, params)
    key = cache_key(params, root or project_root())
    folder = cache / key
    kept = _try_load(folder)
    if kept is not None:
        return kept
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / f".{key}.lock"):
        kept = _try_load(folder)  # written while we waited
        if kept is not None:
            return kept
        inputs = compute(store, params)
        _save(inputs, cache, key)
    return inputs


def _try_load(folder: Path) -> BriefInputs | None:
    """The kept results, or None when absent or unreadable (then they are computed again).

    Unreadable: e.g. removed as stale by a brief of a newer key while being read.
    """
    if not (folder / _META).is_file():
        return None
    try:
        return _load(folder)
    except (OSError, ValueError, KeyError):
        shutil.rmtree(folder, ignore_errors=True)
        return None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _frames(inputs: BriefInputs) -> dict[str, pd.DataFrame]:
    frames = {name: getattr(inputs, name) for name in ("participants", "board", "scope")}
    for kind, tables in inputs.kinds.items():
        frames.update({f"kind.{kind}.{name}": frame for name, frame in tables.items()})
    for name in ("pooled", "previous"):
        effects = getattr(inputs, name)
        if effects is not None:
            frames[name] = effects.units
    if inputs.changes is not None:
        frames["changes"] = inputs.changes
    return frames


def _pooled_meta(effects: pooling.PooledUnitEffects | None) -> dict[str, Any] | None:
    if effects is None:
        return None
    skip = {"units", "result"}
    meta = {f.name: getattr(effects, f.name) for f in fields(effects) if f.name not in skip}
    overall = effects.overall
    meta["overall"] = [overall.estimate, overall.low, overall.high]
    meta["prediction"] = list(meta["prediction"])
    return meta


def _save(inputs: BriefInputs, cache: Path, key: str) -> None:
    """Write to a temporary folder and rename it into place; remove other keys' folders."""
    partial = cache / f".partial-{key}-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    frames = _frames(inputs)
    for name, frame in frames.items():
        frame.to_feather(partial / f"{name}.arrow")
    meta = {
        "format": _FORMAT,
        "frames": sorted(frames),
        "kinds": {kind: sorted(tables) for kind, tables in inputs.kinds.items()},
        "pooled": _pooled_meta(inputs.pooled),
        "previous": _pooled_meta(inputs.previous),
        "previous_title": inputs.previous_title,
    }
    # json keeps every float exactly (repr round-trips)
    (partial / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    os.replace(partial, cache / key)
    for other in cache.iterdir():
        if other.is_dir() and other.name != key and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_feather(folder / f"{name}.arrow")


def _load_pooled(
    folder: Path, name: str, meta: dict[str, Any] | None
) -> pooling.PooledUnitEffects | None:
    if meta is None:
        return None
    return pooling.PooledUnitEffects(
        units=_read(folder, name),
        overall=Interval(*meta["overall"]),
        prediction=(meta["prediction"][0], meta["prediction"][1]),
        tau2=meta["tau2"],
        i2=meta["i2"],
        q_p_value=meta["q_p_value"],
        method=meta["method"],
        outcome=meta["outcome"],
        min_persons=meta["min_persons"],
        result=None,
    )


def _load(folder: Path) -> BriefInputs:
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    return BriefInputs(
        participants=_read(folder, "participants"),
        board=_read(folder, "board"),
        scope=_read(folder, "scope"),
        kinds={
            kind: {name: _read(folder, f"kind.{kind}.{name}") for name in names}
            for kind, names in meta["kinds"].items()
        },
        pooled=_load_pooled(folder, "pooled", meta["pooled"]),
        previous=_load_pooled(folder, "previous", meta["previous"]),
        previous_title=meta["previous_title"],
        changes=_read(folder, "changes") if "changes" in meta["frames"] else None,
    )
