"""The layer rule holds: a layer imports only the layers below it (import-linter contracts).

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``); ``docs/architecture.md``
explains the layers and where new code goes.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_import_contracts_are_kept():
    run = subprocess.run(
        [str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_every_library_module_is_inside_a_layer():
    """No flat module beside the layers: each new module must choose its room."""
    allowed = {"__init__.py", "cli.py"}
    loose = [p.name for p in (ROOT / "evaluation").glob("*.py") if p.name not in allowed]
    assert loose == []


def _private_imports(path: Path) -> list[str]:
    """``from evaluation.x._y import ...`` or ``import _name`` across packages in one file."""
    own_package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("evaluation"):
            continue
        parts = node.module.split(".")
        if tuple(parts[: len(own_package)]) == own_package:
            continue  # a package may use its own private modules and names
        names = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
        if any(part.startswith("_") for part in parts) or names:
            found.append(f"{path.relative_to(ROOT)}: from {node.module} import {names}")
    return found


def test_no_module_imports_another_packages_private_names():
    offenders = []
    for path in sorted((ROOT / "evaluation").rglob("*.py")):
        offenders += _private_imports(path)
    assert offenders == []
