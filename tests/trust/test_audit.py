"""The privacy audit catches every kind of identifier in every kind of output, and only those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.trust import PLACES, PLANTED, SALT, SPEAKER, write_raw, write_run

from evaluation.data.ingest.sources import all_sources
from evaluation.run.audit import (
    COLUMN_KINDS,
    IdentifierIndex,
    audit_outputs,
    collect_identifiers,
    mask,
    output_vocabulary,
)


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    return write_raw(tmp_path_factory.mktemp("raw"))


@pytest.fixture(scope="module")
def index(raw) -> IdentifierIndex:
    return collect_identifiers(raw, salt=SALT)


def test_every_identifier_column_of_the_raw_contract_has_a_kind():
    columns = {
        column.lower()
        for spec in all_sources().values()
        for column, kind in spec.columns.items()
        if kind in ("pii", "user_id")
    }
    assert columns <= set(COLUMN_KINDS), columns - set(COLUMN_KINDS)


def test_collect_reads_each_kind_and_skips_short_and_public_values(index):
    assert index.searched["name"] == 1  # Asha Verma; the speaker is public, "Li" too short
    assert index.searched["raw_user_id"] == 3
    assert index.searched["user_key"] == 3
    assert index.searched["phone"] == 2  # "12345" is no phone number
    assert index.searched["employee_id"] == 2  # "42" is too short to search safely
    assert index.searched["certificate_id"] == 1
    assert index.not_searched["public"] == 1
    assert index.not_searched["too_short"] == 3


def test_a_clean_run_passes(tmp_path, index):
    report = audit_outputs(write_run(tmp_path / "run"), raw_dir=None, identifiers=index)
    assert report.ok, report.summary()
    assert len(report.files_scanned) == 8
    assert report.files_skipped == ()
    assert report.tables_checked == ("01_participation/tables/hours.csv [participants]",)


@pytest.mark.parametrize("place", sorted(PLACES))
def test_every_kind_planted_in_every_file_type_is_caught(tmp_path, index, place):
    text = " / ".join(f"{kind}: {value}" for kind, value in PLANTED.items())
    report = audit_outputs(
        write_run(tmp_path / "run", plant=place, text=text), raw_dir=None, identifiers=index
    )
    assert sorted(f.kind for f in report.findings) == sorted(PLANTED), report.summary()
    assert {f.file for f in report.findings} == {PLACES[place]}
    assert all(f.source.startswith("raw ") for f in report.findings)
    shown = json.dumps(report.to_dict()).lower() + report.summary().lower()
    assert not [value for value in PLANTED.values() if value.lower() in shown]  # masked


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_each_kind_alone_is_caught(tmp_path, index, kind):
    run = write_run(tmp_path / "run", plant="ipynb_output", text=f"see {PLANTED[kind]}.")
    report = audit_outputs(run, raw_dir=None, identifiers=index)
    assert [f.kind for f in report.findings] == [kind]


def test_where_names_the_line_page_cell_or_chunk(tmp_path, index):
    expected = {
        "pdf": "page 1 line 3",
        "xlsx": "findings!C3",
        "csv": "line 3",
        "png": "PNG iTXt Description",
        "ipynb_output": "cells[0].outputs[0].data.text/html",
        "html_png": "line 5 embedded image/png PNG iTXt Description",
    }
    for place, where in expected.items():
        run = write_run(tmp_path / place, plant=place, text=PLANTED["email"])
        report = audit_outputs(run, raw_dir=None, identifiers=index)
        assert [f.where for f in report.findings if f.kind == "email"] == [where], place


@pytest.mark.parametrize("place", sorted(PLACES))
def test_an_index_restricted_to_the_outputs_words_finds_the_same(tmp_path, raw, index, place):
    # At national scale the self-audit keeps only identifiers whose anchor word occurs in an
    # output; it must find exactly what the full index finds, in every file type.
    text = " / ".join(f"{kind}: {value}" for kind, value in PLANTED.items())
    run = write_run(tmp_path / "run", plant=place, text=text)
    small = collect_identifiers(raw, salt=SALT, vocabulary=output_vocabulary([run]))
    full = audit_outputs(run, raw_dir=None, identifiers=index)
    restricted = audit_outputs(run, raw_dir=None, identifiers=small)
    assert restricted.findings == full.findings and len(full.findings) == len(PLANTED)
    stored = [sum(map(len, i._anchors.values())) for i in (small, index)]
    assert stored[0] < stored[1]  # and it holds fewer identifiers
    assert small.searched["user_key"] == index.searched["user_key"]  # all counted as searched
    clean_words = output_vocabulary([write_run(tmp_path / "clean")])
    clean = collect_identifiers(raw, salt=SALT, vocabulary=clean_words)
    assert len(clean._anchors) == 0  # a clean run: nothing could match, nothing is stored


def test_raw_dir_is_read_when_no_index_is_given(tmp_path, raw):
    run = write_run(tmp_path / "run", plant="html", text="Employee EMP551234")
    report = audit_outputs(run, raw_dir=raw)
    assert [(f.kind, f.match, f.source) for f in report.findings] == [
        ("employee_id", "em*****34", "raw user_detail:employee_id")
    ]


def test_case_and_blank_variants_of_a_name_are_caught(tmp_path, index):
    run = write_run(tmp_path / "run", plant="html", text="ASHA\t  verma")
    assert [f.kind for f in audit_outputs(run, raw_dir=None, identifiers=index).findings] == [
        "name"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Asha",  # a first name alone
        "Ashaverma",
        "Asha Vermani",  # a longer, different name
        "EMP5512345",  # a different id that starts like one
        SPEAKER,  # a speaker is public
        "Li",
        "42 participants",
    ],
)
def test_near_misses_are_not_reported(tmp_path, index, text):
    run = write_run(tmp_path / "run", plant="html", text=text)
    report = audit_outputs(run, raw_dir=None, identifiers=index)
    assert report.ok, report.summary()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("write to ravi.k@nic.in", "email"),
        ("call +91 91234 56789", "phone"),
        ("call 09123456789", "phone"),
        ("mobile: 7012345678.", "phone"),
    ],
)
def test_generic_patterns_need_no_raw_data(tmp_path, text, kind):
    run = write_run(tmp_path / "run", plant="pdf", text=text)
    report = audit_outputs(run, raw_dir=None)
    assert [(f.kind, f.source) for f in report.findings] == [(kind, "pattern")]


@pytest.mark.parametrize(
    "text",
    [
        "share 0.9876543210",
        "7412345678901 rows",
        "sha256 9876543210abcdef",
        "commit a9876543210",
        "2024-10-19T10:00:00.9876543210Z",
        "logo@2x",
    ],
)
def test_numbers_that_are_not_phones_pass(tmp_path, text):
    run = write_run(tmp_path / "run", plant="json", text=text)
    assert audit_outputs(run, raw_dir=None).ok


def test_allow_list_silences_an_address_printed_on_purpose(tmp_path):
    run = write_run(tmp_path / "run", plant="html", text="help: nlw-help@karmayogi.gov.in")
    assert not audit_outputs(run, raw_dir=None).ok
    assert audit_outputs(run, raw_dir=None, allow=["NLW-help@karmayogi.gov.in"]).ok


def test_devanagari_names_are_found():
    index = IdentifierIndex()
    index.add("लावण्या सैनी", "name", source="raw")
    assert [hit[0] for hit in index.search("<td>लावण्या  सैनी</td>")] == ["name"]
    assert list(index.search("लावण्या सैनीजी")) == []


def test_mask_keeps_only_the_ends():
    assert mask("9876543210") == "98******10"
    assert mask("Asha Verma") == "As** ***ma"
    assert mask("EMP1") == "E***"


# ----------------------------------------------------------------------------- small cells


def _table(run: Path, text: str, name: str = "t") -> Path:
    path = run / "01_participation" / "tables" / f"{name}.csv"
    path.write_text(text)
    return path


def test_a_published_small_count_fails(tmp_path):
    run = write_run(tmp_path / "run")
    _table(run, "ministry,attendees,webinars\nMinistry of X,7,1\nMinistry of Y,[c],1\n")
    report = audit_outputs(run, raw_dir=None)
    assert [(f.kind, f.where, f.match) for f in report.findings] == [
        ("min_cell", "row 2, column attendees", "7")
    ]


def test_a_suffix_named_count_is_checked(tmp_path):
    # A median of one event's attendees is that event's attendance: a count of persons.
    run = write_run(tmp_path / "run")
    _table(run, "event_type,events,attendees,median_attendees\nWebinar,1,[c],2.0\n")
    report = audit_outputs(run, raw_dir=None)
    assert [f.where for f in report.findings] == ["row 2, column median_attendees"]


def test_declared_disclosure_adds_columns_and_derived_checks(tmp_path):
    run = write_run(tmp_path / "run")
    _table(run, "event,seats_taken,rate\nA,[c],0.5\nB,40,0.8\n")
    findings = run / "01_participation" / "findings.json"
    data = json.loads(findings.read_text())
    data["disclosure"] = {
        "t": {"count_columns": ["seats_taken"], "derived": {"rate": "seats_taken"}}
    }
    findings.write_text(json.dumps(data))
    report = audit_outputs(run, raw_dir=None)
    assert [(f.where, f.source) for f in report.findings] == [
        ("row 2, column rate", "derived_from_suppressed (min_cell 10)")
    ]


def test_a_headline_count_of_few_persons_fails(tmp_path):
    run = write_run(tmp_path / "run")
    findings = run / "01_participation" / "findings.json"
    data = json.loads(findings.read_text())
    data["findings"].append({"key": "group_a_target_met", "value": 3, "unit": "persons"})
    findings.write_text(json.dumps(data))
    report = audit_outputs(run, raw_dir=None, min_cell=5)
    assert [f.where for f in report.findings] == ["findings[1] group_a_target_met"]
    assert audit_outputs(run, raw_dir=None, min_cell=3).ok


def test_symlinked_latest_is_not_scanned_twice(tmp_path):
    edition = tmp_path / "outputs" / "2024"
    write_run(edition / "run-1", plant="html", text=PLANTED["email"])
    (edition / "latest").symlink_to("run-1")
    whole = audit_outputs(tmp_path / "outputs", raw_dir=None)
    assert len(whole.findings) == 1
    assert whole.findings[0].file == "2024/run-1/01_participation.html"
    assert len(audit_outputs(edition / "latest", raw_dir=None).findings) == 1


def test_unreadable_files_are_listed_not_silently_passed(tmp_path):
    run = write_run(tmp_path / "run")
    (run / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\0\0JFIF\0")
    report = audit_outputs(run, raw_dir=None)
    assert report.ok
    assert report.files_skipped == ("photo.jpg",)
    assert "photo.jpg" in report.summary()


def test_missing_output_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        audit_outputs(tmp_path / "nope", raw_dir=None)


def test_a_corrupt_workbook_fails_closed_and_is_still_searched_as_text(tmp_path):
    run = write_run(tmp_path / "run")
    (run / "findings.xlsx").write_bytes(b"PK\x03\x04 broken zip asha.verma41@gov.in")
    report = audit_outputs(run, raw_dir=None)
    assert sorted((f.kind, f.where) for f in report.findings) == [
        ("email", "line 1"),
        ("unreadable", "whole file"),
    ]


def test_a_table_with_a_negative_count_cannot_be_vouched_for(tmp_path):
    run = write_run(tmp_path / "run")
    _table(run, "ministry,attendees\nX,-5\n")
    report = audit_outputs(run, raw_dir=None)
    assert [(f.kind, f.where) for f in report.findings] == [("min_cell", "whole table")]
    assert "non-negative" in report.findings[0].source
