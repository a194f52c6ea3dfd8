"""GUI fixtures (see :mod:`gui.desk`): real window, real engine on SQLite, real sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import make_engine, sandbox_settings
from helpers.pg_fixtures import HospitalDb
from PySide6.QtCore import QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import Settings
from app.demo import prepare_demo_desk
from app.sandbox import SandboxServer
from app.sandbox.his import start_demo_his
from app.sandbox.his.http import HisHttpServer
from app.store.hospital.key import create_hospital_key
from app.ui import errors as ui_errors
from app.ui import pdf_preview
from app.ui.device_handler import QtDeviceHandler
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.errors import MessageBridge, ShownMessage
from app.ui.i18n import install_translator
from app.ui.main_window import MainWindow
from app.wiring import HospitalLink, build_backend
from app.workers.runner import TaskRunner
from gui.desk import FAST, Desk, FakeClock, login
from gui.hospital_desks import HospitalDesk, open_hospital_desk


@pytest.fixture
def confirm_everything(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every confirmation answered "yes"; returns the texts asked."""
    asked: list[str] = []

    def ask(cls: type, parent: object, title: str, text: str) -> bool:
        asked.append(text)
        return True

    monkeypatch.setattr(ConfirmDialog, "ask", classmethod(ask))
    return asked


class Previews(list[bytes]):
    """Collected preview requests (the PDFs; their window titles in ``titles``)."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def append_preview(
        self, parent: object, pdf: bytes, printer_name: str, *, title: str, printable: bool = False
    ) -> bool:
        self.append(pdf)
        self.titles.append(title)
        return False


@pytest.fixture(scope="session")
def chinese(qapp: QApplication) -> Iterator[QTranslator]:
    """The window's default language, as at a real desk."""
    translator = install_translator(qapp, "zh_CN")
    assert translator is not None
    yield translator
    qapp.removeTranslator(translator)


@pytest.fixture
def previews() -> Previews:
    """PDFs the window asked to preview (the preview dialog itself is not opened in tests)."""
    return Previews()


@pytest.fixture
def open_desk(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chinese: QTranslator,
    previews: Previews,
) -> Iterator[Callable[..., Desk]]:
    """Build windows on demand: ``open_desk(server, operator="C001")``; ``data_dir=`` opens an
    existing data folder (e.g. a prepared store) instead of a new one in ``tmp_path``."""
    built: list[tuple[Desk, TaskRunner]] = []
    his_servers: list[HisHttpServer] = []

    def open_(
        server: SandboxServer,
        operator: str | None = "C001",
        data_dir: Path | None = None,
        **overrides: Any,
    ) -> Desk:
        his_server = start_demo_his()  # the demo HIS, through the real HTTP adapter
        his_servers.append(his_server)
        without_his = overrides.get("his") == {"kind": "none"}  # a window without an HIS
        overrides.setdefault("his", {"kind": "http", "url": his_server.url, "timeout": 2.0})
        settings: Settings = sandbox_settings(server, **overrides)
        clock = FakeClock()
        folder = data_dir or tmp_path / f"data{len(built)}"
        engine = make_engine(settings, folder, clock=clock)
        assert (engine.his is None) is without_his
        bridge = MessageBridge()
        # The demo window's own composition (app.main / app.wiring), not a copy of it.
        reader, labels = prepare_demo_desk(engine, QtDeviceHandler(bridge))
        backend = build_backend(engine, card_reader=reader)
        runner = TaskRunner()
        desk_messages: list[ShownMessage] = []
        bridge.shown.connect(desk_messages.append)
        window = MainWindow(backend, runner, bridge, clock, settings, demo=True, timing=FAST)
        window.set_demo_cards(labels, reader.select)
        qtbot.addWidget(window)
        window.show()
        desk = Desk(window, engine, reader, clock, desk_messages)
        built.append((desk, runner))
        if operator is not None:
            login(qtbot, desk, operator)
        return desk

    monkeypatch.setattr(ui_errors, "present", lambda parent, message: None)
    monkeypatch.setattr(pdf_preview, "show_pdf_preview", previews.append_preview)
    yield open_
    for desk, runner in built:
        desk.window.close()
        runner.shutdown()
        desk.reader.close()
        desk.engine.close()
    for his_server in his_servers:
        his_server.stop()


@pytest.fixture
def hospital_desk(
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    tmp_path: Path,
) -> Iterator[Callable[..., HospitalDesk]]:
    """Windows of one hospital on demand: ``hospital_desk("W02", operator="S001")`` opens a window
    in hospital mode over the test's hospital record and key, with its hospital tabs and its link
    (closed afterwards)."""
    key = tmp_path / "hospital.key"
    create_hospital_key(key)
    links: list[HospitalLink] = []

    def open_one(name: str, operator: str = "C001") -> HospitalDesk:
        return open_hospital_desk(
            open_desk, sandbox, hospital_db, key=key, name=name, links=links, operator=operator
        )

    yield open_one
    for link in links:
        link.close()


@pytest.fixture
def hospital_windows(
    hospital_desk: Callable[..., HospitalDesk],
) -> Callable[..., tuple[HospitalDesk, HospitalDesk]]:
    """Two windows of one hospital: ``hospital_windows(second_operator="S001")`` opens W01 (logged
    in as C001) and W02 (as ``second_operator``)."""

    def open_two(second_operator: str = "C001") -> tuple[HospitalDesk, HospitalDesk]:
        return hospital_desk("W01"), hospital_desk("W02", operator=second_operator)

    return open_two
