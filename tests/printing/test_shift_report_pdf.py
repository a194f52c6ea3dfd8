"""The shift report as PDF (issue 18 part 2): its text read back with pypdf, the bundled font embedded,
A4 and the 80 mm roll, signature lines, the reprint mark, and a rasterised picture (pdftoppm)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, make_engine, sandbox_settings
from helpers.shift_fixtures import a_day_with_everything, shift_service
from pypdf import PdfReader
from reportlab.lib.units import mm

from app.config import Settings
from app.domain.amount_words import yuan_in_words
from app.domain.money import format_yuan, from_fen
from app.domain.operator import Operator
from app.domain.receipt import FeeCategory
from app.domain.shift_report import (
    Amounts,
    CategoryKey,
    EntryKind,
    Reconciliation,
    ReconciliationState,
    ShiftRecord,
    ShiftReport,
    ShiftScope,
    ShiftSheet,
    build_shift_report,
)
from app.printing.fonts import FONT_NAME
from app.printing.shift_report_pdf import ShiftReportPdf
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.shift_report import RenderedShiftReport

LAYOUTS = ("a4", "thermal80")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return text.replace("\n", "").replace(" ", "")


@pytest.fixture(scope="module")
def closed_day_folder(
    sandbox_server: SandboxServer, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A data folder holding a reconciled day with every kind of record. Built once for the module
    (a dozen settlements, a reversal after a lost answer, the day close): each test opens its own
    copy, so every test still prints its report for the first time."""
    sandbox_server.reset()
    folder = tmp_path_factory.mktemp("closed-day") / "data"
    built = make_engine(sandbox_settings(sandbox_server), folder)
    try:
        cashier, supervisor = add_operators(built)
        a_day_with_everything(built, cashier, supervisor, sandbox_server)
        built.close_day(built.day_close.today(), supervisor)
    finally:
        built.close()
    return folder


@pytest.fixture
def engine(closed_day_folder: Path, engine_settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    """An engine on this test's copy of the closed day."""
    shutil.copytree(closed_day_folder, tmp_path / "data")
    built = make_engine(engine_settings, tmp_path / "data")
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def closed_day(engine: Engine, cashier: Operator) -> ShiftReport:
    """The cashier's report of a reconciled day with every kind of record."""
    service = shift_service(engine)
    return service.report(service.scope(cashier, day=service.today()))


def _render(engine: Engine, report: ShiftReport, who: Operator, layout: str) -> RenderedShiftReport:
    return shift_service(engine).render(report, who, ShiftReportPdf(layout))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_report_says_every_figure_a_finance_office_checks(
    engine: Engine, cashier: Operator, closed_day: ShiftReport, layout: str
) -> None:
    printed = _render(engine, closed_day, cashier, layout)
    text = pdf_text(printed.pdf)
    flat = _flat(text)

    assert "收费员日结单（交班表）" in flat
    assert engine.settings.hospital.name in flat
    assert "C001收费员甲" in flat
    assert printed.sheet.report_no in flat
    for kind, tally in closed_day.by_kind:
        assert kind.label in flat
        assert format_yuan(tally.amounts.total) in flat
    for category, _ in closed_day.by_category:
        assert _flat(category.label) in flat
    total = closed_day.total.amounts
    for amount in (total.total, total.fund, total.account, total.cash):
        assert format_yuan(amount) in flat
    assert "应缴现金" in flat
    assert yuan_in_words(total.cash) in flat
    assert "基金+个人账户+现金=合计，相符" in flat
    for number_range in closed_day.receipts.ranges:
        assert _flat(number_range.text) in flat
    voided, replaced_by = closed_day.receipts.voided[0]
    assert f"作废：{voided}（重打为{replaced_by}）" in flat
    assert closed_day.reversals[0].msgid in flat
    assert format_yuan(closed_day.reversed_amount) in flat
    assert "已日结，对账平衡" in flat
    assert "收费员签字：" in flat
    assert "财务科收款人签字：" in flat
    assert "补打第" not in flat  # a first print


@pytest.mark.parametrize("layout", LAYOUTS)
def test_only_the_bundled_font_is_used_and_embedded(
    engine: Engine, cashier: Operator, closed_day: ShiftReport, layout: str
) -> None:
    reader = PdfReader(io.BytesIO(_render(engine, closed_day, cashier, layout).pdf))
    fonts = set()
    for page in reader.pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            font = ref.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            fonts.add((str(font["/BaseFont"]), "/FontFile2" in descriptor))
    assert fonts
    assert all(FONT_NAME in name and embedded for name, embedded in fonts)


def test_the_roll_is_80_mm_wide_one_page_and_a4_is_a4(
    engine: Engine, cashier: Operator, closed_day: ShiftReport
) -> None:
    roll = PdfReader(io.BytesIO(_render(engine, closed_day, cashier, "thermal80").pdf))
    sheet = PdfReader(io.BytesIO(_render(engine, closed_day, cashier, "a4").pdf))

    assert len(roll.pages) == 1
    assert float(roll.pages[0].mediabox.width) == pytest.approx(80 * mm)
    assert float(sheet.pages[0].mediabox.width) == pytest.approx(210 * mm, abs=0.5)
    assert float(sheet.pages[0].mediabox.height) == pytest.approx(297 * mm, abs=0.5)


def test_a_reprint_is_marked_on_the_paper(
    engine: Engine, cashier: Operator, closed_day: ShiftReport
) -> None:
    _render(engine, closed_day, cashier, "a4")
    again = _render(engine, closed_day, cashier, "a4")

    assert "补打第2次打印" in _flat(pdf_text(again.pdf))


def test_a_supervisors_report_of_several_windows_lists_each_cashier() -> None:
    start = datetime(2026, 12, 7, tzinfo=UTC)
    scope = ShiftScope(date(2026, 12, 7), start, start + timedelta(days=1))
    records = [
        ShiftRecord(
            f"ZF{window}{code}",
            EntryKind.SELF_PAY,
            CategoryKey(FeeCategory.SELF_PAY),
            code,
            window,
            start + timedelta(hours=2),
            Amounts(total=from_fen(fen), cash=from_fen(fen)),
        )
        for window, code, fen in (("W01", "C001", 12345), ("W02", "C002", 20000))
    ]
    report = build_shift_report(
        scope, records, (), (), Reconciliation(scope.day, ReconciliationState.NOT_CLOSED)
    )
    sheet = ShiftSheet(
        "测试医院", "H11010500001", "JB-ALL", start, "S001 主管乙", (("C001", "甲"),)
    )

    for layout in LAYOUTS:
        flat = _flat(pdf_text(ShiftReportPdf(layout).render(report, sheet)))
        assert "七、分窗口、分收费员小计" in flat
        assert "W01C001甲" in flat
        assert "W02C002" in flat
        assert "323.45" in flat
        assert "尚未日结对账" in flat


def test_the_report_rasterises_to_a_picture(
    engine: Engine, cashier: Operator, closed_day: ShiftReport, tmp_path: Path
) -> None:
    """Rendered by an independent rasteriser (poppler); the picture is what docs/shift-report shows."""
    pdf = tmp_path / "shift.pdf"
    pdf.write_bytes(_render(engine, closed_day, cashier, "thermal80").pdf)

    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True)

    pictures = sorted(tmp_path.glob("page*.png"))
    assert len(pictures) == 1
    assert pictures[0].stat().st_size > 5_000


def test_an_unknown_layout_is_refused() -> None:
    with pytest.raises(ValueError, match="a5"):
        ShiftReportPdf("a5")
