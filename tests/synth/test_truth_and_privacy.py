"""Ground truth, the naive contrast, personal data in the raw files, Indic text, determinism."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import duckdb
import pytest

from evaluation.data.synth import generate

OUTCOMES = ("completions_90d", "learning_hours_90d", "acbp_on_time", "assessment_score")
DEVANAGARI = re.compile("[\u0900-\u097f]")


@pytest.mark.parametrize("edition", ["2024", "2026"])
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_naive_difference_is_at_least_one_and_a_half_times_the_truth(
    truth: dict, edition: str, outcome: str
) -> None:
    result = truth["editions"][edition]["outcomes"][outcome]
    assert result["att"] > 0
    assert result["naive_difference"] >= 1.5 * result["att"]
    assert result["n_treated"] > 100


def test_truth_states_definitions_windows_and_subgroups(truth: dict) -> None:
    assert truth["synthetic"] is True
    assert set(truth["outcome_definitions"]) == set(OUTCOMES)
    assert "ATT" in truth["estimand"]
    edition = truth["editions"]["2024"]
    assert edition["window"] == {"start": "2024-10-19", "end": "2024-10-27"}
    assert edition["outcome_window"] == {"start": "2024-10-28", "end": "2025-01-25", "days": 90}
    assert truth["editions"]["2026"]["window"] == {"start": "2026-04-02", "end": "2026-04-10"}
    completions = edition["outcomes"]["completions_90d"]
    assert set(completions["by_group"]) == {"A", "B", "C", "Unknown"}
    assert set(completions["by_dose_band"]) == {"0-4h", "4-8h", "8h+"}
    assert completions["by_ministry"]["Ministry of Home Affairs"]["att"] == 0.0


def test_planted_heterogeneity_shows_in_the_truth(truth: dict) -> None:
    outcome = truth["editions"]["2024"]["outcomes"]["assessment_score"]
    by_dose = outcome["by_dose_band"]
    assert by_dose["0-4h"]["att"] < by_dose["4-8h"]["att"] < by_dose["8h+"]["att"]
    by_group = outcome["by_group"]
    assert by_group["C"]["att"] < by_group["B"]["att"] < by_group["A"]["att"]


def test_naive_difference_recomputed_from_raw_files(world) -> None:
    """The truth's naive contrast, from the files (whole world and in blocks: conftest)."""
    wh, truth = world.folder / "warehouse", world.truth
    con = duckdb.connect()
    enrol = f"read_csv('{wh / 'user_enrolments.csv'}', all_varchar=true)"
    users = f"read_csv('{wh / 'user_detail.csv'}', all_varchar=true)"
    events = f"read_csv('{wh / 'event_enrolment_details.csv'}', all_varchar=true)"
    details = f"read_csv('{wh / 'event_details.csv'}', all_varchar=true)"
    window = "BETWEEN '2024-10-19' AND '2024-10-27'"
    post = "BETWEEN '2024-10-28' AND '2025-01-25'"
    naive = con.execute(f"""
        WITH took_part AS (
            SELECT user_id FROM {enrol}
            WHERE CAST(CAST(NULLIF(first_completed_on, '') AS TIMESTAMP) AS DATE) {window}
            UNION
            SELECT a.user_id FROM {events} a JOIN {details} d USING (event_id)
            WHERE CAST(a.progress_duration AS INT) > 0
              AND CAST(CAST(d.event_start_datetime AS TIMESTAMP) AS DATE) {window}
        ), eligible AS (
            SELECT user_id, user_id IN (SELECT user_id FROM took_part) AS treated FROM {users}
            WHERE status = '1' AND CAST(user_registration_date AS TIMESTAMP) < '2024-10-19'
        ), outcome AS (
            SELECT user_id, COUNT(*) AS n FROM {enrol}
            WHERE CAST(CAST(NULLIF(first_completed_on, '') AS TIMESTAMP) AS DATE) {post}
              AND live_cbp_plan_mandate <> 'true'  -- ACBP courses are the acbp_on_time outcome
            GROUP BY user_id
        )
        SELECT AVG(COALESCE(n, 0)) FILTER (treated) - AVG(COALESCE(n, 0)) FILTER (NOT treated)
        FROM eligible LEFT JOIN outcome USING (user_id)
    """).fetchone()[0]
    result = truth["editions"]["2024"]["outcomes"]["completions_90d"]
    assert naive == pytest.approx(result["naive_difference"], abs=1e-6)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_personal_data_present_in_raw_files(synth_dir: Path) -> None:
    users = _rows(synth_dir / "warehouse" / "user_detail.csv")
    emails = [u["email"] for u in users]
    assert len(set(emails)) == len(emails), "emails must identify people in the reports"
    assert all(re.fullmatch(r"[a-z]+\.[a-z]+\d+@[a-z.]+", e) for e in emails[:500])
    assert all(re.fullmatch(r"[6-9]\d{9}", u["phone_number"]) for u in users[:500])
    assert all(u["full_name"].strip() for u in users[:500])
    report = next((synth_dir / "reports" / "user-report").glob("*/*/UserReport.csv"))
    report_emails = {row["Email"] for row in _rows(report)}
    assert report_emails and report_emails <= set(emails)


def test_devanagari_round_trips_in_utf8(synth_dir: Path) -> None:
    users = _rows(synth_dir / "warehouse" / "user_detail.csv")
    hindi_names = [u["full_name"] for u in users if DEVANAGARI.search(u["full_name"])]
    assert 0.05 < len(hindi_names) / len(users) < 0.3
    content = _rows(synth_dir / "warehouse" / "content.csv")
    titles = {c["content_id"]: c["content_name"] for c in content}
    hindi_titles = [t for t in titles.values() if DEVANAGARI.search(t)]
    assert hindi_titles
    # The same bytes come back from the report copy of the competency mapping.
    mapping = next((synth_dir / "reports" / "content-competency-mapping").glob("*/*.csv"))
    for row in _rows(mapping):
        assert row["content_name"] == titles[row["content_id"]]
    raw = (synth_dir / "warehouse" / "content.csv").read_bytes()
    assert raw.decode("utf-8").encode("utf-8") == raw
    assert not raw.startswith(b"\xef\xbb\xbf")


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = _digest(generate(tmp_path / "a", scale=0.0005, seed=11))
    second = _digest(generate(tmp_path / "b", scale=0.0005, seed=11))
    other = _digest(generate(tmp_path / "c", scale=0.0005, seed=12, formats=("warehouse",)))
    assert first == second
    assert len(first) > 100
    assert other["warehouse/user_detail.csv"] != first["warehouse/user_detail.csv"]
    assert not any(name.startswith("reports/") for name in other)


def test_interrupted_run_leaves_nothing_that_looks_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import evaluation.data.synth._generate as module

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "write_reports", broken)
    with pytest.raises(KeyboardInterrupt):
        generate(tmp_path / "out", scale=0.0005, seed=1)
    assert list(tmp_path.iterdir()) == []


def test_existing_output_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old", encoding="utf-8")
    generate(out, scale=0.0005, seed=1, formats=("warehouse",))
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"formats": "warehouse"}, "sequence"),
        ({"formats": ("xml",)}, "subset"),
        ({"formats": ()}, "subset"),
        ({"scale": 0}, "scale"),
        ({"scale": -1.0}, "scale"),
        ({"scale": 50.0}, "scale"),
        ({"seed": -3}, "seed"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_bad_options_raise_value_error(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        generate(tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()
