from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SALT = "test-salt-not-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _salt(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never touch the developer's .nlw-salt file.
    monkeypatch.setenv("NLW_SALT", TEST_SALT)


@pytest.fixture
def warehouse_src(tmp_path: Path) -> Path:
    """A writable copy of the hand-written warehouse fixture (root layout)."""
    return Path(shutil.copytree(FIXTURES / "warehouse_ok", tmp_path / "warehouse_ok"))


@pytest.fixture
def reports_src(tmp_path: Path) -> Path:
    """A writable copy of the hand-written MDO-report fixture (root layout)."""
    return Path(shutil.copytree(FIXTURES / "reports_ok", tmp_path / "reports_ok"))


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path
