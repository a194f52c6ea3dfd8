"""Layer rules that import-linter cannot express (it cannot forbid an external sub-package)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_workers_use_qtcore_only() -> None:
    offenders = {
        str(path.relative_to(APP)): sorted(n for n in _imports(path) if n.startswith("PySide6."))
        for path in (APP / "workers").rglob("*.py")
    }
    assert all(name in ("PySide6.QtCore",) for names in offenders.values() for name in names), (
        offenders
    )


def test_no_float_in_money_paths() -> None:
    for package in ("domain", "services"):
        for path in (APP / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            calls = [
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "float"
            ]
            assert not calls, f"float() in {path.relative_to(APP)}"


def test_workers_never_open_a_unit_of_work() -> None:
    """The workers adapt the engine's use cases to the window; reading the store is a service's job
    (issue 14: no raw unit-of-work queries in the workers layer)."""
    offenders = [
        str(path.relative_to(APP))
        for path in (APP / "workers").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "uow_factory"
    ]
    assert offenders == []


def test_the_windows_backend_port_imports_no_service_at_start_up() -> None:
    """The window types against :mod:`app.workers.backend` at import time; the engine, its services
    and the store's ports are built later, in the background (cold start)."""
    code = (
        "import sys, app.workers.backend; "
        "print(sorted(m for m in sys.modules if m.startswith(('app.services.ports', 'app.wiring'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
