"""Regenerate the sample hospital-wide shift report in ``docs/shift-report/`` (fictional sandbox data).

    .venv/bin/python tests/hospital/make_hospital_shift_sample.py docs/shift-report

Needs the PostgreSQL server the hospital tests use (``HOSPITAL_TEST_DB_URL``, default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``); works in a throwaway schema it drops. Two
windows of one hospital settle against an in-process sandbox (W01: two patients and their receipts;
W02: one patient and their receipts, the refund of one of W01's patients and a 补打 of W01's receipt), deliver everything
to the hospital record, the supervisor closes the hospital's day at W01 and prints the report of
every window on A4, saved as PDF and as a PNG of its first page rasterised by ``pdftoppm``.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill, fresh_visit
from helpers.hospital_windows import open_window, sync_all
from helpers.pg_fixtures import HospitalDb, hospital_test_url
from sqlalchemy import create_engine, text

from app.printing.shift_report_pdf import ShiftReportPdf
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.day_close import LOCAL_ZONE
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.hospital_import import HospitalImport
from app.services.hospital_shift_report import HospitalShiftReportService
from app.services.ports.clock import SystemClock
from app.services.shift_report import ShiftReportService
from app.store.hospital.connect import open_hospital_engine, upgrade


def _write(folder: Path, name: str, pdf: bytes) -> None:
    target = folder / f"{name}.pdf"
    target.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "90", "-f", "1", "-singlefile", str(target), str(folder / name)],
        check=True,
    )


def main(folder: Path) -> None:
    """Write ``hospital-a4.pdf`` and ``hospital-a4.png`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    url = hospital_test_url()
    admin = create_engine(url)
    schema = f"hsp_sample_{secrets.token_hex(4)}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    database = open_hospital_engine(url, search_path=schema)
    try:
        upgrade(database)
        with tempfile.TemporaryDirectory() as scratch:
            _sample(folder, Path(scratch), HospitalDb(url, schema, database))
    finally:
        database.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _sample(folder: Path, scratch: Path, db: HospitalDb) -> None:
    server = SandboxServer(state_path=scratch / "sandbox.sqlite3", seed=20260101)
    server.start()
    w1 = open_window("W01", server, db, scratch / "w01")
    w2 = open_window("W02", server, db, scratch / "w02")
    try:
        bills = [
            w1.engine.settle_visit(fresh_visit(demo_bill(code)), w1.cashier)
            for code in ("01", "02")
        ]
        own = w2.engine.settle_visit(fresh_visit(demo_bill("14")), w2.cashier)
        receipts = w1.engine.receipts
        assert receipts is not None
        issued = [r for bill in bills for r in receipts.issue_for_bill(bill.bill_id, w1.cashier)]
        at_w02 = w2.engine.receipts
        assert at_w02 is not None
        assert at_w02.issue_for_bill(own.bill_id, w2.cashier), "W02 prints its receipts too"
        sync_all([w1, w2])
        refunded = next(g.settlement_id for g in bills[0].groups if g.settlement_id)
        assert refunded is not None
        approval = SupervisorApproval("S001", SUPERVISOR_PASSWORD)
        w2.cancels().cancel(refunded, w2.cashier, approval)
        copied = issued[-1]
        HospitalImport(w2.engine.uow_factory, w2.record, "W02").settlement(
            copied.data.settlement_id
        )
        copies = w2.engine.receipts
        assert copies is not None
        copies.copy(copied.receipt_no, w2.cashier)
        sync_all([w1, w2])
        alone = w1.engine.day_close
        day = datetime.now(LOCAL_ZONE).date()
        HospitalDayCloseService(
            gateway=alone._gateway,
            uow_factory=w1.engine.uow_factory,
            clock=SystemClock(),
            caller=alone._caller,
            recovery=alone._recovery,
            record=w1.record,
            sync=w1.sync,
        ).close(day, w1.supervisor)
        sync_all([w1, w2])
        service = HospitalShiftReportService(w1.record)
        report = service.report(service.scope(w1.supervisor, day=day))
        settings = w1.engine.settings
        printed = ShiftReportService(
            w1.engine.uow_factory,
            SystemClock(),
            hospital_name=settings.hospital.name,
            hospital_code=settings.hospital.code,
            window_no="HOSP",
            hospital_wide=True,
        ).render(report, w1.supervisor, ShiftReportPdf("a4"))
        _write(folder, "hospital-a4", printed.pdf)
    finally:
        w1.engine.close()
        w2.engine.close()
        server.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
