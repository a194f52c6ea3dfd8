"""The barcode scanner and e-voucher codes (``domain/scanner.py``)."""

from __future__ import annotations

from app.messages import Template

GARBLED_SCAN = Template(
    "scanner.garbled",
    zh="扫码不完整或扫码枪设置有误（没有收到结束符），请重新扫码。",
    en="The scan was incomplete or the scanner is set up wrongly (no terminator came); scan again.",
)
VOUCHER_EMPTY = Template(
    "scanner.voucher_empty",
    zh="没有扫到内容，请让患者出示医保电子凭证二维码后重新扫码。",
    en="Nothing was scanned; ask the patient to show the e-voucher QR code and scan again.",
)
VOUCHER_NOT_DIGITS = Template(
    "scanner.voucher_not_digits",
    zh="扫到的不是医保电子凭证二维码（含有非数字字符），可能扫到了其他二维码或扫码不完整。"
    "请让患者打开医保电子凭证后重新扫码。",
    en="That is not an e-voucher QR code (it has characters other than digits): another QR code, "
    "or an incomplete scan. Ask the patient to open the e-voucher and scan again.",
)
VOUCHER_LENGTH = Template(
    "scanner.voucher_length",
    zh="医保电子凭证码应为 {expected} 位数字，这次扫到 {scanned} 位。请让患者刷新二维码后重新扫码。",
    en="An e-voucher code has {expected} digits; this scan had {scanned}. Ask the patient to "
    "refresh the QR code and scan again.",
)
