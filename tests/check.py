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

While the parallel part runs, a low-priority process builds the 500,000-item catalogue store that the
stall tests of tests/gui/test_catalogue_500k.py search (tests/helpers/catalogue_500k.py): about 30 s
of CPU that would otherwise run alone, one core idle, at the start of the serial part.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
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


class _CatalogueAhead:
    """The serial part's 500,000-item store, built by another process meanwhile."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="sw-catalogue-500k-"))
        with (self.folder / "build.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    str(ROOT / "tests" / "helpers" / "catalogue_500k.py"),
                    str(self.folder),
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=(lambda: os.nice(19)) if hasattr(os, "nice") else None,  # noqa: PLW1509
            )

    def hand_over(self, env: dict[str, str]) -> None:
        """Wait for the build; name its folder to the serial run when it finished (else the test's
        fixture builds the store itself). Nothing else runs now: back to normal priority where
        allowed (on a busy machine a niceness of 19 would starve it)."""
        # not allowed to raise it again (not root) or not POSIX: it finishes all the same
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, self.process.pid, 0)
        try:
            code = self.process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if code == 0:
            env["SW_TEST_CATALOGUE_500K"] = str(self.folder)  # catalogue_500k.PREBUILT_ENV
        else:
            print(f"(catalogue built ahead failed, exit {code}; the test builds it)", flush=True)  # noqa: T201

    def remove(self) -> None:
        """Stop the build if still running and remove its folder."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def main(pytest_args: list[str]) -> int:
    """Run each step in order; stop at the first failure."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("HYPOTHESIS_PROFILE", "ci")
    runs = _pytest_runs(pytest_args)
    steps = [
        ("ruff format", [_tool("ruff"), "format", "--check", "app", "tests", "benchmarks"]),
        ("ruff lint", [_tool("ruff"), "check", "app", "tests", "benchmarks"]),
        ("mypy strict", [_tool("mypy")]),
        ("layer contracts", [_tool("lint-imports")]),
        *runs,
    ]
    # Only for the whole suite's two runs: a selection of tests may not reach the 500,000 items.
    whole_suite = (
        len(runs) == 2
        and not any(not arg.startswith("-") for arg in pytest_args)
        and not {"--collect-only", "--co"} & set(pytest_args)
    )
    ahead: _CatalogueAhead | None = None
    try:
        for title, command in steps:
            if whole_suite and title == "pytest (parallel)":
                ahead = _CatalogueAhead(env)
            if ahead is not None and title == "pytest (stall measurements, alone)":
                ahead.hand_over(env)
            print(f"==> {title}: {' '.join(command)}", flush=True)  # noqa: T201
            code = subprocess.call(command, cwd=ROOT, env=env)
            if code != 0:
                print(f"FAILED: {title} (exit {code})", flush=True)  # noqa: T201
                return code or 1
        return 0
    finally:
        if ahead is not None:
            ahead.remove()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
