"""Pseudonymisation: user ids become keyed hashes; the salt never leaves this machine.

The key of a person is ``HMAC-SHA256(salt, id)`` as 64 lower-case hex characters. The salt comes
from the environment variable ``NLW_SALT`` or else from the untracked file ``.nlw-salt`` at the
repository root, created with :func:`secrets.token_hex` on first use. Without the salt, the keys
cannot be linked back to platform ids by anyone who can guess ids.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "SALT_ENV_VAR",
    "SALT_FILE_NAME",
    "hmac_parameters",
    "load_salt",
    "normalise_email",
    "pseudonymise",
    "pseudonymise_sql",
    "salt_source",
]

SALT_ENV_VAR = "NLW_SALT"
SALT_FILE_NAME = ".nlw-salt"
_MIN_SALT_CHARS = 16
_SHA256_BLOCK = 64
#: Every character ``str.strip()`` removes, so the SQL version trims exactly as the Python one.
_WHITESPACE = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def _salt_file() -> Path:
    return _repo_root() / SALT_FILE_NAME


def salt_source() -> str:
    """Say where :func:`load_salt` takes the salt from: ``"env"`` or ``"file"`` (never the salt)."""
    return "env" if os.environ.get(SALT_ENV_VAR) else "file"


def load_salt(path: Path | None = None) -> bytes:
    """Return the secret salt as bytes.

    Parameters
    ----------
    path : Path, optional
        Salt file to use instead of ``<repo>/.nlw-salt`` (tests).

    Returns
    -------
    bytes
        The salt. Taken from ``$NLW_SALT`` when set, else read from the salt file, which is
        created with 32 random bytes (hex) and mode 0600 when missing.

    Raises
    ------
    ValueError
        If the salt found is shorter than 16 characters.
    """
    from_env = os.environ.get(SALT_ENV_VAR)
    if from_env:
        salt = from_env.strip()
    else:
        salt_path = path or _salt_file()
        if not salt_path.exists():
            salt_path.write_text(secrets.token_hex(32) + "\n", encoding="ascii")
            salt_path.chmod(0o600)
        salt = salt_path.read_text(encoding="ascii").strip()
    if len(salt) < _MIN_SALT_CHARS:
        raise ValueError(f"the salt must have at least {_MIN_SALT_CHARS} characters")
    return salt.encode("utf-8")


def pseudonymise(values: Iterable[str | None], salt: bytes) -> list[str | None]:
    """Replace each id by its keyed hash.

    Parameters
    ----------
    values : iterable of str or None
        Platform user ids (or normalised emails when no id exists). Surrounding blanks are
        ignored; ``None`` and empty strings stay ``None``.
    salt : bytes
        Secret key from :func:`load_salt`.

    Returns
    -------
    list of str or None
        ``HMAC-SHA256(salt, value)`` as 64 hex characters, in input order.

    Examples
    --------
    >>> pseudonymise(["u1", None], b"0123456789abcdef")[1] is None
    True
    """
    out: list[str | None] = []
    for value in values:
        text = None if value is None else str(value).strip()
        out.append(hmac.digest(salt, text.encode("utf-8"), hashlib.sha256).hex() if text else None)
    return out


def hmac_parameters(salt: bytes) -> dict[str, object]:
    """Named parameters of :func:`pseudonymise_sql` for ``salt`` (the HMAC's padded keys).

    Parameters
    ----------
    salt : bytes
        Secret key from :func:`load_salt`.

    Returns
    -------
    dict
        ``inner_pad`` and ``outer_pad`` (the key XOR 0x36 / 0x5c, as RFC 2104 defines them) and
        ``whitespace`` (the characters trimmed from ids). Pass them as query parameters, never
        inside SQL text, so the secret stays out of query strings and error messages.
    """
    key = hashlib.sha256(salt).digest() if len(salt) > _SHA256_BLOCK else salt
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return {
        "inner_pad": bytes(b ^ 0x36 for b in key),
        "outer_pad": bytes(b ^ 0x5C for b in key),
        "whitespace": _WHITESPACE,
    }


def pseudonymise_sql(column: str) -> str:
    """DuckDB SQL computing :func:`pseudonymise` of a VARCHAR column, row by row in the engine.

    ``HMAC(K, m) = SHA256((K ^ opad) || SHA256((K ^ ipad) || m))`` with DuckDB's ``sha256``:
    vectorised and parallel, where one Python call per id cost 2.4 s per 450 000 ids. Run it with
    the parameters from :func:`hmac_parameters`; the result equals :func:`pseudonymise`.

    Parameters
    ----------
    column : str
        SQL expression of the ids (VARCHAR).

    Returns
    -------
    str
        SQL expression: 64 lower-case hex characters, NULL for NULL or blank ids.
    """
    # trim() with a character set is slow (docs/scale.md, "Measured choices"): only ids that
    # start or end with whitespace go through it.
    edges = f"contains($whitespace, {column}[1]) OR contains($whitespace, {column}[-1])"
    text = f"CASE WHEN {edges} THEN trim({column}, $whitespace) ELSE {column} END"
    inner = f"unhex(sha256($inner_pad || encode({text})))"
    return f"CASE WHEN {text} <> '' THEN sha256($outer_pad || {inner}) END"


def normalise_email(email: str | None) -> str | None:
    """Return the email trimmed and lower-cased (the link key of reports without user ids)."""
    if email is None:
        return None
    text = email.strip().lower()
    return text or None
