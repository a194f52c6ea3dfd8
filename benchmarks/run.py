"""Run every benchmark module in ``benchmarks/`` (all areas) and print their ratios.

    .venv/bin/python -m benchmarks.run [--only NAME …] [--list]

Each module is run as ``python -m benchmarks.<name>`` in its own process (a fresh interpreter per
benchmark, so one area's caches and threads do not colour another's figures). A module counts as a
benchmark when it defines ``main`` and runs it under ``if __name__ == "__main__"``; shared helper
modules are skipped. The exit code is non-zero if any benchmark failed to run (ratios above target are
reported, not failed: they are measurements, not tests).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmark_modules() -> list[str]:
    """Module names of the benchmarks present, sorted."""
    names = []
    for path in sorted(HERE.glob("*.py")):
        if path.stem in ("__init__", "run"):
            continue
        text = path.read_text(encoding="utf-8")
        if "def main(" in text and '__name__ == "__main__"' in text:
            names.append(path.stem)
    return names


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks one after another."""
    parser = argparse.ArgumentParser(description="Run every benchmark and print its ratio.")
    parser.add_argument("--only", nargs="*", metavar="NAME", help="run only these modules")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    names = benchmark_modules()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        names = [name for name in names if name in args.only]
    print(
        f"benchmarks on {platform.node()} ({platform.machine()}, {platform.python_version()}, "
        f"{platform.platform()}) at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    failed = []
    root = HERE.parent
    for name in names:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        output = (done.stdout.strip() or "(no output)").splitlines()
        status = "" if done.returncode == 0 else f" FAILED (exit {done.returncode})"
        print(f"\n== {name} ({seconds:.0f} s){status}")
        print("\n".join(output[-15:]))
        if done.returncode != 0:
            failed.append(name)
            print(done.stderr.strip()[-2000:])
    print(
        f"\n{len(names) - len(failed)}/{len(names)} benchmarks ran"
        + (f"; failed: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
