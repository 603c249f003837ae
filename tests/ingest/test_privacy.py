from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from evaluation.data.ingest.privacy import load_salt, normalise_email, pseudonymise


def test_pseudonymise_is_hmac_sha256_hex_of_trimmed_value() -> None:
    salt = b"0123456789abcdef0123"
    expected = hmac.new(salt, b"u-0001", hashlib.sha256).hexdigest()
    assert pseudonymise([" u-0001 ", "u-0001"], salt) == [expected, expected]


def test_pseudonymise_keeps_blanks_as_none_and_depends_on_salt() -> None:
    a = pseudonymise(["x", None, ""], b"salt-one-0123456789")
    b = pseudonymise(["x"], b"salt-two-0123456789")
    assert a[1] is None and a[2] is None
    assert re.fullmatch(r"[0-9a-f]{64}", a[0] or "")
    assert a[0] != b[0]


def test_load_salt_prefers_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NLW_SALT", "env-salt-0123456789abcdef")
    assert load_salt(tmp_path / "unused") == b"env-salt-0123456789abcdef"
    assert not (tmp_path / "unused").exists()


def test_load_salt_creates_private_file_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NLW_SALT", raising=False)
    path = tmp_path / ".nlw-salt"
    first = load_salt(path)
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(first) == 64
    assert load_salt(path) == first


def test_load_salt_rejects_short_salt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NLW_SALT", "short")
    with pytest.raises(ValueError, match="at least 16"):
        load_salt()


def test_normalise_email() -> None:
    assert normalise_email("  Aarav.Sharma@Example.GOV.in ") == "aarav.sharma@example.gov.in"
    assert normalise_email("  ") is None


@pytest.mark.parametrize("salt", [b"0123456789abcdef0123", b"a-long-salt-" * 8])
def test_pseudonymise_sql_equals_the_python_hmac(salt: bytes) -> None:
    import duckdb

    from evaluation.data.ingest.privacy import hmac_parameters, pseudonymise_sql

    ids = ["u-0001", " u-0001\t", "\xa0Ünïcödé-id\u3000", "a@b.in", "", "  \n", None, "x" * 300]
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ids AS SELECT unnest($ids) AS id, generate_subscripts($ids, 1) AS i",
        {"ids": ids},
    )
    rows = con.execute(
        f"SELECT {pseudonymise_sql('id')} FROM ids ORDER BY i", hmac_parameters(salt)
    ).fetchall()
    assert [r[0] for r in rows] == pseudonymise(ids, salt)
