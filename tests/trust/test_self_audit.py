"""The audit ``nlw run`` makes of its own outputs: with the salt, raw identifiers read once."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from support.stores import write_tiny_store
from support.trust import PLANTED, SALT, write_raw, write_run

import evaluation.run.audit as audit
from evaluation import cli
from evaluation.run.runner import run_editions

pytestmark = pytest.mark.xdist_group("self-audit")
EDITIONS = ("2024", "2024b")


def _leaky_notebook(folder: Path) -> Path:
    """Prints a person's pseudonymous key, as a careless debugging cell would."""
    folder.mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "nlw", "display_name": "nlw", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(f"print('debug key', {PLANTED['user_key']!r})")]
    nbformat.write(notebook, folder / "01_keys.ipynb")
    return folder


def _params(tmp: Path, edition: str) -> Path:
    path = tmp / f"{edition}.yaml"
    path.write_text(
        f'edition: "{edition}"\ntitle: "Tiny edition"\n'
        'window: {start: "2024-10-19", end: "2024-10-27"}\n'
        f"data: {{raw: {tmp}/raw, processed: {tmp}/processed, dataset: tiny}}\n"
        "notebooks: [01_keys]\nmin_cell: 1\n"
    )
    return path


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory):
    """Two editions sharing one raw folder, each printing a user key; the salt from NLW_SALT."""
    tmp = tmp_path_factory.mktemp("self-audit")
    write_raw(tmp / "raw")
    (write_tiny_store(tmp / "processed" / "tiny") / "manifest.json").write_text("{}")
    calls = []
    real = audit.collect_identifiers

    def counted(raw_dir, *, salt=None, vocabulary=None):
        calls.append((Path(raw_dir), salt is not None))
        return real(raw_dir, salt=salt, vocabulary=vocabulary)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NLW_SALT", SALT.decode())
        patch.setattr(audit, "collect_identifiers", counted)
        summary = run_editions(
            [_params(tmp, edition) for edition in EDITIONS],
            jobs=2,
            pdf=False,
            outputs=tmp / "outputs",
            notebooks_dir=_leaky_notebook(tmp / "notebooks"),
        )
    return summary, calls, tmp


def test_the_self_audit_finds_a_pseudonymous_key_with_the_salt(leaky_run):
    summary, _, _ = leaky_run
    assert [r.status for r in summary.results] == ["ok", "ok"]  # the notebooks themselves ran
    assert not summary.ok
    for edition in EDITIONS:
        report = summary.audits[edition]
        assert {(f.file, f.kind) for f in report.findings} == {
            ("01_keys.ipynb", "user_key"),
            ("01_keys.html", "user_key"),
        }
        assert report.searched["user_key"] >= 1
        manifest = json.loads((summary.run_dirs[edition] / "manifest.json").read_text())
        assert manifest["status"] == "failed-audit"


def test_raw_identifiers_are_read_once_for_editions_sharing_a_raw_folder(leaky_run):
    _, calls, tmp = leaky_run
    assert calls == [((tmp / "raw").resolve(), True)]


def test_the_salt_is_written_nowhere(leaky_run):
    _, _, tmp = leaky_run
    written = [p for p in (tmp / "outputs").rglob("*") if p.is_file()]
    assert any(p.name == "audit.json" for p in written) and any(p.suffix == ".log" for p in written)
    assert [p for p in written if SALT in p.read_bytes()] == []


def test_without_a_salt_the_runner_creates_none(tmp_path, monkeypatch):
    monkeypatch.delenv("NLW_SALT", raising=False)
    monkeypatch.setattr(audit, "__file__", str(tmp_path / "evaluation" / "audit.py"))
    assert audit.available_salt() is None
    assert list(tmp_path.iterdir()) == []


def test_the_salt_is_taken_from_the_environment_first(monkeypatch):
    monkeypatch.setenv("NLW_SALT", SALT.decode())
    assert audit.available_salt() == SALT


def test_nlw_audit_searches_user_keys_with_the_salt(tmp_path, monkeypatch, capsys):
    run = write_run(tmp_path / "run", plant="json", text=PLANTED["user_key"])
    raw = write_raw(tmp_path / "raw")
    monkeypatch.setenv("NLW_SALT", SALT.decode())
    monkeypatch.setattr("sys.argv", ["nlw", "audit", str(run), "--raw", str(raw)])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    assert "user_key" in capsys.readouterr().out
