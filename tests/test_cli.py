"""The `nlw` command: help for every subcommand, one-line errors, non-zero exits."""

import subprocess
import sys

import pytest

SUBCOMMANDS = ["synth", "ingest", "validate", "run", "audit", "bench"]


def nlw(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "evaluation.cli", *args], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command):
    result = nlw(command, "--help")
    assert result.returncode == 0
    assert "Usage: nlw" in result.stdout or "Usage:" in result.stdout
    assert len(result.stdout.strip().splitlines()) >= 3


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["bogus"], "No such command 'bogus'"),
        (["run", "--bogus"], "No such option: --bogus"),
        (["run"], "Missing argument"),
    ],
)
def test_usage_errors_are_one_line_without_traceback(args, needle):
    result = nlw(*args)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_params_file_is_a_clear_error(tmp_path):
    result = nlw("run", str(tmp_path / "nothere.yaml"))
    assert result.returncode == 2
    assert "params file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_edition_key_fails_before_running(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text('edition: "2024"\nwindow: {start: "2024-10-27", end: "2024-10-19"}\nedtion: x\n')
    result = nlw("run", str(bad))
    assert result.returncode == 2
    assert "edtion: unknown key (did you mean 'edition'?)" in result.stderr
    assert "window end 2024-10-19 is before start 2024-10-27" in result.stderr
    assert "Traceback" not in result.stderr
