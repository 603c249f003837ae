import datetime as dt

from evaluation.analysis.describe import daily_completions, participation_kpis
from evaluation.core.params import Window
from evaluation.data.backend import connect

WINDOW = Window(start=dt.date(2024, 10, 19), end=dt.date(2024, 10, 27))


def test_kpis_match_hand_counts(tiny_store):
    kpis = participation_kpis(connect(tiny_store), WINDOW, target_hours=4)
    assert kpis.participants == 4
    assert kpis.target_met == 2
    assert kpis.course_completions == 4
    assert kpis.course_enrolments == 4
    assert kpis.learning_hours == 3 + 2 + 1.5 + 3 + 1 + 0.5
    assert kpis.peak_day == dt.date(2024, 10, 24)
    assert kpis.peak_daily_completions == 3
    assert kpis.avg_daily_completions == 4 / 9
    assert kpis.group_a_participants == 2
    assert kpis.group_a_target_met == 2


def test_daily_series_has_every_day_of_the_window(tiny_store):
    daily = daily_completions(connect(tiny_store), WINDOW)
    assert len(daily) == 9
    assert daily["completions"].tolist() == [1, 0, 0, 0, 0, 3, 0, 0, 0]


def test_target_threshold_is_a_parameter(tiny_store):
    kpis = participation_kpis(connect(tiny_store), WINDOW, target_hours=5)
    assert kpis.target_met == 1
