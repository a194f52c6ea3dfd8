"""How long each slow test took, so ``tests/conftest.py`` can start the longest ones first.

xdist hands tests out in the order they are collected. A 40-second test handed out last keeps one
worker busy after the other has run out of work; started first, it runs while short tests fill the
other worker. pytest knows a test's duration only after running it, so the figures of a previous
run live in ``tests/durations.txt``: one ``seconds nodeid`` line per test that took at least a
half a second (setup, call and teardown together). A test missing from the file (new, renamed) is
guessed: property tests and ``slow`` campaigns as long, the rest as short.

Refresh the file from a whole run's ``--durations`` report::

    python tests/check.py --durations=0 --durations-min=0.2 | tee run.log
    python tests/helpers/durations.py < run.log > tests/durations.txt

The figures only order the tests; nothing is asserted on them.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

FILE = Path(__file__).resolve().parents[1] / "durations.txt"
# One line of pytest's ``--durations`` report: "12.34s call     tests/x.py::test_y[param]".
_REPORT_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s+(setup|call|teardown)\s+(\S.*?)\s*$")
MIN_SECONDS = 0.5


def load(path: Path = FILE) -> dict[str, float]:
    """The recorded seconds per node id (empty when the file is missing)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    known: dict[str, float] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        seconds, nodeid = line.split(" ", 1)
        known[nodeid.strip()] = float(seconds)
    return known


def totals(report_lines: Iterable[str]) -> dict[str, float]:
    """Setup + call + teardown per test from ``--durations`` report lines (other lines ignored).
    A test reported by two runs (the parallel one and the serial one) keeps the larger figure."""
    phases: dict[str, dict[str, float]] = defaultdict(dict)
    for line in report_lines:
        match = _REPORT_LINE.match(line)
        if match:
            seconds, phase, nodeid = match.groups()
            previous = phases[nodeid].get(phase, 0.0)
            phases[nodeid][phase] = max(previous, float(seconds))
    return {nodeid: sum(by_phase.values()) for nodeid, by_phase in phases.items()}


def render(seconds_by_test: dict[str, float], minimum: float = MIN_SECONDS) -> str:
    """The file's text: the tests of at least ``minimum`` seconds, longest first."""
    kept = sorted(
        ((s, n) for n, s in seconds_by_test.items() if s >= minimum), key=lambda e: (-e[0], e[1])
    )
    header = "# seconds nodeid, longest first; see tests/helpers/durations.py\n"
    return header + "".join(f"{seconds:.1f} {nodeid}\n" for seconds, nodeid in kept)


if __name__ == "__main__":
    sys.stdout.write(render(totals(sys.stdin)))
