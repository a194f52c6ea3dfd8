"""Shared pytest fixtures and builders for the device and receipt tests (owned by RECEIPTS+DEVICES)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from stdnum.cn import ric

from app.domain.receipt import ReceiptData
from app.printing import samples

READER_RESET_INFO = "00814E43238697159900BF7C7A"


def valid_id_number(region: str = "632123", birth: str = "19700315", seq: int = 105) -> str:
    """An 18-character ID number with a correct ISO 7064 MOD 11-2 check character."""
    body = f"{region}{birth}{seq:03d}"
    # stdnum's calc_check_digit expects the number *with* a placeholder check character.
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class CardFields:
    """The eleven fields of the card library's string, with sensible defaults."""

    region: str = "630100"
    id_number: str = ""
    card_number: str = "X00000019"
    card_sn: str = "630100D15600000500BF7C7A48FB4966"
    name: str = "马秀兰"
    reset_info: str = READER_RESET_INFO
    version: str = "3.00"
    issue_date: str = "20180601"
    expiry_date: str = "20380601"
    terminal_no: str = "000000000000"
    device_no: str = "TEST-READER-01"

    def text(self) -> str:
        """The ``|``-joined card string."""
        number = self.id_number or valid_id_number()
        return "|".join(
            (
                self.region, number, self.card_number, self.card_sn, self.name, self.reset_info,
                self.version, self.issue_date, self.expiry_date, self.terminal_no, self.device_no,
            )
        )  # fmt: skip


@pytest.fixture
def card_fields() -> CardFields:
    """A valid card's fields (fictional person)."""
    return CardFields()


def sample_receipt(
    *,
    lines: int = 3,
    name: str = "马秀兰",
    id_number: str = "",
    category: str = "chronic",
    kind: str = "original",
) -> ReceiptData:
    """A receipt like the seeds' Qinghai case (see :func:`app.printing.samples.sample_receipt`)."""
    return samples.sample_receipt(
        lines=lines,
        name=name,
        id_number=id_number or valid_id_number(),
        category=category,
        kind=kind,
    )


@pytest.fixture
def receipt() -> ReceiptData:
    """The seeds' Qinghai case receipt (179.63 → fund 129.63 / cash 50.00)."""
    return sample_receipt(lines=1)


class RecordingHandler:
    """A DeviceHandler that records what the device asked of the operator (the UI's stand-in)."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()

    def show_message(self, text: str) -> None:
        """Record an instruction."""
        with self._lock:
            self.events.append(f"message:{text}")

    def finished(self) -> None:
        """Record that the instruction was taken down."""
        with self._lock:
            self.events.append("finished")

    def show_error(self, text: str) -> None:
        """Record an error shown to the operator."""
        with self._lock:
            self.events.append(f"error:{text}")
