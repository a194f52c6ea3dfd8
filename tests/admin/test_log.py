"""Log redaction (reliability.md §4.8, goal S8): canary secrets and personal data never reach a log
file or a crash report, whether logged as arguments, inside messages, or in tracebacks."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import LogSettings
from app.log import LoggingHandle, redact, setup_logging, write_crash_report

# Canaries: fictional values with the shapes the redaction must catch.
ID_NUMBER = "11010519491231002X"
CARD_NO = "X98765432"
CARD_SN = "110105D15600000577AB8C9D0E1F2A3B"
EC_TOKEN = "110000ecCANARY7788aa99bb"
TOKEN = "canary-paas-token-5b1f"
PASSWORD = "Canary-Passw0rd!"
NAME = "金丝雀"
CANARIES = (ID_NUMBER, CARD_NO, CARD_SN, EC_TOKEN, TOKEN, PASSWORD, NAME)

log = logging.getLogger("tests.admin.canary")


def first3_last4(value: str) -> str:
    """The masking rule of reliability.md §4.3 for values of 12 characters or more."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


@pytest.fixture
def logging_to(tmp_path: Path) -> Iterator[LoggingHandle]:
    handle = setup_logging(tmp_path, LogSettings(level="DEBUG"))
    try:
        yield handle
    finally:
        handle.close()


def _log_text(handle: LoggingHandle) -> str:
    handle.file_handler.flush()
    return handle.log_file.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"certno={ID_NUMBER}", "certno=******"),
        (f'{{"psn_name": "{NAME}", "x": 1}}', '{"psn_name": "******", "x": 1}'),
        (f"{{'certno': '{ID_NUMBER}'}}", "{'certno': '******'}"),
        (f"token: {TOKEN}", "token: ******"),
        (f"x-tif-signature={TOKEN}&n=1", "x-tif-signature=******&n=1"),
        (f"身份证{ID_NUMBER}号", f"身份证{first3_last4(ID_NUMBER)}号"),
        (f"卡号 {CARD_NO} 读卡成功", "卡号 X*******2 读卡成功"),
        (f"sn {CARD_SN}", f"sn {first3_last4(CARD_SN)}"),
        (f"voucher {EC_TOKEN}.", f"voucher {first3_last4(EC_TOKEN)}."),
        ("msgid H11010500001202611231200000001 ok", "msgid H11010500001202611231200000001 ok"),
        ("合计 179.63 基金 129.63", "合计 179.63 基金 129.63"),
    ],
)
def test_redact_masks_by_field_name_and_by_pattern(text: str, kept: str) -> None:
    assert redact(text) == kept


def test_canaries_never_reach_the_log_file(logging_to: LoggingHandle) -> None:
    log.info("read card %s sn=%s for %s", CARD_NO, CARD_SN, ID_NUMBER)
    log.debug("request headers %s", {"x-tif-paasid": "p", "x-tif-signature": TOKEN})
    log.warning("login failed password=%s", PASSWORD)
    log.info("1101 input %s", {"psn_name": NAME, "mdtrt_cert_no": EC_TOKEN})
    log.info("voucher %s", EC_TOKEN)
    text = _log_text(logging_to)
    assert "read card" in text
    assert "login failed" in text
    for canary in CANARIES:
        assert canary not in text


def test_tracebacks_in_the_log_are_redacted(logging_to: LoggingHandle) -> None:
    try:
        raise ValueError(f"bad certno {ID_NUMBER} with token={TOKEN}")
    except ValueError:
        log.exception("settlement failed")
    text = _log_text(logging_to)
    assert "ValueError" in text
    assert "settlement failed" in text
    assert ID_NUMBER not in text
    assert TOKEN not in text


def test_redaction_also_covers_handlers_present_before_set_up(tmp_path: Path) -> None:
    early = tmp_path / "early.log"
    handler = logging.FileHandler(early, encoding="utf-8")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        handle = setup_logging(tmp_path / "data")
        try:
            log.warning("id %s", ID_NUMBER)
        finally:
            handle.close()
    finally:
        root.removeHandler(handler)
        handler.close()
    text = early.read_text(encoding="utf-8")
    assert "id 110" in text
    assert ID_NUMBER not in text


def test_handlers_added_later_are_protected_on_request(
    logging_to: LoggingHandle, tmp_path: Path
) -> None:
    late = tmp_path / "late.log"
    handler = logging_to.protect(logging.FileHandler(late, encoding="utf-8"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        log.warning("card %s", CARD_NO)
    finally:
        root.removeHandler(handler)
        handler.close()
    text = late.read_text(encoding="utf-8")
    assert "card X" in text
    assert CARD_NO not in text


def test_closing_restores_the_root_level(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = root.level
    handle = setup_logging(tmp_path, LogSettings(level="DEBUG"))
    assert root.level == logging.DEBUG
    handle.close()
    assert root.level == before


def test_log_file_rotates_in_the_data_folder(tmp_path: Path) -> None:
    handle = setup_logging(tmp_path, LogSettings(max_bytes=100_000, backup_count=2))
    try:
        for number in range(3000):
            log.warning("line %05d %s", number, "x" * 60)
    finally:
        handle.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["settlement-window.log", "settlement-window.log.1", "settlement-window.log.2"]


def test_crash_report_is_scrubbed_the_same_way(tmp_path: Path) -> None:
    def settle(person: str) -> None:
        raise RuntimeError(f"unexpected state for {person} card {CARD_NO} password={PASSWORD}")

    try:
        settle(ID_NUMBER)
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None
        assert exc is not None
        path = write_crash_report(tmp_path, exc_type, exc, tb)
    text = path.read_text(encoding="utf-8")
    assert path.parent == tmp_path / "crash"
    assert "RuntimeError" in text
    assert "settle" in text
    for canary in (ID_NUMBER, CARD_NO, PASSWORD):
        assert canary not in text
