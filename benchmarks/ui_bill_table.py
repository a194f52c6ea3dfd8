"""GUI-thread CPU the bill table's layout costs per tagging keystroke.

    .venv/bin/python -m benchmarks.ui_bill_table [--lines 20 100 300] [--keys 12]

The bill panel (real models, offscreen Qt, 1366 px screen share: 640 px) holds N fee lines; each
keystroke tags one line (1 = a disease or G, alternately, as a cashier does), then a whole-bill tag.
Measured: thread CPU from the model change until the event queue is empty, for the window's layout
(:class:`app.ui.tables.FitToWidth`: short columns sized to contents, name and 结算方式 share the
rest and wrap, only changed rows re-measured) and, for comparison, the same fit done with Qt's
``ResizeToContents``/``Stretch`` header modes (every change re-measures every row). Target: a
keystroke well under the 50 ms stall budget (issue 5) at the largest bills a window sees (≈ 100 lines).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.bill import FeeLine

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TARGET_MS = 50.0


def _lines(count: int) -> list[FeeLine]:
    from app.domain.bill import FeeLine  # noqa: PLC0415

    return [
        FeeLine.create(
            line_no=f"MZ202611230001-{i + 1}",
            hospital_code=f"H{i:05d}",
            national_code="XC08CAA055A001010100101",
            name="苯磺酸氨氯地平片（络活喜）" * (1 + i % 2),
            unit_price="3.50",
            quantity="2",
            spec="5mg*7片",
        )
        for i in range(count)
    ]


def measure(count: int, keys: int, *, qt_modes: bool) -> tuple[float, float, float]:
    """(median ms, max ms per keystroke, ms for tagging the whole bill), thread CPU."""
    from PySide6.QtWidgets import QApplication, QHeaderView  # noqa: PLC0415

    from app.domain.bill import Tag  # noqa: PLC0415
    from app.ui.models.bill_model import BillColumn, BillModel  # noqa: PLC0415
    from app.ui.models.catalogue_model import CatalogueModel  # noqa: PLC0415
    from app.ui.panels.bill_panel import BillPanel  # noqa: PLC0415

    app = QApplication.instance() or QApplication([])
    model = BillModel()
    panel = BillPanel(model, CatalogueModel())
    table = panel.bill_table
    if qt_modes:
        panel.fit.deleteLater()
        app.processEvents()
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (BillColumn.NAME, BillColumn.ROUTE):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    panel.resize(640, 600)
    panel.show()
    model.set_lines(_lines(count))
    for _ in range(3):
        app.processEvents()
    spent = []
    for key in range(keys):
        started = time.thread_time()
        model.tag_rows([key % count], Tag.general() if key % 2 else Tag.disease("M03900"))
        app.processEvents()
        spent.append((time.thread_time() - started) * 1000)
    started = time.thread_time()
    model.tag_rows(list(range(count)), Tag.general())
    app.processEvents()
    whole = (time.thread_time() - started) * 1000
    panel.close()
    panel.deleteLater()
    app.processEvents()
    return statistics.median(spent), max(spent), whole


def main(argv: list[str] | None = None) -> int:
    """Print the per-keystroke layout cost for each bill size, both ways."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, nargs="*", default=[20, 100, 300])
    parser.add_argument("--keys", type=int, default=12)
    args = parser.parse_args(argv)
    worst = 0.0
    for count in args.lines:
        for qt_modes, label in ((True, "Qt ResizeToContents"), (False, "FitToWidth (window)")):
            median, largest, whole = measure(count, args.keys, qt_modes=qt_modes)
            if not qt_modes and count <= 100:
                worst = max(worst, largest)
            print(
                f"{count:4d} lines  {label:20s} keystroke median {median:6.1f} ms, max {largest:6.1f} ms;"
                f" whole bill {whole:6.1f} ms (thread CPU)"
            )
    print(
        f"ratio (worst window keystroke ≤ 100 lines / {TARGET_MS:.0f} ms target): {worst / TARGET_MS:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
