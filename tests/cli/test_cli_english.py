"""With ``[ui] language = "en"`` every command's success output is English.

Each command of docs/cli.md is run on its success path in English mode and its stdout must hold no
Chinese character — except data, removed first **by field**: the patients' names (the sandbox's
identities), the operators' names (as stored), the catalogue's item names, specifications and
classes, the diseases, insurance types, provinces and funds of the national code tables, and the
hospital's name. Anything else Chinese left on stdout is a line the console did not translate.
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    demo_bill_path,
    make_engine,
)

from app.cli.main import main
from app.config import Settings, load_settings
from app.domain.catalogue import ItemClass
from app.domain.disease import PILOT_DISEASES
from app.domain.operator import Role
from app.domain.person import INSURANCE_TYPE_NAMES
from app.domain.region import PROVINCES
from app.domain.settlement import FUND_TYPE_NAMES
from app.sandbox import SandboxServer
from app.services.engine import Engine

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "resources" / "sandbox" / "catalogue.json"
ADMIN_PASSWORD = "Admin-pass-2026"
# CJK ideographs, CJK punctuation (。、【】) and full-width forms (，：（）); English quotes “” are
# English typography.
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def _data_values(sandbox: SandboxServer, settings: Settings, engine: Engine) -> list[str]:
    """The Chinese that is data, field by field (longest first, so a name is removed whole)."""
    catalogue = json.loads(CATALOGUE.read_text(encoding="utf-8"))["items"]
    with engine.uow_factory() as uow:
        operators = [a.operator.name for a in uow.operators.all()]
    values: list[str] = [
        *(person["name"] for person in sandbox.identities()),
        *operators,
        *(item["name"] for item in catalogue),
        *(item.get("spec", "") for item in catalogue),
        *(item_class.label for item_class in ItemClass),
        *(d.label for d in PILOT_DISEASES.values()),
        *(d.name for d in PILOT_DISEASES.values()),
        *INSURANCE_TYPE_NAMES.values(),
        *PROVINCES.values(),
        *FUND_TYPE_NAMES.values(),
        settings.hospital.name,
    ]
    return sorted({v for v in values if v}, key=len, reverse=True)


def _without_data(text: str, data: Iterable[str]) -> str:
    for value in data:
        text = text.replace(value, "")
    return text


@pytest.fixture
def english(
    cli_env: tuple[Path, Path], tmp_path: Path, sandbox: SandboxServer
) -> tuple[Path, Path, list[str]]:
    """(English configuration, data folder, the data values) with an administrator A001 too."""
    config, data_dir = cli_env
    document = load_settings(config)
    raw: dict[str, Any] = tomllib.loads(config.read_text(encoding="utf-8"))
    raw["ui"] = {"language": "en"}
    english_config = tmp_path / "english.toml"
    english_config.write_text(tomli_w.dumps(raw), encoding="utf-8")
    engine = make_engine(document, data_dir)
    try:
        with engine.uow_factory() as uow:
            uow.operators.add("A001", "信息科管理员", Role.ADMIN, ADMIN_PASSWORD)
            uow.commit()
        data = _data_values(sandbox, document, engine)
    finally:
        engine.close()
    return english_config, data_dir, data


def _run(
    english: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    *args: str,
    expect: int = 0,
) -> str:
    """Run one command in English; return its stdout after checking it holds no Chinese but
    data."""
    config, data_dir, data = english
    code = main(["--config", str(config), "--data-dir", str(data_dir), *args], _factory)
    captured = capsys.readouterr()
    assert code == expect, (args, captured.out, captured.err)
    left = CHINESE.findall(_without_data(captured.out, data))
    assert not left, (args, captured.out)
    return captured.out


def _json(
    english: tuple[Path, Path, list[str]], capsys: pytest.CaptureFixture[str], *args: str
) -> Any:
    config, data_dir, _ = english
    code = main(["--config", str(config), "--data-dir", str(data_dir), "--json", *args], _factory)
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_the_money_commands_speak_english(
    english: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who = next(p for p in sandbox.identities() if p["name"] == "李淑芬")
    out = _run(
        english, capsys, "eligibility", "--id-number", who["id_number"], "--operator", "C001"
    )
    assert "Insurance:" in out

    out = _run(
        english,
        capsys,
        "settle",
        "--bill",
        str(demo_bill_path("01")),
        "--yes",
        "--operator",
        "C001",
    )
    assert "Collect 50.00 yuan in cash" in out
    settlement_id = re.search(r"settlement (\d+)", out)
    assert settlement_id is not None
    out = _run(
        english, capsys, "cancel", settlement_id[1], "--operator", "C001", "--supervisor", "S001"
    )
    assert f"Settlement {settlement_id[1]} cancelled" in out

    refunded = _json(
        english,
        capsys,
        "settle",
        "--bill",
        str(demo_bill_path("03")),
        "--yes",
        "--operator",
        "C001",
    )
    group = refunded["bill"]["groups"][0]
    out = _run(
        english, capsys, "cancel", group["settlement_id"], "--operator", "C001",
        "--supervisor", "S001", "--refund-lines", group["line_nos"][0],
    )  # fmt: skip
    assert "The kept lines were settled again" in out

    _run(english, capsys, "journal", "list")
    _run(english, capsys, "journal", "resolve", "--operator", "C001")
    _run(english, capsys, "his", "status")
    _run(english, capsys, "report", "shift", "--operator", "C001")

    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    out = _run(english, capsys, "catalog", "import", str(CATALOGUE), "--operator", "S001")
    assert "catalogue items imported" in out
    assert "\n" in _run(english, capsys, "catalog", "search", "bhs")  # pinyin initials
    _run(english, capsys, "catalog", "search", "no-such-item-at-all")
    out = _run(english, capsys, "day-close", "--operator", "S001")
    assert "Shift summary" in out
    out = _run(english, capsys, "doctor")  # every check, the sandbox reachable
    assert "Platform reachable" in out


def test_the_administration_commands_speak_english(
    english: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    admin = ("--as", "A001", "--admin-password", ADMIN_PASSWORD)
    english[2].insert(0, "收费员丙")  # the name field of the account added below
    new = ("--password", "Cashier-pass-2027")
    assert "Added cashier C002" in _run(
        english,
        capsys,
        "users",
        "add",
        "C002",
        "--name",
        "收费员丙",
        "--role",
        "cashier",
        *admin,
        *new,
    )
    _run(english, capsys, "users", "set-role", "C002", "--role", "registration", *admin)
    _run(english, capsys, "users", "disable", "C002", *admin)
    _run(english, capsys, "users", "enable", "C002", *admin)
    _run(english, capsys, "users", "reset-password", "C002", *admin, *new)
    _run(english, capsys, "users", "list", *admin)
    enrolment = _run(english, capsys, "users", "totp-enroll", "C002", *admin)
    assert "totp-confirm" in enrolment
    _run(english, capsys, "users", "totp-reset", "C002", *admin)

    today = datetime.now(UTC).date()
    span = (
        "--start",
        (today - timedelta(days=1)).isoformat(),
        "--end",
        (today + timedelta(days=1)).isoformat(),
    )
    supervisor = ("--as", "S001", "--admin-password", SUPERVISOR_PASSWORD)
    for what in ("settlements", "audit"):
        output = str(tmp_path / f"{what}.csv")
        _run(english, capsys, "export", what, *span, "--output", output, *supervisor)

    backup = tmp_path / "backup.sqlite3"
    assert "Backup done" in _run(
        english, capsys, "backup", "create", "--output", str(backup), *admin
    )
    _run(english, capsys, "backup", "check", str(backup))
    _run(english, capsys, "backup", "purge", *admin)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    _run(english, capsys, "backup", "restore", str(backup), *admin)


@pytest.mark.parametrize(
    "args",
    [
        ("day-close", "--date", "2026-13-01", "--operator", "S001"),
        ("report", "shift", "--from", "25:00", "--operator", "C001"),
        ("report", "shift", "--output", "x.pdf", "--operator", "C001"),
        ("journal", "resolve", "123", "--operator", "C001"),  # a cashier may not: the role's name
        ("catalog", "search", "x", "--limit", "0"),
        ("catalog", "search", "x", "--limit", "many"),
        ("settle", "--bill", "bill.json"),  # no terminal, no --yes
        ("cancel", "400000000001", "--supervisor", "S001"),  # no operator named
        ("nosuchcommand",),
        ("export", "settlements", "--start", "bad", "--output", "x.csv", "--as", "S001"),
        ("users", "add", "X001", "--name", "X", "--role", "boss", "--as", "A001"),
    ],
)
def test_refusals_speak_english(
    args: tuple[str, ...],
    english: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SW_OPERATOR", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    config, data_dir, data = english

    code = main(["--config", str(config), "--data-dir", str(data_dir), *args], _factory)

    err = capsys.readouterr().err
    assert code in {2, 3}, err
    assert err.startswith(("Error: ", "usage: ")), err
    assert not CHINESE.findall(_without_data(err, data)), err


def test_the_password_prompts_speak_english(
    english: tuple[Path, Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []

    def typed(prompt: str) -> str:
        asked.append(prompt)
        return CASHIER_PASSWORD if "C001" in prompt else SUPERVISOR_PASSWORD

    monkeypatch.delenv("SW_OPERATOR_PASSWORD", raising=False)
    monkeypatch.delenv("SW_SUPERVISOR_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", typed)

    _run(
        english,
        capsys,
        "cancel",
        "499999999999",
        "--operator",
        "C001",
        "--supervisor",
        "S001",
        expect=2,
    )

    assert asked == ["Password of C001: ", "Password of supervisor S001: "]
