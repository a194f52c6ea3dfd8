"""The supervisor's hospital-wide shift report (issue 18 in hospital mode): every window's records from
the hospital record, per window and per operator, each record once at the window that made it (also
after another window imported it to refund or 补打 it), equal to the hospital day close's totals
(which the platform's 3201 confirmed), on paper and from the command line."""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, add_operators, demo_bill, fresh_visit
from helpers.engine_fixtures import make_engine as make_window_engine
from helpers.hospital_windows import APPROVAL, Window, day_close_at, sync_all, today
from helpers.pg_fixtures import HospitalDb
from pypdf import PdfReader

from app.config import load_settings
from app.domain.money import money_sum
from app.domain.shift_report import EntryKind, ShiftScope
from app.errors import PermissionDenied
from app.printing.shift_report_pdf import ShiftReportPdf
from app.sandbox import SandboxServer
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.hospital_import import HospitalImport
from app.services.hospital_shift_report import HospitalShiftReportService
from app.services.ports.clock import SystemClock
from app.services.shift_report import ShiftReportService, shift_bounds
from hospital.test_cross_window_cancel_cli import run, window_config


def settle(window: Window, code: str) -> tuple[str, str]:
    bill = window.engine.settle_visit(fresh_visit(demo_bill(code)), window.cashier)
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    return bill.bill_id, settlement_id


def pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace("\n", "").replace(" ", "")


def test_every_window_once_per_window_and_operator_equal_to_the_hospital_day_close(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    receipts1 = w1.engine.receipts
    assert receipts1 is not None
    bill_a, paid_a = settle(w1, "01")
    bill_b, paid_b = settle(w1, "02")
    _, paid_c = settle(w2, "01")
    issued = [
        *receipts1.issue_for_bill(bill_a, w1.cashier),
        *receipts1.issue_for_bill(bill_b, w1.cashier),
    ]
    receipt_b = next(r for r in issued if r.data.settlement_id == paid_b)
    sync_all([w1, w2])
    # W02 refunds A and copies (补打) B's receipt: both imported into W02's store first.
    cancelled = w2.cancels().cancel(paid_a, w2.cashier, APPROVAL)
    assert HospitalImport(w2.engine.uow_factory, w2.record, "W02").settlement(paid_b)
    receipts2 = w2.engine.receipts
    assert receipts2 is not None
    copy = receipts2.copy(receipt_b.receipt_no, w2.cashier)
    assert copy.receipt_no == receipt_b.receipt_no
    reissued = receipts2.reissue(receipt_b.receipt_no, w2.cashier, w2.supervisor)  # 重打 at W02
    assert reissued.receipt_no.startswith("W02-")
    sync_all([w1, w2])
    alone = w1.engine.day_close
    closed = HospitalDayCloseService(
        gateway=alone._gateway,
        uow_factory=w1.engine.uow_factory,
        clock=SystemClock(),
        caller=alone._caller,
        recovery=alone._recovery,
        record=w1.record,
        sync=w1.sync,
    ).close(today(), w1.supervisor)
    assert closed.balanced
    sync_all([w1, w2])

    service = HospitalShiftReportService(w1.record)
    report = service.report(service.scope(w1.supervisor, day=today()))

    shared = w1.record.settlements(today())
    assert {paid_a, paid_b, paid_c, cancelled.cancellation_id} <= {s.settlement_id for s in shared}
    assert report.total.count == len(shared), "imported copies are not counted again"
    assert report.total.amounts.total == money_sum(s.total for s in shared)
    assert report.total.amounts.cash == money_sum(s.cash for s in shared)
    assert report.insured_total.amounts.total == closed.total
    assert report.insured_total.amounts.fund == closed.fund
    assert [(s.window, s.operator_code) for s in report.sections] == [
        ("W01", "C001"),
        ("W02", "C001"),
    ]
    by_window = dict(report.by_window())
    for window in ("W01", "W02"):
        mine = [s for s in shared if s.window == window]
        assert by_window[window].count == len(mine)
        assert by_window[window].amounts.total == money_sum(s.total for s in mine)
    kinds = dict(report.by_kind)
    assert kinds[EntryKind.CANCELLATION].count == 1
    assert kinds[EntryKind.CANCELLATION].amounts.total == -next(
        s.total for s in shared if s.settlement_id == paid_a
    )
    numbers = {r.receipt_no for r in issued} | {reissued.receipt_no}
    assert report.receipts.issued == len(numbers), "each number once, at the window that issued it"
    assert report.receipts.copies == 1  # W02's 补打 of B
    assert report.receipts.voided == ((receipt_b.receipt_no, reissued.receipt_no),)
    assert report.receipts.reissued == ((reissued.receipt_no, receipt_b.receipt_no),)
    at = {section.window: section.receipts for section in report.sections}
    assert [(r.first, r.last) for r in at["W02"].ranges] == [
        (reissued.receipt_no, reissued.receipt_no)
    ]
    assert all(r.first.startswith("W01-") for r in at["W01"].ranges)
    assert at["W01"].issued == len(numbers) - 1
    assert report.reconciliation.state.value == "balanced"
    assert "W01" in report.reconciliation.closed_by

    printed = ShiftReportService(
        w1.engine.uow_factory,
        SystemClock(),
        hospital_name="演示医院",
        hospital_code="H11010500001",
        window_no="HOSP",
        hospital_wide=True,
    ).render(report, w1.supervisor, ShiftReportPdf("a4"))
    flat = pdf_text(printed.pdf)
    assert "全院收费日结单（分窗口、分收费员）" in flat
    assert "八、分窗口合计" in flat
    assert "窗口W01" in flat
    assert "窗口W02" in flat
    assert "收费主管签字" in flat
    assert printed.sheet.report_no.startswith("JB-HOSP-")


def test_a_cashier_cannot_see_the_hospital_wide_report(
    two_windows: tuple[Window, Window],
) -> None:
    w1, _ = two_windows
    service = HospitalShiftReportService(w1.record)
    with pytest.raises(PermissionDenied):
        service.scope(w1.cashier, day=today())


def test_hospital_report_shift_from_the_command_line(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    w01 = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    w02 = window_config(tmp_path, sandbox, hospital_db.schema, "W02")
    for config, folder, code in ((w01, "w01", "01"), (w02, "w02", "02")):
        engine = make_window_engine(load_settings(config), tmp_path / folder)
        try:
            cashier, _ = add_operators(engine)
            engine.settle_visit(fresh_visit(demo_bill(code)), cashier)
        finally:
            engine.close()
        sync_code, synced, err = run(config, tmp_path / folder, "hospital", "sync")
        assert sync_code == 0, (synced, err)
    target = tmp_path / "hospital-shift.pdf"

    code, answer, err = run(
        w02,
        tmp_path / "w02",
        "hospital", "report", "shift", "--operator", "S001",
        "--format", "a4", "--output", str(target),
        operator_password=SUPERVISOR_PASSWORD,
    )  # fmt: skip

    assert code == 0, (answer, err)
    sections = answer["shift_report"]["sections"]
    assert [(s["window"], s["operator"]) for s in sections] == [("W01", "C001"), ("W02", "C001")]
    assert answer["report_no"].startswith("JB-HOSP-")
    flat = pdf_text(target.read_bytes())
    assert "全院收费日结单" in flat
    assert "W01" in flat
    assert "W02" in flat

    code, answer, err = run(
        w02,
        tmp_path / "w02",
        "hospital", "report", "shift", "--operator", "S001", "--window", "W01",
        operator_password=SUPERVISOR_PASSWORD,
    )  # fmt: skip
    assert code == 0, (answer, err)
    assert [s["window"] for s in answer["shift_report"]["sections"]] == ["W01"]

    code, answer, err = run(
        w01, tmp_path / "w01", "hospital", "report", "shift", "--operator", "C001"
    )
    assert code != 0
    assert "权限" in answer["message"], answer

    # The hospital day close, then the whole day's report on paper.
    filed = tmp_path / "hospital-day.pdf"
    code, answer, err = run(
        w02,
        tmp_path / "w02",
        "hospital", "day-close", "--operator", "S001", "--print", "--output", str(filed),
        operator_password=SUPERVISOR_PASSWORD,
    )  # fmt: skip
    assert code == 0, (answer, err)
    assert answer["report"]["balanced"]
    assert answer["shift_report"]["report_no"].startswith("JB-HOSP-")
    flat = pdf_text(filed.read_bytes())
    assert "已日结，对账平衡" in flat
    assert "经办S001（窗口W02）" in flat


def test_records_after_the_hospital_day_close_say_it_no_longer_covers_the_day(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    _, paid = settle(w1, "01")
    sync_all([w1, w2])
    closed = day_close_at(w1).close(today(), w1.supervisor)
    assert closed.balanced
    sync_all([w1, w2])
    service = HospitalShiftReportService(w1.record)
    whole_day = service.scope(w1.supervisor, day=today())
    assert service.report(whole_day).reconciliation.covers_day

    # A refund at the other window after the close (the hospital record keeps a record's time to
    # the second, so it is made in a later second than the close, as in the field: 06:47 / 06:49).
    time.sleep(1.05)
    settled = next(s for s in w1.record.settlements(today()) if s.settlement_id == paid)
    refund = w2.cancels().cancel(paid, w2.cashier, APPROVAL)
    sync_all([w1, w2])
    later = [s for s in w1.record.settlements(today()) if s.settlement_id != paid]
    assert refund.cancellation_id in {s.settlement_id for s in later}

    report = service.report(whole_day)
    recon = report.reconciliation
    assert recon.state.value == "balanced"
    assert not recon.covers_day
    assert recon.changed_count == len(later)
    assert recon.changed_total == money_sum(s.total for s in later)
    assert recon.changed_total == -settled.total
    # A later shift (starting after the records) still reads them: the close cites the whole day.
    _, day_end = shift_bounds(today())
    after = ShiftScope(day=today(), start=datetime.now(UTC), end=day_end)
    late_shift = service.report(after)
    assert late_shift.total.count == 0
    assert late_shift.reconciliation.changed_count == recon.changed_count
    assert late_shift.reconciliation.changed_total == recon.changed_total

    printed = ShiftReportService(
        w1.engine.uow_factory, SystemClock(), hospital_name="演示医院",
        hospital_code="H11010500001", window_no="HOSP", hospital_wide=True,
    ).render(report, w1.supervisor, ShiftReportPdf("a4"))  # fmt: skip
    assert f"日结后又有{len(later)}笔变动" in pdf_text(printed.pdf)

    # Closing the day again (the latest close counts) covers it again.
    assert day_close_at(w2).close(today(), w2.supervisor).balanced
    sync_all([w1, w2])
    assert service.report(whole_day).reconciliation.covers_day
