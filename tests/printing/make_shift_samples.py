"""Regenerate the sample shift reports in ``docs/shift-report/`` (fictional sandbox data).

    .venv/bin/python tests/printing/make_shift_samples.py docs/shift-report

Runs the same day as the tests (``helpers.shift_fixtures.a_day_with_everything``: every kind of record,
receipts issued, copied and reissued, a reversed 2207) against an in-process sandbox, closes the day,
then writes the cashier's report on A4 and on the 80 mm roll, and the supervisor's report of everyone
after a second cashier's visit, each as PDF and as a PNG rasterised by ``pdftoppm``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.engine_fixtures import add_operators, demo_bill, make_engine, sandbox_settings
from helpers.shift_fixtures import a_day_with_everything, shift_service

from app.domain.operator import Role
from app.printing.shift_report_pdf import ShiftReportPdf
from app.sandbox import SandboxServer


def _write(folder: Path, name: str, pdf: bytes) -> None:
    target = folder / f"{name}.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-singlefile", str(target), str(folder / name)],
        check=True,
    )


def main(folder: Path) -> None:
    """Write the samples into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        server = SandboxServer(state_path=Path(scratch) / "sandbox.sqlite3", seed=20260101)
        server.start()
        engine = make_engine(sandbox_settings(server), Path(scratch) / "data")
        try:
            cashier, supervisor = add_operators(engine)
            a_day_with_everything(engine, cashier, supervisor, server)
            with engine.uow_factory() as uow:
                uow.operators.add("C002", "收费员丙", Role.CASHIER, "Cashier-two-2026")
                uow.commit()
            engine.settle_visit(demo_bill("14"), engine.operator("C002"))
            engine.close_day(engine.day_close.today(), supervisor)
            service = shift_service(engine)
            day = service.today()
            mine = service.report(service.scope(cashier, day=day))
            for layout, name in (("a4", "cashier-a4"), ("thermal80", "cashier-80mm")):
                _write(folder, name, service.render(mine, cashier, ShiftReportPdf(layout)).pdf)
            everyone = service.report(service.scope(supervisor, day=day))
            _write(
                folder,
                "supervisor-a4",
                service.render(everyone, supervisor, ShiftReportPdf("a4")).pdf,
            )
        finally:
            engine.close()
            server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
