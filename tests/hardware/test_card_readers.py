"""Card-reader adapters up to the hardware boundary: a real ctypes library, the simulated reader, PC/SC."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers.device_fixtures import CardFields, RecordingHandler

from app.errors import DeviceError
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
