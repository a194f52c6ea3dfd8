"""The vendor card library (e.g. ``SSCardDriver.dll`` / a ``.so``) loaded with ctypes.

The MOHRSS card-terminal interface is ``int iReadCardBas(int iType, char* pOutInfo)``: it fills the
caller's buffer with the ``|``-separated card string (GBK/GB18030) and returns 0 on success; anything
else is an error code (often with a message written into the buffer). The library path and function
name are configured (``card_reader.library``, ``card_reader.function``), because vendors and provinces
rename both (interface.md Part B §7.1).

The library is used only from the reader's own thread; the handler asks the operator to insert the
card while the (blocking) read runs, and to remove it afterwards.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Any

from app.errors import DeviceError
from app.hardware.threads import DeviceThread
from app.services.ports.devices import DeviceHandler
from app.validation.card import CardDataError, decode_card_bytes

log = logging.getLogger(__name__)

BUFFER_SIZE = 4096  # card strings are ~200 bytes; vendors write messages too — generous and fixed
AUTO_SEARCH = 3  # iType 3: contact, then contactless (every sample uses it)


def _library_error(text: str, code: str) -> DeviceError:
    return DeviceError(text + "请检查读卡器连接和驱动，或改用医保电子凭证/身份证。", code=code)


class VendorCardReader:
    """``CardReader`` over a vendor library's ``iReadCardBas``-style function."""

    def __init__(
        self,
        library: str,
        function: str = "iReadCardBas",
        *,
        handler: DeviceHandler,
        card_type: int = AUTO_SEARCH,
    ) -> None:
        self._library_path = library
        self._function_name = function
        self._handler = handler
        self._card_type = card_type
        self._thread = DeviceThread("card-reader")
        self._function: Any = None

    def read_card(self) -> str:
        """Ask for the card, call the library on the reader thread, return the card string.

        Raises:
            DeviceError: the library cannot be loaded, has no such function, or reported an error.
        """
        self._handler.show_message("请插入或放置社保卡……")
        try:
            text = self._thread.call(self._read)
        except DeviceError as exc:
            self._handler.show_error(exc.text)
            raise
        finally:
            self._handler.finished()
        return text

    def _load(self) -> Any:
        self._thread.assert_on_thread()
        if self._function is not None:
            return self._function
        if not self._library_path or not Path(self._library_path).exists():
            raise _library_error(
                f"找不到读卡库文件“{self._library_path or '（未配置）'}”（card_reader.library）。",
                "reader_library_missing",
            )
        try:
            library = ctypes.CDLL(self._library_path)
        except OSError:
            raise _library_error(
                "读卡库无法加载（可能与本程序的 32/64 位不匹配或缺少依赖）。", "reader_library_load"
            ) from None
        try:
            function = getattr(library, self._function_name)
        except AttributeError:
            raise _library_error(
                f"读卡库中没有函数“{self._function_name}”（card_reader.function）。",
                "reader_function_missing",
            ) from None
        function.argtypes = [ctypes.c_int, ctypes.c_char_p]
        function.restype = ctypes.c_int
        self._function = function
        return function

    def _read(self) -> str:
        self._thread.assert_on_thread()
        function = self._load()
        buffer = ctypes.create_string_buffer(BUFFER_SIZE)
        result = int(function(self._card_type, buffer))
        raw = buffer.raw
        if result != 0:
            log.warning("card library returned %d", result)
            raise _library_error(
                f"读卡失败（读卡器返回代码 {result}）：请确认卡已插好、芯片朝向正确。",
                "reader_failed",
            )
        try:
            return decode_card_bytes(raw)
        except CardDataError as exc:
            raise _library_error(exc.text, "reader_encoding") from None

    def close(self) -> None:
        """Stop the reader thread (the library stays loaded for the process)."""
        self._thread.shutdown()
