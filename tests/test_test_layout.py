"""Test modules share code through ``tests/support/``, never by importing each other.

A test module that imports another test module (``test_*.py``) runs or re-collects that module's
tests and fixtures under a second name; importing a conftest loads it twice (once by pytest, once
by the import). Builders live in ``tests/support/`` and fixtures in ``conftest.py`` files, which
pytest finds without an import. ``tests/README.md`` describes the layout.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_names(source: str) -> list[tuple[int, str]]:
    """Every module a file imports: statements, ``importlib.import_module`` and ``__import__``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            if _forbidden(base):
                found.append((node.lineno, base))
            else:  # ``from . import test_x`` / ``from runner import test_run``: the module itself
                found += [(node.lineno, f"{base.rstrip('.')}.{a.name}") for a in node.names]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def _forbidden(name: str) -> bool:
    """A test module (``test_*``) or a conftest, however it is reached (``tests.x.conftest``)."""
    parts = [part for part in name.split(".") if part]
    return any(part == "conftest" or part.startswith("test_") for part in parts)


def _violations(path: Path, source: str) -> list[str]:
    where = path.relative_to(TESTS) if path.is_relative_to(TESTS) else path
    return [
        f"{where}:{line}: imports {name}"
        for line, name in _imported_names(source)
        if _forbidden(name)
    ]


def test_no_test_module_imports_another_test_module_or_a_conftest():
    # the check itself sees each way in
    bad = (
        "from tests.ingest.conftest import FIXTURES\n"
        "import conftest\n"
        "from runner.test_run import tiny_params\n"
        "from . import test_cli\n"
        "importlib.import_module('test_panel')\n"
    )
    assert len(_violations(TESTS / "x.py", bad)) == 5
    assert _violations(TESTS / "x.py", "from support.stores import write_tiny_store\n") == []

    files = [
        path
        for path in sorted(TESTS.rglob("*.py"))
        if "__pycache__" not in path.parts
        and (path.name.startswith("test_") or path.name == "conftest.py" or "support" in path.parts)
    ]
    assert len(files) > 20, "the scan found too few test modules: has the layout moved?"
    problems = [problem for path in files for problem in _violations(path, path.read_text("utf-8"))]
    assert problems == [], "import builders from tests/support/ instead:\n" + "\n".join(problems)
