"""Run the whole suite the way CI does: format, lint, types, layer contracts, then pytest.

Usage: ``python tests/check.py [extra pytest args]``. Exits non-zero on the first failing step.
pytest's exit code 5 ("no tests collected") counts as a failure.

pytest runs on one worker per core (pytest-xdist): the suite mostly waits on subprocesses, SQLite fsyncs
and the loopback sandbox, so two workers on a 2-core machine keep it inside the 10-minute budget without
dropping a test. The few tests marked ``serial`` (they measure GUI-thread stalls) run afterwards alone.

Tests are handed out one at a time, longest first (``--dist loadgroup``; the order comes from
tests/conftest.py and tests/durations.txt), and the tests of a module listed in
tests/helpers/xdist_groups.py share a worker (the frozen bundle is built once). Python may write bytecode caches here even where the
environment says otherwise (``PYTHONDONTWRITEBYTECODE``): without them each worker rewrites and
compiles every test module (collection 9 s of CPU instead of 3 s) and every ``python -m app``
subprocess compiles the app again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    candidate = BIN / name
    return str(candidate) if candidate.exists() else name


def _pytest_runs(pytest_args: list[str]) -> list[tuple[str, list[str]]]:
    """The pytest step(s): in parallel, then the stall-measuring tests alone.

    Tests marked ``serial`` measure how long the GUI thread stalls; beside another worker's CPU-bound
    property test they would measure the neighbour. When the caller picks ``-n``, ``-m`` or switches
    xdist off, their arguments are used as given in one run.
    """
    run = [sys.executable, "-m", "pytest"]
    chosen = any(
        arg == "-m" or arg.startswith(("-n", "--numprocesses", "-m")) for arg in pytest_args
    )
    if chosen or "no:xdist" in pytest_args:
        return [("pytest", [*run, *pytest_args])]
    return [
        (
            "pytest (parallel)",
            [*run, "-n", "auto", "--dist", "loadgroup", "-m", "not serial", *pytest_args],
        ),
        ("pytest (stall measurements, alone)", [*run, "-m", "serial", *pytest_args]),
    ]


def main(pytest_args: list[str]) -> int:
    """Run each step in order; stop at the first failure."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    steps = [
        ("ruff format", [_tool("ruff"), "format", "--check", "app", "tests", "benchmarks"]),
        ("ruff lint", [_tool("ruff"), "check", "app", "tests", "benchmarks"]),
        ("mypy strict", [_tool("mypy")]),
        ("layer contracts", [_tool("lint-imports")]),
        *_pytest_runs(pytest_args),
    ]
    for title, command in steps:
        print(f"==> {title}: {' '.join(command)}", flush=True)  # noqa: T201
        code = subprocess.call(command, cwd=ROOT, env=env)
        if code != 0:
            print(f"FAILED: {title} (exit {code})", flush=True)  # noqa: T201
            return code or 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
