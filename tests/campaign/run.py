"""The nightly fault campaign: the CI campaign with nightly sizes (reliability.md §7).

    .venv/bin/python tests/campaign/run.py [--attempts 5000] [--kills 1000] [--disk 50] [--seed N]
        [--processes 6] [--rounds 300] [--select EXPR]

Runs ``tests/campaign`` under pytest with ``SW_CAMPAIGN_*`` set, printing the seed and every count.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    """Run the campaign with the given sizes; returns pytest's exit code."""
    parser = argparse.ArgumentParser(description="nightly fault campaign")
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--disk", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument(
        "--processes", type=int, default=6, help="processes at once (many-process run)"
    )
    parser.add_argument(
        "--rounds", type=int, default=300, help="processes in all (many-process run)"
    )
    parser.add_argument(
        "--select", default="", help="only the tests matching this pytest -k expression"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    env["SW_CAMPAIGN_ATTEMPTS"] = str(args.attempts)
    env["SW_CAMPAIGN_KILLS"] = str(args.kills)
    env["SW_CAMPAIGN_DISK_LIMITS"] = str(args.disk)
    if args.seed is not None:
        env["SW_CAMPAIGN_SEED"] = str(args.seed)
    env["SW_MANY_PROCESSES"] = str(args.processes)
    env["SW_MANY_ROUNDS"] = str(args.rounds)
    if args.rate is not None:
        env["SW_CAMPAIGN_RATE"] = str(args.rate)
    command = [sys.executable, "-m", "pytest", "tests/campaign", "-q", "-p", "no:cacheprovider",
               "-o", "timeout=0"]  # fmt: skip
    if args.select:
        command += ["-k", args.select]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
