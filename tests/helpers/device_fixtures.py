"""Shared pytest fixtures and builders for the device and receipt tests (owned by RECEIPTS+DEVICES)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from stdnum.cn import ric

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
