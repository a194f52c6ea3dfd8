"""One composition (app.wiring) for the window, the CLI and the test fixtures: the same answers.

A wiring mistake (a setting not passed on, a printer chosen differently in one place) shows here,
through the code paths the window (``build_backend``) and the CLI (``app.cli.backup``) really use.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.engine_fixtures import (
    add_operators,
    demo_bill,
    make_engine,
    production_settings,
    sandbox_settings,
)
from PySide6.QtWidgets import QApplication

from app.cli import backup as cli_backup
from app.domain.operator import Role
from app.errors import DeviceError
from app.sandbox import SandboxServer
from app.services.auth import LoginPolicy
from app.wiring import build_backend


def test_cli_admin_commands_log_in_with_the_engines_policy(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    settings = sandbox_settings(
        sandbox,
        login={"max_failures": 3, "lockout_minutes": 60, "second_factor_roles": ["cashier"]},
        ui={"idle_lock_minutes": 7},
    )
    expected = LoginPolicy(
        3, timedelta(minutes=60), timedelta(minutes=7), frozenset({Role.CASHIER})
    )
    engine = make_engine(settings, tmp_path)
    try:
        assert engine.auth.policy == expected
    finally:
        engine.close()
    args = argparse.Namespace(config=None, data_dir=str(tmp_path))
    with cli_backup.opened_store(args, settings) as store:
        assert cli_backup.auth_service(store, settings).policy == expected


def test_pdf_printer_kind_gives_the_same_files_to_the_window_and_the_engine(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    engine = make_engine(sandbox_settings(sandbox, printer={"kind": "pdf"}), tmp_path)
    try:
        cashier, _ = add_operators(engine)
        bill = engine.settle_visit(demo_bill("01"), cashier)
        printed = build_backend(engine, card_reader=None).receipts(
            cashier, bill.bill_id, reprint=False
        )
        assert printed
        assert {p.where for p in printed} <= {str(f) for f in (tmp_path / "receipts").glob("*.pdf")}
    finally:
        engine.close()


def test_system_printer_kind_means_the_system_printer_everywhere(
    qapp: QApplication, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """``system`` used to be a PDF file for the engine and a Qt printer for the window."""
    settings = sandbox_settings(sandbox, printer={"kind": "system", "name": "no-such-printer"})
    engine = make_engine(settings, tmp_path)
    try:
        cashier, _ = add_operators(engine)
        bill = engine.settle_visit(demo_bill("01"), cashier)
        with pytest.raises(DeviceError) as by_window:
            build_backend(engine, card_reader=None).receipts(cashier, bill.bill_id, reprint=False)
        assert by_window.value.code == "system_printer_missing"
        with pytest.raises(DeviceError) as by_engine:
            engine.receipts.issue(bill.groups[0].settlement_id, cashier)
        assert by_engine.value.code == "system_printer_missing"
        assert not list(tmp_path.glob("receipts/*.pdf"))  # not silently sent to the PDF folder
    finally:
        engine.close()


def test_a_training_window_offers_the_sandbox_peoples_simulated_cards(
    sandbox: SandboxServer,
) -> None:
    """Field test: a window started from `sandbox --write-config` (demo = true, kind = simulated)
    had no card reader at all, so README's "F6 then ↓ picks a demo card" worked only with --demo."""
    from helpers.device_fixtures import RecordingHandler  # noqa: PLC0415

    from app.main import configured_card_reader  # noqa: PLC0415
    from app.validation.card import parse_card_string  # noqa: PLC0415

    settings = sandbox_settings(sandbox)
    assert settings.demo
    assert settings.card_reader.kind == "simulated"
    reader, cards = configured_card_reader(settings, RecordingHandler())
    try:
        assert "李淑芬" in cards
        reader.select("李淑芬")
        assert parse_card_string(reader.read_card()).name == "李淑芬"
    finally:
        reader.close()


def test_a_window_that_is_not_training_gets_no_simulated_cards(sandbox: SandboxServer) -> None:
    from helpers.device_fixtures import RecordingHandler  # noqa: PLC0415

    from app.main import configured_card_reader  # noqa: PLC0415

    settings = production_settings(sandbox)
    assert configured_card_reader(settings, RecordingHandler()) == (None, ())
