"""Devices as the services and the UI see them (style.md §3.7).

One small, blocking, typed ``Protocol`` per device kind. Every adapter drives its physical device from
one thread of its own (``app.hardware.threads``), so a caller on another thread submits work and waits
on a future; the GUI thread never blocks on a device. When a device needs the operator ("insert the
card", "remove the card") the adapter calls a :class:`DeviceHandler`, which ``app.ui`` implements with
signals and queued slots, the way Electrum's ``HardwareHandlerBase`` is implemented by ``QtHandlerBase``.

Failures are :class:`app.errors.DeviceError` with plain Chinese text that says what to check; a garbled
read is an :class:`app.errors.InputError`. Neither ever changes money or stored data.
"""

from __future__ import annotations

from typing import Protocol

from app.domain.receipt import EligibilitySlip, ReceiptData


class DeviceHandler(Protocol):
    """What a device may ask of the operator. Implemented by the UI; called from device threads."""

    def show_message(self, text: str) -> None:
        """Show a short instruction (e.g. 请插入社保卡) until :meth:`finished` is called."""
        ...

    def finished(self) -> None:
        """The device no longer needs the operator; hide the instruction."""
        ...

    def show_error(self, text: str) -> None:
        """Tell the operator that the device failed and what to check."""
        ...


class CardReader(Protocol):
    """A social-security card reader.

    ``read_card`` blocks until a card was read or the reader gave up, and returns the card library's raw
    ``|``-separated string (interface.md Part A §12), which :func:`app.validation.card.parse_card_string`
    turns into a typed card. It runs on the reader's own thread.
    """

    def read_card(self) -> str:
        """Read the inserted card.

        Raises:
            DeviceError: the reader is missing, no card was found, or the library failed.
        """
        ...

    def close(self) -> None:
        """Release the reader and its thread."""
        ...


class VoucherScanner(Protocol):
    """A scanner on its own channel (serial/HID), delivering whole e-voucher codes.

    Keyboard-wedge scanners do not use this port: their bursts are picked out of the key events by
    ``app.ui.scanner_filter`` with the pure recogniser in :mod:`app.domain.scanner`.
    """

    def read_code(self, timeout_s: float) -> str | None:
        """The next scanned code, or ``None`` when nothing was scanned within ``timeout_s``.

        Raises:
            DeviceError: the scanner port is missing or failing.
        """
        ...

    def close(self) -> None:
        """Release the port and its thread."""
        ...


class ReceiptRenderer(Protocol):
    """Turns receipt data into a printable document (PDF bytes)."""

    def render(self, receipt: ReceiptData) -> bytes:
        """A PDF of one receipt, fonts embedded."""
        ...

    def render_slip(self, slip: EligibilitySlip) -> bytes:
        """A PDF of the registration desk's eligibility slip."""
        ...


class ReceiptPrinter(Protocol):
    """Where a receipt goes: a PDF file, the system printer, or an ESC/POS thermal printer.

    Printing never touches money: if it fails, the receipt can be printed again from the stored
    settlement.
    """

    def print_receipt(self, receipt: ReceiptData, pdf: bytes) -> str:
        """Print one receipt; ``pdf`` is the rendered document for printers that take PDF.

        Returns:
            A short description of where it went (a file path or the printer's name), for the log.

        Raises:
            DeviceError: the printer is missing or failed; nothing else has changed.
        """
        ...
