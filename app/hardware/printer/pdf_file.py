"""Saving receipts as PDF files (printer kind ``pdf``): the demo's printer, and an archive."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from app.domain.receipt import CHINA_TZ, ReceiptData
from app.errors import DeviceError

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^0-9A-Za-z_-]+")


def receipt_file_name(receipt: ReceiptData) -> str:
    """``<receipt no>_<kind>[_<copy>].pdf`` — no personal data in file names."""
    stem = _UNSAFE.sub("-", receipt.receipt_no).strip("-") or "receipt"
    suffix = f"_{receipt.copy_no}" if receipt.copy_no else ""
    day = receipt.printed_at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    return f"{day}_{stem}_{receipt.kind.value}{suffix}.pdf"


class PdfFilePrinter:
    """Writes each receipt's PDF into a folder, atomically (a half-written file is never left)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def print_receipt(self, receipt: ReceiptData, pdf: bytes) -> str:
        """Save the PDF; returns its path.

        Raises:
            DeviceError: the folder cannot be written (disk full, permissions).
        """
        target = self.folder / receipt_file_name(receipt)
        temporary = target.with_suffix(".part")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as handle:
                handle.write(pdf)
                handle.flush()
                os.fsync(handle.fileno())
            temporary.replace(target)
        except OSError as exc:
            log.warning("saving receipt %s failed: %s", receipt.receipt_no, exc.strerror)
            raise DeviceError(
                f"票据无法保存到 {self.folder}（{exc.strerror or '写入失败'}）。请检查磁盘空间和文件夹权限；收费结果不受影响，可稍后补打。",
                code="pdf_save",
            ) from None
        log.info("receipt %s saved as %s", receipt.receipt_no, target.name)
        return str(target)
