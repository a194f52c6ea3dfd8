"""The receipt service against the real engine: settle on the sandbox, store in SQLite, print receipts.

Only the printer is a stand-in where a failing one is needed; everything else is real (the sandbox over
loopback HTTP, the SQLite store, the reportlab renderer, the PDF-file printer).
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.engine_fixtures import DEMO_BILLS, SUPERVISOR_PASSWORD, demo_bill
from pypdf import PdfReader

from app.domain.operator import Operator, Role
from app.domain.receipt import ReceiptData, ReceiptKind
from app.domain.visit import GroupState
from app.errors import DeviceError, InputError, PermissionDenied
from app.hardware.printer.pdf_file import PdfFilePrinter
from app.printing.receipt_pdf import ReportlabReceiptRenderer
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine
from app.services.receipts import ReceiptService


class BrokenPrinter:
    """A printer that is out of paper."""

    def print_receipt(self, receipt: ReceiptData, pdf: bytes) -> str:
        raise DeviceError("打印机缺纸。", code="test_no_paper")


def service_for(
    engine: Engine, folder: Path, layout: str = "thermal80", window_no: str = ""
) -> ReceiptService:
    return ReceiptService(
        engine.uow_factory,
        engine.clock,
        engine.settings.hospital,
        ReportlabReceiptRenderer(layout),
        PdfFilePrinter(folder),
        archive=PdfFilePrinter,
        window_no=window_no,
    )


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace(
        "\n", ""
    )


def test_the_qinghai_case_receipt_comes_from_the_stored_settlement(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    service = service_for(engine, tmp_path / "out")

    (printed,) = service.issue_for_bill(bill.bill_id, cashier)

    assert printed.kind is ReceiptKind.ORIGINAL
    assert Path(printed.where).is_file()
    text = text_of(Path(printed.where).read_bytes())
    assert "门诊慢特病" in text
    assert "M00500" in text
    for amount in ("179.63", "129.63", "50.00"):
        assert amount in text
    assert printed.data.settlement_id == bill.groups[0].settlement_id
    assert printed.data.masked_id in text
    assert "*" in printed.data.masked_id


def test_a_second_print_is_a_copy_under_the_same_number(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    service = service_for(engine, tmp_path / "out")
    (first,) = service.issue_for_bill(bill.bill_id, cashier)

    (again,) = service.issue_for_bill(bill.bill_id, cashier)
    (copy,) = service.issue_for_bill(bill.bill_id, cashier, reprint=True)

    assert again.kind is copy.kind is ReceiptKind.COPY
    assert again.receipt_no == copy.receipt_no == first.receipt_no
    assert (again.data.copy_no, copy.data.copy_no) == (1, 2)
    assert "补打" in text_of(copy.pdf)
    issues = service.receipts_for(first.data.settlement_id)
    assert len(issues) == 1
    assert issues[0].copies == 2


def test_two_windows_sharing_a_day_never_hand_out_the_same_receipt_number(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    first_bill = engine.settle_visit(demo_bill("01"), cashier)
    second_bill = engine.settle_visit(demo_bill("13"), cashier)
    window_one = service_for(engine, tmp_path / "w1", window_no="W01")
    window_two = service_for(engine, tmp_path / "w2", window_no="W02")

    (one,) = window_one.issue_for_bill(first_bill.bill_id, cashier)
    (two,) = window_two.issue_for_bill(second_bill.bill_id, cashier)

    # Each window's database counts from 00001 each day; the window prefix keeps the numbers apart.
    assert one.receipt_no.startswith("W01-")
    assert two.receipt_no.startswith("W02-")
    assert one.receipt_no.removeprefix("W01-").isdigit()
    assert one.receipt_no in text_of(one.pdf)


def test_reissue_voids_the_old_number_and_needs_a_supervisor(
    engine: Engine, cashier: Operator, supervisor: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    service = service_for(engine, tmp_path / "out", layout="a5")
    (first,) = service.issue_for_bill(bill.bill_id, cashier)

    with pytest.raises(PermissionDenied):
        service.reissue(first.receipt_no, cashier, cashier)
    new = service.reissue(first.receipt_no, cashier, supervisor)

    assert new.kind is ReceiptKind.REISSUE
    assert new.receipt_no != first.receipt_no
    assert first.receipt_no in text_of(new.pdf)
    old, replacement = service.receipts_for(first.data.settlement_id)
    assert old.voided_by == new.receipt_no
    assert replacement.replaces == first.receipt_no
    with pytest.raises(InputError):
        service.copy(first.receipt_no, cashier)
    with pytest.raises(InputError):
        service.reissue(first.receipt_no, cashier, supervisor)
    assert service.copy(new.receipt_no, cashier).receipt_no == new.receipt_no


def test_each_group_gets_its_own_receipt_with_its_category(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("02"), cashier)
    printed = service_for(engine, tmp_path / "out").issue_for_bill(bill.bill_id, cashier)

    assert len(printed) == len(bill.groups) >= 2
    assert len({p.receipt_no for p in printed}) == len(printed)
    texts = [text_of(p.pdf) for p in printed]
    assert any("普通门诊" in text for text in texts)
    assert any("门诊慢特病" in text and "M03900" in text for text in texts)
    total = sum((p.data.totals.total for p in printed), Decimal(0))
    assert total == sum((g.total for g in bill.groups), Decimal(0))


def test_a_self_pay_collection_says_where_to_claim(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("05"), cashier)
    printed = service_for(engine, tmp_path / "out").issue_for_bill(bill.bill_id, cashier)
    self_pay = [p for p in printed if p.data.category.label == "全额自费"]
    assert self_pay
    text = text_of(self_pay[0].pdf)
    assert "全额自费" in text
    assert "医保经办机构按规定申请报销" in text
    assert self_pay[0].data.totals.cash == self_pay[0].data.totals.total


def test_a_printer_failure_keeps_the_number_and_the_money(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    broken = ReceiptService(
        engine.uow_factory,
        engine.clock,
        engine.settings.hospital,
        ReportlabReceiptRenderer(),
        BrokenPrinter(),
    )
    with pytest.raises(DeviceError):
        broken.issue_for_bill(bill.bill_id, cashier)

    (issue,) = broken.receipts_for(bill.groups[0].settlement_id)
    assert engine.bill(bill.bill_id).status == bill.status
    copy = service_for(engine, tmp_path / "out").copy(issue.receipt_no, cashier)
    assert copy.receipt_no == issue.receipt_no
    assert Path(copy.where).is_file()


def test_a_cancellation_gets_its_own_receipt_with_negative_amounts(
    engine: Engine, cashier: Operator, supervisor: Operator, tmp_path: Path
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    service = service_for(engine, tmp_path / "out")
    service.issue_for_bill(bill.bill_id, cashier)
    result = engine.cancel(
        bill.groups[0].settlement_id, cashier, SupervisorApproval("S001", SUPERVISOR_PASSWORD)
    )

    printed = service.issue(result.cancellation_id, cashier)

    assert printed.kind is ReceiptKind.CANCELLATION
    assert printed.data.totals.total == Decimal("-179.63")
    assert sum((line.amount for line in printed.data.lines), Decimal(0)) == Decimal("-179.63")
    assert all(line.in_scope <= 0 for line in printed.data.lines)
    text = text_of(printed.pdf)
    assert "冲销" in text
    assert bill.groups[0].settlement_id in text


def test_registration_staff_cannot_print_receipts(engine: Engine, tmp_path: Path) -> None:
    desk = Operator("R001", "导诊", Role.REGISTRATION)
    with pytest.raises(PermissionDenied):
        service_for(engine, tmp_path).issue("nothing", desk)


ALL_BILLS = sorted(path.name[:2] for path in DEMO_BILLS.glob("*.json"))


@pytest.mark.parametrize("prefix", ALL_BILLS)
def test_every_settled_group_of_every_demo_visit_prints_in_both_layouts(
    engine: Engine, cashier: Operator, tmp_path: Path, prefix: str
) -> None:
    bill = engine.settle_visit(demo_bill(prefix), cashier)
    assert all(g.state is not GroupState.FAILED for g in bill.groups), [
        (g.group_key, g.state, g.failure) for g in bill.groups
    ]  # says why, should a settlement fail (seen once under full-suite load: no settlement stored)
    printed = service_for(engine, tmp_path / "out").issue_for_bill(bill.bill_id, cashier)

    assert len(printed) == len(bill.groups)
    for receipt in printed:
        data = receipt.data
        assert data.totals.fund + data.totals.account + data.totals.cash + data.totals.hospital == (
            data.totals.total
        )
        for layout in ("thermal80", "a4"):
            text = text_of(ReportlabReceiptRenderer(layout).render(data))
            assert data.category.label in text
            assert f"{data.totals.total:,.2f}" in text
            assert data.masked_id in text
            name = data.patient_name
            assert name in text or "〔U+" in text


def test_the_registration_desk_slip_comes_from_a_live_identification(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    desk = Operator("R001", "导诊", Role.REGISTRATION)
    visit = demo_bill("04")
    view = engine.identify(visit.identity, cashier)

    pdf = service_for(engine, tmp_path).eligibility_slip_pdf(view, desk)

    text = text_of(pdf)
    assert "资格查询单" in text
    assert view.masked_id in text
    assert view.person.id_number not in text
    for qualification in view.qualifications:
        assert qualification.code in text
    assert ("本院可直接结算" in text) == any(q.settleable for q in view.qualifications)
