"""Receipt generation: time and size of a 60-line receipt in each layout (targets ≤ 50 ms, ≤ 60 KB).

Run: ``.venv/bin/python -m benchmarks.receipt_generation [--runs N]``. Prints the median and worst
time of N warm renders and the PDF size (font subset embedded), with the ratio to each target.
The first render of a process also loads the 5 MB font file; it is reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import time

from app.printing.receipt_pdf import LAYOUTS, ReportlabReceiptRenderer
from app.printing.samples import sample_receipt

TARGET_MS = 50.0
TARGET_KB = 60.0
LINES = 60


def main() -> None:
    """Render and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    receipt = sample_receipt(lines=LINES)
    started = time.perf_counter()
    ReportlabReceiptRenderer("thermal80").render(receipt)
    print(f"first render incl. font load: {(time.perf_counter() - started) * 1000:.1f} ms")
    print(
        f"{'layout':<10} {'median ms':>10} {'max ms':>8} {'ratio':>6} {'size KB':>8} {'ratio':>6}"
    )
    for layout in sorted(LAYOUTS):
        renderer = ReportlabReceiptRenderer(layout)
        times: list[float] = []
        size = 0
        for _ in range(args.runs):
            started = time.perf_counter()
            size = len(renderer.render(receipt))
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        kb = size / 1024
        print(
            f"{layout:<10} {median:>10.1f} {max(times):>8.1f} {median / TARGET_MS:>6.2f}"
            f" {kb:>8.1f} {kb / TARGET_KB:>6.2f}"
        )
    print(
        f"targets: ≤ {TARGET_MS:.0f} ms and ≤ {TARGET_KB:.0f} KB for {LINES} lines (ratio ≤ 1 passes)"
    )


if __name__ == "__main__":
    main()
