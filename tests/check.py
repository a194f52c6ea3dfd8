"""Run the whole suite the way CI does: format, lint, types, layer contracts, then pytest.

Usage: ``python tests/check.py [extra pytest args]``. Exits non-zero on the first failing step.
pytest's exit code 5 ("no tests collected") counts as a failure.

pytest runs on one worker per core (pytest-xdist) unless the extra arguments choose ``-n`` themselves:
the suite is mostly single-threaded waiting on subprocesses, SQLite fsyncs and the loopback sandbox, so
two workers on a 2-core machine keep it well inside the 10-minute budget without dropping a test.
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


def _parallel(pytest_args: list[str]) -> list[str]:
    """``-n auto`` unless the caller picked a worker count or switched xdist off."""
    chosen = any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in pytest_args)
    disabled = "no:xdist" in pytest_args
    return [] if chosen or disabled else ["-n", "auto"]


def main(pytest_args: list[str]) -> int:
    """Run each step in order; stop at the first failure."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    steps = [
        ("ruff format", [_tool("ruff"), "format", "--check", "app", "tests", "benchmarks"]),
        ("ruff lint", [_tool("ruff"), "check", "app", "tests", "benchmarks"]),
        ("mypy strict", [_tool("mypy")]),
        ("layer contracts", [_tool("lint-imports")]),
        ("pytest", [sys.executable, "-m", "pytest", *_parallel(pytest_args), *pytest_args]),
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
