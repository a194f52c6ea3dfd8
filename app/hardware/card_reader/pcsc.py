"""PC/SC (pyscard) for card *presence*: wait until a card is in the reader.

PC/SC alone cannot read the protected social-security fields (interface.md Part B §7.1): it tells us
that a card is present (and its ATR), so the UI can say "card inserted" and then call the vendor library.
pyscard is optional; without it, a clear DeviceError says what to install.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Any

from app.errors import DeviceError
from app.hardware.threads import DeviceThread
from app.services.ports.devices import DeviceHandler

log = logging.getLogger(__name__)


def _pyscard() -> tuple[ModuleType, ModuleType]:
    try:
        return (
            importlib.import_module("smartcard.CardRequest"),
            importlib.import_module("smartcard.Exceptions"),
        )
    except ImportError:
        raise DeviceError(
            "未安装 PC/SC 读卡组件（pyscard）。请联系信息科安装，或将 card_reader.kind 改为 vendor。",
            code="pcsc_missing",
        ) from None


class PcscCardPresence:
    """Waits for a card in any PC/SC reader and returns its ATR as hex."""

    def __init__(self, handler: DeviceHandler) -> None:
        self._handler = handler
        self._thread = DeviceThread("pcsc")

    def wait_for_card(self, timeout_s: float) -> str:
        """Block (on the PC/SC thread) until a card is present; returns its ATR in hex.

        Raises:
            DeviceError: pyscard is missing, no reader is connected, or no card came in time.
        """
        self._handler.show_message("请插入或放置社保卡……")
        try:
            return self._thread.call(self._wait, timeout_s)
        finally:
            self._handler.finished()

    def _wait(self, timeout_s: float) -> str:
        self._thread.assert_on_thread()
        card_request, exceptions = _pyscard()
        try:
            request: Any = card_request.CardRequest(timeout=timeout_s, newcardonly=False)
            service = request.waitforcard()
            service.connection.connect()
            try:
                atr = service.connection.getATR()
            finally:
                service.connection.disconnect()
        except exceptions.CardRequestTimeoutException:
            raise DeviceError("没有检测到社保卡。请插入卡后重试。", code="pcsc_timeout") from None
        except Exception as exc:
            log.warning("PC/SC failed: %s", type(exc).__name__)
            raise DeviceError(
                "读卡器无法使用（未连接或驱动异常）。请检查读卡器连接。", code="pcsc_failed"
            ) from None
        return "".join(f"{byte:02X}" for byte in atr)

    def close(self) -> None:
        """Stop the PC/SC thread."""
        self._thread.shutdown()
