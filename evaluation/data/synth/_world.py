"""The static world: organisations, people (with fake personal data), courses and events.

Everything is vectorised numpy; text columns are pyarrow string arrays built once from small
pools and expanded with ``take`` only when a file is written, so memory stays near the size of
the integer codes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from faker.providers.person.en_IN import Provider as EnglishNames
from faker.providers.person.hi_IN import Provider as HindiNames

from evaluation.core.vocabulary import GROUPS
from evaluation.data.synth import _vocab as vocab
from evaluation.data.synth._config import (
    DATA_END,
    DATA_START,
    GROWTH_MILESTONES,
    registered_by,
)

__all__ = ["Orgs", "People", "Catalogue", "build_orgs", "build_people", "build_catalogue"]

LEARNER_TYPES = ("habitual", "occasional", "dormant")

#: Monthly course-completion rates of the three learner types (median of a lognormal).
_TYPE_RATE = np.array([0.3, 0.05, 0.006])
#: Group shares in central and in state organisations (A, B, C, Unknown).
_GROUP_SHARE = {"central": [0.06, 0.22, 0.60, 0.12], "state": [0.03, 0.18, 0.65, 0.14]}
#: Learner-type shares by group: Group A and B officers learn more habitually.
#: How a department's frontline share applies to each group: frontline posts are mostly
#: Group C (teachers, constables, postmen), few Group A (medical officers).
_FRONTLINE_BY_GROUP = np.array([0.15, 0.6, 1.15, 0.9])
_TYPE_SHARE = np.array(
    [[0.22, 0.40, 0.38], [0.16, 0.38, 0.46], [0.10, 0.30, 0.60], [0.10, 0.28, 0.62]]
)

EPOCH = dt.date(1970, 1, 1)
AUTONOMOUS_BODIES = (
    "National Highways Authority of India",
    "Indian Institute of Technology Madras",
    "Employees' State Insurance Corporation",
    "Food Corporation of India",
)


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01, the integer date used throughout the generator."""
    return (day - EPOCH).days


def numeric_ids(rng: np.random.Generator, count: int, prefix: str, digits: int) -> pa.Array:
    """Unique Sunbird-style numeric identifiers such as ``0137...`` (prefix + digits)."""
    low = 10 ** (digits - 1)
    values = np.unique(rng.integers(low, 10 * low - 1, size=count * 2, dtype=np.int64))
    values = rng.permutation(values)[:count]
    return pc.binary_join_element_wise(prefix, pa.array(values).cast(pa.string()), "")


@dataclass
class Orgs:
    """Organisations (MDOs); one row per MDO, text kept as Python lists (a few hundred rows)."""

    mdo_id: list[str]
    mdo_name: list[str]
    ministry: list[str]
    ministry_id: list[str]
    department: list[str]
    department_id: list[str]
    org_type: list[str]
    state: list[str]
    created_on: np.ndarray  # day numbers
    user_weight: np.ndarray
    participation_shift: np.ndarray  # some ministries take part more
    learning_shift: np.ndarray  # some ministries have a stronger learning culture
    old_date_style: np.ndarray  # report writer uses dd/MM/yyyy for these MDOs
    frontline_share: np.ndarray  # probability that a user is a frontline worker

    @property
    def is_state(self) -> np.ndarray:
        """True for State/UT organisations."""
        return np.array([kind == "state" for kind in self.org_type])

    @property
    def count(self) -> int:
        """Number of MDOs."""
        return len(self.mdo_id)


def _office_names(rng: np.random.Generator, department: str, count: int) -> list[str]:
    named = list(vocab.CENTRAL_NAMED_OFFICES.get(department, ()))
    names = named[:count]
    while len(names) < count:
        kind = vocab.OFFICE_KINDS[rng.integers(len(vocab.OFFICE_KINDS))]
        city = vocab.CITIES[rng.integers(len(vocab.CITIES))]
        name = f"{department} - {kind}, {city}"
        if name not in names:
            names.append(name)
    return names


def _central_rows(rng: np.random.Generator) -> list[tuple[str, str, str, str, float]]:
    """Each central unit and its attached offices; the unit's staff split over its MDOs."""
    rows = []
    for ministry, department in vocab.CENTRAL_UNITS:
        staff = vocab.CENTRAL_STAFF_THOUSANDS.get(department)
        if staff is None:
            staff = vocab.CENTRAL_DEFAULT_STAFF * rng.lognormal(0.0, 0.7)
        named = len(vocab.CENTRAL_NAMED_OFFICES.get(department, ()))
        offices = max(named, min(int(rng.poisson(1.2)), 4))
        shares = rng.lognormal(0.0, 1.0, size=offices + 1)
        shares[0] *= 3.0  # the headquarters MDO holds most of a unit's users
        shares /= shares.sum()
        rows.append((department, ministry, department, "central", staff * shares[0]))
        names = _office_names(rng, department, offices)
        for name, share in zip(names, shares[1:], strict=True):
            rows.append((name, ministry, department, "central", staff * share))
    # Autonomous bodies with no parent in the hierarchy: reports fall back to the MDO name.
    for body in AUTONOMOUS_BODIES:
        rows.append((body, "", "", "central", vocab.CENTRAL_DEFAULT_STAFF * rng.lognormal(0, 1)))
    return rows


def _state_rows(rng: np.random.Generator) -> list[tuple[str, str, str, str, float]]:
    """State departments sized by the State's share of registrations and the department's size."""
    rows = []
    always = ("Department of School Education", "Department of Home (Police)")
    others = [d for d in vocab.STATE_DEPARTMENTS if d not in always]
    for state in vocab.STATES:
        count = int(rng.integers(1, len(others) + 1))
        departments = [*always, *rng.choice(others, size=count, replace=False).tolist()]
        size = np.array([vocab.STATE_DEPARTMENT_SIZE[d] for d in departments])
        size = size * rng.lognormal(0.0, 0.3, size=len(size))
        size = size / size.sum() * vocab.STATE_REGISTRATION_SHARE[state]
        for department, weight in zip(departments, size, strict=True):
            rows.append((f"{department}, Government of {state}", state, department, "state",
                         float(weight)))  # fmt: skip
    return rows


def build_orgs(rng: np.random.Generator) -> Orgs:
    """Central units with attached offices, State departments and a few autonomous bodies.

    Sizes follow public facts (docs/synthetic-data.md, "Sizes of units"): central units by
    their staff, States/UTs by their share of registrations; ``user_weight`` gives each MDO's
    share of its own sector (central or state), whose totals follow the platform's growth.
    """
    rows = _central_rows(rng) + _state_rows(rng)
    names, ministries, departments, types, base = (list(col) for col in zip(*rows, strict=True))
    count = len(rows)
    is_state = np.array([kind == "state" for kind in types])
    weight = np.array(base, dtype=float)
    weight[is_state] /= weight[is_state].sum()
    weight[~is_state] /= weight[~is_state].sum()
    ministry_shift = _shift_by_key(rng, ministries, scale=0.5)
    ids = numeric_ids(rng, count, "01", 18).to_pylist()
    unit_ids = _ids_by_key(rng, ministries + departments)
    frontline = np.array(
        [vocab.FRONTLINE_SHARE_BY_DEPARTMENT.get(d, vocab.FRONTLINE_DEFAULT_SHARE)
         for d in departments]
    )  # fmt: skip
    return Orgs(
        mdo_id=ids,
        mdo_name=names,
        ministry=ministries,
        ministry_id=[unit_ids[m] if m else "" for m in ministries],
        department=departments,
        department_id=[unit_ids[d] if d else "" for d in departments],
        org_type=types,
        state=[m if kind == "state" else "" for m, kind in zip(ministries, types, strict=True)],
        created_on=rng.integers(day_number(dt.date(2021, 1, 1)), day_number(DATA_START), count),
        user_weight=weight,
        participation_shift=ministry_shift,
        learning_shift=_shift_by_key(rng, ministries, scale=0.3),
        old_date_style=rng.random(count) < 0.06,
        frontline_share=frontline,
    )


def _shift_by_key(rng: np.random.Generator, keys: list[str], scale: float) -> np.ndarray:
    unique = sorted(set(keys))
    draws = dict(zip(unique, rng.normal(0.0, scale, size=len(unique)), strict=True))
    return np.array([draws[key] for key in keys])


def _ids_by_key(rng: np.random.Generator, keys: list[str]) -> dict[str, str]:
    unique = sorted({key for key in keys if key})
    return dict(zip(unique, numeric_ids(rng, len(unique), "01", 18).to_pylist(), strict=True))


@dataclass
class People:
    """Registered users: integer codes per person plus the string pools they index."""

    user_id: pa.Array
    mdo: np.ndarray  # index into Orgs
    group: np.ndarray  # 0..3 -> GROUPS
    group_text: pa.Array  # free text as on the profile
    learner_type: np.ndarray  # 0..2 -> LEARNER_TYPES
    monthly_rate: np.ndarray  # background completions per month
    ability: np.ndarray  # standardised latent skill (assessment score)
    registered_at: np.ndarray  # seconds since epoch
    active: np.ndarray  # bool, status on the platform
    frontline: np.ndarray  # bool, a frontline worker (teacher, police, field functionary)
    full_name: pa.Array
    email: pa.Array
    phone: pa.Array
    designation: pa.Array
    gender: pa.Array
    category: pa.Array
    employee_id: pa.Array
    external_system: pa.Array
    external_system_id: pa.Array
    cadre: pa.Array
    civil_service_type: pa.Array
    civil_services: pa.Array
    cadre_batch: pa.Array
    organised_service: pa.Array
    roles: pa.Array
    tag: pa.Array
    profile_status: pa.Array

    @property
    def count(self) -> int:
        """Number of people."""
        return len(self.mdo)

    @property
    def registered_day(self) -> np.ndarray:
        """Registration as a day number."""
        return self.registered_at // 86_400


def _pick(rng: np.random.Generator, options: list[str], probs: list[float], size: int) -> pa.Array:
    probabilities = np.asarray(probs, dtype=float)
    codes = rng.choice(len(options), size=size, p=probabilities / probabilities.sum())
    return pa.array(options).take(pa.array(codes))


def build_people(rng: np.random.Generator, orgs: Orgs, count: int, first_person: int = 0) -> People:
    """Draw ``count`` users with organisations, groups, learning habits and fake identities.

    ``first_person`` numbers these people on from earlier blocks of the same world, so the
    email addresses stay unique across blocks.

    Each person's sector (central or State/UT) follows the sectors' shares at the end of the
    data, the organisation its size within the sector, and the registration date the sector's
    growth curve (:func:`~evaluation.data.synth._config.registered_by`), so each edition sees
    the population the platform had then.
    """
    end_state = float(registered_by(DATA_END, "state")[0] / registered_by(DATA_END)[0])
    state_person = rng.random(count) < end_state
    state_orgs, central_orgs = np.flatnonzero(orgs.is_state), np.flatnonzero(~orgs.is_state)
    mdo = np.where(
        state_person,
        rng.choice(state_orgs, size=count, p=orgs.user_weight[state_orgs]),
        rng.choice(central_orgs, size=count, p=orgs.user_weight[central_orgs]),
    )
    is_state = orgs.is_state[mdo]
    group = np.where(
        is_state,
        rng.choice(4, size=count, p=_GROUP_SHARE["state"]),
        rng.choice(4, size=count, p=_GROUP_SHARE["central"]),
    )
    frontline = rng.random(count) < np.minimum(
        orgs.frontline_share[mdo] * _FRONTLINE_BY_GROUP[group], 0.97
    )
    cumulative = _TYPE_SHARE.cumsum(axis=1)[group]
    learner_type = (rng.random(count)[:, None] > cumulative).sum(axis=1).clip(0, 2)
    log_rate = (
        np.log(_TYPE_RATE[learner_type])
        + rng.normal(0.0, 0.4, size=count)
        + orgs.learning_shift[mdo]
    )
    standardised = (log_rate - log_rate.mean()) / log_rate.std()
    ability = 0.5 * standardised + np.sqrt(0.75) * rng.normal(size=count)
    people = People(
        user_id=_uuids(rng, count),
        mdo=mdo,
        group=group,
        group_text=_group_text(rng, group),
        learner_type=learner_type,
        monthly_rate=np.exp(log_rate),
        ability=ability,
        registered_at=_registration_times(rng, is_state),
        active=rng.random(count) < 0.97,
        frontline=frontline,
        **_identities(rng, count, group, frontline, first_person),
    )
    return people


def _uuids(rng: np.random.Generator, count: int) -> pa.Array:
    """Version-4-looking UUIDs (8-4-4-4-12 hex digits), built without a Python loop."""
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    hex_digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    digits = np.empty((count, 32), dtype=np.uint8)
    digits[:, 0::2] = hex_digits[raw >> 4]
    digits[:, 1::2] = hex_digits[raw & 15]
    digits[:, 12] = ord("4")
    dashed = np.full((count, 36), ord("-"), dtype=np.uint8)
    for target, source in ((0, 0), (9, 8), (14, 12), (19, 16), (24, 20)):
        width = {0: 8, 20: 12}.get(source, 4)
        dashed[:, target : target + width] = digits[:, source : source + width]
    return pa.array(dashed.view("S36").ravel()).cast(pa.string())


def _group_text(rng: np.random.Generator, group: np.ndarray) -> pa.Array:
    texts: list[str] = []
    probs: list[np.ndarray] = []
    offsets = []
    for name in GROUPS:
        spellings = vocab.GROUP_SPELLINGS[name]
        offsets.append(len(texts))
        texts += [text for text, _ in spellings]
        weights = np.array([weight for _, weight in spellings])
        probs.append(weights / weights.sum())
    codes = np.empty(len(group), dtype=np.int64)
    for index, name in enumerate(GROUPS):
        members = np.flatnonzero(group == index)
        picked = rng.choice(len(vocab.GROUP_SPELLINGS[name]), size=len(members), p=probs[index])
        codes[members] = offsets[index] + picked
    return pa.array(texts).take(pa.array(codes))


def _registration_times(rng: np.random.Generator, is_state: np.ndarray) -> np.ndarray:
    """Registration times following each sector's growth curve, up to 15 days before the end."""
    first, last = day_number(GROWTH_MILESTONES[0][0]), day_number(DATA_END) - 15
    days = np.arange(first, last + 1)
    calendar = days.astype("datetime64[D]")
    times = np.empty(len(is_state), dtype=np.int64)
    for kind, members in (("state", is_state), ("central", ~is_state)):
        curve = np.maximum.accumulate(registered_by(calendar, kind))
        cdf = (curve - curve[0]) / (curve[-1] - curve[0])
        index = np.flatnonzero(members)
        picked = np.searchsorted(cdf, rng.random(len(index)), side="left").clip(0, len(days) - 1)
        times[index] = days[picked]
    return times * 86_400 + rng.integers(9 * 3600, 20 * 3600, size=len(is_state))


def _clean(names: tuple[str, ...] | list[str]) -> list[str]:
    return sorted({name for name in names if re.fullmatch("[A-Za-z]+", name)})


def _identities(
    rng: np.random.Generator,
    count: int,
    group: np.ndarray,
    frontline: np.ndarray,
    first_person: int = 0,
) -> dict[str, pa.Array]:
    first_en = pa.array(_clean(EnglishNames.first_names_male + EnglishNames.first_names_female))
    last_en = pa.array(_clean(EnglishNames.last_names))
    first_hi = pa.array(sorted(set(HindiNames.first_names_male + HindiNames.first_names_female)))
    last_hi = pa.array(sorted(set(HindiNames.last_names)))
    first_code = pa.array(rng.integers(0, len(first_en), count))
    last_code = pa.array(rng.integers(0, len(last_en), count))
    first, last = first_en.take(first_code), last_en.take(last_code)
    english_name = pc.binary_join_element_wise(first, last, " ")
    # About 15 % of profiles hold the name in Devanagari.
    hindi_name = pc.binary_join_element_wise(
        first_hi.take(pa.array(rng.integers(0, len(first_hi), count))),
        last_hi.take(pa.array(rng.integers(0, len(last_hi), count))),
        " ",
    )
    full_name = pc.if_else(pa.array(rng.random(count) < 0.15), hindi_name, english_name)
    # unique per person, and across the blocks of a world
    suffix = pa.array(rng.permutation(count) + 11 + first_person).cast(pa.string())
    domain = _pick(rng, ["gov.in", "nic.in", "gmail.com", "yahoo.co.in"], [45, 30, 20, 5], count)
    local = pc.binary_join_element_wise(pc.utf8_lower(first), pc.utf8_lower(last), ".")
    email = pc.binary_join_element_wise(pc.binary_join_element_wise(local, suffix, ""), domain, "@")
    phone = pa.array(rng.integers(6_000_000_000, 9_999_999_999, count)).cast(pa.string())
    return {
        "full_name": full_name,
        "email": email,
        "phone": phone,
        "designation": _designations(rng, group, frontline),
        "gender": _pick(rng, ["Male", "Female", "Others", ""], [62, 36, 0.3, 1.7], count),
        "category": _pick(rng, ["General", "OBC", "SC", "ST", ""], [40, 30, 14, 7, 9], count),
        "employee_id": pc.binary_join_element_wise(
            "EMP", pa.array(rng.integers(100_000, 999_999, count)).cast(pa.string()), ""
        ),
        "external_system": _pick(rng, ["", "HRMS", "e-HRMS"], [85, 5, 10], count),
        "external_system_id": pc.binary_join_element_wise(
            "EXT", pa.array(rng.integers(10_000_000, 99_999_999, count)).cast(pa.string()), ""
        ),
        "cadre": _pick(
            rng, ["", "IAS", "IRS", "CSS", "State Civil Service"], [80, 3, 4, 8, 5], count
        ),
        "civil_service_type": _pick(
            rng,
            ["", "All India Services", "Central Civil Services", "State Civil Services"],
            [70, 4, 16, 10],
            count,
        ),  # fmt: skip
        "civil_services": _pick(
            rng,
            [
                "",
                "Indian Administrative Service",
                "Indian Revenue Service",
                "Central Secretariat Service",
            ],
            [82, 4, 6, 8],
            count,
        ),  # fmt: skip
        "cadre_batch": _pick(rng, ["", "2010", "2015", "2018", "2021"], [80, 5, 5, 5, 5], count),
        "organised_service": _pick(rng, ["", "Yes", "No"], [60, 15, 25], count),
        "roles": _pick(rng, ["PUBLIC", "PUBLIC,MDO_ADMIN", "PUBLIC,MDO_LEADER"], [97, 2, 1], count),
        "tag": _pick(rng, ["", "Verified Karmayogi"], [85, 15], count),
        "profile_status": _pick(
            rng, ["VERIFIED", "NOT-VERIFIED", "NOT-MY-USER"], [60, 38, 2], count
        ),
    }


def _designations(rng: np.random.Generator, group: np.ndarray, frontline: np.ndarray) -> pa.Array:
    """A job title from the person's group, from the frontline titles for frontline workers."""
    texts: list[str] = []
    offsets, sizes = [], []
    for lists in (vocab.DESIGNATIONS, vocab.FRONTLINE_DESIGNATIONS):
        for name in GROUPS:
            offsets.append(len(texts))
            sizes.append(len(lists[name]))
            texts += list(lists[name])
    slot = group + len(GROUPS) * frontline.astype(np.int64)
    offset, size = np.array(offsets)[slot], np.array(sizes)[slot]
    codes = offset + (rng.random(len(group)) * size).astype(np.int64)
    return pa.array(texts).take(pa.array(codes))


@dataclass
class Catalogue:
    """Courses and events, with durations in hours and competency areas."""

    content_id: pa.Array
    content_name: pa.Array
    provider: pa.Array
    content_type: pa.Array
    language: pa.Array
    duration_hours: np.ndarray
    popularity: np.ndarray  # sampling weight of ordinary learning
    week_popularity: np.ndarray  # sampling weight during the weeks (featured courses)
    has_assessment: np.ndarray
    is_external: np.ndarray
    published_day: np.ndarray
    batch_id: pa.Array
    competency: np.ndarray  # index into vocab.COMPETENCY_THEMES
    second_competency: np.ndarray  # -1 when the course maps to one theme only
    is_ai: np.ndarray  # AI-related course (mapped first to the AI theme, an AI topic)

    @property
    def count(self) -> int:
        """Number of courses."""
        return len(self.duration_hours)


#: Course durations in hours (a 15-minute grid) and their shares in the catalogue.
DURATION_GRID = np.array([0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0, 12.0])
_DURATION_SHARE = np.array([8, 16, 14, 16, 8, 10, 9, 5, 4, 4, 3, 2, 1], dtype=float)
#: Share of completions by duration class (popularity weights), mean about 1.1 hours.
COMPLETION_DURATION_SHARE = (
    np.array([10.5, 20, 15.5, 18, 8, 9.5, 8, 3.8, 2.6, 1.75, 0.9, 0.45, 0.3], dtype=float) / 100.0
)
COURSE_COUNT = 1_200


def build_catalogue(rng: np.random.Generator) -> Catalogue:
    """A catalogue of 1,200 courses with Zipf-like popularity; long courses are less popular."""
    count = COURSE_COUNT
    share = _DURATION_SHARE / _DURATION_SHARE.sum()
    duration = DURATION_GRID[rng.choice(len(DURATION_GRID), count, p=share)]
    duration_class = np.searchsorted(DURATION_GRID, duration)
    featured = rng.random(count) < 0.08  # courses promoted for the week
    popularity = _popularity(rng, duration_class, np.ones(count))
    week_popularity = _popularity(rng, duration_class, np.where(featured, 6.0, 1.0))
    is_external = rng.random(count) < 0.03
    hindi = rng.random(count) < 0.08
    is_ai = _ai_courses(rng, duration_class)
    names = _course_names(rng, count, hindi, is_ai)
    types = _pick(
        rng, ["Course", "Program", "Blended Program", "CuratedCollections", "Curated Program"],
        [86, 6, 2, 3, 3], count,
    )  # fmt: skip
    provider_pool = pa.array(list(vocab.PROVIDERS) + list(vocab.EXTERNAL_PROVIDERS))
    provider_code = np.where(
        is_external,
        len(vocab.PROVIDERS) + rng.integers(0, len(vocab.EXTERNAL_PROVIDERS), count),
        rng.integers(0, len(vocab.PROVIDERS), count),
    )
    language = pc.if_else(
        pa.array(hindi),
        pa.scalar("Hindi"),
        _pick(rng, ["English", "Hindi", "Tamil"], [88, 10, 2], count),
    )
    themes = len(vocab.COMPETENCY_THEMES) - 1  # every theme but the AI one (the last)
    competency = np.where(is_ai, vocab.AI_THEME, rng.integers(0, themes, count))
    # A second theme for 30 % of courses, always different from the first and never AI.
    second = (competency + rng.integers(1, themes, count)) % themes
    second = np.where(rng.random(count) < 0.3, second, -1)
    return Catalogue(
        content_id=numeric_ids(rng, count, "do_1", 18),
        content_name=names,
        provider=provider_pool.take(pa.array(provider_code)),
        content_type=types,
        language=language,
        duration_hours=duration,
        popularity=popularity / popularity.sum(),
        week_popularity=week_popularity / week_popularity.sum(),
        has_assessment=rng.random(count) < 0.6,
        is_external=is_external,
        published_day=rng.integers(day_number(dt.date(2021, 6, 1)), day_number(DATA_START), count),
        batch_id=numeric_ids(rng, count, "01", 18),
        competency=competency,
        second_competency=second,
        is_ai=is_ai,
    )


#: Share of the catalogue that is AI-related (at least one course of every duration).
AI_COURSE_SHARE = 0.06


def _ai_courses(rng: np.random.Generator, duration_class: np.ndarray) -> np.ndarray:
    """AI-related courses: a share of every duration class.

    So an AI course can stand in for any course without changing anyone's learning hours.
    """
    is_ai = np.zeros(len(duration_class), dtype=bool)
    for index in np.unique(duration_class):
        members = np.flatnonzero(duration_class == index)
        size = max(1, round(AI_COURSE_SHARE * len(members)))
        is_ai[rng.choice(members, size=size, replace=False)] = True
    return is_ai


def _popularity(
    rng: np.random.Generator, duration_class: np.ndarray, boost: np.ndarray
) -> np.ndarray:
    """Zipf-like popularity inside each duration class, scaled to the class's completion share.

    Fixing each class's share makes the duration of a random completion the same for every
    seed, which keeps learning hours per completion (and so the calibration) stable.
    """
    weight = (rng.permutation(len(duration_class)) + 1.0) ** -0.8 * boost
    for index, share in enumerate(COMPLETION_DURATION_SHARE):
        members = duration_class == index
        if members.any():
            weight[members] *= share / weight[members].sum()
    return weight / weight.sum()


def _course_names(
    rng: np.random.Generator, count: int, hindi: np.ndarray, is_ai: np.ndarray
) -> pa.Array:
    forms = np.array(vocab.COURSE_FORMS)[rng.integers(0, len(vocab.COURSE_FORMS), count)]
    topics = np.array(vocab.COURSE_TOPICS)[rng.integers(0, len(vocab.COURSE_TOPICS), count)]
    ai_topics = np.array(vocab.AI_COURSE_TOPICS)[
        rng.integers(0, len(vocab.AI_COURSE_TOPICS), count)
    ]
    topics = np.where(is_ai, ai_topics, topics)
    hindi_titles = np.array(vocab.HINDI_TITLES)[rng.integers(0, len(vocab.HINDI_TITLES), count)]
    serial = np.arange(1, count + 1)
    english = [
        f"{form} {topic} ({number})"
        for form, topic, number in zip(forms, topics, serial, strict=True)
    ]
    devanagari = [f"{title} ({number})" for title, number in zip(hindi_titles, serial, strict=True)]
    return pa.array([d if h else e for e, d, h in zip(english, devanagari, hindi, strict=True)])
