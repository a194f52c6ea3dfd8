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


# Modules of app/workers still building a service of their own, and why (issue 14: one use-case
# API). Shrink this; never grow it.
BUILDS_ITS_OWN_SERVICES: dict[str, set[str]] = {}


def _reads_off_an_engine(node: ast.AST, wiring: set[str]) -> str | None:
    """The wiring field ``node`` reads off an engine (``engine.X``, ``self._engine.X``,
    ``context.engine().X``, ``context.lookup_engine().X``), if it does."""
    if not isinstance(node, ast.Attribute) or node.attr not in wiring:
        return None
    owner = node.value
    if isinstance(owner, ast.Call):
        owner = owner.func
    if (isinstance(owner, ast.Name) and owner.id == "engine") or (
        isinstance(owner, ast.Attribute)
        and owner.attr in ("_engine", "engine", "_lookup", "lookup_engine")
    ):
        return node.attr
    return None


def _engine_wiring() -> set[str]:
    """The engine's fields that are services or the store (its composition, not its API)."""
    from dataclasses import fields  # noqa: PLC0415

    from app.services.engine import Engine  # noqa: PLC0415

    return {f.name for f in fields(Engine)} - {"settings", "clock", "data_dir"}


def test_the_workers_call_the_engine_and_never_a_service_behind_it() -> None:
    """The layering of docs/architecture.md: app/workers adapts :class:`Engine`'s use cases to the
    window's threads. It reads no service field off the engine (``engine.settlement.preview``) and
    imports no service class from app/services (value types and ports are fine)."""
    wiring = _engine_wiring()
    found: dict[str, set[str]] = {}
    for path in sorted((APP / "workers").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used: set[str] = set()
        for node in ast.walk(tree):
            field = _reads_off_an_engine(node, wiring)
            if field is not None:
                used.add(field)
            elif (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("app.services.")
                and node.module != "app.services.engine"
            ):
                used.update(
                    a.name for a in node.names if a.name.endswith(("Service", "Import", "Outbox"))
                )
        if used:
            found[path.name] = used
    assert found == BUILDS_ITS_OWN_SERVICES


def test_the_cli_calls_the_engines_use_cases() -> None:
    """The CLI, like the window's adapter, calls :class:`Engine` methods and reads no service off
    it (docs/architecture.md)."""
    wiring = _engine_wiring()
    found = {
        str(path.relative_to(APP)): field
        for path in sorted((APP / "cli").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (field := _reads_off_an_engine(node, wiring)) is not None
    }
    assert found == {}
