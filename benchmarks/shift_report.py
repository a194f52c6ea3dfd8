"""Shift report: adding up a busy day and drawing it (targets: ≤ 200 ms to compute, ≤ 500 ms to draw).

Run: ``.venv/bin/python -m benchmarks.shift_report [--records N] [--windows W] [--runs R]``. Builds N
fictional records (settlements of every category with cancellations and self-pay collections), N
receipt numbers with some reissues and 1 % reversals over W windows and 4 cashiers each, then times
:func:`app.domain.shift_report.build_shift_report` for one cashier and for everyone (the supervisor's
hospital-wide view), and the A4 and 80 mm PDFs of the everyone report. Printed, not asserted.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from app.domain.money import from_fen
from app.domain.receipt import FeeCategory
from app.domain.shift_report import (
    Amounts,
    CategoryKey,
    EntryKind,
    ReceiptRecord,
    Reconciliation,
    ReconciliationState,
    ReversalRecord,
    ShiftRecord,
    ShiftReport,
    ShiftScope,
    ShiftSheet,
    build_shift_report,
)
from app.printing.shift_report_pdf import ShiftReportPdf

COMPUTE_TARGET_MS = 200.0
DRAW_TARGET_MS = 500.0
START = datetime(2026, 12, 7, tzinfo=UTC)
CATEGORIES = (
    CategoryKey(FeeCategory.CHRONIC, "M00500", "恶性肿瘤门诊治疗"),
    CategoryKey(FeeCategory.CHRONIC, "M03900", "高血压"),
    CategoryKey(FeeCategory.CHRONIC, "M01600", "糖尿病"),
    CategoryKey(FeeCategory.CHRONIC, "M07801", "透析"),
    CategoryKey(FeeCategory.GENERAL),
    CategoryKey(FeeCategory.SELF_PAY),
)


def _records(
    count: int, windows: int, rng: random.Random
) -> tuple[list[ShiftRecord], list[ReversalRecord], list[ReceiptRecord]]:
    records, reversals, receipts = [], [], []
    for n in range(count):
        window = f"W{n % windows + 1:02d}"
        operator = f"C{window[1:]}{n % 4}"
        at = START + timedelta(seconds=rng.randrange(86_400))
        category = rng.choice(CATEGORIES)
        fund, account, cash = (rng.randrange(0, 50_000) for _ in range(3))
        sign = -1 if n % 20 == 0 else 1
        if category.category is FeeCategory.SELF_PAY:
            fund = account = 0
            kind = EntryKind.SELF_PAY if sign > 0 else EntryKind.SELF_PAY_REFUND
        else:
            kind = EntryKind.SETTLEMENT if sign > 0 else EntryKind.CANCELLATION
        amounts = Amounts(
            total=from_fen(sign * (fund + account + cash)),
            fund=from_fen(sign * fund),
            account=from_fen(sign * account),
            cash=from_fen(sign * cash),
        )
        records.append(
            ShiftRecord(
                f"S{n:08d}",
                kind,
                category,
                operator,
                window,
                at,
                amounts,
                insurance_type=rng.choice(("310", "390")),
                clearing_type="11",
            )
        )
        number = f"{window}-20261207{n // windows + 1:05d}"
        voided = f"{window}-20261207{n // windows + 2:05d}" if n % 97 == 0 else ""
        receipts.append(
            ReceiptRecord(number, f"S{n:08d}", "original", operator, window, at, voided_by=voided)
        )
        if n % 100 == 0:
            reversals.append(
                ReversalRecord(f"M{n:08d}", "B", "M00500", operator, window, at, from_fen(9_999))
            )
    return records, reversals, receipts


def _time(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    """Compute, draw and report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--windows", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    records, reversals, receipts = _records(args.records, args.windows, random.Random(18))
    recon = Reconciliation(date(2026, 12, 7), ReconciliationState.BALANCED)
    everyone = ShiftScope(date(2026, 12, 7), START, START + timedelta(days=1))
    one = ShiftScope(everyone.day, everyone.start, everyone.end, frozenset({"C010"}))
    reports: dict[str, ShiftReport] = {}

    def compute(name: str, scope: ShiftScope) -> Callable[[], object]:
        def run() -> None:
            reports[name] = build_shift_report(scope, records, reversals, receipts, recon)

        return run

    print(f"{args.records} records, {args.windows} windows, {len(reversals)} reversals")
    print(f"{'step':<32} {'median ms':>10} {'max ms':>8} {'ratio':>6}")
    for name, scope in (("compute: one cashier", one), ("compute: everyone", everyone)):
        median, worst = _time(args.runs, compute(name, scope))
        print(f"{name:<32} {median:>10.1f} {worst:>8.1f} {median / COMPUTE_TARGET_MS:>6.2f}")
    sheet = ShiftSheet("演示肿瘤医院（虚构）", "H11010500001", "JB-ALL", START, "S001 主管乙")
    ShiftReportPdf("a4").render(reports["compute: one cashier"], sheet)  # font load, not timed
    for layout in ("a4", "thermal80"):
        renderer = ShiftReportPdf(layout)
        pdf = renderer.render(reports["compute: everyone"], sheet)
        median, worst = _time(
            args.runs, lambda r=renderer: r.render(reports["compute: everyone"], sheet)
        )
        name = f"draw {layout} ({len(pdf) // 1024} KB)"
        print(f"{name:<32} {median:>10.1f} {worst:>8.1f} {median / DRAW_TARGET_MS:>6.2f}")
    print(
        f"targets: compute ≤ {COMPUTE_TARGET_MS:.0f} ms, draw ≤ {DRAW_TARGET_MS:.0f} ms (ratio ≤ 1)"
    )


if __name__ == "__main__":
    main()
