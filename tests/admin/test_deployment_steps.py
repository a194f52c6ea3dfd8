"""Every step of docs/deployment.md, run through the real command line against the sandbox.

configure a window for the sandbox → create users → doctor → backup → restore → purge → export;
plus doctor against a stopped platform and a broken configuration. The program runs in-process
(``app.cli.main.main``) with real files in tmp_path and the sandbox over loopback HTTP.
"""

from __future__ import annotations

import io
import json
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QLockFile

from app.cli.main import main
from app.config import LOCK_FILE_NAME
from app.sandbox import SandboxServer
from app.sandbox.cli import write_config

ADMIN_PASSWORD = "Admin-2026x"
CASHIER_PASSWORD = "Cashier-2026x"
AUDITOR_PASSWORD = "Audit-2026x"


@dataclass
class Window:
    """A configured window: its configuration file and data folder."""

    config: Path
    data_dir: Path

    def run(
        self,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        *args: str,
        stdin: str = "",
    ) -> tuple[int, str, str]:
        """Run ``settlement-window --config … --data-dir … <args>``; returns code, out, err."""
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--config", str(self.config), "--data-dir", str(self.data_dir), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err


@pytest.fixture
def window(sandbox: SandboxServer, tmp_path: Path) -> Window:
    """Step 2 of the guide: ``settlement-window sandbox --write-config window.toml``."""
    config = tmp_path / "window.toml"
    write_config(sandbox, config)
    return Window(config, tmp_path / "data")


@pytest.fixture
def with_admin(
    window: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Window:
    """Step 3: the first administrator, password from stdin."""
    code, out, err = window.run(
        capsys, monkeypatch, "users", "init-admin", "A001", "--name", "信息科管理员",
        "--password-stdin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "A001" in out
    return window


def test_users_are_created_listed_and_locked_out(
    with_admin: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = with_admin.run
    code, _, err = run(
        capsys, monkeypatch, "users", "add", "C001", "--name", "收费员甲", "--role", "cashier",
        "--as", "A001", "--password-stdin", stdin=f"{ADMIN_PASSWORD}\n{CASHIER_PASSWORD}\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, _ = run(
        capsys, monkeypatch, "--json", "users", "list", "--as", "A001", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    users = {u["code"]: u for u in json.loads(out)["users"]}
    assert code == 0
    assert users["C001"]["role"] == "cashier"
    assert users["A001"]["role"] == "admin"
    assert CASHIER_PASSWORD not in out

    # A cashier may not manage users: refused with a Chinese reason, exit code 2.
    code, _, err = run(
        capsys, monkeypatch, "users", "disable", "A001", "--as", "C001", "--password-stdin",
        stdin=CASHIER_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 2
    assert "没有“管理操作员”的权限" in err

    for _ in range(5):
        code, _, err = run(
            capsys, monkeypatch, "users", "list", "--as", "A001", "--admin-password", "wrong-123x"
        )
        assert code == 2
    code, _, err = run(
        capsys, monkeypatch, "users", "list", "--as", "A001", "--admin-password", ADMIN_PASSWORD
    )
    assert code == 2
    assert "已锁定" in err


def test_second_init_admin_and_weak_passwords_are_refused(
    with_admin: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = with_admin.run(
        capsys,
        monkeypatch,
        "users",
        "init-admin",
        "A002",
        "--name",
        "x",
        "--password",
        "Other-2026x",
    )
    assert code == 2
    assert "已有管理员" in err
    code, _, err = with_admin.run(
        capsys, monkeypatch, "users", "add", "C009", "--name", "y", "--role", "cashier",
        "--as", "A001", "--admin-password", ADMIN_PASSWORD, "--password", "short1",
    )  # fmt: skip
    assert code == 2
    assert "至少需要 8 位" in err


def test_doctor_is_green_against_the_running_sandbox(
    with_admin: Window,
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = with_admin.run(capsys, monkeypatch, "doctor", "--json")
    report = json.loads(out)
    statuses = {c["key"]: c["status"] for c in report["checks"]}
    assert code == 0, out
    assert "error" not in statuses.values()
    for key in (
        "data_dir",
        "database",
        "platform",
        "sign_in",
        "clock",
        "voucher",
        "fonts",
        "journal",
        "his",
        "his_outbox",
    ):
        assert statuses[key] == "ok", out
    # The sandbox configuration holds its token inline: allowed, but flagged.
    assert statuses["config"] == "warning"
    assert sandbox.request_count("9001") == 1

    code, out, _ = with_admin.run(capsys, monkeypatch, "doctor")
    assert code == 0
    assert out.splitlines()[0].startswith("[警告] 配置：")
    assert out.splitlines()[-1].startswith("共 20 项检查：0 项错误")


def test_doctor_says_what_card_reader_a_training_window_has(
    with_admin: Window,
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Field test: doctor's card-reader line says what the window will do. A training window
    (the sandbox's configuration: demo = true, kind = simulated) offers the sandbox people's
    simulated cards (F6, F2), as --demo does."""
    code, out, _ = with_admin.run(capsys, monkeypatch, "doctor", "--json")
    reader = next(c for c in json.loads(out)["checks"] if c["key"] == "card_reader")

    assert code == 0, out
    assert reader["status"] == "ok"  # a training window (demo = true)
    assert "模拟读卡器（培训窗口）" in reader["text"]
    assert "F6" in reader["text"]


def test_doctor_says_a_window_without_a_vendor_reader_has_no_card_reader(
    sandbox: SandboxServer,
) -> None:
    """Outside training, kind = simulated means no reader at all: F2 answers 未配置读卡器."""
    from helpers.engine_fixtures import production_settings  # noqa: PLC0415

    from app.cli.doctor import card_reader_finding  # noqa: PLC0415

    finding = card_reader_finding(production_settings(sandbox))
    assert finding.status.value == "warning"
    assert "未配置读卡器" in str(finding.text)
    assert "身份证号" in str(finding.text)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_doctor_reports_a_stopped_platform_as_error(
    with_admin: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = with_admin.config.read_text(encoding="utf-8")
    dead = f"http://127.0.0.1:{_closed_port()}"
    lines = [
        f'url = "{dead}"' if line.startswith("url = ") else
        f'ec_url = "{dead}"' if line.startswith("ec_url = ") else line
        for line in text.splitlines()
    ]  # fmt: skip
    with_admin.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = with_admin.run(capsys, monkeypatch, "doctor", "--json")
    statuses = {c["key"]: (c["status"], c["text"]) for c in json.loads(out)["checks"]}
    assert code == 1
    assert statuses["platform"][0] == "error"
    assert "无法连接" in statuses["platform"][1]
    assert statuses["sign_in"][0] == "error"
    assert statuses["voucher"][0] == "error"
    assert statuses["database"][0] == "ok"  # the local side is still checked


def test_doctor_names_the_wrong_key_of_a_broken_configuration(
    window: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window.config.write_text(
        window.config.read_text(encoding="utf-8").replace("read_timeout", "read_timout"),
        encoding="utf-8",
    )
    code, out, _ = window.run(capsys, monkeypatch, "doctor")
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("[错误] 配置：")
    assert "platform.read_timout" in lines[0]
    assert all(line.startswith("[错误]") for line in lines[1:3])
    assert "见“配置”一行" in lines[1]


def test_backup_restore_purge_and_export_steps(
    with_admin: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = with_admin.run
    admin = ("--as", "A001", "--admin-password", ADMIN_PASSWORD)
    backup = with_admin.data_dir.parent / "backup" / "window.sqlite3"
    code, out, err = run(
        capsys, monkeypatch, "--json", "backup", "create", "--output", str(backup), *admin
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["path"] == str(backup)
    code, out, _ = run(capsys, monkeypatch, "backup", "check", str(backup))
    assert code == 0
    assert out.startswith("正常")

    # A user added after the backup is gone after the restore; the old database is kept aside.
    code, _, _ = run(
        capsys, monkeypatch, "users", "add", "AU01", "--name", "审计员", "--role", "auditor",
        *admin, "--password", AUDITOR_PASSWORD,
    )  # fmt: skip
    assert code == 0
    code, out, err = run(capsys, monkeypatch, "backup", "restore", str(backup), *admin)
    assert (code, err) == (0, ""), err
    assert "原数据库已保留为" in out
    code, out, _ = run(capsys, monkeypatch, "--json", "users", "list", *admin)
    assert [u["code"] for u in json.loads(out)["users"]] == ["A001"]

    code, out, _ = run(capsys, monkeypatch, "--json", "backup", "purge", *admin)
    assert code == 0
    assert json.loads(out)["purged"] == 0

    # Exports are for supervisors and auditors, not for the IT admin (separation of duties).
    target = with_admin.data_dir.parent / "export" / "audit.csv"
    code, _, err = run(
        capsys, monkeypatch, "export", "audit", "--start", "2000-01-01", "--end", "2100-12-31",
        "--output", str(target), *admin,
    )  # fmt: skip
    assert code == 2
    assert "导出数据" in err
    run(
        capsys, monkeypatch, "users", "add", "AU01", "--name", "审计员", "--role", "auditor",
        *admin, "--password", AUDITOR_PASSWORD,
    )  # fmt: skip
    code, out, err = run(
        capsys, monkeypatch, "export", "audit", "--start", "2000-01-01", "--end", "2100-12-31",
        "--output", str(target), "--as", "AU01", "--admin-password", AUDITOR_PASSWORD,
    )  # fmt: skip
    assert (code, err) == (0, "")
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads the Chinese correctly
    events = [line.split(",")[3] for line in raw.decode("utf-8-sig").splitlines()[1:]]
    assert "restore" in events
    assert "cache_purge" in events
    assert "user_added" in events


def test_restore_and_purge_refuse_while_the_window_runs(
    with_admin: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = ("--as", "A001", "--admin-password", ADMIN_PASSWORD)
    backup = with_admin.data_dir.parent / "b.sqlite3"
    assert (
        with_admin.run(capsys, monkeypatch, "backup", "create", "--output", str(backup), *admin)[0]
        == 0
    )
    database = with_admin.data_dir / "settlement-window.sqlite3"
    before = database.stat().st_mtime_ns
    running_window = QLockFile(str(with_admin.data_dir / LOCK_FILE_NAME))
    assert running_window.tryLock(0)
    try:
        for command in (("backup", "restore", str(backup)), ("backup", "purge")):
            code, _, err = with_admin.run(capsys, monkeypatch, *command, *admin)
            assert code == 2
            assert "请先关闭收费窗口程序" in err
    finally:
        running_window.unlock()
    assert database.stat().st_mtime_ns == before
    assert not list(with_admin.data_dir.glob("*.before-restore-*"))
    # A backup while the window runs is fine (online backup API).
    running_window.tryLock(0)
    try:
        code, _, _ = with_admin.run(
            capsys, monkeypatch, "backup", "create", "--output", str(backup) + ".2", *admin
        )
    finally:
        running_window.unlock()
    assert code == 0
