"""Receipt PDFs: the text a patient reads, embedded fonts, layouts, and rare characters."""

from __future__ import annotations

import ctypes
import io
import os
from dataclasses import replace
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import qrcode
from helpers.device_fixtures import sample_receipt, valid_id_number
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.domain.masking import mask_number
from app.domain.receipt import EligibilitySlip, ReceiptData, SlipQualification
from app.printing.fonts import FONT_NAME, covers, printable
from app.printing.receipt_pdf import LAYOUTS, ReportlabReceiptRenderer, qr_matrix

ALL_LAYOUTS = sorted(LAYOUTS)
# S2 renders real PDFs (~30 ms each): 25 in CI, PDF_MASK_EXAMPLES=10000 for the nightly campaign.
PDF_MASK_EXAMPLES = int(os.environ.get("PDF_MASK_EXAMPLES", "25"))


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def embedded_fonts(pdf: bytes) -> set[tuple[str, bool]]:
    """(base font name, has an embedded font file) for every font the pages use."""
    reader = PdfReader(io.BytesIO(pdf))
    found: set[tuple[str, bool]] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.add((str(font["/BaseFont"]), embedded))
    return found


@pytest.mark.parametrize("layout", ALL_LAYOUTS)
def test_the_qinghai_case_shows_category_masked_id_and_amounts(
    layout: str, receipt: ReceiptData
) -> None:
    text = pdf_text(ReportlabReceiptRenderer(layout).render(receipt))

    assert "门诊慢特病" in text
    assert "恶性肿瘤门诊治疗" in text
    assert "M00500" in text
    assert receipt.masked_id in text
    assert valid_id_number() not in text
    for amount in ("179.63", "129.63", "50.00"):
        assert amount in text
    assert receipt.settlement_id in text
    assert receipt.receipt_no in text
    assert "马秀兰" in text
    assert "壹佰柒拾玖元陆角叁分" in text.replace("\n", "")


@pytest.mark.parametrize("layout", ALL_LAYOUTS)
def test_only_the_bundled_font_is_used_and_it_is_embedded_as_a_subset(
    layout: str, receipt: ReceiptData
) -> None:
    fonts = embedded_fonts(ReportlabReceiptRenderer(layout).render(receipt))
    assert fonts, "the receipt uses at least one font"
    for name, embedded in fonts:
        assert FONT_NAME in name
        assert embedded
        assert name.lstrip("/")[6] == "+", "subset fonts carry a six-letter tag"


def pdfium_text_fonts(pdf: bytes) -> set[tuple[str, bool]]:
    """(base font name, embedded) for every text object, as PDFium (Chrome's PDF engine) sees it.

    An independent reader from pypdf above: pypdf reads the dictionaries we wrote, PDFium loads the
    fonts the way a viewer on the cashier's PC would.
    """
    document = pdfium.PdfDocument(pdf)
    found: set[tuple[str, bool]] = set()
    try:
        for page in document:
            for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
                font = pdfium_c.FPDFTextObj_GetFont(item.raw)
                size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
                buffer = ctypes.create_string_buffer(size)
                pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
                name = buffer.value.decode("ascii")
                found.add((name, bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    finally:
        document.close()
    return found


@pytest.mark.parametrize("layout", ALL_LAYOUTS)
def test_pdfium_agrees_that_the_font_is_embedded(layout: str, receipt: ReceiptData) -> None:
    fonts = pdfium_text_fonts(ReportlabReceiptRenderer(layout).render(receipt))
    assert fonts, "PDFium sees the receipt's text"
    for name, embedded in fonts:
        assert FONT_NAME in name, name
        assert embedded, name


@pytest.mark.parametrize("layout", ALL_LAYOUTS)
def test_self_pay_receipts_say_where_to_claim_and_why(layout: str) -> None:
    text = pdf_text(ReportlabReceiptRenderer(layout).render(sample_receipt(category="self_pay")))
    flat = text.replace("\n", "")
    assert "全额自费" in flat
    assert "回青海省医保经办机构" in flat
    assert "本院未开通该病种的跨省直接结算" in flat


def test_general_outpatient_is_labelled() -> None:
    text = pdf_text(ReportlabReceiptRenderer("a4").render(sample_receipt(category="general")))
    assert "普通门诊" in text
    assert "门诊慢特病" not in text


def test_copy_and_reissue_are_marked_on_paper() -> None:
    renderer = ReportlabReceiptRenderer("thermal80")
    copy = pdf_text(renderer.render(sample_receipt(kind="copy"))).replace("\n", "")
    reissue = pdf_text(renderer.render(sample_receipt(kind="reissue"))).replace("\n", "")
    assert "补打" in copy
    assert "票据号不变" in copy
    assert "重打" in reissue
    assert "20261123-000000" in reissue
    assert "已作废" in reissue


def test_a_rare_character_the_font_lacks_is_marked_not_dropped() -> None:
    assert covers("龘")
    assert not covers("𠈌")
    text = pdf_text(ReportlabReceiptRenderer("a5").render(sample_receipt(name="林𠈌")))
    assert "林〔U+2020C〕" in text
    assert "生僻字" in text
    text = pdf_text(ReportlabReceiptRenderer("a5").render(sample_receipt(name="赵龘")))
    assert "赵龘" in text
    assert "生僻字" not in text


def test_sixty_lines_flow_onto_a_second_sheet_with_the_header_repeated() -> None:
    pdf = ReportlabReceiptRenderer("a5").render(sample_receipt(lines=60))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    second = reader.pages[1].extract_text()
    assert "项目名称" in second
    assert f"共 {len(reader.pages)} 页" in second


def test_the_roll_is_as_long_as_its_content() -> None:
    short = PdfReader(io.BytesIO(ReportlabReceiptRenderer("thermal80").render(sample_receipt())))
    long = PdfReader(
        io.BytesIO(ReportlabReceiptRenderer("thermal80").render(sample_receipt(lines=60)))
    )
    assert len(short.pages) == len(long.pages) == 1
    assert float(long.pages[0].mediabox.height) > 4 * float(short.pages[0].mediabox.height)
    assert float(short.pages[0].mediabox.width) == pytest.approx(80 / 25.4 * 72)


@settings(max_examples=PDF_MASK_EXAMPLES, deadline=None)
@given(st.integers(1, 999))
def test_no_receipt_ever_contains_the_full_id_number(sequence: int) -> None:
    number = valid_id_number("110101", "19850412", sequence)
    receipt = sample_receipt(id_number=number)
    text = pdf_text(ReportlabReceiptRenderer("thermal80").render(receipt))
    assert number not in text
    assert mask_number(number) in text


def test_printable_turns_control_characters_into_spaces() -> None:
    assert printable("a\x00b\nc").text == "a b c"


def test_the_eligibility_slip_lists_what_can_be_settled_here() -> None:
    slip = EligibilitySlip(
        hospital_name="演示肿瘤医院（虚构）",
        patient_name="马秀兰",
        masked_id=mask_number(valid_id_number()),
        insured_place="青海省",
        insurance_type="城乡居民基本医疗保险",
        registration_text="已备案（以挂号时平台答复为准）",
        qualifications=(
            SlipQualification(
                "M00500",
                "恶性肿瘤门诊治疗",
                date(2025, 3, 1),
                date(2027, 2, 28),
                settleable_here=True,
                note="",
            ),
            SlipQualification(
                "M03900",
                "高血压",
                date(2024, 1, 1),
                None,
                settleable_here=False,
                note="本院未开通该病种",
            ),
        ),
        checked_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        operator="导诊01",
    )
    text = pdf_text(ReportlabReceiptRenderer("thermal80").render_slip(slip)).replace("\n", "")
    assert "恶性肿瘤门诊治疗（M00500）" in text
    assert "本院可直接结算" in text
    assert "本院不能直接结算：本院未开通该病种" in text
    assert "不作收费凭据" in text
    assert valid_id_number() not in text


def test_receipt_data_refuses_an_unmasked_id_number(receipt: ReceiptData) -> None:
    with pytest.raises(ValueError, match="masked"):
        replace(receipt, masked_id=valid_id_number())


@pytest.mark.parametrize("value", ["SETL2026112300000001", "ZF2026112300010001", "4419" + "0" * 26])
def test_the_qr_code_matches_an_independent_encoder(value: str) -> None:
    """Same modules as the `qrcode` library for one of the eight masks: the data is encoded right."""
    ours = qr_matrix(value)
    matches = []
    for mask in range(8):
        other = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M, border=0, mask_pattern=mask
        )
        other.add_data(value)
        other.make(fit=True)
        matches.append(other.get_matrix() == ours)
    assert any(matches)


_CJK_NAMES = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK unified ideographs
        st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # extension A
        st.characters(min_codepoint=0x20000, max_codepoint=0x2A6DF),  # extension B
    ),
    min_size=2,
    max_size=4,
)


@settings(max_examples=30, deadline=None)
@given(_CJK_NAMES)
def test_no_character_of_a_name_vanishes(name: str) -> None:
    text = pdf_text(ReportlabReceiptRenderer("thermal80").render(sample_receipt(name=name)))
    for char in name:
        assert char in text or f"〔U+{ord(char):04X}〕" in text
