import datetime as dt
from pathlib import Path

import pytest

from evaluation.core.params import ParamsError, load_params, validate_params

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = {"edition": "2024", "window": {"start": "2024-10-19", "end": "2024-10-27"}}


@pytest.mark.parametrize("path", sorted((ROOT / "params").glob("*.yaml")))
def test_shipped_params_files_validate(path):
    params = load_params(path)
    assert params.window.days >= 1


def test_2024_window_is_the_published_one():
    params = load_params(ROOT / "params" / "2024.yaml")
    assert (params.window.start, params.window.end) == (
        dt.date(2024, 10, 19),
        dt.date(2024, 10, 27),
    )
    assert params.window.days == 9


def problems(raw):
    with pytest.raises(ParamsError) as info:
        validate_params(raw, "p.yaml")
    return info.value.problems


def test_unknown_key_suggests_the_right_one():
    assert problems(MINIMAL | {"min_cel": 5}) == ["min_cel: unknown key (did you mean 'min_cell'?)"]


def test_nested_unknown_key_suggests_the_right_one():
    raw = MINIMAL | {"data": {"procesed": "x"}}
    assert problems(raw) == ["data.procesed: unknown key (did you mean 'processed'?)"]


def test_wrong_type_names_key_and_value():
    (problem,) = problems(MINIMAL | {"min_cell": "ten"})
    assert problem.startswith("min_cell:") and "'ten'" in problem


def test_window_end_before_start():
    (problem,) = problems(MINIMAL | {"window": {"start": "2024-10-27", "end": "2024-10-19"}})
    assert "window end 2024-10-19 is before start 2024-10-27" in problem


def test_unknown_group_and_outcome():
    assert any(p.startswith("groups.0") for p in problems(MINIMAL | {"groups": ["D"]}))
    (problem,) = problems(MINIMAL | {"outcomes": ["learning_hours_90"]})
    assert "did you mean 'learning_hours_90d'?" in problem


def test_all_problems_reported_at_once():
    raw = {"window": {"start": "x", "end": "2024-10-19"}, "min_cell": 0, "typo": 1}
    found = problems(raw)
    assert len(found) == 4  # edition missing, window.start, min_cell, typo


def test_missing_data_folder_for_real_data(tmp_path):
    path = tmp_path / "real.yaml"
    path.write_text(
        'edition: "2024"\nwindow: {start: "2024-10-19", end: "2024-10-27"}\n'
        f'data: {{raw: "{tmp_path}/nothere", synthetic: null}}\n'
    )
    with pytest.raises(ParamsError, match="does not exist"):
        load_params(path, check_data=True)


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("edition: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ParamsError, match="not valid YAML"):
        load_params(path)
