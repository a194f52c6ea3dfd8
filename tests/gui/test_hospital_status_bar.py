"""Hospital mode in the real window: the status bar shows the replication lag, the records waiting
and the last sync — "not connected" while the link to the hospital server is cut, caught up after."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import tomli_w
from helpers.pg_fixtures import HospitalDb
from helpers.tcp_cut import CuttableLink
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from app.main import WindowSession, start_session
from app.sandbox import SandboxServer, client_config
from app.services.hospital_sync_loop import HospitalSyncWorker, SyncState
from app.store.hospital.key import create_hospital_key
from app.ui.hospital_status import install_hospital_status
from app.wiring import hospital_link
from gui.desk import Desk


@pytest.fixture
def link(hospital_db: HospitalDb) -> Iterator[CuttableLink]:
    url = make_url(hospital_db.url)
    cuttable = CuttableLink((url.host or "127.0.0.1", url.port or 5432))
    yield cuttable
    cuttable.cut()


def test_the_status_bar_shows_lag_waiting_records_and_the_last_sync(
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    link: CuttableLink,
    tmp_path: Path,
) -> None:
    key = tmp_path / "hospital.key"
    create_hospital_key(key)
    url = make_url(hospital_db.url).set(host="127.0.0.1", port=link.port)
    hospital = {
        "url": f"{url.render_as_string()}?options=-csearch_path%3D{hospital_db.schema}",
        "hospital_key_file": str(key),
    }
    # In hospital mode the catalogue is imported once, into PostgreSQL, and refused while the
    # server is unreachable: the demo window is prepared with the link up, then the LAN goes down.
    link.restore()
    desk = open_desk(sandbox, hospital_db=hospital)
    link.cut()
    connection = hospital_link(desk.engine)  # the window's own composition
    assert connection is not None
    worker = HospitalSyncWorker(connection.sync, desk.engine.clock)
    label = install_hospital_status(desk.window, worker.state)
    assert isinstance(label, QLabel)
    assert label in desk.window.statusBar().findChildren(QLabel)

    desk.clock.advance(timedelta(seconds=95))
    away = worker.run_round()  # the link is cut: nothing listens on its port
    label.refresh()

    assert not away.connected
    assert away.pending > 0
    assert "未连接" in label.text()
    assert f"待同步 {away.pending} 条" in label.text()
    assert "未同步时长 9" in label.text()  # ≈ 95 s of lag
    assert "上次同步 尚无" in label.text()

    link.restore()
    back = worker.run_round()
    label.refresh()

    assert back.connected
    assert "未连接" not in label.text()
    assert "未同步时长 0 秒" in label.text()
    assert "待同步 0 条" in label.text()
    assert "尚无" not in label.text()
    connection.close()


def test_the_window_starts_without_the_hospital_server_and_catches_up_when_it_returns(
    qtbot: QtBot,
    qapp: QApplication,
    *,
    chinese: object,
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    link: CuttableLink,
    tmp_path: Path,
) -> None:
    key = tmp_path / "hospital.key"
    create_hospital_key(key)
    url = make_url(hospital_db.url).set(host="127.0.0.1", port=link.port)
    config = client_config(sandbox)
    config["hospital_db"] = {
        "url": f"{url.render_as_string()}?options=-csearch_path%3D{hospital_db.schema}",
        "hospital_key_file": str(key),
        "sync_interval_seconds": 0.5,
    }
    path = tmp_path / "w01.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    session = WindowSession(qapp)
    excepthook = sys.excepthook
    try:
        # The link to the hospital server is cut: start-up must not wait for it (local-first).
        shell = start_session(session, demo=False, config=str(path), data_dir=str(tmp_path / "d"))
        qtbot.addWidget(shell)
        qtbot.waitUntil(lambda: shell.is_ready, timeout=60_000)
        window = shell.main_window
        assert window is not None

        def label() -> QLabel | None:
            return window.statusBar().findChild(QLabel, "hospital_status")

        qtbot.waitUntil(lambda: label() is not None and "未连接" in label().text(), timeout=20_000)
        link.restore()
        qtbot.waitUntil(lambda: "待同步 0 条" in label().text(), timeout=30_000)  # type: ignore[union-attr]
        assert "未连接" not in label().text()  # type: ignore[union-attr]
        shell.close()
    finally:
        session.close()
        sys.excepthook = excepthook
        gc.unfreeze()


def test_a_settlement_wakes_the_sync_instead_of_waiting_for_the_interval(
    open_desk: Callable[..., Desk], sandbox: SandboxServer
) -> None:
    from app.hospital_window import install_hospital_window  # noqa: PLC0415
    from app.main import Composition  # noqa: PLC0415

    desk = open_desk(sandbox)
    composition = Composition(desk.engine.settings)
    rounds: list[str] = []
    composition.hospital_state = SyncState
    composition.hospital_wake = lambda: rounds.append("now")

    install_hospital_window(desk.window, composition)
    desk.window.group_settled.emit(object())
    desk.window.settlement_finished.emit()

    assert rounds == ["now", "now"]
