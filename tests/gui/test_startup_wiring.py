"""Start-up wiring: the data folder and its lock (app.main), and the configured receipt printer."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from escpos.printer import Dummy
from helpers.engine_fixtures import add_operators, demo_bill, make_engine, sandbox_settings

from app.config import LOCK_FILE_NAME
from app.errors import ConfigError
from app.hardware import factory
from app.main import _single_instance
from app.sandbox import SandboxServer
from app.wiring import build_backend


def test_data_folder_is_private_and_held_by_one_window(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "data"
    lock = _single_instance(folder)
    try:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert (folder / LOCK_FILE_NAME).exists()  # the same file the admin commands take
        with pytest.raises(ConfigError) as second:
            _single_instance(folder)
        assert second.value.code == "single_instance"
    finally:
        lock.unlock()


def test_escpos_printer_kind_is_honoured(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed: list[Dummy] = []

    def connector_for(device: str) -> object:
        assert device == "tcp://192.0.2.1:9100"

        def connect() -> Dummy:
            printed.append(Dummy())
            return printed[-1]

        return connect

    monkeypatch.setattr(factory, "connector_for", connector_for)  # the hardware boundary only
    settings = sandbox_settings(
        sandbox,
        printer={"kind": "escpos", "layout": "thermal80", "escpos_device": "tcp://192.0.2.1:9100"},
    )
    engine = make_engine(settings, tmp_path)
    try:
        cashier, _ = add_operators(engine)
        bill = engine.settle_visit(demo_bill("01"), cashier)
        backend = build_backend(engine, card_reader=None)
        backend.receipts(cashier, bill.bill_id, reprint=False)
    finally:
        engine.close()

    (dummy,) = printed
    output = dummy.output
    assert "门诊慢特病".encode("gb18030") in output
    assert bill.groups[0].settlement_id.encode() in output
    assert not list(tmp_path.glob("receipts/*.pdf"))  # not silently sent to the PDF folder
