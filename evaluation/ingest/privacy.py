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
    "load_salt",
    "normalise_email",
    "pseudonymise",
    "salt_source",
]

SALT_ENV_VAR = "NLW_SALT"
SALT_FILE_NAME = ".nlw-salt"
_MIN_SALT_CHARS = 16


def _repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


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


def normalise_email(email: str | None) -> str | None:
    """Return the email trimmed and lower-cased (the link key of reports without user ids)."""
    if email is None:
        return None
    text = email.strip().lower()
    return text or None
