"""Card-reader adapters up to the hardware boundary: a real ctypes library, the simulated reader, PC/SC."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest
from helpers.device_fixtures import CardFields, RecordingHandler

from app.errors import DeviceError
from app.hardware.card_reader.pcsc import PcscCardPresence
from app.hardware.card_reader.simulated import SimulatedCardReader
from app.hardware.card_reader.vendor import VendorCardReader
from app.hardware.threads import DeviceThread
from app.validation.card import parse_card_string

# A stand-in for the vendor's SSCardDriver: iReadCardBas(int iType, char* out) writes a GB18030 card
# string and returns 0; iType 1 simulates "no card" (-11); every call records the calling thread.
VENDOR_C = r"""
#include <string.h>
#include <pthread.h>
static unsigned long last_thread = 0;
unsigned long last_caller(void) { return last_thread; }
int iReadCardBas(int iType, char *out) {
    last_thread = (unsigned long)pthread_self();
    if (iType == 1) { strcpy(out, "no card"); return -11; }
    strcpy(out, CARD);
    return 0;
}
"""


@pytest.fixture(scope="module")
def vendor_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None or not sys.platform.startswith("linux"):
        pytest.skip(
            "no C compiler on this machine: the ctypes path needs one to build a test library"
        )
    folder = tmp_path_factory.mktemp("vendor")
    card = CardFields().text().encode("gb18030")
    literal = "".join(f"\\x{byte:02x}" for byte in card)
    source = folder / "sscard.c"
    source.write_text(f'#define CARD "{literal}"\n' + VENDOR_C, encoding="ascii")
    library = folder / "libsscard.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-pthread", "-o", str(library), str(source)], check=True
    )
    return library


def test_the_vendor_library_is_called_on_the_reader_thread(vendor_library: Path) -> None:
    handler = RecordingHandler()
    reader = VendorCardReader(str(vendor_library), handler=handler)
    try:
        raw = reader.read_card()
    finally:
        reader.close()
    card = parse_card_string(raw)
    assert card.name == "马秀兰"
    assert card.card_number == "X00000019"
    caller = ctypes.CDLL(str(vendor_library)).last_caller
    caller.restype = ctypes.c_ulong
    assert caller() not in (0, threading.get_ident()), "the library ran on the reader's thread"
    assert handler.events[0].startswith("message:请插入")
    assert handler.events[-1] == "finished"


def test_a_library_error_code_becomes_a_device_error_and_the_operator_is_told(
    vendor_library: Path,
) -> None:
    handler = RecordingHandler()
    reader = VendorCardReader(str(vendor_library), handler=handler, card_type=1)
    try:
        with pytest.raises(DeviceError) as caught:
            reader.read_card()
    finally:
        reader.close()
    assert "-11" in caught.value.text
    assert any(event.startswith("error:") for event in handler.events)
    assert handler.events[-1] == "finished"


def test_a_missing_function_is_named(vendor_library: Path) -> None:
    reader = VendorCardReader(str(vendor_library), "iReadCardBasExt", handler=RecordingHandler())
    try:
        with pytest.raises(DeviceError, match="iReadCardBasExt"):
            reader.read_card()
    finally:
        reader.close()


def test_a_missing_or_broken_library_is_a_device_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.so"
    broken.write_bytes(b"not an ELF file")
    for path, code in (("", "reader_library_missing"), (str(broken), "reader_library_load")):
        reader = VendorCardReader(path, handler=RecordingHandler())
        try:
            with pytest.raises(DeviceError) as caught:
                reader.read_card()
        finally:
            reader.close()
        assert caught.value.code == code


def test_the_simulated_reader_hands_out_the_selected_card() -> None:
    handler = RecordingHandler()
    reader = SimulatedCardReader({"马秀兰": CardFields().text()}, handler)
    try:
        with pytest.raises(DeviceError, match="没有卡"):
            reader.read_card()
        reader.select("马秀兰")
        assert parse_card_string(reader.read_card()).name == "马秀兰"
        with pytest.raises(KeyError):
            reader.select("nobody")
    finally:
        reader.close()


def test_pcsc_without_pyscard_is_a_clear_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "smartcard", None)
    monkeypatch.setitem(sys.modules, "smartcard.CardRequest", None)
    presence = PcscCardPresence(RecordingHandler())
    try:
        with pytest.raises(DeviceError) as caught:
            presence.wait_for_card(0.1)
    finally:
        presence.close()
    assert caught.value.code == "pcsc_missing"
    assert "pyscard" in caught.value.text


def test_device_work_outside_its_thread_is_refused() -> None:
    device = DeviceThread("test")
    seen: list[str] = []
    try:
        with pytest.raises(AssertionError):
            device.assert_on_thread()

        def work() -> str:
            device.assert_on_thread()
            seen.append(threading.current_thread().name)
            return "done"

        assert device.call(work) == "done"
        assert device.call(work) == "done"
    finally:
        device.shutdown()
    assert len(set(seen)) == 1
    assert seen[0].startswith("device-test")


class _FakeConnection:
    def __init__(self) -> None:
        self.connected = False

    def connect(self) -> None:
        self.connected = True

    def getATR(self) -> list[int]:  # noqa: N802 - pyscard's name
        return [0x3B, 0x6C, 0x00, 0x00]

    def disconnect(self) -> None:
        self.connected = False


class _CardRequestTimeout(Exception):
    pass


def _fake_pyscard(monkeypatch: pytest.MonkeyPatch, *, present: bool) -> _FakeConnection:
    """A stand-in for the pyscard package (the PC/SC hardware boundary)."""
    connection = _FakeConnection()

    class CardRequest:
        def __init__(self, timeout: float, newcardonly: bool) -> None:
            self.timeout = timeout

        def waitforcard(self) -> object:
            if not present:
                raise _CardRequestTimeout
            return types.SimpleNamespace(connection=connection)

    package = types.ModuleType("smartcard")
    request_module = types.ModuleType("smartcard.CardRequest")
    request_module.CardRequest = CardRequest  # type: ignore[attr-defined]
    exceptions_module = types.ModuleType("smartcard.Exceptions")
    exceptions_module.CardRequestTimeoutException = _CardRequestTimeout  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "smartcard", package)
    monkeypatch.setitem(sys.modules, "smartcard.CardRequest", request_module)
    monkeypatch.setitem(sys.modules, "smartcard.Exceptions", exceptions_module)
    return connection


def test_pcsc_reports_the_card_atr_and_releases_the_card(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = _fake_pyscard(monkeypatch, present=True)
    presence = PcscCardPresence(RecordingHandler())
    try:
        assert presence.wait_for_card(1.0) == "3B6C0000"
    finally:
        presence.close()
    assert not connection.connected


def test_pcsc_without_a_card_is_a_device_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_pyscard(monkeypatch, present=False)
    presence = PcscCardPresence(RecordingHandler())
    try:
        with pytest.raises(DeviceError) as caught:
            presence.wait_for_card(0.1)
    finally:
        presence.close()
    assert caught.value.code == "pcsc_timeout"
