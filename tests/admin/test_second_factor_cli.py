"""The second factor through the real command line: enrolment by the IT admin, login with a code,
doctor's report, and a supervisor's code for a cancellation from the CLI.

The program runs in-process with real files in tmp_path. The admin commands take their clock from
``app.cli.backup.SystemClock``; tests replace it with a fake one so that time steps are exact (a code
is accepted once, so consecutive commands need consecutive 30-second steps).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import make_engine
from helpers.store_fixtures import StoreTestClock

from app.cli.main import main
from app.config import Settings
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine
from app.services.totp import code_at

ADMIN_PASSWORD = "Admin-2026x"
SUPER_PASSWORD = "Super-2026x"


@dataclass
class Window:
    """A window configured with the default policy (supervisors and admins need a code)."""

    config: Path
    data_dir: Path
    clock: StoreTestClock

    def run(
        self,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        *args: str,
        stdin: str = "",
    ) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(
            ["--config", str(self.config), "--data-dir", str(self.data_dir), *args],
            lambda settings, data_dir: _engine(settings, data_dir, self.clock),
        )
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    def next_step(self) -> None:
        """Let the authenticators show their next code."""
        self.clock.advance(30)


def _engine(settings: Settings, data_dir: Path, clock: StoreTestClock) -> Engine:
    return make_engine(settings, data_dir, clock=clock)


@pytest.fixture
def window(sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Window:
    config: dict[str, Any] = client_config(sandbox)
    del config["login"]  # the sandbox relaxes the policy; production keeps the default
    path = tmp_path / "window.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    # Near the real time (the sandbox refuses requests more than 300 s off), on a step boundary;
    # the tests move it on by 30 s per command that uses up a code.
    start = int(datetime.now(UTC).timestamp()) // 30 * 30 - 120
    clock = StoreTestClock(current=datetime.fromtimestamp(start, UTC))
    monkeypatch.setattr("app.cli.backup.SystemClock", lambda: clock)
    return Window(path, tmp_path / "data", clock)


def enrol_admin(
    window: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    """init-admin, then A001 enrols themself (password alone, as nobody else can); the secret."""
    code, _, err = window.run(
        capsys, monkeypatch, "users", "init-admin", "A001", "--name", "信息科管理员",
        "--password-stdin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, err = window.run(
        capsys, monkeypatch, "--json", "users", "totp-enroll", "A001", "--as", "A001",
        "--password-stdin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    secret = str(json.loads(out)["secret"])
    code, out, err = window.run(
        capsys, monkeypatch, "users", "totp-confirm", "A001", "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{code_at(secret, window.clock.now())}\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "已绑定并生效" in out
    window.next_step()
    return secret


def test_it_enrols_admin_and_supervisor_who_then_need_their_codes(
    window: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run = window.run
    code, out, err = run(
        capsys, monkeypatch, "users", "init-admin", "A001", "--name", "信息科管理员",
        "--password-stdin", stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0
    # Not enrolled, and the role needs it: refused, told what to do.
    code, _, err = run(
        capsys, monkeypatch, "users", "list", "--as", "A001", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 2
    assert "还没有绑定验证器" in err
    assert "请联系信息科为您绑定验证器" in err
    # Enrolling someone else is not a way around it.
    code, _, err = run(
        capsys, monkeypatch, "users", "totp-enroll", "S001", "--as", "A001", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 2
    assert "还没有绑定验证器" in err

    code, out, err = run(
        capsys, monkeypatch, "users", "totp-enroll", "A001", "--as", "A001", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "尚未生效" in out
    assert "otpauth://totp/settlement-window:A001%40H" in out
    # The hint repeats this command's --config/--data-dir: without them it opens another store.
    assert (
        f"settlement-window --config {window.config} --data-dir {window.data_dir} "
        "users totp-confirm A001 --as A001，"
    ) in out
    secret = out.split("密钥：", 1)[1].splitlines()[0].replace(" ", "")
    assert len(secret) == 32

    wrong = code_at(secret, window.clock.now().replace(year=2030))
    code, _, err = run(
        capsys, monkeypatch, "users", "totp-confirm", "A001", "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{wrong}\n",
    )  # fmt: skip
    assert code == 2
    assert "绑定尚未生效" in err
    code, _, err = run(
        capsys, monkeypatch, "users", "totp-confirm", "A001", "--as", "A001",
        "--admin-password", ADMIN_PASSWORD, "--otp", code_at(secret, window.clock.now()),
    )  # fmt: skip
    assert (code, err) == (0, "")
    window.next_step()

    # From now on A001 needs a code: after the password, on the next line of stdin.
    code, _, err = run(
        capsys, monkeypatch, "users", "list", "--as", "A001", "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert code == 2
    assert "没有读到动态验证码" in err
    window.next_step()
    code, _, err = run(
        capsys, monkeypatch, "users", "add", "S001", "--name", "主管乙", "--role", "supervisor",
        "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{code_at(secret, window.clock.now())}\n{SUPER_PASSWORD}\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    window.next_step()
    code, out, err = run(
        capsys, monkeypatch, "--json", "users", "totp-enroll", "S001", "--as", "A001",
        "--admin-otp", code_at(secret, window.clock.now()), "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    enrolment = json.loads(out)
    assert enrolment["code"] == "S001"
    assert enrolment["uri"].startswith("otpauth://totp/")
    window.next_step()
    code, out, err = run(
        capsys, monkeypatch, "--json", "users", "list", "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{code_at(secret, window.clock.now())}\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    users = {u["code"]: u for u in json.loads(out)["users"]}
    assert users["A001"]["second_factor"] == "enrolled"
    assert users["S001"]["second_factor"] == "pending"
    assert users["S001"]["second_factor_required"] is True
    assert enrolment["secret"] not in out

    # A replayed admin code is refused (and counted).
    code, _, err = run(
        capsys, monkeypatch, "users", "list", "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{code_at(secret, window.clock.now())}\n",
    )  # fmt: skip
    assert code == 2
    assert "已经用过" in err


def test_reset_and_the_doctor_report(
    window: Window, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = enrol_admin(window, capsys, monkeypatch)
    code, _, err = window.run(
        capsys, monkeypatch, "users", "add", "S001", "--name", "主管乙", "--role", "supervisor",
        "--as", "A001", "--password-stdin",
        stdin=f"{ADMIN_PASSWORD}\n{code_at(secret, window.clock.now())}\n{SUPER_PASSWORD}\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    window.next_step()

    code, out, _ = window.run(capsys, monkeypatch, "doctor", "--json")
    checks = {c["key"]: c for c in json.loads(out)["checks"]}
    assert checks["second_factor"]["status"] == "warning"
    assert "S001（主管乙）" in checks["second_factor"]["text"]
    assert "A001" not in checks["second_factor"]["text"]
    assert code == 0  # a warning keeps doctor green

    code, out, err = window.run(
        capsys, monkeypatch, "users", "totp-reset", "A001", "--as", "A001",
        "--admin-otp", code_at(secret, window.clock.now()), "--admin-password", ADMIN_PASSWORD,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "重新绑定（totp-enroll）之前不能登录" in out
    code, out, _ = window.run(capsys, monkeypatch, "doctor")
    line = next(x for x in out.splitlines() if "动态验证码：" in x)
    assert line.startswith("[警告]")
    assert "A001（信息科管理员）" in line


def test_the_supervisors_code_for_a_cli_cancellation(
    window: Window,
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin_secret = enrol_admin(window, capsys, monkeypatch)
    for user, role, password in (
        ("C001", "cashier", "Cashier-2026x"),
        ("S001", "supervisor", SUPER_PASSWORD),
    ):
        code, _, err = window.run(
            capsys, monkeypatch, "users", "add", user, "--name", user, "--role", role,
            "--as", "A001", "--password-stdin",
            stdin=f"{ADMIN_PASSWORD}\n{code_at(admin_secret, window.clock.now())}\n{password}\n",
        )  # fmt: skip
        assert (code, err) == (0, "")
        window.next_step()
    code, out, _ = window.run(
        capsys, monkeypatch, "--json", "users", "totp-enroll", "S001", "--as", "A001",
        "--admin-otp", code_at(admin_secret, window.clock.now()), "--admin-password",
        ADMIN_PASSWORD,
    )  # fmt: skip
    supervisor_secret = json.loads(out)["secret"]
    window.next_step()
    code, _, err = window.run(
        capsys, monkeypatch, "users", "totp-confirm", "S001", "--as", "A001",
        "--admin-otp", code_at(admin_secret, window.clock.now()), "--admin-password",
        ADMIN_PASSWORD, "--otp", code_at(supervisor_secret, window.clock.now()),
    )  # fmt: skip
    assert (code, err) == (0, "")
    window.next_step()

    monkeypatch.setenv("SW_OPERATOR_PASSWORD", "Cashier-2026x")
    monkeypatch.setenv("SW_SUPERVISOR_PASSWORD", SUPER_PASSWORD)
    bill = str(Path(__file__).resolve().parents[2] / "resources" / "demo_bills")
    bill = str(next(Path(bill).glob("01*.json")))
    code, out, _ = window.run(
        capsys, monkeypatch, "--json", "settle", "--bill", bill, "--yes", "--operator", "C001"
    )
    assert code == 0, out
    (group,) = json.loads(out)["bill"]["groups"]
    settlement_id = group["settlement_id"]

    # Without SW_SUPERVISOR_OTP and no terminal: refused before anything is sent.
    code, out, _ = window.run(
        capsys, monkeypatch, "--json", "cancel", settlement_id, "--operator", "C001",
        "--supervisor", "S001",
    )  # fmt: skip
    assert code != 0
    assert "SW_SUPERVISOR_OTP" in out
    assert sandbox.request_count("2208") == 0

    monkeypatch.setenv("SW_SUPERVISOR_OTP", code_at(supervisor_secret, window.clock.now()))
    code, out, _ = window.run(
        capsys, monkeypatch, "--json", "cancel", settlement_id, "--operator", "C001",
        "--supervisor", "S001",
    )  # fmt: skip
    assert code == 0, out
    assert sandbox.request_count("2208") == 1
