"""Hospital mode: a call left "awaiting the hospital server" has its own state, with what to do, in
the window's journal tab (待确认交易) and its own line in ``doctor`` (等待医院服务器), apart from the
unresolved calls the window resolves itself — and, once another window holds the row's resolution
claim, both name that window (issue 13 item 5).

W01 dies with an unknown 2207 whose record reached the hospital record, and comes back while its road
to PostgreSQL is cut (a TCP proxy): its recovery leaves the row waiting. Before, the tab showed the
row as any other unresolved call ("querying and reversing automatically") and ``doctor`` counted it
among them, telling the cashier to resolve it in the journal tab — which the window must not do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.hospital_windows import Window
from helpers.pg_fixtures import HospitalDb
from helpers.tcp_proxy import TcpProxy
from hospital.test_dead_window_restart import (
    dead_with_a_synced_unknown_row,
    proxy,
    reopen_behind,
)

from app.cli.doctor_hospital import journal_findings
from app.cli.formatting import journal_text
from app.messages import ENGLISH
from app.sandbox import SandboxServer
from app.services.doctor import Status
from app.ui.models.history_model import JournalColumn, JournalModel

__all__ = ["proxy"]  # fixture used by name


def _shown(model: JournalModel, column: JournalColumn) -> str:
    value = model.data(model.index(0, column))
    assert isinstance(value, str)
    return value


@pytest.mark.usefixtures("chinese")  # the window's default language, as at a real desk
def test_a_call_awaiting_the_hospital_server_is_named_in_the_journal_tab_and_doctor(
    two_windows: tuple[Window, Window],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    w1, w2 = two_windows
    msgid = dead_with_a_synced_unknown_row(w1, sandbox)
    proxy.cut()  # W01 comes back, but the LAN to the hospital server is down
    back = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        back.start()

        rows = back.journal()  # the 2207 and the 2601 that reverses it: both wait
        assert {(r.msgid if r.infno == "2207" else r.original_msgid) for r in rows} == {msgid}
        assert {(r.awaiting, r.awaiting_window) for r in rows} == {(True, "")}
        (row,) = [r for r in rows if r.msgid == msgid]
        (listed,) = [ln for ln in journal_text(rows).splitlines() if ln.split()[0] == msgid]
        assert "等待医院服务器" in listed  # journal list / journal resolve at the console
        model = JournalModel()
        model.set_rows([row])
        assert _shown(model, JournalColumn.STATE) == "等待医院服务器"
        action = _shown(model, JournalColumn.ACTION)
        assert "不会重复" in action
        assert "信息科" in action

        own, awaiting = journal_findings(back.settings, back.uow_factory)
        assert own.status is Status.OK  # nothing for the cashier to resolve in the tab
        assert "等待医院服务器" in str(own.text)
        assert awaiting.status is Status.WARNING
        assert str(awaiting.text).startswith(f"1 笔结果未明的交易（{msgid}）")
        assert "连不上医院服务器" in str(awaiting.text)
        assert "信息科" in str(awaiting.text)
        assert not isinstance(awaiting.text, str)
        assert "hospital server" in awaiting.text.render(ENGLISH)

        # The server answers again, and a supervisor at W02 has meanwhile begun resolving the row.
        proxy.restore()
        at = datetime(2026, 12, 7, 12, 0, 5, tzinfo=UTC)  # 20:00:05 in Beijing
        assert w2.record.claim_resolution(msgid, "W02", "S001", at) == "W02"
        assert back.recovery.resolve_awaiting() == 1

        (row,) = [r for r in back.journal() if r.msgid == msgid]
        assert (row.awaiting, row.awaiting_window) == (True, "W02")
        model.set_rows([row])
        assert _shown(model, JournalColumn.STATE) == "正由窗口 W02 处理"
        assert "W02" in _shown(model, JournalColumn.ACTION)
        assert "正由窗口 W02 处理" in journal_text([row])
        _own, awaiting = journal_findings(back.settings, back.uow_factory)
        assert awaiting.status is Status.WARNING
        assert "窗口 W02 的 S001" in str(awaiting.text)
        assert "12-07 20:00:05" in str(awaiting.text)
    finally:
        back.close()
