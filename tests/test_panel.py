import datetime as dt
import tempfile

import ibis
import pandas as pd
import pytest

from evaluation.analysis import panels
from evaluation.analysis.panels import (
    ZERO_FILLED,
    _to_pandas,
    person_edition,
    person_period,
    staggered_panel,
)
from evaluation.core.params import Window
from evaluation.data.backend import MEMORY_LIMIT_ENV, connect

WINDOW = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))


@pytest.fixture
def people(tiny_store):
    return person_edition(connect(tiny_store), WINDOW, target_hours=4)


def test_person_edition_treatment_and_dose(people):
    by = people.set_index("user_key")
    assert by["participated"].to_dict() == {"u1": 1, "u2": 1, "u3": 1, "u4": 0, "u5": 1}
    assert by["target_met"].to_dict() == {"u1": 1, "u2": 0, "u3": 1, "u4": 0, "u5": 0}
    assert by.loc["u1", "hours_in_week"] == 5.0
    assert by.loc["u1", "dose_band"] == "4-8h"
    assert by.loc["u2", "dose_band"] == "0-4h"
    assert by.loc["u4", "dose_band"] == "none"


def test_pre_and_post_windows(people):
    by = people.set_index("user_key")
    # u4 completed c2 (2 h) on 2 Sep 2024: inside the 365 and 90 days before the week
    assert by.loc["u4", "completions_pre_365d"] == 1
    assert by.loc["u4", "course_hours_pre_365d"] == 2.0
    assert by.loc["u4", "completions_pre_90d"] == 1
    # u5 completed c3 (1.5 h) on 28 Oct: the first day after the week; u1 watched e2 (5 Nov, 1 h)
    assert by.loc["u5", "completions_90d"] == 1
    assert by.loc["u5", "learning_hours_90d"] == 1.5
    assert by.loc["u1", "learning_hours_90d"] == 1.0
    assert by.loc["u1", "completions_90d"] == 0


def test_person_period_excludes_the_week_and_fills_zeros(tiny_store, people):
    panel = person_period(connect(tiny_store), WINDOW, people, pre=2, post=2)
    assert len(panel) == 5 * 4
    got = panel.set_index(["user_key", "period"])["completions"]
    assert got[("u4", -2)] == 1  # 2 Sep is 47 days before 19 Oct: period -2
    assert got[("u5", 0)] == 1  # 28 Oct: first day after the week
    assert got[("u1", 0)] == 0  # u1's completions are inside the week: no period
    treated = panel.set_index(["user_key", "period"])["treated"]
    assert treated[("u1", 0)] == 1 and treated[("u1", -1)] == 0 and treated[("u4", 1)] == 0


def test_staggered_panel_samples_people_reproducibly_above_a_size(tiny_store):
    store = connect(tiny_store)
    months = {"first_month": dt.date(2024, 9, 1), "last_month": dt.date(2024, 12, 1)}
    whole = staggered_panel(store, [WINDOW], **months)
    assert whole["user_key"].nunique() == 5 and whole.attrs["population"] == 5
    assert set(whole.loc[whole["cohort"] > 0, "user_key"]) == {"u1", "u2", "u3", "u5"}
    first = staggered_panel(store, [WINDOW], max_people=3, seed=11, **months)
    again = staggered_panel(store, [WINDOW], max_people=3, seed=11, **months)
    assert first.equals(again) and first.attrs["population"] == 5
    assert first["user_key"].nunique() == 3 and len(first) == 3 * 4  # 3 people x 4 months
    # a sampled person keeps exactly their rows of the whole panel
    keys = set(first["user_key"])
    assert first.reset_index(drop=True).equals(
        whole[whole["user_key"].isin(keys)].reset_index(drop=True)
    )


def test_person_edition_is_sorted_typed_and_zero_filled(people):
    # rows in user order whatever order the engine's parallel joins produced
    assert people["user_key"].tolist() == sorted(people["user_key"])
    for column in ZERO_FILLED:
        assert people[column].notna().all(), column
    counts = [c for c, kind in ZERO_FILLED.items() if kind == "int64"]
    assert (people[counts].dtypes == "int64").all()
    assert set(people["dose_band"]) <= {"none", "0-4h", "4-8h", "8h+"}


def test_arrow_sort_equals_an_engine_order_by(tiny_store):
    store = connect(tiny_store)
    learners = store.table("learners").select("user_key", "group")
    ordered = learners.order_by("user_key").to_pandas()
    lean = _to_pandas(learners, sort_by="user_key")
    assert lean["user_key"].tolist() == ordered["user_key"].tolist()
    assert lean["group"].tolist() == ordered["group"].tolist()


@pytest.mark.parametrize("batch_rows", [1, 2, 1_000])
def test_frame_in_batches_equals_the_engine_frame_with_categories(tiny_store, batch_rows):
    # each batch brings its own dictionary; unified and sorted, the frame is the engine's
    store = connect(tiny_store)
    learners = store.table("learners")
    missing = ibis.ifelse(learners.user_key == "u2", ibis.null("string"), learners.group)
    expr = learners.select("user_key", "mdo_id", group=missing)  # a missing value too
    lean = _to_pandas(expr, sort_by="user_key", batch_rows=batch_rows)
    plain = expr.order_by("user_key").to_pandas()
    expected = plain.assign(
        group=pd.Categorical(plain["group"]), mdo_id=pd.Categorical(plain["mdo_id"])
    )
    pd.testing.assert_frame_equal(lean, expected)


@pytest.mark.parametrize("batch_rows", [1, 1_000])
def test_staged_frame_equals_the_streamed_frame(tiny_store, batch_rows, tmp_path, monkeypatch):
    # through a temporary Parquet file (the engine's memory freed before the result is read):
    # the same values, types, categories and order as streaming; the file is deleted after
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made = []
    folder = tempfile.TemporaryDirectory
    monkeypatch.setattr(
        tempfile, "TemporaryDirectory", lambda **kw: made.append(kw) or folder(**kw)
    )
    store = connect(tiny_store)
    learners = store.table("learners")
    missing = ibis.ifelse(learners.user_key == "u2", ibis.null("string"), learners.group)
    expr = learners.select("user_key", "mdo_id", group=missing)
    staged = _to_pandas(expr, sort_by="user_key", batch_rows=batch_rows, staged=True)
    streamed = _to_pandas(expr, sort_by="user_key", batch_rows=batch_rows)
    pd.testing.assert_frame_equal(staged, streamed)
    assert len(made) == 1 and list(scratch.iterdir()) == []  # staged once, nothing left


def test_person_edition_staged_equals_streamed_with_every_type(tiny_store, people, monkeypatch):
    # person_edition stages on DuckDB; streamed instead, it gives the same dtypes and values
    # (counts int64, hours float64, missing ACBP and scores NaN, text as categories)
    assert people.attrs == {} and len(people) == 5
    stream = panels._to_pandas
    monkeypatch.setattr(
        panels, "_to_pandas", lambda expr, **options: stream(expr, **{**options, "staged": False})
    )
    streamed = person_edition(connect(tiny_store), WINDOW, target_hours=4)
    pd.testing.assert_frame_equal(people, streamed)


def test_engine_memory_limit_comes_from_the_environment(tiny_store, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1GB")
    con = connect(tiny_store).con
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit in {"1000.0 MiB", "953.6 MiB"}  # DuckDB shows 1GB (10^9 bytes) in MiB
    explicit = connect(tiny_store, memory_limit="2GB").con
    assert explicit.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0] != limit


def test_text_columns_are_categories_with_sorted_levels(people):
    # a crore of rows over a few hundred distinct values: as categories a row of the national
    # frame is 234 bytes instead of 396 (issue 18); sorted levels keep plain text's order
    text = ["group", "ministry", "department", "org_type", "gender", "category", "dose_band"]
    for column in text:
        assert isinstance(people[column].dtype, pd.CategoricalDtype), column
        levels = list(people[column].cat.categories)
        assert levels == sorted(levels), column
    assert not isinstance(people["user_key"].dtype, pd.CategoricalDtype)  # unique: no gain


def test_columns_are_chosen_in_the_engine(tiny_store, people):
    few = person_edition(
        connect(tiny_store), WINDOW, target_hours=4, columns=["participated", "ministry"]
    )
    assert list(few.columns) == ["user_key", "participated", "ministry"]
    pd.testing.assert_frame_equal(few, people[["user_key", "participated", "ministry"]])
